"""The questionnaire's text form (an answer, a rating's comment, the 'other' reason)."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.listeners.common import services_of, translator_for
from bot.operations import interview


def handle_answer_text(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    state = (view.get("state") or {}).get("values") or {}
    values = {
        "text": ((state.get("text") or {}).get("value") or {}).get("value"),
        "rating": (((state.get("rating") or {}).get("value") or {}).get("selected_option") or {}).get("value"),
    }
    problem = interview.answer_from_form(services, user_id, view.get("private_metadata", ""), values)
    if problem is None:
        ack()
        return
    _ = translator_for(services, user_id)
    ack(response_action="errors", errors={"text": interview.problem_text(_, problem)})
