"""The numbers store: plain numbers and codes of every submitted interview, and the aggregates the
figures are computed from (counts, sums, sums of squares, counts per answer), all in SQL.

Writers are called inside the unit of work that changes what they mirror (the submission, HR's
decision, the digest claiming its interviews, a purge, an erasure), so the store never drifts from
the interviews. Nothing here decrypts anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from storage.models import AnswerNumber, Departure, Digest, Interview, InterviewNumber, Review

PENDING, APPROVED, PRIVATE = "pending", "approved", "private"
# The rating categories whose sums an interview's row keeps (InterviewNumber.rating_*): the standard
# template's five. A rating in another category is read from its answer rows.
RATED_CATEGORIES = ("working_conditions", "work_content", "working_relations", "employment_terms", "manager")


def reason_codes(codes: Sequence[str]) -> str | None:
    """InterviewNumber.reason_codes: the option ids between spaces (" pay career "), None for none."""
    return f" {' '.join(codes)} " if codes else None


def rating_columns(numbers: Any) -> dict[str, Any]:
    """InterviewNumber's rating_<category>_n/_sum/_squares of one interview's numbers (None where it
    gave no rating in that category), and its reason_codes."""
    values: dict[str, Any] = {"reason_codes": reason_codes(numbers.reasons())}
    for category in RATED_CATEGORIES:
        ratings = [a.value for a in numbers.answers if a.kind == "rating" and a.category == category
                   and a.value is not None]
        values[f"rating_{category}_n"] = len(ratings) if ratings else None
        values[f"rating_{category}_sum"] = float(sum(ratings)) if ratings else None
        values[f"rating_{category}_squares"] = float(sum(r * r for r in ratings)) if ratings else None
    return values


def month_of(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def record_numbers(session: Session, interview_id: int, numbers: Any, submitted_on: date | None = None) -> bool:
    """Store (or replace) the numbers of a submitted interview; `numbers` is a
    flows.numbers.InterviewNumbers, `submitted_on` the company's day of the submission (kept from
    before when not given). False (and nothing stored) when the interview is not submitted."""
    interview = session.get(Interview, interview_id)
    before = session.get(InterviewNumber, interview_id)
    if submitted_on is None and before is not None:
        submitted_on = before.submitted_on
    forget_numbers(session, [interview_id])
    if interview is None or interview.status != "submitted" or interview.submitted_at is None or numbers is None:
        return False
    departure = session.get(Departure, interview.departure_id)
    review = session.scalar(select(Review).where(Review.interview_id == interview_id))
    state = PENDING if review is None or review.decision is None else review.decision
    submitted_on = submitted_on or interview.submitted_at.date()
    session.execute(insert(InterviewNumber).values(
        interview_id=interview_id, departure_id=departure.id, mode=interview.mode,
        template_key=interview.template_key, template_version=interview.template_version,
        submitted_at=interview.submitted_at, submitted_on=submitted_on, submitted_month=month_of(submitted_on),
        last_day=departure.last_day, last_day_month=month_of(departure.last_day), review_state=state,
        digest_id=review.published_digest_id if review is not None else None,
        enps_score=numbers.enps_score, come_back=numbers.come_back, main_reason=numbers.main_reason,
        consent=numbers.consent, **rating_columns(numbers),
    ))
    add_answer_numbers(session, [(interview_id, submitted_on, numbers)])
    return True


def add_answer_numbers(session: Session, rows: Iterable[tuple[int, date, Any]]) -> None:
    """The answer rows of interviews whose InterviewNumber row is written (bulk: one INSERT)."""
    values = [
        {"interview_id": interview_id, "submitted_on": submitted_on, "question_id": a.question_id,
         "category": a.category, "kind": a.kind, "code": a.code, "value": a.value}
        for interview_id, submitted_on, numbers in rows for a in numbers.answers
    ]
    if values:
        session.execute(insert(AnswerNumber.__table__), values)  # Core: batched on every database


def forget_numbers(session: Session, interview_ids: Sequence[int]) -> int:
    """Remove the numbers of these interviews (erasure); child rows first, on every database."""
    if not interview_ids:
        return 0
    session.execute(delete(AnswerNumber).where(AnswerNumber.interview_id.in_(interview_ids))
                    .execution_options(synchronize_session=False))
    return session.execute(delete(InterviewNumber).where(InterviewNumber.interview_id.in_(interview_ids))
                           .execution_options(synchronize_session=False)).rowcount


def set_review_state(session: Session, review_id: int, decision: str) -> None:
    """HR decided: approved or private."""
    interview_id = select(Review.interview_id).where(Review.id == review_id).scalar_subquery()
    session.execute(update(InterviewNumber).where(InterviewNumber.interview_id == interview_id)
                    .values(review_state=decision).execution_options(synchronize_session=False))


def mark_published(session: Session, digest_id: int) -> None:
    """The digest claimed its reviews: their interviews' numbers carry its id."""
    claimed = select(Review.interview_id).where(Review.published_digest_id == digest_id)
    session.execute(update(InterviewNumber).where(InterviewNumber.interview_id.in_(claimed))
                    .values(digest_id=digest_id).execution_options(synchronize_session=False))


def unmark_published(session: Session, digest_id: int) -> None:
    """A digest that never reached Slack gives its interviews back to the next one."""
    session.execute(update(InterviewNumber).where(InterviewNumber.digest_id == digest_id)
                    .values(digest_id=None).execution_options(synchronize_session=False))


def numbers_of_interview(session: Session, interview_id: int) -> tuple[InterviewNumber | None, list[AnswerNumber]]:
    """The stored numbers of one interview, as rows."""
    row = session.get(InterviewNumber, interview_id)
    answers = session.scalars(select(AnswerNumber).where(AnswerNumber.interview_id == interview_id)
                              .order_by(AnswerNumber.id)).all()
    return row, list(answers)


# -- tallies: what the figures add up (flows.aggregates builds them from these rows) -----------------


class TallyRows(Mapping[str, Iterable[tuple]]):
    """The rows of each kind (count, ratings, choices, answered, scores), read from the database as
    they are consumed, a few thousand at a time: a report at 100,000 interviews adds up some 50,000
    rows that need never be in memory together. Consume them inside the session."""

    def __init__(self, session: Session, queries: Mapping[str, Select]):
        self._session = session
        self._queries = dict(queries)

    def __getitem__(self, kind: str) -> Iterator[tuple]:
        query = self._queries[kind]  # a KeyError for an unknown kind, before anything is read
        return self._streamed(query)

    def _streamed(self, query: Select) -> Iterator[tuple]:
        # Core, not the ORM: plain columns need none of its row processing.
        yield from self._session.connection().execute(query.execution_options(yield_per=STREAM_ROWS))

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)


STREAM_ROWS = 2000


def _tally_rows(session: Session, key, numbers_filter, answers_filter) -> TallyRows:
    """Counts, rating sums and answer counts grouped by `key` (a column of answer_numbers or of
    interview_numbers with the same name), restricted by the two filters."""
    a = AnswerNumber
    n_key = getattr(InterviewNumber, key)
    joined = not hasattr(AnswerNumber, key)  # a digest id: answers are grouped through their interview
    a_key = n_key if joined else getattr(AnswerNumber, key)

    def base(*columns):
        query = select(*columns)
        return query.join(InterviewNumber, InterviewNumber.interview_id == a.interview_id) if joined else query

    value = a.value
    return TallyRows(session, {
        "count": select(n_key, func.count()).where(*numbers_filter).group_by(n_key),
        # Grouped in the order of the covering index (no sorting): per question, summed per category after.
        "ratings": base(a_key, a.question_id, a.category, func.count(), func.sum(value), func.sum(value * value))
        .where(a.kind == "rating", *answers_filter).group_by(a_key, a.question_id, a.category),
        "choices": base(a_key, a.question_id, a.category, a.code, func.count())
        .where(a.kind == "choice", *answers_filter).group_by(a_key, a.question_id, a.category, a.code),
        "answered": base(a_key, a.question_id, func.count())
        .where(a.kind == "answered", *answers_filter).group_by(a_key, a.question_id),
        "scores": base(a_key, a.question_id, value, func.count())
        .where(a.kind == "score", *answers_filter).group_by(a_key, a.question_id, value),
    })


def daily_tally_rows(session: Session, start: date | None = None, end: date | None = None) -> TallyRows:
    """Everything submitted from `start` to `end` (the company's days, both included), per day."""
    n_filter, a_filter = [], []
    if start is not None:
        n_filter.append(InterviewNumber.submitted_on >= start)
        a_filter.append(AnswerNumber.submitted_on >= start)
    if end is not None:
        n_filter.append(InterviewNumber.submitted_on <= end)
        a_filter.append(AnswerNumber.submitted_on <= end)
    return _tally_rows(session, "submitted_on", n_filter, a_filter)


def digest_tally_rows(session: Session, digest_ids: Sequence[int]) -> TallyRows:
    """What each of these digests published, per digest id (for digests stored without figures)."""
    members = select(InterviewNumber.interview_id).where(InterviewNumber.digest_id.in_(list(digest_ids)))
    return _tally_rows(session, "digest_id", [InterviewNumber.digest_id.in_(list(digest_ids))],
                       [AnswerNumber.interview_id.in_(members)])


def templates_in_use(session: Session) -> list[tuple[str, int]]:
    """The (key, version) of every template a stored interview used."""
    return [tuple(row) for row in session.execute(
        select(InterviewNumber.template_key, InterviewNumber.template_version).distinct())]


# -- participation ----------------------------------------------------------------------------------

OPEN_STAGES = ("registered", "invited", "answering", "talk_requested")


def participation_counts(session: Session, start: date, end: date, start_at: datetime,
                         end_at: datetime) -> dict[str, int]:
    """Departures registered in the period (from `start_at` up to `end_at`) or whose last day falls in
    it (`start`..`end`), whatever their last day: registered, invited, answered, talks, declined,
    withdrawn, expired, unreachable and still open. Cancelled registrations do not count."""
    in_period = or_(and_(Departure.created_at >= start_at, Departure.created_at < end_at),
                    and_(Departure.last_day >= start, Departure.last_day <= end))
    rows = session.execute(
        select(Departure.stage, Interview.mode, func.count())
        .outerjoin(Interview, Interview.departure_id == Departure.id)
        .where(Departure.stage != "cancelled", in_period)
        .group_by(Departure.stage, Interview.mode)
    ).all()
    counts = dict.fromkeys(("registered", "invited", "answered", "talks", "declined", "withdrawn", "expired",
                            "unreachable", "still_open"), 0)
    for stage, mode, count in rows:
        counts["registered"] += count
        if stage not in ("registered", "unreachable"):
            counts["invited"] += count
        if stage == "submitted":
            counts["talks" if mode == "talk" else "answered"] += count
        elif stage in ("declined", "withdrawn", "expired", "unreachable"):
            counts[stage] += count
        elif stage in OPEN_STAGES:
            counts["still_open"] += count
    return counts


def submitted_since(session: Session, day: date) -> int:
    """Interviews submitted on or after this (company) day."""
    return session.scalar(select(func.count()).select_from(InterviewNumber)
                          .where(InterviewNumber.submitted_on >= day)) or 0


# -- what a digest needs --------------------------------------------------------------------------


def numbered(session: Session, interview_ids: Sequence[int]) -> list[int]:
    """Those of these interviews that have numbers (submitted, not erased), in id order."""
    if not interview_ids:
        return []
    return list(session.scalars(select(InterviewNumber.interview_id)
                                .where(InterviewNumber.interview_id.in_(list(interview_ids)))
                                .order_by(InterviewNumber.interview_id)))


def interviews_tally_rows(session: Session, interview_ids: Sequence[int]) -> dict[str, list[tuple]]:
    """These interviews added up, under the key None: one query through the interview id index
    (a digest's few hundred interviews), split by kind here."""
    ids = list(interview_ids)
    rows: dict[str, list[tuple]] = {"count": [(None, len(numbered(session, ids)))] if ids else [],
                                    "ratings": [], "choices": [], "answered": [], "scores": []}
    if not ids:
        return rows
    a = AnswerNumber
    grouped = session.execute(
        select(a.kind, a.question_id, a.category, a.code, a.value, func.count())
        .where(a.interview_id.in_(ids)).group_by(a.kind, a.question_id, a.category, a.code, a.value)).all()
    for kind, question, category, code, value, count in grouped:
        if kind == "rating" and value is not None:
            rows["ratings"].append((None, question, category, count, value * count, value * value * count))
        elif kind == "choice":
            rows["choices"].append((None, question, category, code, count))
        elif kind == "answered":
            rows["answered"].append((None, question, count))
        elif kind == "score" and value is not None:
            rows["scores"].append((None, question, value, count))
    return rows


def consents(session: Session, interview_ids: Sequence[int]) -> dict[int, bool]:
    """Whether each leaver agreed to share highlights (the consent answer, from the numbers)."""
    if not interview_ids:
        return {}
    return {interview_id: bool(consent) for interview_id, consent in session.execute(
        select(InterviewNumber.interview_id, InterviewNumber.consent)
        .where(InterviewNumber.interview_id.in_(list(interview_ids))))}


def submitted_days(session: Session, interview_ids: Sequence[int]) -> tuple[date | None, date | None]:
    """The first and last day these interviews were submitted on."""
    if not interview_ids:
        return None, None
    first, last = session.execute(
        select(func.min(InterviewNumber.submitted_on), func.max(InterviewNumber.submitted_on))
        .where(InterviewNumber.interview_id.in_(list(interview_ids)))).one()
    return first, last


def posted_digests(session: Session) -> Sequence[Digest]:
    """Every posted digest, oldest first (a few a year: their kept figures are small)."""
    return session.scalars(select(Digest).where(Digest.status == "posted").order_by(Digest.id)).all()


def keep_digest_tally(session: Session, digest_id: int, stats: dict) -> None:
    session.execute(update(Digest).where(Digest.id == digest_id).values(stats=stats)
                    .execution_options(synchronize_session=False))
