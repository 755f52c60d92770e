"""Keep the numbers store (storage.numbers) in step with a submitted interview, in the caller's
unit of work: the interview's final answers, read once through its template, become plain codes."""

from __future__ import annotations

from datetime import date, tzinfo

from flows.aggregates import Roles, Tally, tallies_from_rows
from flows.numbers import numbers_of
from flows.template import Template
from storage import numbers as store
from storage.db import Database
from storage.models import Interview


def answers_of(state: dict | None) -> dict:
    """The answers in a stored questionnaire state (flows.numbers fills in single picks itself)."""
    answers = state.get("answers") if isinstance(state, dict) else None
    return answers if isinstance(answers, dict) else {}


def template_of(db: Database, interview: Interview) -> Template | None:
    from bot.operations import templates

    try:
        return templates.template_for(db, interview.template_key, interview.template_version)
    except LookupError:
        return None


def record(session, db: Database, interview: Interview, template: Template | None = None,
           tz: tzinfo | None = None) -> bool:
    """Write (or rewrite) the numbers of this interview; nothing is kept unless it is submitted.
    `tz`: the company's time zone, for the day it counts on (without it the day stays as it was)."""
    session.flush()
    template = template if template is not None else template_of(db, interview)
    numbers = numbers_of(template, answers_of(interview.state))
    day = interview.submitted_at.astimezone(tz).date() if tz is not None and interview.submitted_at else None
    return store.record_numbers(session, interview.id, numbers, day)


def roles(services) -> Roles:
    """Which questions feed which figure, over every template the stored interviews used (and the
    active one)."""
    from bot.operations import templates

    used: list[Template] = [templates.active_template(services.db)]
    with services.db.session() as session:
        versions = store.templates_in_use(session)
    for key, version in versions:
        try:
            used.append(templates.template_for(services.db, key, version))
        except LookupError:
            continue
    return Roles.of(used)


def daily(services) -> tuple[dict[date, Tally], Roles]:
    """The tally of every day's submitted interviews (SQL sums, nothing decrypted), and the roles to read
    them with: what the report and its signals are computed from."""
    with services.db.session() as session:
        days = tallies_from_rows(store.daily_tally_rows(session))
    return days, roles(services)
