"""Reviews: HR's decision on a submitted interview, and what the manager hears of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import numbers
from storage.models import Departure, Interview, Review, SentMessage


def add_review(session: Session, interview_id: int, highlights: str, now: datetime) -> Review | None:
    """One review per interview; None when it exists already (submitted twice in a race)."""
    try:
        with session.begin_nested():
            review = Review(interview_id=interview_id, highlights=highlights, created_at=now)
            session.add(review)
            session.flush()
    except IntegrityError:
        return None
    return review


def review_by_id(session: Session, review_id: int) -> Review | None:
    return session.get(Review, review_id)


def review_for_interview(session: Session, interview_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.interview_id == interview_id))


def decide_review(
    session: Session, review_id: int, decision: str, decided_by: str, now: datetime, inform_manager: bool,
    manager_note: str | None = None,
) -> bool:
    """Record HR's decision once; False when it was decided already (a double click, two HR users)."""
    result = session.execute(
        update(Review)
        .where(Review.id == review_id, Review.decision.is_(None))
        .values(decision=decision, decided_by=decided_by, decided_at=now, inform_manager=inform_manager,
                manager_note=manager_note)
    )
    if result.rowcount == 1:
        numbers.set_review_state(session, review_id, decision)
    return result.rowcount == 1


def manager_feedback_due(session: Session, today: date) -> Sequence[tuple[Review, Departure]]:
    """Approved reviews whose manager message (or notice) is due: the last working day has passed and
    it was not sent (or claimed) yet."""
    return session.execute(
        select(Review, Departure)
        .join(Interview, Interview.id == Review.interview_id)
        .join(Departure, Departure.id == Interview.departure_id)
        .where(Review.decision == "approved", Review.inform_manager.is_(True), Departure.manager_id.is_not(None),
               Departure.last_day < today, Interview.state.is_not(None),
               ~exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == "manager_points"))
    ).all()


def pending_review_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Review).join(Interview, Interview.id == Review.interview_id)
        .where(Review.decision.is_(None), Interview.state.is_not(None))
    ) or 0


def reviews_without_cards(session: Session, before: datetime) -> Sequence[int]:
    return session.scalars(
        select(Review.id).where(Review.cards.is_(None), Review.created_at < before)
    ).all()


def all_reviews(session: Session) -> Sequence[Review]:
    return session.scalars(select(Review).order_by(Review.id)).all()
