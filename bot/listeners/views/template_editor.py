"""Submissions of the question editor: a question's form (its problems at the fields, else back to
the editor, which shows the change) and the editor itself (saved as a new version, or its problems
at the fields)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import template_admin as view
from bot.i18n import Translator
from bot.listeners.actions.template_editor import editor_view
from bot.listeners.common import services_of, translator_for
from bot.operations import template_admin
from flows import template_edit as edit
from flows.registration import Problem

log = logging.getLogger(__name__)


def field_errors(_: Translator, submitted: dict, errors: dict[str, Problem]) -> dict[str, str]:
    """Errors keyed by the input blocks of the submitted view (Slack refuses any other key): a
    problem without its own field on this form goes to the first field."""
    inputs = [b["block_id"] for b in submitted.get("blocks") or [] if b.get("type") == "input" and "block_id" in b]
    placed: dict[str, str] = {}
    for field_name, problem in errors.items():
        target = field_name if field_name in inputs else (inputs[0] if inputs else field_name)
        text = _(problem.key, **problem.params)
        placed[target] = f"{placed[target]} {text}" if target in placed else text
    return {key: text[:1000] for key, text in placed.items()}


def handle_question_submission(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    submitted = body.get("view") or {}
    draft_id, original_id, editor_id, parent = view.question_metadata(submitted)
    working = template_admin.working_copy(services, user_id, draft_id)
    if working.problem is not None:
        ack(response_action="errors", errors=field_errors(_, submitted, {"text_nl": working.problem}))
        return
    fallback = None
    index = edit.index_of(working.data, original_id) if original_id else None
    if index is not None:
        fallback = edit.form_of(edit.questions(working.data)[index], index + 1)
    form = view.question_input((submitted.get("state") or {}).get("values") or {}, fallback)
    working, errors = template_admin.change_question(services, user_id, draft_id, original_id, form)
    if errors or working.problem is not None:
        problems = errors or {"text_nl": working.problem}
        ack(response_action="errors", errors=field_errors(_, submitted, problems))
        return
    ack()  # this form closes; the editor under it shows the change
    if editor_id:
        try:
            client.views_update(view_id=editor_id, view=editor_view(_, working, parent))
        except SlackClientError as error:
            log.info("could not refresh the template editor: %s", error)


def handle_editor_submission(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    submitted = body.get("view") or {}
    draft_id, parent = view.editor_metadata(submitted)
    names, intros = view.editor_texts((submitted.get("state") or {}).get("values") or {})
    saved = template_admin.save(services, user_id, draft_id, names, intros)
    if saved.errors or saved.problem is not None:
        ack(response_action="errors", errors=field_errors(_, submitted, saved.errors or {"name_nl": saved.problem}))
        return
    ack()  # the editor closes; the Templates modal under it shows the new version, active
    if parent:
        notice = _("tpled.saved.notice", template=saved.key, version=saved.version)
        try:
            client.views_update(view_id=parent, view=view.templates_modal(
                _, template_admin.versions(services, _.language), notice))
        except SlackClientError as error:
            log.info("could not refresh the templates modal: %s", error)
