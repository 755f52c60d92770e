"""Entry points for scheduled jobs. APScheduler stores them by reference with ids as arguments;
the process binds its services here once at start: one Services (single-workspace mode), or the
installations (OAuth mode), whose jobs carry the tenant's key and whose sweeps run per tenant."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot import domain_events
from bot.operations import digest as digests
from bot.operations import interview, invitations, privacy, review, workflow_step
from bot.services import Services

if TYPE_CHECKING:
    from bot.installations import Installations

log = logging.getLogger(__name__)
_services: Services | None = None
_installations: Installations | None = None


def bind(services: Services | None, installations: Installations | None = None) -> None:
    global _services, _installations
    _services, _installations = services, installations


def _bound(tenant: str | None = None) -> Services | None:
    if _installations is not None:
        services = _installations.services_for(tenant) if tenant else None
        if services is None:
            log.warning("a scheduled job for an unknown installation ran; the next sweep picks up what is due")
        return services
    if _services is None:
        log.warning("a scheduled job ran before the bot was bound; the next sweep will pick it up")
    return _services


def _every_tenant() -> list[Services]:
    """What a periodic job works through: each installation's own data space, one after the other."""
    if _installations is not None:
        return _installations.all()
    return [_services] if _services is not None else []


def send_invitation(departure_id: int, tenant: str | None = None) -> None:
    if services := _bound(tenant):
        invitations.deliver_invitation(services, departure_id)


def sweep() -> None:
    """Catch up with what is due: the outbox, undelivered domain events, invitations, their one reminder,
    pause reminders, expiry."""
    if _installations is None and _bound() is None:
        return
    for services in _every_tenant():
        for part in (invitations.reconcile, invitations.send_outbox, domain_events.sweep, invitations.sweep,
                     interview.sweep, review.sweep, review.send_manager_feedback, digests.settle_unfinished,
                     workflow_step.sweep):
            if services.removed:
                break  # uninstalled (or its token revoked) while this sweep was under way
            try:
                part(services)
            except Exception:
                log.exception("sweep step %s failed; the next sweep tries again", part.__module__)


def digest(tenant: str | None = None) -> None:
    """The scheduled digest to the managers' channel."""
    if services := _bound(tenant):
        digests.scheduled_digest(services)


def retention() -> None:
    """The daily purge of personal data whose retention period has ended (RETENTION_MONTHS); with
    installations, also in the data of an organisation that uninstalled."""
    tenants = _installations.for_retention() if _installations is not None else _every_tenant()
    for services in tenants:
        try:
            privacy.retention_job(services)
        except Exception:
            log.exception("the retention purge failed; tomorrow's run tries again")
