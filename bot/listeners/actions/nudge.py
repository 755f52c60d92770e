"""HR's buttons on the nudge about a deactivated account. Each checks again that the clicker is HR."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks.text import mention
from bot.listeners.common import services_of, tell, translator_for
from bot.operations import bulk
from flows.bulk import Resolution
from flows.registration import Problem

log = logging.getLogger(__name__)


def _run(action: dict, body: dict, respond: Respond, client: WebClient, context: BoltContext,
         resolution: Resolution) -> None:
    services = services_of(context)
    user_id = (body.get("user") or {}).get("id", "")
    raw = action.get("value") or ""
    try:
        problem = bulk.resolve_nudge(services, int(raw), user_id, resolution) if raw.isdigit() \
            else Problem("nudge.unknown")
    except SlackClientError as error:
        log.warning("Slack failed while recording a deactivated account: %s", error)
        problem = Problem("slack.unavailable")
    if problem is not None:
        _ = translator_for(services, user_id)
        params = {key: mention(value) if key == "user" else value for key, value in problem.params.items()}
        tell(body, respond, client, _(problem.key, **params))


def handle_talk(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                context: BoltContext) -> None:
    ack()
    _run(action, body, respond, client, context, Resolution.TALK)


def handle_missed(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                  context: BoltContext) -> None:
    ack()
    _run(action, body, respond, client, context, Resolution.MISSED)
