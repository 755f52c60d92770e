"""`user_change`: a deactivated account without a registered departure gets HR one nudge."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk.errors import SlackClientError

from bot.listeners.common import services_of
from bot.operations import bulk

log = logging.getLogger(__name__)


def handle_user_change(ack: Ack, event: dict, context: BoltContext) -> None:
    ack()
    user = event.get("user")
    if not isinstance(user, dict):
        return
    try:
        bulk.on_user_change(services_of(context), user)
    except SlackClientError as error:
        log.warning("Slack failed while handling a change of %s: %s", user.get("id"), error)
