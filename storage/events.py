"""The domain events table (issue 16): intention-revealing functions over domain_events and
event_deliveries. An event is added in the transaction of the change it reports; its follow-ups
are recorded one by one as they are done or fail, so none runs twice and none is lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import DomainEvent, EventDelivery


@dataclass(frozen=True)
class StoredEvent:
    id: int
    name: str
    payload: str
    delivered: bool


@dataclass(frozen=True)
class FollowUpState:
    """Which of one event's follow-ups are done, and which are parked."""

    done: frozenset[str]
    parked: frozenset[str]


def add_event(session: Session, name: str, payload: str, now: datetime, due_at: datetime) -> int:
    """Write the event in the caller's transaction; `due_at` is when the sweep may deliver it."""
    event = DomainEvent(name=name, payload=payload, created_at=now, due_at=due_at)
    session.add(event)
    session.flush()
    return event.id


def event_by_id(session: Session, event_id: int) -> StoredEvent | None:
    event = session.get(DomainEvent, event_id)
    if event is None:
        return None
    return StoredEvent(event.id, event.name, event.payload, event.delivered_at is not None)


def due_events(session: Session, now: datetime, limit: int = 200) -> list[int]:
    """Undelivered events whose writer died before delivering them, or whose next attempt is due."""
    return list(session.scalars(
        select(DomainEvent.id).where(DomainEvent.delivered_at.is_(None), DomainEvent.due_at <= now)
        .order_by(DomainEvent.id).limit(limit)
    ))


def claim_event(session: Session, event_id: int, now: datetime, until: datetime) -> bool:
    """Take a due event for this process until `until` (compare-and-set: one process wins)."""
    return session.execute(
        update(DomainEvent)
        .where(DomainEvent.id == event_id, DomainEvent.delivered_at.is_(None), DomainEvent.due_at <= now)
        .values(due_at=until)
    ).rowcount == 1


def follow_up_state(session: Session, event_id: int) -> FollowUpState:
    rows = session.scalars(select(EventDelivery).where(EventDelivery.event_id == event_id)).all()
    return FollowUpState(
        done=frozenset(r.subscriber for r in rows if r.done_at is not None),
        parked=frozenset(r.subscriber for r in rows if r.parked_at is not None and r.done_at is None),
    )


def _delivery(session: Session, event_id: int, subscriber: str) -> EventDelivery:
    found = session.scalars(
        select(EventDelivery).where(EventDelivery.event_id == event_id, EventDelivery.subscriber == subscriber)
    ).first()
    if found is None:
        found = EventDelivery(event_id=event_id, subscriber=subscriber, attempts=0)
        session.add(found)
    return found


def record_done(session: Session, event_id: int, subscriber: str, now: datetime) -> None:
    _delivery(session, event_id, subscriber).done_at = now


def record_failure(session: Session, event_id: int, subscriber: str, error: str, now: datetime, *,
                   max_attempts: int) -> tuple[int, bool]:
    """One more failed attempt of a follow-up: (attempts so far, whether this one parks it)."""
    delivery = _delivery(session, event_id, subscriber)
    delivery.attempts = (delivery.attempts or 0) + 1
    delivery.last_error = error[:120]
    if delivery.attempts >= max_attempts and delivery.parked_at is None:
        delivery.parked_at = now
        return delivery.attempts, True
    return delivery.attempts, False


def finish_event(session: Session, event_id: int, now: datetime) -> None:
    """Every follow-up is done (or parked): the event is delivered."""
    session.execute(update(DomainEvent).where(DomainEvent.id == event_id).values(delivered_at=now))


def retry_event_at(session: Session, event_id: int, when: datetime) -> None:
    """Some follow-up failed: the sweep tries the event again at `when` (only what is not done)."""
    session.execute(update(DomainEvent).where(DomainEvent.id == event_id, DomainEvent.delivered_at.is_(None))
                    .values(due_at=when))


def purge_delivered(session: Session, before: datetime) -> None:
    """Forget events delivered before `before`, with their follow-ups."""
    old = select(DomainEvent.id).where(DomainEvent.delivered_at.is_not(None), DomainEvent.delivered_at < before)
    session.execute(delete(EventDelivery).where(EventDelivery.event_id.in_(old)))
    session.execute(delete(DomainEvent).where(DomainEvent.id.in_(old)))


def parked_follow_ups(session: Session) -> list[tuple[int, str, str]]:
    """(event id, event name, subscriber) of every parked follow-up."""
    return [tuple(row) for row in session.execute(
        select(EventDelivery.event_id, DomainEvent.name, EventDelivery.subscriber)
        .join(DomainEvent, DomainEvent.id == EventDelivery.event_id)
        .where(EventDelivery.parked_at.is_not(None), EventDelivery.done_at.is_(None))
        .order_by(EventDelivery.event_id)
    )]
