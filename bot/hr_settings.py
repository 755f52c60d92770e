"""The settings HR may change in Slack: which ones, of what kind, how a typed value is checked, and
the environment's settings with HR's stored changes on top.

The environment gives the defaults (`Services.base_settings`); the `settings` table holds only
what HR changed. A value is checked by the environment's own rules (bot.config.load_settings), so
the modal accepts exactly what `.env` would. `Services.settings` is `effective_settings`; the modal
(bot.blocks.settings) shows `FIELDS`; saving a change is bot.operations.settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from bot.config import ConfigError, Settings, load_settings
from flows.registration import Problem
from storage import repositories as repo
from storage.db import Database

log = logging.getLogger(__name__)

# Kinds of setting, as the modal shows them and as their errors are worded.
USERS, USERGROUP, CHANNEL, LANGUAGE, INTEGER, BOOLEAN, SCHEDULE = (
    "users", "usergroup", "channel", "language", "integer", "boolean", "schedule",
)


@dataclass(frozen=True)
class Field:
    key: str  # the Settings attribute; also the modal's block id
    env: str  # the environment variable giving its default
    kind: str


FIELDS: tuple[Field, ...] = (
    Field("hr_user_ids", "HR_USER_IDS", USERS),
    Field("hr_usergroup_id", "HR_USERGROUP_ID", USERGROUP),
    Field("hr_channel_id", "HR_CHANNEL_ID", CHANNEL),
    Field("manager_channel_id", "MANAGER_CHANNEL_ID", CHANNEL),
    Field("default_language", "DEFAULT_LANGUAGE", LANGUAGE),
    Field("invite_working_days_before", "INVITE_WORKING_DAYS_BEFORE", INTEGER),
    Field("reminders_enabled", "REMINDERS_ENABLED", BOOLEAN),
    Field("reminder_working_days", "REMINDER_WORKING_DAYS", INTEGER),
    Field("interview_expiry_days", "INTERVIEW_EXPIRY_DAYS", INTEGER),
    Field("digest_schedule", "DIGEST_SCHEDULE", SCHEDULE),
    Field("digest_min_interviews", "DIGEST_MIN_INTERVIEWS", INTEGER),
    Field("retention_months", "RETENTION_MONTHS", INTEGER),
)
BY_KEY = {f.key: f for f in FIELDS}

# What load_settings needs besides the one value being checked.
_PROBE = {"SLACK_BOT_TOKEN": "xoxb-settings-check", "SLACK_APP_TOKEN": "xapp-settings-check",
          "HR_USER_IDS": "U0SETTINGS"}


def check(setting: Field, raw: str | None) -> object | Problem:
    """A value as it came from the modal (text, the way the environment would hold it): its typed
    value, or a Problem worded for that field. Empty means "not set" where that is allowed."""
    raw = (raw or "").strip()
    if not raw:
        if setting.kind == USERS:
            return frozenset()
        if setting.kind in (USERGROUP, CHANNEL):
            return None
        return Problem("settings.error.required")
    try:
        checked = load_settings({**_PROBE, setting.env: raw})
    except ConfigError as error:
        if setting.kind == INTEGER and error.low is not None and error.high is not None:
            return Problem("settings.error.whole_number", {"low": f"{error.low:g}", "high": f"{error.high:g}"})
        return Problem(f"settings.error.{setting.kind}")
    return getattr(checked, setting.key)


@cache
def limits(setting: Field) -> tuple[int, int] | None:
    """The accepted range of a whole-number setting, as bot.config enforces it."""
    if setting.kind != INTEGER:
        return None
    problem = check(setting, "-1000000000")
    if isinstance(problem, Problem) and "low" in problem.params:
        return int(problem.params["low"]), int(problem.params["high"])
    return None


def to_json(value: object) -> object:
    """A setting's value as stored: a set of ids becomes a sorted list."""
    return sorted(value) if isinstance(value, frozenset | set) else value


def as_text(value: object) -> str:
    """A stored or typed value the way the environment writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


def effective_settings(base: Settings, db: Database) -> Settings:
    """The environment's settings with HR's stored changes on top (Services.settings)."""
    with db.session() as session:
        stored = repo.setting_overrides(session)
    changes = {}
    for key, value in stored.items():
        setting = BY_KEY.get(key)
        if setting is None:
            continue  # a setting this version of the bot does not know
        checked = check(setting, as_text(value))
        if isinstance(checked, Problem):
            log.warning("ignoring the stored setting %s: it is not valid (%s)", key, checked.key)
            continue
        changes[key] = checked
    return replace(base, **changes) if changes else base


@dataclass(frozen=True)
class Change:
    key: str
    old: object
    new: object


@dataclass(frozen=True)
class PastChange:
    at: datetime
    by: str
    key: str
