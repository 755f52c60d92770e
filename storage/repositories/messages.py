"""Messages the bot sends: the claim on each one (sent once, even under retries), where it was
posted, and the outbox for posts that failed and are tried again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, SentMessage

INVITATION = "invitation"
REMINDER = "reminder"


def claim_message(session: Session, departure_id: int, purpose: str, now: datetime) -> bool:
    """Reserve the right to send this message; False when it is (being) sent already."""
    try:
        with session.begin_nested():
            session.add(SentMessage(departure_id=departure_id, purpose=purpose, claimed_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def complete_message(
    session: Session, departure_id: int, purpose: str, channel_id: str, ts: str, now: datetime
) -> None:
    session.execute(
        update(SentMessage)
        .where(SentMessage.departure_id == departure_id, SentMessage.purpose == purpose)
        .values(channel_id=channel_id, ts=ts, sent_at=now)
    )


def release_message(session: Session, departure_id: int, purpose: str) -> None:
    """The send failed for sure: give the claim back so a later sweep tries again."""
    session.execute(
        delete(SentMessage).where(
            SentMessage.departure_id == departure_id, SentMessage.purpose == purpose, SentMessage.ts.is_(None)
        )
    )


def sent_message(session: Session, departure_id: int, purpose: str) -> SentMessage | None:
    return session.scalar(
        select(SentMessage).where(SentMessage.departure_id == departure_id, SentMessage.purpose == purpose)
    )


def delivered_messages(session: Session, departure_id: int) -> Sequence[SentMessage]:
    return session.scalars(
        select(SentMessage)
        .where(SentMessage.departure_id == departure_id, SentMessage.ts.is_not(None))
        .order_by(SentMessage.id)
    ).all()


def messages_of(session: Session, departure_id: int) -> Sequence[SentMessage]:
    """Every message record of a departure, claimed-only ones included."""
    return session.scalars(
        select(SentMessage).where(SentMessage.departure_id == departure_id).order_by(SentMessage.id)
    ).all()


def record_channel(session: Session, departure_id: int, purpose: str, channel_id: str) -> None:
    """Where a claimed message is about to be posted: what reconciling looks at if the outcome is lost."""
    session.execute(
        update(SentMessage)
        .where(SentMessage.departure_id == departure_id, SentMessage.purpose == purpose, SentMessage.ts.is_(None))
        .values(channel_id=channel_id)
    )


def unfinished_claims(session: Session, claimed_before: datetime) -> Sequence[SentMessage]:
    """Claims without a message ts for a while: the post failed silently, or the process died."""
    return session.scalars(
        select(SentMessage).where(SentMessage.ts.is_(None), SentMessage.claimed_at < claimed_before,
                                  SentMessage.purpose.in_((INVITATION, REMINDER, "manager_points")))
    ).all()


def add_to_outbox(session: Session, channel: str, text: str, blocks: list | None, now: datetime, error: str) -> None:
    session.add(OutboxMessage(channel=channel, text=text, blocks=blocks, created_at=now, attempts=1,
                              next_attempt_at=now + timedelta(minutes=1), last_error=error[:200]))


def outbox_due(session: Session, now: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()


def outbox_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)
