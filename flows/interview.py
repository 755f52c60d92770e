"""The life of one interview around the questionnaire: pausing, the one pause reminder, expiry and
withdrawal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

PAUSE_REMINDER_AFTER = timedelta(days=3)


class Status(StrEnum):
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    DRAFT = "draft"  # talk notes saved, not finished
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Mode(StrEnum):
    SELF = "self"  # the leaver answers in the DM
    TALK = "talk"  # the interviewer records notes of a talk


# While open, the leaver can still answer; after that the answers are fixed.
OPEN = frozenset({Status.IN_PROGRESS, Status.PAUSED, Status.DRAFT})
# Before HR approved anything the leaver may withdraw and have the answers deleted.
WITHDRAWABLE = frozenset({Status.IN_PROGRESS, Status.PAUSED, Status.SUBMITTED})


def expiry_moment(last_day: date, expiry_days: int, tz: ZoneInfo) -> datetime:
    """The end of the day `expiry_days` after the last working day, in the leaver's zone."""
    return datetime.combine(last_day + timedelta(days=expiry_days + 1), time(0, 0), tzinfo=tz)


def pause_reminder_due(paused_at: datetime | None, reminded_at: datetime | None, now: datetime) -> bool:
    """One reminder, three days into a pause; none after that."""
    return paused_at is not None and reminded_at is None and now - paused_at >= PAUSE_REMINDER_AFTER
