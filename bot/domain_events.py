"""Delivering domain events to their follow-ups (issue 16).

An operation records what happened (flows.events) in the transaction of its change (`record`) and,
after the commit, hands the event ids to `deliver`; bot.subscribers says which follow-ups each event
has. Each follow-up runs on its own: one that raises is recorded and retried later with growing
pauses, parked (and logged) after MAX_ATTEMPTS, and never stops the others; one that went through
is recorded as done, so delivering an event twice runs nothing twice. The writer holds a lease on
its event while it delivers it; when it died in between, the sweep (bot.jobs) delivers the event
once the lease ran out.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from bot import isolation
from bot.services import Services
from flows.events import Event, from_json, to_json
from storage import events as store
from storage.job_failures import pause_before_next

log = logging.getLogger(__name__)

# How long the process that wrote an event has to deliver it before the sweep takes it over.
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = isolation.MAX_ATTEMPTS  # the jobs' retry policy, for follow-ups too
KEEP_DELIVERED = timedelta(days=7)


@dataclass(frozen=True)
class FollowUp:
    """One thing to do after an event; `name` is recorded per event (keep it stable)."""

    name: str
    run: Callable[[Services, Event], object]


Table = Mapping[type[Event], Sequence[FollowUp]]
_table: dict[type[Event], tuple[FollowUp, ...]] | None = None


def install(table: Table) -> None:
    """Which follow-ups each event has (bot.subscribers.TABLE); done once at startup."""
    global _table
    _table = {kind: tuple(follow_ups) for kind, follow_ups in table.items()}


def installed() -> bool:
    return _table is not None


def record(session: Session, event: Event, services: Services) -> int:
    """Write `event` in the caller's transaction, leased to this process; deliver it after the commit."""
    now = services.clock.now()
    return store.add_event(session, event.name(), to_json(event), now, now + LEASE)


def deliver(services: Services, event_ids: Iterable[int | None]) -> None:
    """Run the follow-ups of events this process recorded and committed. When one raised, the
    others still ran and the sweep tries it again; the caller then gets the first error, as if it
    had called the follow-up itself (a listener can still say that Slack is unavailable)."""
    first_error: Exception | None = None
    for event_id in event_ids:
        if event_id is not None:
            error = _deliver(services, event_id)
            first_error = first_error or error
    if first_error is not None:
        raise first_error


def publish(services: Services, event: Event) -> None:
    """Record `event` on its own and deliver it: for what happened outside one transaction (an
    import of many rows, a process finishing a request a process that died had taken)."""
    with services.db.session() as session:
        event_id = record(session, event, services)
    deliver(services, [event_id])


def sweep(services: Services) -> None:
    """Deliver what was not delivered: the writer died before it could, or a follow-up failed and
    its next attempt is due. Delivered events are forgotten after a week."""
    now = services.clock.now()
    with services.db.session() as session:
        due = store.due_events(session, now)
    for event_id in due:
        with services.db.session() as session:
            taken = store.claim_event(session, event_id, now, now + LEASE)
        if taken:
            _deliver(services, event_id)  # what fails is recorded and tried again; the sweep goes on
    with services.db.session() as session:
        store.purge_delivered(session, now - KEEP_DELIVERED)


def _deliver(services: Services, event_id: int) -> Exception | None:
    """Run what is not done yet of one event's follow-ups; the first error raised, if any."""
    if _table is None:
        log.warning("event %s: no follow-ups installed in this process; the sweep delivers it", event_id)
        return None
    with services.db.session() as session:
        stored = store.event_by_id(session, event_id)
        state = store.follow_up_state(session, event_id) if stored is not None else None
    if stored is None or stored.delivered:
        return None
    event = from_json(stored.name, stored.payload)
    failing: list[int] = []
    first_error: Exception | None = None
    for follow_up in _table.get(type(event), ()):
        if follow_up.name in state.done or follow_up.name in state.parked:
            continue
        try:
            follow_up.run(services, event)
        except Exception as error:
            first_error = first_error or error
            attempts = _failed(services, event_id, stored.name, follow_up.name, error)
            if attempts is not None:
                failing.append(attempts)
        else:
            with services.db.session() as session:
                store.record_done(session, event_id, follow_up.name, services.clock.now())
    with services.db.session() as session:
        now = services.clock.now()
        if failing:
            store.retry_event_at(session, event_id, now + pause_before_next(min(failing), isolation.FIRST_PAUSE,
                                                                              isolation.LONGEST_PAUSE))
        else:
            store.finish_event(session, event_id, now)
    return first_error


def _failed(services: Services, event_id: int, name: str, subscriber: str, error: Exception) -> int | None:
    """Record a failed follow-up; its attempts so far, or None when it is parked now."""
    # The class name and where it happened only: a message may carry personal data.
    log.error("event %s %s: follow-up %s failed (%s); the others go on\n%s", name, event_id, subscriber,
              type(error).__name__, "".join(traceback.format_tb(error.__traceback__)).rstrip())
    try:
        with services.db.session() as session:
            attempts, parked = store.record_failure(session, event_id, subscriber, type(error).__name__,
                                                    services.clock.now(), max_attempts=MAX_ATTEMPTS)
    except Exception:
        log.exception("event %s: could not record the failure of follow-up %s", event_id, subscriber)
        return 1
    if parked:
        log.error("event %s %s: follow-up %s parked after %s attempts", name, event_id, subscriber, attempts)
        return None
    return attempts
