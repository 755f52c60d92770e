"""Buttons on HR's App Home dashboard."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import registration as registration_view
from bot.listeners.common import services_of, translator_for
from bot.operations import home, invitations, registration
from flows.registration import Problem

log = logging.getLogger(__name__)


def _tell(client: WebClient, context: BoltContext, user_id: str, problem: Problem | None) -> None:
    """Home tab clicks have no response URL: a refusal comes as a DM from the bot."""
    if problem is None:
        return
    services = services_of(context)
    _ = translator_for(services, user_id)
    try:
        client.chat_postMessage(channel=user_id, text=_(problem.key))
    except SlackClientError as error:
        log.warning("could not tell %s: %s", user_id, error)


def handle_register(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    if not services.directory.is_hr(user_id):
        return _tell(client, context, user_id, Problem("hr.only"))
    _ = translator_for(services, user_id)
    client.views_open(trigger_id=body["trigger_id"], view=registration_view.registration_modal(
        _, hr_user_id=user_id, default_language=services.settings.default_language))


def handle_page(ack: Ack, action: dict, body: dict, context: BoltContext) -> None:
    ack()
    raw = action.get("value") or "0"
    home.publish(services_of(context), body["user"]["id"], page=int(raw) if raw.isdigit() else 0)


def handle_remind(ack: Ack, action: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    raw, user_id = action.get("value") or "", body["user"]["id"]
    services = services_of(context)
    problem = invitations.remind_now(services, int(raw), user_id) if raw.isdigit() else Problem("choice.unknown")
    _tell(client, context, user_id, problem)


def handle_cancel(ack: Ack, action: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    raw, user_id = action.get("value") or "", body["user"]["id"]
    if not raw.isdigit():
        return _tell(client, context, user_id, Problem("choice.unknown"))
    services = services_of(context)
    outcome = registration.cancel_departure(services, int(raw), user_id)
    if outcome.problem is not None:
        return _tell(client, context, user_id, outcome.problem)
    text, blocks = registration_view.cancelled_message(translator_for(services, user_id), outcome)
    try:  # what happened to the invitation, as the command would have said it
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackClientError as error:
        log.warning("could not confirm the cancellation to %s: %s", user_id, error)


def handle_export_all(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    from bot.operations import records

    user_id = body["user"]["id"]
    try:
        problem = records.send_all(services_of(context), user_id)
    except SlackClientError as error:
        log.warning("could not send the export to %s: %s", user_id, error)
        problem = Problem("slack.unavailable")
    _tell(client, context, user_id, problem)
