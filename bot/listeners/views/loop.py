"""The "Record an action" modal's submission: errors at the fields, or stored and confirmed to HR."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import loop as view
from bot.blocks.text import escape, shorten
from bot.listeners.common import services_of, translator_for
from bot.operations import loop

log = logging.getLogger(__name__)


def handle_action_submission(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    values = view.form_values(body.get("view", {}).get("state", {}).get("values", {}))
    try:
        problems = loop.record(services, user_id, **values)
    except SlackClientError as error:  # the HR check may ask Slack about a user group
        log.warning("Slack failed while recording an action: %s", error)
        ack(response_action="errors", errors={view.BLOCK_WHAT: _("slack.unavailable")})
        return
    if problems:
        ack(response_action="errors", errors={block: _(p.key, **p.params) for block, p in problems.items()})
        return
    ack()
    try:
        client.chat_postMessage(channel=user_id, text=_("loop.recorded",
                                                        what=escape(shorten((values["what"] or "").strip(), 200))))
    except SlackClientError as error:
        log.warning("could not confirm the action to %s: %s", user_id, error)
