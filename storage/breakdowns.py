"""HR's breakdowns in SQL: the numbers store (interview_numbers, answer_numbers) joined with the
departure, grouped per manager, department, role, tenure band or main reason over a period.

Every query returns sums only (counts, sums, sums of squares, counts per answer) per group; which
group may be shown is decided in flows.insights (protect_partition). Nothing here decrypts anything,
and the group values are what HR stored with the departure (a manager's Slack id, a department).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from storage.models import AnswerNumber, Departure, InterviewNumber
from storage.numbers import RATED_CATEGORIES

MANAGER, DEPARTMENT, ROLE, TENURE, REASON = "manager", "department", "role", "tenure", "reason"
GROUPINGS = (MANAGER, DEPARTMENT, ROLE, TENURE, REASON)
DAYS_PER_YEAR = 365.25


@dataclass
class GroupSums:
    """The sums of one group of interviews (one value of the grouping)."""

    count: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    ratings: dict[str, tuple[int, float, float]] = field(default_factory=dict)  # category → (n, sum, squares)
    choices: dict[str, dict[str, int]] = field(default_factory=dict)  # question id → option → interviews
    answered: dict[str, int] = field(default_factory=dict)  # question id → interviews that answered it


@dataclass(frozen=True)
class Period:
    """Interviews submitted from `start` to `end`, both included (the company's days)."""

    start: date
    end: date


def _tenure_days(session: Session) -> ColumnElement:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(InterviewNumber.last_day) - func.julianday(Departure.started_on)
    return InterviewNumber.last_day - Departure.started_on  # PostgreSQL: whole days


def _group_column(session: Session, grouping: str, bands: Sequence[tuple[float, str]], last_band: str):
    if grouping == MANAGER:
        return Departure.manager_id
    if grouping == DEPARTMENT:
        return Departure.department
    if grouping == ROLE:
        return Departure.role
    if grouping == REASON:
        return InterviewNumber.main_reason
    if grouping == TENURE:
        days = _tenure_days(session)
        whens = [(Departure.started_on.is_(None), literal(None)), (days < 0, literal(None))]
        whens += [(days < years * DAYS_PER_YEAR, literal(label)) for years, label in bands]
        return case(*whens, else_=literal(last_band))
    raise ValueError(f"unknown grouping {grouping!r}")


def _filtered(query, period: Period, manager_id: str | None, answers: bool = False):
    """Restricted to the period; answer rows by their own day (the covering index, no join needed
    to find them), interviews by theirs."""
    if answers:
        query = query.where(AnswerNumber.submitted_on >= period.start, AnswerNumber.submitted_on <= period.end)
    else:
        query = query.where(InterviewNumber.submitted_on >= period.start, InterviewNumber.submitted_on <= period.end)
    return query.where(Departure.manager_id == manager_id) if manager_id else query


def group_sums(
    session: Session,
    grouping: str,
    period: Period,
    *,
    choice_questions: Sequence[str] = (),
    tenure_bands: Sequence[tuple[float, str]] = (),
    last_band: str = "",
    manager_id: str | None = None,
) -> dict[str | None, GroupSums]:
    """The sums per group (None: the departure holds no value for it) of the interviews submitted in
    the period. `choice_questions`: question ids whose options are counted per group. `tenure_bands`:
    (upper bound in years, label) in rising order, `last_band` above them. `manager_id`: only that
    manager's leavers (still grouped as asked)."""
    combined = group_sums_by(session, (grouping,), period, choice_questions=choice_questions,
                             tenure_bands=tenure_bands, last_band=last_band, manager_id=manager_id)
    return {key[0]: sums for key, sums in combined.items()}


def group_sums_by(
    session: Session,
    groupings: Sequence[str],
    period: Period,
    *,
    choice_questions: Sequence[str] = (),
    tenure_bands: Sequence[tuple[float, str]] = (),
    last_band: str = "",
    manager_id: str | None = None,
    with_ratings: bool = True,
    reasons_question: str | None = None,
) -> dict[tuple, GroupSums]:
    """As `group_sums`, grouped by several groupings at once (keys are tuples in their order): one
    pass over the interviews gives every breakdown, each then added up from these finer groups.
    `reasons_question`: the reasons for leaving, counted (under that question id) from each
    interview's reason_codes in the same pass."""
    groups = [_group_column(session, grouping, tenure_bands, last_band).label(f"g{index}")
              for index, grouping in enumerate(groupings)]
    width = len(groups)
    joined = InterviewNumber.__table__.join(Departure.__table__, Departure.id == InterviewNumber.departure_id)
    score = InterviewNumber.enps_score
    result: dict[tuple, GroupSums] = {}

    # One pass over the interviews: counts, eNPS and the rating sums each interview's row keeps.
    rated = [getattr(InterviewNumber, f"rating_{category}_{part}")
             for category in RATED_CATEGORIES for part in ("n", "sum", "squares")]
    reasons = InterviewNumber.reason_codes
    codes = sorted(session.scalars(select(AnswerNumber.code).where(
        AnswerNumber.question_id == reasons_question, AnswerNumber.kind == "choice").distinct())) \
        if reasons_question else []
    query = select(
        *groups,
        func.count(),
        func.sum(case((score >= 9, 1), else_=0)),
        func.sum(case((and_(score >= 7, score <= 8), 1), else_=0)),
        func.sum(case((score <= 6, 1), else_=0)),
        *(func.sum(column) for column in (rated if with_ratings else ())),
        *((func.sum(case((reasons.is_not(None), 1), else_=0)),) if reasons_question else ()),
        *(func.sum(case((reasons.contains(f" {code} ", autoescape=True), 1), else_=0)) for code in codes),
    ).select_from(joined)
    for row in session.execute(_filtered(query, period, manager_id).group_by(*groups)):
        count, promoters, passives, detractors = row[width:width + 4]
        sums = result[tuple(row[:width])] = GroupSums(int(count), int(promoters or 0), int(passives or 0),
                                                      int(detractors or 0))
        values = row[width + 4:]
        if with_ratings:
            for index, category in enumerate(RATED_CATEGORIES):
                n, total, squares = values[3 * index:3 * index + 3]
                if n:
                    sums.ratings[category] = (int(n), float(total or 0), float(squares or 0))
            values = values[3 * len(RATED_CATEGORIES):]
        if reasons_question and values[0]:
            sums.answered[reasons_question] = int(values[0])
            sums.choices[reasons_question] = {code: int(n) for code, n in zip(codes, values[1:], strict=True) if n}

    answers = joined.join(AnswerNumber.__table__, AnswerNumber.interview_id == InterviewNumber.interview_id)
    # A rating in another category (a template of HR's own) is read from its answer rows, when any exists.
    elsewhere = (AnswerNumber.kind == "rating", AnswerNumber.category.not_in(RATED_CATEGORIES))
    if with_ratings and session.scalar(select(AnswerNumber.id).where(*elsewhere).limit(1)) is not None:
        value = AnswerNumber.value
        query = select(*groups, AnswerNumber.category, func.count(), func.sum(value), func.sum(value * value)
                       ).select_from(answers).where(*elsewhere)
        for row in session.execute(
            _filtered(query, period, manager_id, answers=True).group_by(*groups, AnswerNumber.category)
        ):
            category, n, total, squares = row[width:]
            result.setdefault(tuple(row[:width]), GroupSums()).ratings[category] = (
                int(n), float(total or 0), float(squares or 0))

    if choice_questions:
        # One pass over both: the picks per option, and how many answered the question at all.
        query = select(*groups, AnswerNumber.question_id, AnswerNumber.kind, AnswerNumber.code, func.count()
                       ).select_from(answers).where(AnswerNumber.kind.in_(("choice", "answered")),
                                                    AnswerNumber.question_id.in_(list(choice_questions)))
        for row in session.execute(
            _filtered(query, period, manager_id, answers=True).group_by(
                *groups, AnswerNumber.question_id, AnswerNumber.kind, AnswerNumber.code)
        ):
            question_id, kind, code, n = row[width:]
            sums = result.setdefault(tuple(row[:width]), GroupSums())
            if kind == "answered":
                sums.answered[question_id] = sums.answered.get(question_id, 0) + int(n)
            else:
                sums.choices.setdefault(question_id, {})[code] = int(n)
    return result


def reasons_per_month(session: Session, question_id: str, period: Period) -> list[tuple[str, str, int, int]]:
    """(month YYYY-MM, option, interviews naming it, interviews answering the question that month),
    month by month: the reasons over time."""
    answered = dict(session.execute(
        _filtered(select(InterviewNumber.submitted_month, func.count())
                  .select_from(InterviewNumber.__table__.join(
                      Departure.__table__, Departure.id == InterviewNumber.departure_id).join(
                      AnswerNumber.__table__, AnswerNumber.interview_id == InterviewNumber.interview_id))
                  .where(AnswerNumber.question_id == question_id, AnswerNumber.kind == "answered"), period, None,
                            answers=True)
        .group_by(InterviewNumber.submitted_month)).all())
    rows = session.execute(
        _filtered(select(InterviewNumber.submitted_month, AnswerNumber.code, func.count())
                  .select_from(InterviewNumber.__table__.join(
                      Departure.__table__, Departure.id == InterviewNumber.departure_id).join(
                      AnswerNumber.__table__, AnswerNumber.interview_id == InterviewNumber.interview_id))
                  .where(AnswerNumber.question_id == question_id, AnswerNumber.kind == "choice"), period, None,
                            answers=True)
        .group_by(InterviewNumber.submitted_month, AnswerNumber.code)
        .order_by(InterviewNumber.submitted_month, AnswerNumber.code)).all()
    return [(month, code, int(n), int(answered.get(month, 0))) for month, code, n in rows]


def approved_interviews_in(session: Session, period: Period, limit: int) -> list[int]:
    """Ids of interviews HR approved and whose leaver agreed to share highlights, submitted in the
    period, newest first: the only ones whose quotes may be shown."""
    query = select(InterviewNumber.interview_id).select_from(
        InterviewNumber.__table__.join(Departure.__table__, Departure.id == InterviewNumber.departure_id)
    ).where(InterviewNumber.review_state == "approved", InterviewNumber.consent.is_(True))
    query = _filtered(query, period, None).order_by(InterviewNumber.submitted_at.desc()).limit(limit)
    return list(session.scalars(query))


def fingerprint(session: Session) -> tuple:
    """Changes whenever an interview's numbers or a departure are added or removed: what the cached
    breakdowns are keyed on (two index look-ups, no scan)."""
    numbers = session.execute(select(func.count(), func.max(InterviewNumber.interview_id))).one()
    departures = session.execute(select(func.count(), func.max(Departure.id))).one()
    return (*numbers, *departures)
