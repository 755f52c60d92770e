"""Messages in the bot's DMs. The questionnaire conversation builds on this."""

from __future__ import annotations

from slack_bolt import Ack


def handle_message(ack: Ack, event: dict) -> None:
    ack()
    if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
        return
