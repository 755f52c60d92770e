""""Record an action" (App Home and HR's report): opens the modal, HR only."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.listeners.common import services_of, tell, translator_for
from bot.operations import loop

log = logging.getLogger(__name__)


def handle_record(ack: Ack, body: dict, client: WebClient, context: BoltContext, respond=None) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    try:
        problem = loop.open_form(services, user_id, body["trigger_id"])
    except SlackClientError as error:
        log.warning("could not open the action form: %s", error)
        problem = None
    if problem is not None:
        _ = translator_for(services, user_id)
        tell(body, respond, client, _(problem.key, **problem.params))
