"""When the invitation and its reminder go out.

Slack often deactivates a leaver's account on the last working day, so the invitation is planned
a number of working days before it (weekends and public holidays skipped), at 10:00 in the
employee's own time zone. A moment that has already passed means: send now, if it is within the
leaver's working hours (09:00-18:00 their time, on a working day); otherwise at the start of their next
working day, unless that comes after their last working day: then at once (and HR is warned).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

SEND_TIME = time(10, 0)


@dataclass(frozen=True)
class WorkingHours:
    """The leaver's working hours, in their own time zone: nothing reaches them outside."""

    start: time = time(9, 0)
    end: time = time(18, 0)

    @classmethod
    def parse(cls, text: str) -> WorkingHours | None:
        """"09:00-18:00"; "always" (None) lets messages go at any moment. ValueError when unreadable."""
        if text.strip().lower() == "always":
            return None
        start, _, end = text.partition("-")
        hours = cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        if not hours.start < hours.end:
            raise ValueError("the working hours must start before they end")
        return hours


DEFAULT_HOURS = WorkingHours()


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


def within_working_hours(moment: datetime, tz: ZoneInfo, calendar: WorkingCalendar,
                         hours: WorkingHours | None = DEFAULT_HOURS) -> bool:
    """Whether a message may reach the leaver at this moment: a working day, 09:00-18:00 their time."""
    if hours is None:
        return True
    local = moment.astimezone(tz)
    return calendar.is_working_day(local.date()) and hours.start <= local.time() < hours.end


def next_working_moment(moment: datetime, tz: ZoneInfo, calendar: WorkingCalendar,
                        hours: WorkingHours | None = DEFAULT_HOURS) -> datetime:
    """The moment itself within working hours, else 09:00 their time on the next working day (or today)."""
    if hours is None or within_working_hours(moment, tz, calendar, hours):
        return moment
    local = moment.astimezone(tz)
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < hours.start):
        day = calendar.working_days_after(day, 1)
    return datetime.combine(day, hours.start, tzinfo=tz)


@dataclass(frozen=True)
class Delivery:
    """When a message to the leaver goes out. `outside_hours`: at once although outside their working hours,
    because their last working day leaves no time (HR is warned)."""

    at: datetime
    outside_hours: bool = False


def delivery_moment(planned: datetime, now: datetime, last_day: date, tz: ZoneInfo,
                    calendar: WorkingCalendar, hours: WorkingHours | None = DEFAULT_HOURS) -> Delivery:
    """The planned moment while it is ahead; after it, now within working hours, else the next working
    morning, unless that falls after the last working day: then now."""
    if planned > now:
        return Delivery(next_working_moment(planned, tz, calendar, hours))
    upcoming = next_working_moment(now, tz, calendar, hours)
    if upcoming == now:
        return Delivery(now)
    if upcoming.astimezone(tz).date() > last_day:
        return Delivery(now, outside_hours=True)
    return Delivery(upcoming)


def may_deliver_now(now: datetime, last_day: date, tz: ZoneInfo, calendar: WorkingCalendar,
                    hours: WorkingHours | None = DEFAULT_HOURS) -> bool:
    """Whether a message due now may go: within working hours, or when the last day leaves no better time."""
    return delivery_moment(now, now, last_day, tz, calendar, hours).at <= now


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
