""""You said, we did": the actions HR took on the signals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import LoopAction


def add_loop_action(
    session: Session, *, what: str, done_on: date, owner_id: str, subject: str, recorded_by: str, recorded_at: datetime
):
    action = LoopAction(what=what, done_on=done_on, owner_id=owner_id, subject=subject, recorded_by=recorded_by,
                        recorded_at=recorded_at)
    session.add(action)
    session.flush()
    return action


def loop_actions(session: Session, recorded_after: datetime | None = None) -> Sequence:
    """Every recorded action (oldest first), or those recorded after a moment (the previous digest)."""
    query = select(LoopAction)
    if recorded_after is not None:
        query = query.where(LoopAction.recorded_at > recorded_after)
    return session.scalars(query.order_by(LoopAction.done_on, LoopAction.id)).all()
