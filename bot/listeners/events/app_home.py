"""Opening the App Home shows what fits the person: HR's dashboard, a leaver's status, or a hello."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk.errors import SlackClientError

from bot.listeners.common import services_of
from bot.operations import home

log = logging.getLogger(__name__)


def handle_app_home_opened(ack: Ack, event: dict, context: BoltContext) -> None:
    ack()
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    try:
        home.publish(services_of(context), event["user"])
    except SlackClientError as error:
        log.warning("could not publish the Home of %s: %s", event.get("user"), error)
