"""One bad item never stops a job for the others (issue 12).

A sweep hands its items to `each()`: they are handled one by one; an item that raises is recorded
(attempts, error class, next attempt), retried with growing pauses, and after MAX_ATTEMPTS parked
with one notice to HR naming only whom it concerns. The rest of the items go on regardless.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from bot.blocks.text import mention
from bot.notify import notify_hr
from bot.services import Services
from storage import job_failures

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ATTEMPTS = 5
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)


def each(services: Services, job: str, items: Iterable[T], handle: Callable[[T], object], *,
         who: Callable[[T], str | None] = lambda _item: None, key: Callable[[T], str] = str) -> None:
    """Handle every item of `job` on its own; `who(item)` is the employee it concerns (for HR),
    `key(item)` the id it is recorded under (never personal data)."""
    items = list(items)
    if not items:
        return
    now = services.clock.now()
    with services.db.session() as session:
        leave_alone = job_failures.items_to_leave_alone(session, job, now)
    for item in items:
        item_key = key(item)
        if item_key in leave_alone:
            continue
        try:
            handle(item)
        except Exception as error:
            _failed(services, job, item, item_key, error, who)
        else:
            _went_through(services, job, item_key)


def _went_through(services: Services, job: str, key: str) -> None:
    try:
        with services.db.session() as session:
            job_failures.clear_failure(session, job, key)
    except Exception:
        log.exception("job %s: could not clear the failures of item %s", job, key)


def _failed(services: Services, job: str, item, key: str, error: Exception, who) -> None:
    # The class name and where it happened only: a message may carry personal data (an answer, a name).
    log.error("job %s: item %s failed (%s); the other items go on\n%s", job, key, type(error).__name__,
              "".join(traceback.format_tb(error.__traceback__)).rstrip())
    try:
        with services.db.session() as session:
            parked = job_failures.record_failure(
                session, job, key, type(error).__name__, services.clock.now(),
                max_attempts=MAX_ATTEMPTS, first_pause=FIRST_PAUSE, longest_pause=LONGEST_PAUSE)
    except Exception:
        log.exception("job %s: could not record the failure of item %s", job, key)
        return
    if parked:
        log.error("job %s: item %s parked after %s attempts", job, key, MAX_ATTEMPTS)
        _tell_hr(services, job, item, key, who)


def _tell_hr(services: Services, job: str, item, key: str, who) -> None:
    try:
        employee = who(item)
    except Exception:
        employee = None
    try:
        notify_hr(services, "isolation.parked" if employee else "isolation.parked_nobody",
                  job=job, item=key, employee=mention(employee), count=MAX_ATTEMPTS)
    except Exception:
        log.exception("job %s: could not tell HR that item %s is parked", job, key)
