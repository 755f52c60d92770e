"""HR confirms an erasure in the modal `/exit-interview erase @person` opened."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext

from bot.blocks.text import mention
from bot.listeners.common import services_of, translator_for
from bot.operations import privacy
from bot.operations.privacy import ERASE_CALLBACK

__all__ = ["ERASE_CALLBACK", "handle_erase_submission"]


def handle_erase_submission(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    outcome = privacy.erase(services, view.get("private_metadata", ""), user_id)
    _ = translator_for(services, user_id)
    if outcome.problem is not None:
        text = _(outcome.problem.key)
    else:
        text = _("privacy.erase.done", user=mention(outcome.subject), **outcome.counts)
    ack(response_action="update", view=privacy.result_modal(_, text))
