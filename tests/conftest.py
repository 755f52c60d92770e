"""Shared fixtures: a database on SQLite and on PostgreSQL, the Slack emulator, and the real bot
serving signed HTTP requests.

PostgreSQL runs are skipped with the reason on a machine without a server; under CI (or with
EXIT_INTERVIEW_REQUIRE_POSTGRES=1) a missing server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.emulator import SlackEmulator, SlackUserAgent
from bot.runtime import BotProcess
from bot.services import Clock
from flows.timing import WorkingCalendar

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_REQUIRED = bool(os.environ.get("CI")) or os.environ.get("EXIT_INTERVIEW_REQUIRE_POSTGRES") == "1"

HR = "UHRANNA01"
HR_2 = "UHRBERT02"
LEAVER = "ULEAVER01"
LEAVER_EN = "ULEAVER02"
MANAGER = "UMANAGE01"
COLLEAGUE = "UCOLLEA01"
SIGNING_SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
# A fixed Fernet key for the encrypted columns (storage.crypto): the keyring is one per process.
TEST_KEY = "ZXhpdC1pbnRlcnZpZXctdGVzdC1rZXktMzItYnl0ZXM="

_postgres_problem: str | None = None
_postgres_checked = False


def _postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    global _postgres_checked, _postgres_problem
    if not _postgres_checked:
        _postgres_checked = True
        try:
            engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as error:
            _postgres_problem = f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}"
    return _postgres_problem


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    problem = _postgres_available()
    if problem:
        if POSTGRES_REQUIRED:
            pytest.fail(problem + " (required here)")
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(token=TOKEN).start()
    emulator.add_user(HR, "anna", real_name="Anna de Vries", locale="nl-NL")
    emulator.add_user(HR_2, "bert", real_name="Bert Jansen", locale="en-US")
    emulator.add_user(LEAVER, "jan", real_name="Jan Bakker", locale="nl-NL", tz="Europe/Amsterdam")
    emulator.add_user(LEAVER_EN, "sam", real_name="Sam Smith", locale="en-GB", tz="Europe/London")
    emulator.add_user(MANAGER, "mira", real_name="Mira Peeters", locale="nl-NL")
    emulator.add_user(COLLEAGUE, "cees", real_name="Cees Dekker", locale="nl-NL")
    yield emulator
    emulator.stop()


@pytest.fixture
def settings(database_url, slack) -> Settings:
    from storage import crypto

    crypto.configure(TEST_KEY)
    return Settings(
        bot_token=TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=slack.api_url,
        database_url=database_url,
        port=0,
        hr_user_ids=frozenset({HR, HR_2}),
        default_language="nl",
        encryption_key=TEST_KEY,
        messages_per_second=50.0,  # paced like production, just faster: tests click quickly
    )


def working_morning_offset() -> timedelta:
    """The test clock's offset from the wall clock: 11:00 in Amsterdam (10:00 in London) on this week's first
    working day. The bot reaches leavers only within their working hours (09:00-18:00 their time, working
    days), so every test starts at the same kind of moment, whenever and wherever the suite runs."""
    tz = ZoneInfo("Europe/Amsterdam")
    calendar = WorkingCalendar.for_country("NL")
    today = datetime.now(tz).date()
    day = today - timedelta(days=today.weekday())
    if not calendar.is_working_day(day):
        day = calendar.working_days_after(day, 1)
    return datetime.combine(day, time(11, 0), tzinfo=tz) - datetime.now(UTC)


class Harness:
    """The bot as a user meets it: started, stopped, restarted, over real HTTP."""

    def __init__(self, settings: Settings, slack: SlackEmulator):
        self.settings = settings
        self.slack = slack
        self.clock = Clock(working_morning_offset())
        self.bot: BotProcess | None = None
        self.user: SlackUserAgent | None = None

    def start(self, **overrides) -> Harness:
        settings = replace(self.settings, **overrides) if overrides else self.settings
        self.bot = BotProcess(settings, host="127.0.0.1", clock=self.clock, sweep_seconds=0.5,
                              process_before_response=True).start()
        self.user = SlackUserAgent(self.bot.events_url, SIGNING_SECRET, self.slack)
        return self

    def stop(self) -> None:
        if self.bot is not None:
            self.bot.stop()
            self.bot = None

    def restart(self, **overrides) -> Harness:
        self.stop()
        return self.start(**overrides)

    @property
    def services(self):
        return self.bot.services

    def today(self) -> date:
        return self.services.today()

    def in_working_days(self, count: int) -> date:
        return self.services.calendar.working_days_after(self.today(), count)

    def last_response(self) -> dict:
        return self.slack.workspace.responses[-1]

    def register(self, employee: str, last_day: date, manager: str | None = None, as_user: str = HR):
        text = f"start <@{employee}|x> {last_day.isoformat()}" + (f" <@{manager}>" if manager else "")
        reply = self.user.slash(as_user, text)
        assert reply.status == 200, reply
        return self.last_response()

    def stage_of(self, employee: str) -> str | None:
        from sqlalchemy import select

        from storage.models import Departure

        with self.services.db.session() as session:
            stages = session.scalars(
                select(Departure.stage).where(Departure.employee_id == employee).order_by(Departure.id.desc())
            ).all()
        return stages[0] if stages else None

    def wait_for_stage(self, employee: str, stage: str, timeout: float = 10.0) -> None:
        self.slack.wait_for(lambda: self.stage_of(employee) == stage, timeout, f"{employee} to be {stage}")

    def advance_past_invitation(self, employee: str) -> None:
        """Move the clock to just after the planned invitation moment of this leaver."""
        from sqlalchemy import select

        from storage.models import Departure

        with self.services.db.session() as session:
            invite_at = session.scalars(select(Departure.invite_at).where(Departure.employee_id == employee)).one()
        self.clock.advance(invite_at - self.clock.now() + timedelta(minutes=1))

    def invitation_for(self, employee: str, timeout: float = 10.0):
        return self.slack.wait_for(lambda: next(iter(self.slack.dms_to(employee)), None), timeout,
                                   f"an invitation DM to {employee}")


@pytest.fixture
def harness(settings, slack) -> Iterator[Harness]:
    h = Harness(settings, slack).start()
    yield h
    h.stop()


def days(n: int) -> timedelta:
    return timedelta(days=n)
