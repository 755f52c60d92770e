"""The checklist's "Record notes" button: open the form for the notes of the talk. The button is
also on HR's App Home, whose clicks come without a response URL: answers go through `tell`."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import notes as view
from bot.listeners.common import services_of, tell, translator_for, user_of
from bot.operations import talks

log = logging.getLogger(__name__)


def handle_record_notes(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                        context: BoltContext) -> None:
    ack()
    user_id = user_of(body)
    if user_id is None:
        return
    services = services_of(context)
    value = str((action or {}).get("value", ""))
    departure_id = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else -1
    _ = translator_for(services, user_id)
    try:
        problem = talks.open_notes(services, departure_id, user_id, str(body.get("trigger_id", "")))
    except SlackClientError as error:
        log.warning("Slack failed while opening talk notes: %s", type(error).__name__)
        tell(body, respond, client, _("slack.unavailable"))
        return
    if problem is not None:
        text, blocks = view.problem_message(_, problem)
        tell(body, respond, client, text, blocks)
