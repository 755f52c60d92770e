"""The import form's submission: check what was given, close the form, import, report by DM."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import bulk as view
from bot.i18n import Translator
from bot.listeners.common import services_of, translator_for
from bot.operations import bulk
from flows.bulk import parse_sheet
from flows.registration import Problem

log = logging.getLogger(__name__)


def handle_import_submission(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    services = services_of(context)
    user_id = (body.get("user") or {}).get("id", "")
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    files = ((values.get(view.FILE_BLOCK) or {}).get(view.FIELD) or {}).get("files") or []
    pasted = ((values.get(view.PASTE_BLOCK) or {}).get(view.FIELD) or {}).get("value") or ""
    _ = Translator(services.settings.default_language)
    try:
        _ = translator_for(services, user_id)
        if not services.directory.is_hr(user_id):
            ack(response_action="errors", errors={view.PASTE_BLOCK: _("hr.only")})
            return
    except SlackClientError as error:
        log.warning("Slack failed while checking an import: %s", error)
        ack(response_action="errors", errors={view.PASTE_BLOCK: _("slack.unavailable")})
        return
    file_id = next((f.get("id") for f in files if isinstance(f, dict) and isinstance(f.get("id"), str)), None)
    if file_id is None and not pasted.strip():
        ack(response_action="errors", errors={view.PASTE_BLOCK: _("bulk.modal.nothing")})
        return
    if file_id is not None and pasted.strip():
        ack(response_action="errors", errors={view.PASTE_BLOCK: _("bulk.modal.both")})
        return
    if file_id is None:
        sheet = parse_sheet(pasted)
        if isinstance(sheet, Problem):  # said at the field, the form stays open to fix it
            ack(response_action="errors", errors={view.PASTE_BLOCK: view.terminal(view.problem_text(_, sheet))})
            return
    ack()  # the form closes; the import can take a while (Slack is asked per row), the result comes as a DM

    try:
        if file_id is not None:
            report = bulk.import_upload(services, file_id, user_id)
        else:
            report = bulk.import_csv(services, pasted, user_id)
        messages = view.report_messages(_, report)
    except SlackClientError as error:
        log.warning("Slack failed during an import by %s: %s", user_id, error)
        messages = [(_("slack.unavailable"), [])]
    for text, blocks in messages:
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=blocks or None)
        except SlackClientError as error:
            log.warning("could not send the import result to %s: %s", user_id, error)
            break
