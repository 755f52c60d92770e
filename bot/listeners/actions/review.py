"""HR's buttons on a review card. Every one checks again that the clicker is HR."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk.errors import SlackClientError

from bot.listeners.common import services_of, tell, translator_for
from bot.operations import review
from flows.registration import Problem

log = logging.getLogger(__name__)


def _run(action: dict, body: dict, respond: Respond, context: BoltContext, call) -> None:
    services = services_of(context)
    user_id = (body.get("user") or {}).get("id", "")
    raw = action.get("value") or ""
    try:
        problem = call(services, int(raw), user_id) if raw.isdigit() else Problem("review.unknown")
    except SlackClientError as error:
        log.warning("Slack failed during a review action: %s", error)
        problem = Problem("slack.unavailable")
    if problem is not None:
        _ = translator_for(services, user_id)
        tell(body, respond, services.client, _(problem.key))


def handle_view(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _run(
        action,
        body,
        respond,
        context,
        lambda s, rid, user: review.show_answers(s, rid, user, body.get("trigger_id", "")),
    )


def handle_edit(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _run(
        action,
        body,
        respond,
        context,
        lambda s, rid, user: review.open_highlights_editor(s, rid, user, body.get("trigger_id", "")),
    )


def handle_approve(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _run(action, body, respond, context, lambda s, rid, user: review.decide(s, rid, user, "approved"))


def handle_approve_manager(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _run(
        action,
        body,
        respond,
        context,
        lambda s, rid, user: review.approve_with_manager(s, rid, user, body.get("trigger_id", "")),
    )


def handle_private(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _run(action, body, respond, context, lambda s, rid, user: review.decide(s, rid, user, "private"))


def handle_answers_page(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    """*Next page* / *Previous page* in the full answers: the same modal shows the other page."""
    ack()
    review_id, _sep, page = (action.get("value") or "").partition(":")
    view_id = (body.get("view") or {}).get("id")
    if not (review_id.isdigit() and page.isdigit() and isinstance(view_id, str)):
        return  # not a button the bot made
    _run({"value": review_id}, body, respond, context,
         lambda s, rid, user: review.turn_answers_page(s, rid, user, view_id, int(page)))
