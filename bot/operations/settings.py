"""HR's settings in Slack: checking a changed form, storing and auditing a change, and making it
effective at once, without a restart.

Which settings HR may change and how a value is checked is bot.hr_settings (Block Kit builders and
`Services.settings` need it too); a change reloads the settings, moves the digest job, and refreshes HR's Home.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.hr_settings import BY_KEY, FIELDS, SCHEDULE, Change, PastChange, check, to_json
from flows import schedule
from flows.registration import Problem
from storage import repositories as repo
from storage.db import Database

log = logging.getLogger(__name__)


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


def recent_changes(db: Database, limit: int = 5) -> list[PastChange]:
    """The newest changes, for the modal's footer (the audit log keeps them all)."""
    with db.session() as session:
        entries = repo.setting_changes(session, limit)
        return [PastChange(e.at, e.actor, (e.detail or {}).get("setting", "")) for e in entries
                if (e.detail or {}).get("setting") in BY_KEY]
