"""HR's *Export record* button on a review card: the PDF and Markdown record go to HR's DM."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks.review import EXPORT_RECORD_ACTION
from bot.listeners.common import services_of, tell, translator_for
from bot.operations import records
from flows.registration import Problem

log = logging.getLogger(__name__)

EXPORT_ACTION = EXPORT_RECORD_ACTION


def handle_export(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                  context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    raw = action.get("value") or ""
    try:
        if raw.isdigit():
            problem = records.send_record_for_review(services, int(raw), user_id)
        else:
            problem = Problem("records.unknown")
    except SlackClientError as error:
        log.warning("Slack failed while sending a record: %s", error)
        problem = Problem("slack.unavailable")
    _ = translator_for(services, user_id)
    text = _(problem.key, **problem.params) if problem is not None else _("records.sent_here")
    tell(body, respond, client, text)  # the App Home has no response URL: a DM there
