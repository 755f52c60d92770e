"""Digests: the managers' summary that publishes approved reviews, behind the last-day gate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage import numbers
from storage.models import Departure, Digest, Interview, Review


def reviews_awaiting_publication(session: Session) -> Sequence[Review]:
    return session.scalars(
        select(Review)
        .join(Interview, Interview.id == Review.interview_id)
        .where(Review.decision == "approved", Review.published_digest_id.is_(None), Interview.state.is_not(None))
        .order_by(Review.id)
    ).all()


def create_digest(
    session: Session, review_ids: Sequence[int], now: datetime, requested_by: str | None, stats: dict
) -> Digest | None:
    """A digest that claims these reviews; None when another digest took one of them first."""
    digest = Digest(created_at=now, requested_by=requested_by, interview_count=len(review_ids), stats=stats,
                    status="posting")
    session.add(digest)
    session.flush()
    claimed = session.execute(
        update(Review)
        .where(Review.id.in_(review_ids), Review.published_digest_id.is_(None))
        .values(published_digest_id=digest.id)
    ).rowcount
    if claimed != len(review_ids):
        session.rollback()
        return None
    numbers.mark_published(session, digest.id)
    return digest


def latest_posted_digest(session: Session, before_id: int | None = None) -> Digest | None:
    query = select(Digest).where(Digest.status == "posted")
    if before_id is not None:
        query = query.where(Digest.id < before_id)
    return session.scalar(query.order_by(Digest.id.desc()).limit(1))


def digests_unfinished(session: Session) -> Sequence[Digest]:
    return session.scalars(select(Digest).where(Digest.status == "posting")).all()


def discard_digest(session: Session, digest_id: int) -> None:
    """Nothing of this digest reached Slack: its interviews wait for the next one."""
    numbers.unmark_published(session, digest_id)
    session.execute(update(Review).where(Review.published_digest_id == digest_id).values(published_digest_id=None))
    session.execute(delete(Digest).where(Digest.id == digest_id))


def finish_digest(session: Session, digest_id: int, channel_id: str, message_ts: list[str], now: datetime) -> None:
    session.execute(
        update(Digest).where(Digest.id == digest_id)
        .values(status="posted", channel_id=channel_id, messages=message_ts, posted_at=now)
    )


def record_digest_parts(session: Session, digest_id: int, channel_id: str, message_ts: list[str]) -> None:
    session.execute(update(Digest).where(Digest.id == digest_id).values(channel_id=channel_id,
                                                                        messages=list(message_ts)))


def _approved_unpublished():
    return (
        select(Review)
        .join(Interview, Interview.id == Review.interview_id)
        .join(Departure, Departure.id == Interview.departure_id)
        .where(Review.decision == "approved", Review.published_digest_id.is_(None), Interview.state.is_not(None))
    )


def reviews_ready_for_digest(session: Session, today: date) -> Sequence[Review]:
    """Approved, unpublished reviews whose leaver's last working day has passed (before `today`):
    nothing of someone still in the team reaches the managers' digest."""
    return session.scalars(_approved_unpublished().where(Departure.last_day < today).order_by(Review.id)).all()


def reviews_waiting_for_last_day(session: Session, today: date) -> int:
    """How many approved, unpublished reviews wait because the leaver's last day has not passed."""
    query = _approved_unpublished().where(Departure.last_day >= today).with_only_columns(func.count(Review.id))
    return session.scalar(query) or 0


def recent_posted_digests(session: Session, limit: int, before_id: int | None = None) -> Sequence[Digest]:
    """The latest posted digests (before `before_id` when given), oldest first."""
    query = select(Digest).where(Digest.status == "posted")
    if before_id is not None:
        query = query.where(Digest.id < before_id)
    rows = session.scalars(query.order_by(Digest.id.desc()).limit(limit)).all()
    return list(reversed(rows))
