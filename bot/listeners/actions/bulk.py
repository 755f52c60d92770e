"""The *Import CSV* button on HR's App Home: opens the import form."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import bulk as view
from bot.listeners.common import services_of, tell, translator_for

log = logging.getLogger(__name__)


def handle_import(ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = (body.get("user") or {}).get("id", "")
    try:
        _ = translator_for(services, user_id)
        if not services.directory.is_hr(user_id):
            tell(body, respond, client, _("hr.only"))
            return
        client.views_open(trigger_id=body["trigger_id"], view=view.import_modal(_))
    except SlackClientError as error:
        log.warning("could not open the import form for %s: %s", user_id, error)
