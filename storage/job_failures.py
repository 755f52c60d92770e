"""What the scheduled jobs could not handle, item by item (issue 12): intention-revealing functions
over the job_failures table."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import JobFailure


def items_to_leave_alone(session: Session, job: str, now: datetime) -> set[str]:
    """Items of `job` that are parked or wait for their next attempt."""
    return set(session.scalars(
        select(JobFailure.item).where(
            JobFailure.job == job,
            (JobFailure.parked_at.is_not(None)) | (JobFailure.next_attempt_at > now),
        )
    ))


def record_failure(session: Session, job: str, item: str, error: str, now: datetime, *,
                   max_attempts: int, first_pause: timedelta, longest_pause: timedelta) -> bool:
    """Count one more failure; the pause before the next attempt doubles each time. True when this
    failure parks the item (it reached `max_attempts`)."""
    failure = session.scalars(select(JobFailure).where(JobFailure.job == job, JobFailure.item == item)).first()
    if failure is None:
        failure = JobFailure(job=job, item=item, attempts=0, first_failed_at=now)
        session.add(failure)
    failure.attempts += 1
    failure.last_error = error[:120]
    failure.next_attempt_at = now + pause_before_next(failure.attempts, first_pause, longest_pause)
    if failure.attempts >= max_attempts and failure.parked_at is None:
        failure.parked_at = now
        return True
    return False


def pause_before_next(attempts: int, first_pause: timedelta, longest_pause: timedelta) -> timedelta:
    """The pause after `attempts` failures: it doubles each time, up to `longest_pause`. Shared by
    the jobs' items and the domain events' follow-ups."""
    return min(first_pause * 2 ** max(attempts - 1, 0), longest_pause)


def clear_failure(session: Session, job: str, item: str) -> None:
    """The item went through: forget its failures."""
    session.execute(delete(JobFailure).where(JobFailure.job == job, JobFailure.item == item))


def failures(session: Session, job: str | None = None) -> list[JobFailure]:
    query = select(JobFailure).order_by(JobFailure.id)
    if job is not None:
        query = query.where(JobFailure.job == job)
    return list(session.scalars(query))

