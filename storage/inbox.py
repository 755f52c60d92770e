"""The durable inbox: Slack's requests written before they are acknowledged, finished exactly once.

A request is accepted (one INSERT, in its own short transaction, before the 200) under its natural
key, with a lease: the process that accepted it renews the lease while it works and finishes the
request when done. A request whose lease ran out unfinished (its process died) is claimed by
another process (or the restarted one) with a compare-and-set on the lease, so only one replays it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from storage.crypto import EncryptedJSON
from storage.models import InboxRequest, UTCDateTime

DONE = "done"
FAILED = "failed"
UNMATCHED = "unmatched"
ABANDONED = "abandoned"


@dataclass(frozen=True)
class StoredRequest:
    id: int
    kind: str
    payload: dict
    attempts: int
    received_at: datetime | None = None  # when Slack sent it: its response_url lives 30 minutes


# Prepared once: this runs between Slack's request and its 200, so no statement building per call.
_ACCEPT = text(
    "INSERT INTO inbox (key, kind, payload, received_at, lease_until, attempts) "
    "VALUES (:key, :kind, :payload, :received_at, :lease_until, 1) "
    "ON CONFLICT (key) DO NOTHING RETURNING id"
).bindparams(
    bindparam("payload", type_=EncryptedJSON()),
    bindparam("received_at", type_=UTCDateTime()),
    bindparam("lease_until", type_=UTCDateTime()),
)
_FINISH = text(
    "UPDATE inbox SET handled_at = :now, outcome = :outcome, payload = NULL WHERE id = :id AND handled_at IS NULL"
).bindparams(bindparam("now", type_=UTCDateTime()))


def accept_request(
    session: Session | Connection, key: str, kind: str, payload: dict, now: datetime, lease_until: datetime
) -> int | None:
    """Write the request under its key; its id, or None when the key is known (a retry, a duplicate)."""
    return session.scalar(
        _ACCEPT, dict(key=key, kind=kind, payload=payload, received_at=now, lease_until=lease_until)
    )


def finish_request(session: Session | Connection, request_id: int, outcome: str, now: datetime) -> bool:
    """Handled: record how, and wipe the payload (it holds personal data). False if already finished."""
    return session.execute(_FINISH, dict(id=request_id, outcome=outcome, now=now)).rowcount == 1


def renew_leases(session: Session, request_ids: Iterable[int], lease_until: datetime) -> None:
    ids = list(request_ids)
    if ids:
        session.execute(
            update(InboxRequest)
            .where(InboxRequest.id.in_(ids), InboxRequest.handled_at.is_(None))
            .values(lease_until=lease_until)
        )


def claim_abandoned_requests(
    session: Session, now: datetime, lease_until: datetime, limit: int = 20
) -> Sequence[StoredRequest]:
    """Unfinished requests whose lease ran out, oldest first, each claimed for this process (a new
    lease, one attempt more) unless another process claimed it first."""
    stale = session.execute(
        select(InboxRequest.id, InboxRequest.lease_until)
        .where(InboxRequest.handled_at.is_(None), InboxRequest.lease_until < now)
        .order_by(InboxRequest.id)
        .limit(limit)
    ).all()
    claimed = []
    for request_id, old_lease in stale:
        result = session.execute(
            update(InboxRequest)
            .where(InboxRequest.id == request_id, InboxRequest.handled_at.is_(None),
                   InboxRequest.lease_until == old_lease)
            .values(lease_until=lease_until, attempts=InboxRequest.attempts + 1)
        )
        if result.rowcount == 1:
            claimed.append(request_id)
    if not claimed:
        return []
    rows = session.scalars(select(InboxRequest).where(InboxRequest.id.in_(claimed)).order_by(InboxRequest.id))
    return [StoredRequest(r.id, r.kind, r.payload or {}, r.attempts, r.received_at) for r in rows]


def forget_handled_requests(session: Session, handled_before: datetime) -> int:
    """Compact: keys of requests handled long ago are no longer needed to recognise a retry."""
    result = session.execute(
        delete(InboxRequest).where(InboxRequest.handled_at.is_not(None), InboxRequest.handled_at < handled_before)
    )
    return result.rowcount


def unhandled_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(InboxRequest).where(InboxRequest.handled_at.is_(None)))

