"""HR shares the manager view with that manager (the button under `/exit-interview manager`)."""

from __future__ import annotations

import logging
from datetime import date

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks.text import mention
from bot.listeners.common import services_of, tell, translator_for
from bot.operations import breakdowns

log = logging.getLogger(__name__)


def handle_share_manager(ack: Ack, body: dict, client: WebClient, context: BoltContext, respond=None) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    try:
        manager_id, start, end = (body.get("actions") or [{}])[0].get("value", "").split("|")
        period = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return
    try:
        problem = breakdowns.share_with_manager(services, user_id, manager_id, *period)
    except SlackClientError as error:
        log.warning("could not share the manager view: %s", error)
        tell(body, respond, client, _("slack.unavailable"))
        return
    if problem is not None:
        tell(body, respond, client, _(problem.key, **problem.params))
    else:
        tell(body, respond, client, _("breakdown.manager.shared", manager=mention(manager_id)))
