"""Settings HR changed in Slack (the environment gives every other value), and their history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import AuditEntry, Setting

SETTING_CHANGED = "setting_changed"  # audit log action: detail {"setting", "old", "new"}


def setting_overrides(session: Session) -> dict[str, object]:
    """The settings HR changed, by key (the environment gives every other value)."""
    return {row.key: row.value for row in session.scalars(select(Setting))}


def setting_rows(session: Session) -> Sequence[Setting]:
    return session.scalars(select(Setting).order_by(Setting.key)).all()


def put_setting(session: Session, key: str, value: object, updated_by: str, now: datetime) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_by=updated_by, updated_at=now))
    else:
        row.value, row.updated_by, row.updated_at = value, updated_by, now
    session.flush()


def remove_setting(session: Session, key: str) -> None:
    """Back to the environment's value."""
    session.execute(delete(Setting).where(Setting.key == key))


def setting_changes(session: Session, limit: int = 20) -> Sequence[AuditEntry]:
    """The newest changes to settings first."""
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == SETTING_CHANGED).order_by(AuditEntry.id.desc()).limit(limit)
    ).all()
