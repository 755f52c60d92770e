"""What listeners and jobs share: settings, database, Slack client, directory, clock, scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.config import Settings
from bot.slack_api import Directory
from flows.timing import WorkingCalendar
from storage.db import Database

if TYPE_CHECKING:
    from bot.scheduling import Scheduler


class Clock:
    """The time; tests and the offline shell move it forward with `advance`."""

    def __init__(self, offset: timedelta = timedelta()):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Services:
    settings: Settings
    db: Database
    client: WebClient
    directory: Directory
    clock: Clock = field(default_factory=Clock)
    scheduler: Scheduler | None = None

    @property
    def calendar(self) -> WorkingCalendar:
        return _calendar(self.settings.holiday_country)

    def today(self) -> date:
        """Today in the company's time zone."""
        return self.clock.now().astimezone(self.settings.tz).date()


_calendars: dict[str, WorkingCalendar] = {}


def _calendar(country: str) -> WorkingCalendar:
    if country not in _calendars:
        _calendars[country] = WorkingCalendar.for_country(country)
    return _calendars[country]
