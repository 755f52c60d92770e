"""The Settings button on HR's App Home opens the settings modal (HR only)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import settings as view
from bot.listeners.common import services_of, translator_for
from bot.operations import settings

log = logging.getLogger(__name__)


def handle_open_settings(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    if not services.directory.is_hr(user_id):
        try:  # a Home tab click has no response URL: the refusal comes as a DM
            client.chat_postMessage(channel=user_id, text=_("hr.only"))
        except SlackClientError as error:
            log.warning("could not tell %s: %s", user_id, error)
        return
    modal = view.settings_modal(_, services.reload_settings(), settings.recent_changes(services.db))
    try:
        client.views_open(trigger_id=body["trigger_id"], view=modal)
    except SlackClientError as error:
        log.warning("could not open the settings for %s: %s", user_id, error)
