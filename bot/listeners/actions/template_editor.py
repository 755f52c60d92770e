"""The question editor's buttons: open it (from the Templates modal), add a question, a question's
menu (edit, up, down, remove), start over, and a question form's type (the form changes with it).
Every step is checked by the operation (HR only, the owner's working copy only)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import template_admin as view
from bot.i18n import Translator
from bot.listeners.actions.template_admin import _dm
from bot.listeners.common import services_of, translator_for
from bot.operations import template_admin
from flows import template_edit as edit
from flows.registration import Problem

log = logging.getLogger(__name__)


def register_editor(app) -> None:
    app.action(view.EDIT_ACTION)(handle_open_editor)
    app.action(view.ADD_ACTION)(handle_add)
    app.action(view.RESET_ACTION)(handle_reset)
    app.action(view.ROW_ACTION)(handle_row)
    app.action(view.TYPE_ACTION)(handle_type)


def editor_view(_: Translator, working: template_admin.Working, parent: str | None, notice: str | None = None) -> dict:
    return view.editor_modal(_, working.data, draft_id=working.draft_id, parent=parent,
                             next_version=working.next_version, changed=working.changed, notice=notice)


def _show(client: WebClient, body: dict, built: dict, *, push: bool) -> None:
    """Push a view over the one clicked in (or open it where none is open), or update the clicked one."""
    current = body.get("view") or {}
    try:
        if push or not current.get("id"):
            if current.get("id"):
                client.views_push(trigger_id=body["trigger_id"], view=built)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=built)
        else:
            client.views_update(view_id=current["id"], view=built)
    except SlackClientError as error:
        log.warning("could not show the template editor: %s", error)


def handle_open_editor(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    working = template_admin.open_working_copy(services, user_id)
    if working.problem is not None:
        _dm(client, user_id, _(working.problem.key, **working.problem.params))
        return
    parent = (body.get("view") or {}).get("id")
    notice = _("tpled.editor.resumed") if working.changed else None
    _show(client, body, editor_view(_, working, parent, notice), push=True)


def open_template_editor(services, _: Translator, user_id: str, trigger_id: str, client: WebClient) -> Problem | None:
    """`/exit-interview template`: the editor on its own, without the Templates modal under it."""
    working = template_admin.open_working_copy(services, user_id)
    if working.problem is not None:
        return working.problem
    notice = _("tpled.editor.resumed") if working.changed else None
    client.views_open(trigger_id=trigger_id, view=editor_view(_, working, None, notice))
    return None


def _editor_context(body: dict, context: BoltContext):
    services = services_of(context)
    user_id = body["user"]["id"]
    editor = body.get("view") or {}
    draft_id, parent = view.editor_metadata(editor)
    names, intros = view.editor_texts((editor.get("state") or {}).get("values") or {})
    # What was typed in the name and intro is kept first, so no view built from the draft loses it.
    template_admin.keep_texts(services, user_id, draft_id, names, intros)
    return services, user_id, translator_for(services, user_id), draft_id, parent


def handle_row(ack: Ack, action: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    """A question's menu in the editor: edit (its form is pushed), up, down, remove (the list changes)."""
    ack()
    services, user_id, _, draft_id, parent = _editor_context(body, context)
    chosen = str((action.get("selected_option") or {}).get("value") or "")
    verb, _sep, question_id = chosen.partition(":")
    if verb == "edit":
        working = template_admin.working_copy(services, user_id, draft_id)
        index = edit.index_of(working.data, question_id) if working.problem is None else None
        if index is None:
            problem = working.problem or Problem("tpled.error.question_gone")
            _dm(client, user_id, _(problem.key, **problem.params))
            return
        form = edit.form_of(edit.questions(working.data)[index], index + 1)
        _show(client, body, view.question_modal(_, working.data, form, draft_id=working.draft_id,
                                                original_id=question_id, editor_view=(body.get("view") or {}).get("id"),
                                                parent=parent), push=True)
        return
    working = template_admin.change_list(services, user_id, draft_id, verb, question_id)
    if working.problem is not None and not working.data:
        _dm(client, user_id, _(working.problem.key, **working.problem.params))
        return
    notice = _(working.problem.key, **working.problem.params) if working.problem is not None else None
    _show(client, body, editor_view(_, working, parent, notice), push=False)


def handle_add(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services, user_id, _, draft_id, parent = _editor_context(body, context)
    working = template_admin.working_copy(services, user_id, draft_id)
    if working.problem is not None:
        _dm(client, user_id, _(working.problem.key, **working.problem.params))
        return
    form = edit.new_form(working.data)
    _show(client, body, view.question_modal(_, working.data, form, draft_id=working.draft_id, original_id=None,
                                            editor_view=(body.get("view") or {}).get("id"), parent=parent),
          push=True)


def handle_reset(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    draft_id, parent = view.editor_metadata(body.get("view") or {})
    working = template_admin.start_over(services, user_id, draft_id)
    if working.problem is not None:
        _dm(client, user_id, _(working.problem.key, **working.problem.params))
        return
    _show(client, body, editor_view(_, working, parent, _("tpled.editor.reset_done")), push=False)


def handle_type(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Another type chosen on a question's form: the form shows that type's fields, keeping what was typed."""
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    current = body.get("view") or {}
    draft_id, original_id, editor_id, parent = view.question_metadata(current)
    working = template_admin.working_copy(services, user_id, draft_id)
    if working.problem is not None:
        _dm(client, user_id, _(working.problem.key, **working.problem.params))
        return
    form = view.question_input((current.get("state") or {}).get("values") or {})
    form = edit.with_type(working.data, form, fallback=template_admin.standard_data())
    _show(client, body, view.question_modal(_, working.data, form, draft_id=working.draft_id,
                                            original_id=original_id, editor_view=editor_id, parent=parent),
          push=False)
