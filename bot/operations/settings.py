"""HR's settings in Slack: which values HR may change, checking them, storing and auditing a change,
and making it effective at once, without a restart.

The environment gives the defaults (`Services.base_settings`); the `settings` table holds only
what HR changed. A value is checked by the environment's own rules (bot.config.load_settings), so
the modal accepts exactly what `.env` would. `Services.settings` is the environment with the
stored changes on top; a change reloads it, moves the digest job, and refreshes HR's Home.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from sqlalchemy.exc import IntegrityError

from bot.config import ConfigError, Settings, load_settings
from flows import schedule
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


@dataclass
class SaveOutcome:
    errors: dict[str, Problem] = field(default_factory=dict)  # block id → what is wrong there
    changes: list[Change] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return not self.errors


def save(services, user_id: str, form: Mapping[str, str]) -> SaveOutcome:
    """Check every field of the modal, then store and audit what changed, all or nothing."""
    if not services.directory.is_hr(user_id):
        return SaveOutcome({FIELDS[0].key: Problem("hr.only")})
    current: Settings = services.reload_settings()
    values: dict[str, object] = {}
    errors: dict[str, Problem] = {}
    for setting in FIELDS:
        if setting.key not in form:
            continue  # not in this form: unchanged
        if setting.kind == SCHEDULE and not form[setting.key] and schedule.parse(getattr(current, setting.key)) is None:
            continue  # no day chosen: a crontab line set on the server stays as it is
        checked = check(setting, form[setting.key])
        if setting.kind == SCHEDULE and (isinstance(checked, Problem) or schedule.parse(checked) is None):
            checked = Problem("settings.error.schedule_words")  # HR chooses a day and a time, never a crontab
        if isinstance(checked, Problem):
            errors[setting.key] = checked
        else:
            values[setting.key] = checked
    if errors:
        return SaveOutcome(errors)
    new = replace(current, **values)
    if not new.hr_user_ids and not new.hr_usergroup_id:
        return SaveOutcome({"hr_user_ids": Problem("settings.error.no_hr")})
    if not new.hr_usergroup_id and user_id not in new.hr_user_ids:
        return SaveOutcome({"hr_user_ids": Problem("settings.error.yourself")})

    changes = [Change(key, getattr(current, key), value) for key, value in values.items()
               if getattr(current, key) != value]
    if not changes:
        return SaveOutcome()
    now = services.clock.now()
    try:
        _store(services.db, services.base_settings, changes, user_id, now)
    except IntegrityError:  # two HR members saved the same new setting at the same moment
        return SaveOutcome({changes[0].key: Problem("settings.error.conflict")})
    effective = services.reload_settings()
    if services.scheduler is not None and any(c.key == "digest_schedule" for c in changes):
        services.scheduler.reschedule_digest(effective.digest_schedule)
    log.info("settings changed by %s: %s", user_id, ", ".join(c.key for c in changes))
    return SaveOutcome(changes=changes)


def _store(db: Database, base: Settings, changes: list[Change], user_id: str, now: datetime) -> None:
    with db.session() as session:
        for change in changes:
            if change.new == getattr(base, change.key):
                repo.remove_setting(session, change.key)  # back to the environment's value
            else:
                repo.put_setting(session, change.key, to_json(change.new), user_id, now)
            repo.add_audit(session, at=now, actor=user_id, action=repo.SETTING_CHANGED, subject=None,
                           detail={"setting": change.key, "old": to_json(change.old), "new": to_json(change.new)})


@dataclass(frozen=True)
class PastChange:
    at: datetime
    by: str
    key: str


def recent_changes(db: Database, limit: int = 5) -> list[PastChange]:
    """The newest changes, for the modal's footer (the audit log keeps them all)."""
    with db.session() as session:
        entries = repo.setting_changes(session, limit)
        return [PastChange(e.at, e.actor, (e.detail or {}).get("setting", "")) for e in entries
                if (e.detail or {}).get("setting") in BY_KEY]
