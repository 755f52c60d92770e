"""Deactivated accounts: the one nudge HR gets about a person whose Slack account was deactivated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import DeactivationNudge


def claim_nudge(session: Session, employee_id: str, now: datetime) -> int | None:
    """Reserve the one open nudge for this person; None when it exists already (a redelivered event)."""
    nudge = DeactivationNudge(employee_id=employee_id, noticed_at=now)
    try:
        with session.begin_nested():
            session.add(nudge)
            session.flush()
    except IntegrityError:
        return None
    return nudge.id


def release_nudge(session: Session, nudge_id: int) -> None:
    """Nothing reached HR: give the claim back so a later event tries again."""
    session.execute(delete(DeactivationNudge).where(DeactivationNudge.id == nudge_id,
                                                    DeactivationNudge.resolution.is_(None)))


def nudge_by_id(session: Session, nudge_id: int) -> DeactivationNudge | None:
    return session.get(DeactivationNudge, nudge_id)


def set_nudge_cards(session: Session, nudge_id: int, cards: list) -> None:
    session.execute(update(DeactivationNudge).where(DeactivationNudge.id == nudge_id).values(cards=cards))


def resolve_nudge(session: Session, nudge_id: int, resolution: str, resolved_by: str, now: datetime) -> bool:
    """Record what HR decided, once; False when it was decided already (a double click, two HR users)."""
    result = session.execute(
        update(DeactivationNudge)
        .where(DeactivationNudge.id == nudge_id, DeactivationNudge.resolution.is_(None))
        .values(resolution=resolution, resolved_by=resolved_by, resolved_at=now)
    )
    return result.rowcount == 1


def link_nudge(session: Session, nudge_id: int, departure_id: int, resolution: str | None = None) -> None:
    values: dict = {"departure_id": departure_id}
    if resolution is not None:
        values["resolution"] = resolution
    session.execute(update(DeactivationNudge).where(DeactivationNudge.id == nudge_id).values(**values))


def close_nudges_of(session: Session, employee_id: str, now: datetime) -> int:
    """The account is active again: its open nudge no longer blocks one for a later deactivation."""
    result = session.execute(
        update(DeactivationNudge)
        .where(DeactivationNudge.employee_id == employee_id, DeactivationNudge.reactivated_at.is_(None))
        .values(reactivated_at=now)
    )
    return result.rowcount
