"""The checklist's "Record notes" button: open the form for the notes of the talk."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk.errors import SlackClientError

from bot.blocks import notes as view
from bot.i18n import Translator
from bot.listeners.common import services_of
from bot.operations import talks

log = logging.getLogger(__name__)


def handle_record_notes(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    value = str(action.get("value", ""))
    departure_id = int(value) if value.isdigit() and len(value) <= 12 else -1
    try:
        _ = Translator(services.directory.language(user_id))
        problem = talks.open_notes(services, departure_id, user_id, body.get("trigger_id", ""))
    except SlackClientError as error:
        log.warning("Slack failed while opening talk notes: %s", error)
        _ = Translator(services.settings.default_language)
        respond(text=_("slack.unavailable"), response_type="ephemeral", replace_original=False)
        return
    if problem is not None:
        text, blocks = view.problem_message(_, problem)
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
