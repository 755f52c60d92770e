"""Entry points for scheduled jobs. APScheduler stores them by reference with ids as arguments;
the process binds its services here once at start."""

from __future__ import annotations

import logging

from bot.operations import digest as digests
from bot.operations import interview, invitations, privacy, review
from bot.services import Services

log = logging.getLogger(__name__)
_services: Services | None = None


def bind(services: Services | None) -> None:
    global _services
    _services = services


def _bound() -> Services | None:
    if _services is None:
        log.warning("a scheduled job ran before the bot was bound; the next sweep will pick it up")
    return _services


def send_invitation(departure_id: int) -> None:
    if services := _bound():
        invitations.deliver_invitation(services, departure_id)


def sweep() -> None:
    """Catch up with what is due: invitations, their one reminder, pause reminders, expiry."""
    if services := _bound():
        for part in (invitations.reconcile, invitations.send_outbox, invitations.sweep, interview.sweep,
                     review.sweep, review.send_manager_feedback, digests.settle_unfinished):
            try:
                part(services)
            except Exception:
                log.exception("sweep step %s failed; the next sweep tries again", part.__module__)


def digest() -> None:
    """The scheduled digest to the managers' channel."""
    if services := _bound():
        digests.scheduled_digest(services)


def retention() -> None:
    """The daily purge of personal data whose retention period has ended (RETENTION_MONTHS)."""
    if services := _bound():
        try:
            privacy.retention_job(services)
        except Exception:
            log.exception("the retention purge failed; tomorrow's run tries again")
