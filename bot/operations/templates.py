"""Which interview template applies: the installed active version, else the shipped default.

Parsed templates are cached by (key, version): a version never changes once installed.
"""

from __future__ import annotations

import threading

from flows.template import Template, default_template, parse_template, shipped_template
from storage import repositories as repo
from storage.db import Database

_cache: dict[tuple[str, int], Template] = {}
_lock = threading.Lock()


def active_template(db: Database) -> Template:
    """The company's standard for new interviews."""
    with db.session() as session:
        row = repo.active_template(session)
        if row is None:
            return default_template()
        key, version, source = row.key, row.version, row.source
    return _parsed(key, version, source)


def template_for(db: Database, key: str, version: int) -> Template:
    """The template an interview started with, even after a newer one was installed."""
    with _lock:
        if (key, version) in _cache:
            return _cache[(key, version)]
    with db.session() as session:
        row = repo.template_version(session, key, version)
        source = row.source if row is not None else None
    if source is None:
        shipped = shipped_template(key, version)
        if shipped is not None:
            return shipped
        raise LookupError(f"template {key} version {version} is not installed")
    return _parsed(key, version, source)


def install(db: Database, source: str, installed_by: str | None, now, origin: str = "<upload>") -> Template:
    """Validate and install; raises flows.template.TemplateError or repo.TemplateVersionTaken."""
    template = parse_template(source, origin)
    default = default_template()
    if (template.id, template.version) == (default.id, default.version) and source.strip() != _default_source():
        raise repo.TemplateVersionTaken(f"{template.id} v{template.version}")
    with db.session() as session:
        repo.install_template(session, template.id, template.version, source, installed_by, now)
    with _lock:
        _cache[(template.id, template.version)] = template
    return template


def _parsed(key: str, version: int, source: str) -> Template:
    with _lock:
        cached = _cache.get((key, version))
    if cached is not None:
        return cached
    template = parse_template(source, f"{key} v{version}")
    with _lock:
        _cache[(key, version)] = template
    return template


def _default_source() -> str:
    from flows.template import DEFAULT_TEMPLATE_PATH

    return DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8").strip()
