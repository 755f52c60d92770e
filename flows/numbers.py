"""The numbers of one submitted interview: what the figures are computed from, without any text.

A submitted interview is turned into plain codes and numbers once (when it is submitted, and again
when a purge trims its answers), so that every report, digest and dashboard can count and sum in
SQL instead of decrypting and parsing every interview on every run:

    rating          the value 1–5, per question, with the question's category
    scale_0_10      the score 0–10 (the recommendation question is also the eNPS score)
    single_choice   the option id picked
    multiple_choice one row per option id picked (the free text of "other" is never kept)
    yes_no          the code "yes" or "no"

A single or multiple choice answered also gives one row of kind "answered" (no code): how many
interviews answered a question is then a count of rows, like everything else.

Text questions, comments and the "other" texts give nothing. Skipped and malformed answers give
nothing either. `choices_from` answers follow from a single pick, as in the questionnaire.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.template import RATING_POINTS, Category, QuestionType, Template

RATING = "rating"
SCORE = "score"
CHOICE = "choice"
YES_NO = "yes_no"
ANSWERED = "answered"
YES, NO = "yes", "no"


@dataclass(frozen=True)
class AnswerCode:
    """One number or code of one answer (a multiple choice gives one per option picked)."""

    question_id: str
    category: str
    kind: str  # rating | score | choice | yes_no | answered
    code: str | None = None
    value: int | None = None


@dataclass(frozen=True)
class InterviewNumbers:
    """What the figures need of one interview; `answers` holds every answer code, the fields above
    it are the ones each figure reads directly (None: not answered)."""

    enps_score: int | None
    come_back: str | None
    main_reason: str | None
    consent: bool | None
    answers: tuple[AnswerCode, ...]
    reasons_question: str | None = None  # the template's question of all reasons for leaving

    def reasons(self) -> list[str]:
        """The reasons for leaving picked (option ids), in the order picked."""
        return self.codes(self.reasons_question) if self.reasons_question else []

    def codes(self, question_id: str) -> list[str]:
        return [a.code for a in self.answers if a.question_id == question_id and a.code is not None]


def _int_in(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if value != int(value) or not low <= value <= high:
        return None
    return int(value)


def _codes(question, answer: Mapping[str, Any]) -> list[AnswerCode]:
    kind, category = question.type, str(question.category)
    if kind is QuestionType.RATING:
        value = _int_in(answer.get("value"), 1, RATING_POINTS)
        return [AnswerCode(question.id, category, RATING, value=value)] if value is not None else []
    if kind is QuestionType.SCALE_0_10:
        value = _int_in(answer.get("value"), 0, 10)
        return [AnswerCode(question.id, category, SCORE, value=value)] if value is not None else []
    if kind is QuestionType.SINGLE_CHOICE or kind is QuestionType.MULTIPLE_CHOICE:
        values = [answer.get("value")] if kind is QuestionType.SINGLE_CHOICE else answer.get("values")
        if not isinstance(values, list | tuple):
            return []
        picked = [v for v in dict.fromkeys(v for v in values if isinstance(v, str) and v) if len(v) <= 40]
        if not picked:
            return []
        return [*(AnswerCode(question.id, category, CHOICE, code=value) for value in picked),
                AnswerCode(question.id, category, ANSWERED)]
    if kind is QuestionType.YES_NO:
        value = answer.get("value")
        return [AnswerCode(question.id, category, YES_NO, code=YES if value else NO)] if isinstance(value, bool) else []
    return []


def numbers_of(template: Template | None, answers: Mapping[str, Any]) -> InterviewNumbers:
    """The numbers of an interview's final answers (question id → answer JSON)."""
    rows: list[AnswerCode] = []
    if template is not None:
        answers = _with_single_picks(template, answers)
        for question in template.questions:
            answer = answers.get(question.id)
            if isinstance(answer, Mapping) and answer.get("skipped") is not True:
                rows.extend(_codes(question, answer))

    def first(kind: QuestionType, category: Category) -> str | None:
        if template is None:
            return None
        return next((q.id for q in template.questions if q.type is kind and q.category is category), None)

    def one(question_id: str | None) -> AnswerCode | None:
        return next((row for row in rows if row.question_id == question_id and row.kind != ANSWERED), None)

    score = one(first(QuestionType.SCALE_0_10, Category.RECOMMENDATION))
    come_back = one(first(QuestionType.SINGLE_CHOICE, Category.RETURN))
    main = one(first(QuestionType.SINGLE_CHOICE, Category.REASONS))
    consent = one(first(QuestionType.YES_NO, Category.CONSENT))
    return InterviewNumbers(
        enps_score=score.value if score else None,
        come_back=come_back.code if come_back else None,
        main_reason=main.code if main else None,
        consent=(consent.code == YES) if consent else None,
        answers=tuple(rows),
        reasons_question=first(QuestionType.MULTIPLE_CHOICE, Category.REASONS),
    )


def _with_single_picks(template: Template, answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """A `choices_from` question is not asked after a single pick: that pick is its answer."""
    result = dict(answers)
    for question in template.questions:
        if question.choices_from is None or question.id in result:
            continue
        source = answers.get(question.choices_from)
        values = source.get("values") if isinstance(source, Mapping) and source.get("skipped") is not True else None
        picks = [v for v in values if isinstance(v, str)] if isinstance(values, list | tuple) else []
        if len(dict.fromkeys(picks)) == 1:
            result[question.id] = {"value": picks[0]}
    return result
