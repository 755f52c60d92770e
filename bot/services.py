"""What listeners and jobs share: settings, database, Slack client, directory, clock, scheduler."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.slack_api import Directory
from flows.timing import WorkingCalendar
from storage.db import Database

if TYPE_CHECKING:
    from bot.scheduling import Scheduler

log = logging.getLogger(__name__)


class Clock:
    """The time; tests and the offline shell move it forward with `advance`."""

    def __init__(self, offset: timedelta = timedelta()):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class Services:
    """`settings` are the environment's (`base_settings`) with what HR changed in Slack on top.

    They are read from the database once and cached; a change in this process refreshes them at
    once (`reload_settings`), a change by another process within SETTINGS_TTL seconds.
    """

    SETTINGS_TTL = 30.0

    def __init__(self, settings: Settings, db: Database, client: WebClient, directory: Directory,
                 clock: Clock | None = None, scheduler: Scheduler | None = None, tenant: str | None = None):
        self.base_settings = settings
        # The installation served (bot.installations): an enterprise or team id; None with one token.
        self.tenant = tenant
        # The installation was removed (uninstalled, bot token revoked): a sweep already under way
        # stops using it at its next step instead of calling Slack with a dead token.
        self.removed = False
        self.db = db
        self.client = client
        self.directory = directory
        self.clock = clock if clock is not None else Clock()
        self.scheduler = scheduler
        self._settings: Settings | None = None
        self._settings_read_at = 0.0
        self._settings_lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        cached = self._settings
        if cached is not None and time.monotonic() - self._settings_read_at < self.SETTINGS_TTL:
            return cached
        return self.reload_settings()

    def reload_settings(self) -> Settings:
        """Read HR's changes again; when the database cannot say, the last known settings stay."""
        from bot.hr_settings import effective_settings

        with self._settings_lock:
            try:
                effective = effective_settings(self.base_settings, self.db)
            except SQLAlchemyError as error:
                log.warning("could not read the settings from the database (%s); using the last known ones",
                            type(error).__name__)
                return self._settings or self.base_settings
            self._settings, self._settings_read_at = effective, time.monotonic()
        use_settings = getattr(self.directory, "use_settings", None)
        if use_settings is not None:
            use_settings(effective)
        return effective

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
