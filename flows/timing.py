"""When the invitation and its reminder go out.

Slack often deactivates a leaver's account on the last working day, so the invitation is planned
a number of working days before it (weekends and public holidays skipped), at 10:00 in the
employee's own time zone. A moment that has already passed means: send now.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

SEND_TIME = time(10, 0)


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday, minus the public holidays of one country."""

    public_holidays: Container[date]

    @classmethod
    def for_country(cls, country: str = "NL") -> WorkingCalendar:
        return cls(holidays.country_holidays(country))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.public_holidays

    def working_days_before(self, day: date, count: int) -> date:
        while count > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_after(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


def invitation_moment(last_day: date, working_days_before: int, tz: ZoneInfo, calendar: WorkingCalendar) -> datetime:
    """The planned moment of the invitation, as an aware datetime in the employee's zone."""
    day = calendar.working_days_before(last_day, working_days_before)
    return datetime.combine(day, SEND_TIME, tzinfo=tz)


def send_moment(planned: datetime, now: datetime) -> datetime:
    """A planned moment in the past means right away."""
    return planned if planned > now else now


def reminder_moment(
    invited_at: datetime, last_day: date, working_days: int, tz: ZoneInfo, calendar: WorkingCalendar
) -> datetime | None:
    """The one friendly reminder: `working_days` working days after the invitation, 10:00 local.

    It is brought forward to the working day before the last day when that comes first (the
    account may be gone on the last day), and dropped when that leaves it closer to the invitation
    than two working days (or `working_days`, if smaller): a reminder the next morning would nag.
    """
    invited_day = invited_at.astimezone(tz).date()
    due_day = min(
        calendar.working_days_after(invited_day, working_days),
        calendar.working_days_before(last_day, 1),
    )
    if due_day < calendar.working_days_after(invited_day, min(2, working_days)):
        return None
    return datetime.combine(due_day, SEND_TIME, tzinfo=tz)
