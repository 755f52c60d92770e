"""What `/exit-interview list` shows: the departures that are still open, grouped by the stage HR
reads, in the order HR acts on them.

Open means something can still happen. Waiting for HR (a review, a talk to hold) stays until HR has
acted, however old. Waiting for the leaver (invitation planned or sent, answering, not reachable)
stays until the questionnaire would have closed (the last working day plus the expiry period). A
leaver who said *No thanks* may still change their mind or have a talk until their last working
day, so they stay until then. Approved, published and kept-private interviews are done, and so are
withdrawn, expired and cancelled ones.
"""

from __future__ import annotations

from datetime import date, timedelta

# The groups in the order HR reads them: what needs HR first, then what waits for the leaver.
GROUPS = ("awaiting_review", "talk_requested", "unreachable", "answering", "invited", "registered", "declined")
WAITING_FOR_HR = frozenset({"awaiting_review", "talk_requested"})
WAITING_FOR_LEAVER = frozenset({"registered", "invited", "answering", "unreachable"})


def listed(stage: str, last_day: date, today: date, expiry_days: int) -> bool:
    """Whether a departure in this (HR-facing) stage belongs on the list today."""
    if stage in WAITING_FOR_HR:
        return True
    if stage in WAITING_FOR_LEAVER:
        return today <= last_day + timedelta(days=expiry_days)
    if stage == "declined":
        return today <= last_day
    return False


def oldest_last_day(today: date, expiry_days: int) -> date:
    """No departure with an earlier last day is listed unless it waits for HR."""
    return today - timedelta(days=expiry_days)
