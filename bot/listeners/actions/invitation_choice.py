"""The leaver's click on the invitation: answer here, prefer a talk, or no thanks."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.i18n import Translator
from bot.listeners.common import services_of, tell
from bot.operations import invitations
from flows.invitation import Choice

log = logging.getLogger(__name__)


def handle_invitation_choice(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                             context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    choice = Choice(action["action_id"].split(".", 1)[1])
    try:
        departure_id = int(action.get("value", ""))
    except ValueError:
        departure_id = -1
    try:
        outcome = invitations.choose(services, departure_id, choice, clicked_by=user_id, clicked=clicked_message(body))
    except SlackClientError as error:
        log.warning("Slack failed while recording a choice: %s", error)
        _ = Translator(services.directory.language(user_id))
        tell(body, respond, client, _("slack.unavailable"))
        return
    if outcome.problem is not None:
        _ = Translator(outcome.language)
        tell(body, respond, client, _(outcome.problem.key))


def clicked_message(body: dict) -> tuple[str, str] | None:
    """The message whose button was clicked (an invitation, or a reply pointing to it)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) and channel and ts else None


def handle_reconsider(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                      context: BoltContext) -> None:
    """"Changed your mind?" after "no thanks": the offer comes back, until the last working day."""
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    raw = action.get("value", "")
    departure_id = int(raw) if raw.isdigit() else -1
    try:
        outcome = invitations.reconsider(services, departure_id, user_id, clicked=clicked_message(body))
    except SlackClientError as error:
        log.warning("Slack failed while reopening an invitation: %s", error)
        tell(body, respond, client, Translator(services.directory.language(user_id))("slack.unavailable"))
        return
    if outcome.problem is not None:
        tell(body, respond, client, Translator(outcome.language)(outcome.problem.key))
