"""Notes of an in-person exit interview (a talk): who may record them, when, and what they say.

After the talk the interviewer (or HR) fills in the interview template as a form. Every question is
optional there: what did not come up is simply not stored. Notes can be saved as a draft as often
as needed; once finished they are final and HR is told.

The answers are the questionnaire's JSON shapes (flows.questionnaire), checked by the same
`validate_answer`, so talk notes and self-service answers can be compared and reported alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flows.interview import Mode, Status
from flows.invitation import Stage
from flows.questionnaire import Answer, Phase, State, clean_text, validate_answer
from flows.registration import Problem
from flows.template import Question, QuestionType, Template

# Where a departure may get talk notes: the leaver asked for a talk, or HR holds one anyway
# (no answer to the invitation, declined it, or cannot be reached in Slack). Not while the
# invitation is still planned, not when the leaver answers in Slack, never when cancelled.
NOTES_STAGES = frozenset({Stage.TALK_REQUESTED, Stage.INVITED, Stage.DECLINED, Stage.UNREACHABLE})

# The parts of a question in the form: its answer, a rating's comment, a multiple choice's "other".
VALUE, COMMENT, OTHER_TEXT = "value", "comment", "other"

# validate_answer's problems that a field in the form can show; anything else is "invalid".
_FIELD_PROBLEMS = frozenset({"invalid", "unknown_option", "too_long", "value_missing", "out_of_range",
                             "other_missing"})


@dataclass(frozen=True)
class Existing:
    """The interview already stored for the departure."""

    mode: str
    status: str


def may_record(*, user_id: str, interviewer_id: str, is_hr: bool) -> Problem | None:
    """HR, and the departure's own interviewer, may record the notes of a talk."""
    if is_hr or user_id == interviewer_id:
        return None
    return Problem("notes.not_allowed")


def check_notes(*, stage: str, existing: Existing | None, now: datetime, deadline: datetime) -> Problem | None:
    """Whether notes can be opened or saved now; None means they can.

    `deadline` is the end of the last day for notes (flows.interview.expiry_moment), in the leaver's
    own time zone.
    """
    if stage == Stage.CANCELLED:
        return Problem("notes.cancelled")
    if existing is not None:
        if existing.mode != Mode.TALK:
            return Problem("notes.self_service")
        if existing.status == Status.SUBMITTED:
            return Problem("notes.already_finished")
        if existing.status != Status.DRAFT:
            return Problem("notes.closed")
    elif stage not in NOTES_STAGES:
        if stage == Stage.REGISTERED:
            return Problem("notes.not_yet")
        if stage == Stage.ANSWERING:
            return Problem("notes.self_service")
        return Problem("notes.closed")
    if now >= deadline:
        return Problem("notes.expired", {"date": (deadline - timedelta(days=1)).date().isoformat()})
    return None


@dataclass(frozen=True)
class Checked:
    """The form's answers by question id, or the problems by (question id, part)."""

    answers: dict[str, Answer]
    problems: dict[tuple[str, str], Problem]


def validate_notes(template: Template, raws: Mapping[str, Mapping[str, Any]]) -> Checked:
    """Check what the form holds. `raws` maps a question id to its parts (`value`, `comment`,
    `other`) as entered: an option id, a list of option ids, a number as text, "yes"/"no", a text,
    or None. A question left empty is not answered and not stored."""
    answers: dict[str, Answer] = {}
    problems: dict[tuple[str, str], Problem] = {}
    for question in template.questions:
        raw = _shape(question, raws.get(question.id) or {})
        if raw is None:
            continue
        offered = None
        if question.choices_from is not None:
            # The talk notes offer the other question's full list: the leaver's picks are in the
            # same form and may still change.
            source = template.question(question.choices_from)
            offered = [option.id for option in source.options] if source is not None else []
        result = validate_answer(question, raw, option_ids=offered)
        if isinstance(result, Problem):
            problems[(question.id, _part_of(question, result))] = _field_problem(result)
        else:
            answers[question.id] = result
    for question in template.questions:
        answer = answers.get(question.id)
        if question.choices_from is None or answer is None:
            continue
        picks = (answers.get(question.choices_from) or {}).get("values") or []
        if picks and answer.get("value") not in picks:
            problems[(question.id, VALUE)] = Problem("notes.not_picked")
    return Checked(answers if not problems else {}, problems)


def notes_state(template: Template, answers: dict[str, Answer], *, finished: bool) -> State:
    """The notes as a questionnaire state: reviewable while a draft, submitted once finished."""
    return State(
        template_id=template.id,
        template_version=template.version,
        answers=dict(answers),
        position=len(template.questions),
        phase=Phase.SUBMITTED if finished else Phase.SUMMARY,
    )


def _given(value: Any) -> Any:
    """None for nothing entered (also a text of only spaces), else the value."""
    if isinstance(value, str):
        return value if clean_text(value) else None
    if isinstance(value, list | tuple):
        return list(value) or None
    return value


def _shape(question: Question, parts: Mapping[str, Any]) -> dict[str, Any] | None:
    """The form's parts as the answer's JSON shape for validate_answer; None when nothing is entered."""
    value = _given(parts.get(VALUE))
    if question.type is QuestionType.RATING:
        comment = _given(parts.get(COMMENT)) if question.allow_comment else None
        if value is None and comment is None:
            return None
        return {"value": value, "comment": comment} if question.allow_comment else {"value": value}
    if question.type is QuestionType.MULTIPLE_CHOICE:
        other = _given(parts.get(OTHER_TEXT)) if question.allow_other else None
        if value is None and other is None:
            return None
        return {"values": value or [], "other": other} if question.allow_other else {"values": value}
    return None if value is None else {"value": value}


def _part_of(question: Question, problem: Problem) -> str:
    """Which field of the form a problem belongs to."""
    suffix = problem.key.rsplit(".", 1)[-1]
    if question.type is QuestionType.RATING and suffix == "too_long":
        return COMMENT  # only the comment is text
    if question.type is QuestionType.MULTIPLE_CHOICE and suffix in ("too_long", "other_missing"):
        return OTHER_TEXT
    return VALUE


def _field_problem(problem: Problem) -> Problem:
    suffix = problem.key.rsplit(".", 1)[-1]
    if suffix not in _FIELD_PROBLEMS:
        return Problem("notes.problem.invalid")
    return Problem(f"notes.problem.{suffix}", dict(problem.params))

