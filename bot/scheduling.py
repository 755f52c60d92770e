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

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from storage.db import Database

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"
DIGEST_JOB_ID = "digest"
RETENTION_JOB_ID = "retention"
RETENTION_HOUR = 3  # daily, 03:00 in the company's time zone


def digest_trigger(schedule: str, timezone: str) -> CronTrigger:
    """'first-working-day HH:MM' runs on weekdays 1–7 of the month; the job checks for the first
    working day itself (public holidays count). Anything else is a crontab line."""
    if schedule.startswith("first-working-day"):
        hour, minute = schedule.split()[1].split(":")
        return CronTrigger(day="1-7", day_of_week="mon-fri", hour=int(hour), minute=int(minute), timezone=timezone)
    return CronTrigger.from_crontab(schedule, timezone=timezone)


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

    def plan_invitation(self, departure_id: int, when: datetime) -> None:
        """Wake up at `when` to send this departure's invitation. Arguments are ids only."""
        self._scheduler.add_job(
            "bot.jobs:send_invitation",
            "date",
            run_date=when,
            args=[departure_id],
            id=f"invitation:{departure_id}",
            replace_existing=True,
        )

    def forget_invitation(self, departure_id: int) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(f"invitation:{departure_id}")

    def planned_jobs(self) -> list[tuple[str, datetime | None]]:
        return [(job.id, job.next_run_time) for job in self._scheduler.get_jobs()]

    def reschedule_digest(self, schedule: str | None) -> None:
        """Move the digest job to a new schedule now (HR changed it in Slack); None stops it."""
        self.digest_schedule = schedule
        if not schedule:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(DIGEST_JOB_ID)
            return
        self._scheduler.add_job("bot.jobs:digest", digest_trigger(schedule, self.timezone),
                                id=DIGEST_JOB_ID, replace_existing=True)

    def next_digest(self) -> datetime | None:
        job = self._scheduler.get_job(DIGEST_JOB_ID)
        return job.next_run_time if job else None

    def next_retention(self) -> datetime | None:
        job = self._scheduler.get_job(RETENTION_JOB_ID)
        return job.next_run_time if job else None

    def run_sweep_now(self) -> None:
        self._scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))
