"""When the monthly digest goes out, in words HR chooses from: the first working day of the month,
or a chosen weekday of the month ("the first Monday", "the last Friday"), at a time of day.

A schedule is stored as text the environment can hold too (`DIGEST_SCHEDULE`):
`first-working-day 09:00`, `first-monday 09:00`, `last-friday 16:30`. A crontab line, which older
versions accepted, is not a schedule in words: `parse` returns None and the scheduler runs it as
written.

A digest always goes on a working day: a chosen weekday that falls on a public holiday moves to the
next working day (1 January 2029 is the first Monday of the month: that digest goes on Tuesday the 2nd).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.timing import WorkingCalendar

FIRST_WORKING_DAY = "first-working-day"
ORDINALS = ("first", "second", "third", "fourth", "last")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
# Every day HR can choose, in the order the settings modal offers them.
DAYS = (FIRST_WORKING_DAY, *(f"{ordinal}-{weekday}" for ordinal in ORDINALS for weekday in WEEKDAYS))
DEFAULT_TIME = time(9, 0)

_PATTERN = re.compile(r"^\s*([a-z-]+)\s+([01]?[0-9]|2[0-3]):([0-5][0-9])\s*$")


@dataclass(frozen=True)
class DigestSchedule:
    day: str  # one of DAYS
    at: time

    @property
    def text(self) -> str:
        """As stored and as the environment writes it."""
        return f"{self.day} {self.at.hour:02d}:{self.at.minute:02d}"

    @property
    def ordinal(self) -> str | None:
        return None if self.day == FIRST_WORKING_DAY else self.day.split("-")[0]

    @property
    def weekday(self) -> str | None:
        return None if self.day == FIRST_WORKING_DAY else self.day.split("-")[1]


def parse(text: str | None) -> DigestSchedule | None:
    """A schedule in words, or None (empty, malformed, or a crontab line)."""
    match = _PATTERN.match((text or "").lower())
    if not match or match.group(1) not in DAYS:
        return None
    return DigestSchedule(match.group(1), time(int(match.group(2)), int(match.group(3))))


def parse_time(text: str | None) -> time | None:
    """A time of day as Slack's timepicker sends it ("09:00"), or None."""
    match = re.match(r"^\s*([01]?[0-9]|2[0-3]):([0-5][0-9])\s*$", text or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


def digest_day(schedule: DigestSchedule, year: int, month: int, calendar: WorkingCalendar) -> date:
    """The day of the digest planned for this month: always a working day."""
    first = date(year, month, 1)
    if schedule.day == FIRST_WORKING_DAY:
        day = first
    else:
        weekday = WEEKDAYS.index(schedule.weekday)
        if schedule.ordinal == "last":
            last = _next_month(first) - timedelta(days=1)
            day = last - timedelta(days=(last.weekday() - weekday) % 7)
        else:
            day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * ORDINALS.index(schedule.ordinal))
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def is_digest_day(schedule: DigestSchedule, day: date, calendar: WorkingCalendar) -> bool:
    """Whether the digest goes on this day (a holiday can push the last weekday into the next month)."""
    previous = day.replace(day=1) - timedelta(days=1)
    return day in (digest_day(schedule, day.year, day.month, calendar),
                   digest_day(schedule, previous.year, previous.month, calendar))


def next_digest(schedule: DigestSchedule, after: datetime, tz: ZoneInfo, calendar: WorkingCalendar) -> datetime:
    """The first digest moment after `after`, in the company's time zone."""
    month = (after.astimezone(tz).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    while True:
        moment = datetime.combine(digest_day(schedule, month.year, month.month, calendar), schedule.at, tzinfo=tz)
        if moment > after:
            return moment
        month = _next_month(month)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)
