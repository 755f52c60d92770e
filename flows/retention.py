"""Retention: when a departure's personal data is due to go, and what of its answers may stay.

RETENTION_MONTHS (default 24) after the last working day the personal data goes: the Slack ids
of the leaver, their manager and interviewer are replaced by a neutral value, and every free text
(text answers, a rating's comment, the text of an 'other' choice, HR's highlights) is deleted.
What stays are the anonymous ratings, choices and scores that trends are made of.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flows.interview import Status
from flows.invitation import Stage
from flows.template import QuestionType, Template

PURGED = "purged"  # the neutral value that replaces a Slack user id
DEFAULT_RETENTION_MONTHS = 24

TEXT_TYPES = frozenset({QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT})


def add_months(day: date, months: int) -> date:
    """The same day `months` later, on the month's last day when it is shorter (31 Aug + 6 = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def purge_date(last_day: date, months: int) -> date:
    """The day the personal data of a departure with this last working day goes."""
    return add_months(last_day, months)


def purge_due(last_day: date, today: date, months: int) -> bool:
    return purge_date(last_day, months) <= today


def latest_due_last_day(today: date, months: int) -> date:
    """The latest last working day that is due today: due exactly when last_day <= this day.

    (purge_date grows with last_day, so the due days are everything up to one day; a database
    query can use it as a bound.)
    """
    day = add_months(today, -months)
    while purge_due(day + timedelta(days=1), today, months):
        day += timedelta(days=1)
    while not purge_due(day, today, months):
        day -= timedelta(days=1)
    return day


def purged_stage(stage: str) -> str:
    """A departure still waiting to be invited or for a choice is over: nothing may be sent any more."""
    return Stage.EXPIRED.value if stage in (Stage.REGISTERED, Stage.INVITED) else stage


def purged_status(status: str) -> str:
    """An interview still open is closed (expiry normally did that long before)."""
    return Status.EXPIRED.value if status in (Status.IN_PROGRESS, Status.PAUSED, Status.DRAFT) else status


def kept_answer(question_type: QuestionType, answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """What of one answer stays: ratings, scores and choices without any text; None when nothing does."""
    if answer.get("skipped") is True:
        return {"skipped": True}
    if question_type in TEXT_TYPES:
        return None
    if question_type is QuestionType.RATING:
        return {"value": answer.get("value"), "comment": None}
    if question_type is QuestionType.MULTIPLE_CHOICE:
        return {"values": list(answer.get("values") or []), "other": None}
    if question_type is QuestionType.SCALE_0_10 or question_type is QuestionType.YES_NO:
        return {"value": answer.get("value")}
    if question_type is QuestionType.SINGLE_CHOICE:
        value = answer.get("value")
        return {"value": value} if isinstance(value, str) else None
    return None


def kept_answers(template: Template | None, answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The answers without free text. Without the template nothing can be told apart: nothing stays."""
    if template is None:
        return {}
    types = {question.id: question.type for question in template.questions}
    kept: dict[str, dict[str, Any]] = {}
    for question_id, answer in answers.items():
        if question_id not in types or not isinstance(answer, Mapping):
            continue
        if (value := kept_answer(types[question_id], answer)) is not None:
            kept[question_id] = value
    return kept


def free_texts(template: Template | None, answers: Mapping[str, Any]) -> int:
    """How many texts a purge deletes from these answers (for `purge --dry-run`)."""
    count = 0
    types = {question.id: question.type for question in template.questions} if template else {}
    for question_id, answer in answers.items():
        if not isinstance(answer, Mapping) or answer.get("skipped") is True:
            continue
        kind = types.get(question_id)
        if kind is None:
            count += sum(1 for value in answer.values() if isinstance(value, str) and value)
        elif kind in TEXT_TYPES:
            count += 1 if answer.get("value") else 0
        else:
            count += 1 if answer.get("comment") else 0
            count += 1 if answer.get("other") else 0
    return count


def purged_state(template: Template | None, state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored questionnaire state with only the answers that may stay."""
    if state is None:
        return None
    answers = state.get("answers") if isinstance(state.get("answers"), Mapping) else {}
    return {**state, "answers": kept_answers(template, answers)}
