"""APScheduler 3 with a persistent SQLAlchemy job store in the bot's own database.

The job store only wakes the bot at the right moment; the database is the source of truth for
what is due. One-off jobs run however late they are (`misfire_grace_time=None`), and a periodic
sweep sends whatever is due and unsent, so a job lost or missed while the bot was down still
happens after it comes back, and exactly once (the sending side is idempotent).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from flows.schedule import next_digest
from flows.schedule import parse as parse_schedule
from flows.timing import WorkingCalendar
from storage.db import Database

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"
DIGEST_JOB_ID = "digest"
RETENTION_JOB_ID = "retention"
RETENTION_HOUR = 3  # daily, 03:00 in the company's time zone


def digest_trigger(schedule: str, timezone: str) -> CronTrigger:
    """A schedule in words (flows.schedule) wakes the job at its time on every weekday; the job
    itself checks whether today is the digest day (public holidays count). Anything else is a
    crontab line an administrator set, run as written."""
    words = parse_schedule(schedule)
    if words is not None:
        return CronTrigger(day_of_week="mon-fri", hour=words.at.hour, minute=words.at.minute, timezone=timezone)
    return CronTrigger.from_crontab(schedule, timezone=timezone)


def next_digest_moment(schedule: str | None, now: datetime, tz: ZoneInfo, calendar: WorkingCalendar) -> datetime | None:
    """When the scheduled digest goes next, as HR's Home and the settings show it: for a schedule in
    words the digest day itself (a working day), not the next time the job merely wakes."""
    if not schedule:
        return None
    words = parse_schedule(schedule)
    if words is not None:
        return next_digest(words, now, tz, calendar)
    fire = CronTrigger.from_crontab(schedule, timezone=tz).get_next_fire_time(None, now)
    return fire.astimezone(tz) if fire else None


class Scheduler:
    def __init__(self, db: Database, sweep_seconds: float = 60.0, sweep_at_start: bool = True,
                 digest_schedule: str | None = None, timezone: str = "Europe/Amsterdam"):
        self.sweep_seconds = sweep_seconds
        self.sweep_at_start = sweep_at_start
        self.digest_schedule = digest_schedule
        self.timezone = timezone
        self._executor = ThreadPoolExecutor()
        self._scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename="apscheduler_jobs")},
            executors={"default": self._executor},
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    def start(self) -> None:
        # Added before start so it replaces the sweep a previous process left in the job store.
        first_run = {"next_run_time": datetime.now(UTC)} if self.sweep_at_start else {}
        self._scheduler.add_job(
            "bot.jobs:sweep",
            "interval",
            seconds=self.sweep_seconds,
            id=SWEEP_JOB_ID,
            replace_existing=True,
            **first_run,
        )
        if self.digest_schedule:
            self._scheduler.add_job("bot.jobs:digest", digest_trigger(self.digest_schedule, self.timezone),
                                    id=DIGEST_JOB_ID, replace_existing=True)
        self._scheduler.add_job("bot.jobs:retention",
                                CronTrigger(hour=RETENTION_HOUR, minute=0, timezone=self.timezone),
                                id=RETENTION_JOB_ID, replace_existing=True)
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            # APScheduler's shutdown(wait=True) waits for running jobs while holding the job store
            # lock, and a running job that reads a job (the Home's next digest) waits for that lock:
            # a stop during a sweep hung for good. Stop the scheduler, then wait for the jobs.
            self._scheduler.shutdown(wait=False)
            self._executor.shutdown(wait=True)

    # `tenant`: the installation (bot.installations) whose data space the ids belong to; None in
    # single-workspace mode, whose job ids and arguments stay as they always were.

    def plan_invitation(self, departure_id: int, when: datetime, tenant: str | None = None) -> None:
        """Wake up at `when` to send this departure's invitation. Arguments are ids only."""
        self._scheduler.add_job(
            "bot.jobs:send_invitation",
            "date",
            run_date=when,
            args=[departure_id] + ([tenant] if tenant else []),
            id=_job_id("invitation", tenant, departure_id),
            replace_existing=True,
        )

    def forget_invitation(self, departure_id: int, tenant: str | None = None) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(_job_id("invitation", tenant, departure_id))

    def planned_jobs(self) -> list[tuple[str, datetime | None]]:
        return [(job.id, job.next_run_time) for job in self._scheduler.get_jobs()]

    def reschedule_digest(self, schedule: str | None, tenant: str | None = None) -> None:
        """Move the digest job to a new schedule now (HR changed it in Slack); None stops it."""
        job_id = _job_id(DIGEST_JOB_ID, tenant)
        if tenant is None:
            self.digest_schedule = schedule
        if not schedule:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(job_id)
            return
        self._scheduler.add_job("bot.jobs:digest", digest_trigger(schedule, self.timezone),
                                args=[tenant] if tenant else [], id=job_id, replace_existing=True)

    def next_digest(self, tenant: str | None = None) -> datetime | None:
        job = self._scheduler.get_job(_job_id(DIGEST_JOB_ID, tenant))
        return job.next_run_time if job else None

    def next_retention(self) -> datetime | None:
        job = self._scheduler.get_job(RETENTION_JOB_ID)
        return job.next_run_time if job else None

    def run_sweep_now(self) -> None:
        self._scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))


def _job_id(kind: str, tenant: str | None, *rest: object) -> str:
    return ":".join(str(part) for part in (kind, *([tenant] if tenant else []), *rest))


class TenantScheduler:
    """The scheduler as one installation's Services see it: the same calls, its own job ids."""

    def __init__(self, scheduler: Scheduler, tenant: str):
        self.scheduler = scheduler
        self.tenant = tenant

    def plan_invitation(self, departure_id: int, when: datetime) -> None:
        self.scheduler.plan_invitation(departure_id, when, self.tenant)

    def forget_invitation(self, departure_id: int) -> None:
        self.scheduler.forget_invitation(departure_id, self.tenant)

    def reschedule_digest(self, schedule: str | None) -> None:
        self.scheduler.reschedule_digest(schedule, self.tenant)

    def next_digest(self) -> datetime | None:
        return self.scheduler.next_digest(self.tenant)

    def next_retention(self) -> datetime | None:
        return self.scheduler.next_retention()

    def planned_jobs(self) -> list[tuple[str, datetime | None]]:
        prefix = f":{self.tenant}:"
        return [(job_id, when) for job_id, when in self.scheduler.planned_jobs()
                if prefix in job_id or job_id.endswith(f":{self.tenant}")]

    def run_sweep_now(self) -> None:
        self.scheduler.run_sweep_now()
