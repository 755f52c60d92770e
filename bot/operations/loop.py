""""You said, we did" (issue 5): HR records what was done about a signal; the next digest lists the
actions taken since the previous one, and HR's report shows whether the signal's numbers moved
afterwards (before vs after the action's date, with n; "not enough data yet" below 3 on a side).

Also the audit log as HR sees it (`/exit-interview audit`) and as a CSV export (CLI).
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import TextIO

from bot.blocks import loop as view
from bot.i18n import Translator
from bot.operations import numbers
from bot.services import Services
from flows import loop as rules
from flows.aggregates import report_signals
from flows.insights import PeriodStats
from flows.loop import Action, Movement
from flows.registration import Problem
from storage import repositories as repo
from storage.db import Database

log = logging.getLogger(__name__)

LOOP_ACTION_RECORDED = "loop_action_recorded"  # audit log action
ANSWERS_VIEWED = "answers_viewed"  # audit log action (bot/operations/review.show_answers)
RECORD_EXPORTED = "record_exported"  # audit log action (bot/operations/records.send_record)
AUDIT_COLUMNS = ("id", "at", "actor", "action", "subject", "detail")


# -- recording ------------------------------------------------------------------------------------------


def current_subjects(services: Services) -> list[str]:
    """The subjects of the signals in the report of the last twelve months ("category:x", "reason:y")."""
    days, question_roles = numbers.daily(services)
    return rules.subjects_of(report_signals(days, question_roles, services.today(), services.settings.thresholds))


def open_form(services: Services, user_id: str, trigger_id: str) -> Problem | None:
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    from bot.operations import templates

    _ = Translator(services.directory.language(user_id))
    services.client.views_open(trigger_id=trigger_id, view=view.action_modal(
        _, template=templates.active_template(services.db), subjects=current_subjects(services),
        today=services.today(), owner_id=user_id))
    return None


def record(services: Services, user_id: str, *, what: str | None, done_on: str | None, owner_id: str | None,
           subject: str | None) -> dict[str, Problem]:
    """Store the action; {} when stored, else the problems per modal block (block ids of the modal)."""
    if not services.directory.is_hr(user_id):
        return {view.BLOCK_WHAT: Problem("hr.only")}
    problems: dict[str, Problem] = {}
    text = (what or "").strip()
    if not text:
        problems[view.BLOCK_WHAT] = Problem("loop.what_missing")
    elif len(text) > rules.MAX_WHAT:
        problems[view.BLOCK_WHAT] = Problem("loop.what_too_long", {"limit": str(rules.MAX_WHAT)})
    day = None
    try:
        day = date.fromisoformat(done_on or "")
    except ValueError:
        problems[view.BLOCK_WHEN] = Problem("loop.when_missing")
    if day is not None and day > services.today():
        problems[view.BLOCK_WHEN] = Problem("loop.when_future")
    if not owner_id:
        problems[view.BLOCK_OWNER] = Problem("loop.owner_missing")
    else:
        with services.db.session() as session:
            if repo.latest_departure_of(session, owner_id) is not None:
                problems[view.BLOCK_OWNER] = Problem("loop.owner_leaver")
    subject = subject or rules.GENERAL
    if not rules.valid_subject(subject):
        problems[view.BLOCK_SUBJECT] = Problem("loop.subject_unknown")
    if problems:
        return problems
    now = services.clock.now()
    with services.db.session() as session:
        action = repo.add_loop_action(session, what=text, done_on=day, owner_id=owner_id, subject=subject,
                                      recorded_by=user_id, recorded_at=now)
        repo.add_audit(session, at=now, actor=user_id, action=LOOP_ACTION_RECORDED, subject=None,
                       detail={"loop_action": action.id, "signal": subject})
    log.info("loop action recorded by %s on %s", user_id, subject)
    return {}


# -- reading --------------------------------------------------------------------------------------------


def _actions(session, recorded_after: datetime | None = None) -> list[Action]:
    leavers: dict[str, bool] = {}
    actions = []
    for row in repo.loop_actions(session, recorded_after):
        if row.owner_id not in leavers:
            leavers[row.owner_id] = repo.latest_departure_of(session, row.owner_id) is not None
        actions.append(Action(row.id, row.what, row.done_on, row.owner_id, row.subject, leavers[row.owner_id]))
    return actions


def actions_since_previous_digest(services: Services, before_digest_id: int | None = None) -> list[Action]:
    """The actions recorded since the previous posted digest (all of them before the first digest)."""
    with services.db.session() as session:
        previous = repo.latest_posted_digest(session, before_id=before_digest_id)
        since = (previous.posted_at or previous.created_at) if previous is not None else None
        return _actions(session, since)


def movements(services: Services, split: Callable[[date], tuple[PeriodStats, PeriodStats]]) -> list[Movement]:
    """Per action with a subject: the signal's number before (up to and on its day) and after it;
    `split(day)` gives the statistics of the interviews submitted up to that day and after it."""
    with services.db.session() as session:
        actions = _actions(session)
    return rules.movements(actions, split)


# -- the audit log ---------------------------------------------------------------------------------------


def audit_message(services: Services, user_id: str, limit: int = 20) -> tuple[str, list[dict]]:
    _ = Translator(services.directory.language(user_id))
    if not services.directory.is_hr(user_id):
        text = _("hr.only")
        return text, view.plain(text)
    with services.db.session() as session:
        entries = [(e.at, e.actor, e.action, e.subject, e.detail) for e in repo.latest_audit_entries(session, limit)]
    return view.audit_message(_, entries, services.settings.tz)


def write_audit_csv(db: Database, out: TextIO) -> int:
    """Every audit entry, oldest first, as CSV; returns the number of entries."""
    with db.session() as session:
        rows = [(e.id, e.at.isoformat(), e.actor, e.action, e.subject or "",
                 json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail is not None else "")
                for e in repo.audit_entries(session)]
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    return len(rows)


def _safe_cell(value):
    """No formula injection when the CSV is opened in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
