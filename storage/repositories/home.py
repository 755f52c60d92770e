"""The App Home: HR's dashboard of departures, and the list behind `/exit-interview list`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, exists, func, select, union
from sqlalchemy.orm import Session

from storage.models import Departure, Interview, InterviewNumber, Review, SentMessage
from storage.repositories.messages import REMINDER

DASHBOARD_OPEN_STAGES = ("registered", "invited", "answering", "talk_requested")


def _dashboard_query(since: date, *columns):
    """Departures whose last day is on or after `since`, and older ones still waiting for something
    (an answer, a talk, HR's review), with their review."""
    # Three index lookups instead of a scan of every departure ever registered.
    shown = union(
        select(Departure.id).where(Departure.last_day >= since),
        select(Departure.id).where(Departure.closed_at.is_(None), Departure.stage.in_(DASHBOARD_OPEN_STAGES)),
        select(InterviewNumber.departure_id).where(InterviewNumber.review_state == "pending"),
    )
    return (select(*columns).select_from(Departure)
            .outerjoin(Interview, Interview.departure_id == Departure.id)
            .outerjoin(Review, Review.interview_id == Interview.id)
            .where(Departure.stage != "cancelled", Departure.id.in_(shown)))


def _dashboard_stage():
    """The stage HR reads: a submitted interview is awaiting review, kept private, approved or published."""
    return case(
        (Departure.stage != "submitted", Departure.stage),
        (Review.id.is_(None) | Review.decision.is_(None), "awaiting_review"),
        (Review.decision == "private", "kept_private"),
        (Review.published_digest_id.is_not(None), "published"),
        else_="approved",
    )


def dashboard(session: Session, since: date, order: Sequence[str], offset: int, limit: int) -> Sequence[tuple]:
    """One page of HR's dashboard as plain columns (nothing decrypted), in `order` of the shown stage,
    then last day: departure id, employee id, last day, shown stage, review id, stage, whether the
    reminder went out."""
    reminded = exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == REMINDER)
    shown = _dashboard_stage()
    rank = case(*((shown == stage, index) for index, stage in enumerate(order)), else_=len(order))
    return session.execute(
        _dashboard_query(since, Departure.id, Departure.employee_id, Departure.last_day, shown, Review.id,
                         Departure.stage, reminded)
        .order_by(rank, Departure.last_day, Departure.id).offset(offset).limit(limit)
    ).all()


def departures_for_list(session: Session, since: date) -> Sequence[tuple]:
    """The candidates for `/exit-interview list` (flows.open_departures decides): departure id,
    employee id, last day, the stage HR reads, invitation moment, the leaver's time zone."""
    return session.execute(
        _dashboard_query(since, Departure.id, Departure.employee_id, Departure.last_day, _dashboard_stage(),
                         Departure.invite_at, Departure.employee_tz)
        .order_by(Departure.last_day, Departure.id)
    ).all()


def dashboard_counts(session: Session, since: date) -> dict[str, int]:
    """How many departures the dashboard holds, by their stage."""
    return {stage: count for stage, count in session.execute(
        _dashboard_query(since, Departure.stage, func.count()).group_by(Departure.stage))}
