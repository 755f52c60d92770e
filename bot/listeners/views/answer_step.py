"""The form of one questionnaire step (several questions at once), sent."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.listeners.common import services_of
from bot.operations import interview


def _value(element: dict):
    """What one input holds: a text, an option's value, the values of a multi-select; None if empty."""
    if "selected_options" in element:
        return [option.get("value") for option in element.get("selected_options") or []]
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    return element.get("value")


def handle_answer_step(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    state = (view.get("state") or {}).get("values") or {}
    values = {block_id: _value(element.get("value") or {}) for block_id, element in state.items()}
    errors = interview.answer_step_form(services_of(context), body["user"]["id"], view.get("private_metadata", ""),
                                        values)
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()
