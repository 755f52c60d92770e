"""HR saves edited highlights for a review, or approves with the message for the direct manager."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.listeners.common import services_of, translator_for
from bot.operations import review


def handle_highlights(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    text = (((view.get("state") or {}).get("values") or {}).get("highlights") or {}).get("value") or {}
    problem = review.save_highlights(services, view.get("private_metadata", ""), user_id, text.get("value"))
    if problem is None:
        ack()
        return
    _ = translator_for(services, user_id)
    ack(response_action="errors", errors={"highlights": _(problem.key)})


def handle_manager_message(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    """HR approves with the message for the direct manager as shown (and perhaps edited)."""
    services = services_of(context)
    user_id = body["user"]["id"]
    text = (((view.get("state") or {}).get("values") or {}).get("manager_note") or {}).get("value") or {}
    problem = review.approve_with_manager_note(services, view.get("private_metadata", ""), user_id, text.get("value"))
    if problem is None:
        ack()
        return
    _ = translator_for(services, user_id)
    ack(response_action="errors", errors={"manager_note": _(problem.key)})
