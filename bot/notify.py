"""Notices to HR and to one person, each in the reader's language. A notice Slack will not take now
waits in the outbox (bot.operations.invitations.send_outbox retries it).

A module of its own so that anything may tell HR (bot.isolation among others) without importing the
operations that use it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.blocks.registration import plain
from bot.i18n import Translator
from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from storage import repositories as repo

log = logging.getLogger(__name__)


def notify_hr(services: Services, key: str, **params: str) -> None:
    """Tell HR: in HR_CHANNEL_ID when set, else by DM to each HR member, each in their language."""
    settings = services.settings
    if settings.hr_channel_id:
        _ = Translator(settings.default_language)
        _send(services, settings.hr_channel_id, *plain(_(key, **params)))
        return
    for user_id in sorted(services.directory.hr_members()):
        notify_user(services, user_id, key, **params)


def notify_user(services: Services, user_id: str, key: str, **params: str) -> None:
    _ = Translator(services.directory.language(user_id))
    _send(services, user_id, *plain(_(key, **params)))


def notify_hr_text(services: Services, render: Callable[[Translator], str]) -> None:
    """Tell HR a text composed in each reader's language, e.g. of several sentences each with its own
    plural; like notify_hr."""
    settings = services.settings
    if settings.hr_channel_id:
        _send(services, settings.hr_channel_id, *plain(render(Translator(settings.default_language))))
        return
    for user_id in sorted(services.directory.hr_members()):
        _send(services, user_id, *plain(render(Translator(services.directory.language(user_id)))))


def _send(services: Services, channel: str, text: str, message_blocks) -> None:
    try:
        services.client.chat_postMessage(channel=channel, text=text, blocks=message_blocks)
    except SLACK_FAILURES as error:
        log.warning("could not notify %s now (%s); kept in the outbox", channel, error)
        with services.db.session() as session:
            repo.add_to_outbox(session, channel, text, message_blocks, services.clock.now(), str(error))
