"""The talk-notes form's submission: store a draft or the finished notes, or show errors at the fields."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk.errors import SlackClientError

from bot.blocks import notes as view
from bot.i18n import Translator
from bot.listeners.common import services_of
from bot.operations import talks

log = logging.getLogger(__name__)


def handle_notes_submission(ack: Ack, body: dict, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    submitted = body.get("view") or {}
    _ = Translator(services.settings.default_language)
    try:
        _ = Translator(services.directory.language(user_id))
        outcome = talks.save_notes(services, user_id, submitted.get("private_metadata"),
                                   (submitted.get("state") or {}).get("values"))
    except SlackClientError as error:
        log.warning("Slack failed while saving talk notes: %s", error)
        ack(response_action="errors", errors={view.STATUS_BLOCK: _("slack.unavailable")})
        return
    if not outcome.saved:
        ack(response_action="errors",
            errors={block: view.problem_text(_, problem) for block, problem in outcome.errors.items()})
        return
    ack(response_action="update", view=view.saved_view(_, finished=outcome.finished))
    try:
        talks.after_finished(services, outcome, user_id)
    except SlackClientError as error:  # the sweep posts a missing review card later
        log.warning("could not tell HR about finished talk notes: %s", error)
