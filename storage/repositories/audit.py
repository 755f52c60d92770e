"""The audit log: who did what, to whom, when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEntry


def add_audit(
    session: Session, *, at: datetime, actor: str, action: str, subject: str | None, detail: dict | None = None
) -> AuditEntry:
    entry = AuditEntry(at=at, actor=actor, action=action, subject=subject, detail=detail)
    session.add(entry)
    session.flush()
    return entry


def audit_entries(session: Session, subject: str | None = None, action: str | None = None) -> Sequence[AuditEntry]:
    query = select(AuditEntry)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return session.scalars(query.order_by(AuditEntry.id)).all()


def latest_audit_entries(session: Session, limit: int = 20) -> Sequence[AuditEntry]:
    """The newest entries first."""
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()
