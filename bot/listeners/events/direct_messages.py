"""Messages in the bot's DMs: typed answers to the questionnaire, or a friendly hello."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.listeners.common import services_of
from bot.operations import interview

log = logging.getLogger(__name__)


def handle_message(ack: Ack, event: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
        return
    user_id, text = event.get("user"), event.get("text") or ""
    if not user_id:
        return
    try:
        reply = interview.on_direct_message(services_of(context), user_id, text, event.get("ts") or "0")
        if reply is not None:
            text_, blocks = reply
            client.chat_postMessage(channel=event["channel"], text=text_, blocks=blocks)
    except SlackClientError as error:
        log.warning("Slack failed while handling a DM: %s", error)
