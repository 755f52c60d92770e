"""Clicks in the leaver's questionnaire. Each parses the button's value and calls one operation;
a refusal (stale button, someone else's questionnaire) is a gentle ephemeral note."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk.errors import SlackClientError

from bot.i18n import Translator
from bot.listeners.common import services_of, tell, translator_for
from bot.operations import interview
from flows.registration import Problem

log = logging.getLogger(__name__)


def _parse(raw: str | None) -> tuple[int, str, str] | None:
    parts = (raw or "").split("|")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1], parts[2]


def _run(respond: Respond, context: BoltContext, user_id: str, call, body: dict | None = None) -> None:
    services = services_of(context)
    try:
        problem = call(services)
        if problem is not None and problem.key == "questionnaire.stale" and body:
            # A click on the last question shown, whose successor was never posted: post it now.
            parsed = _parse(((body.get("actions") or [{}])[0]).get("value"))
            if parsed and interview.show_current_again(services, parsed[0], user_id):
                problem = None
    except SlackClientError as error:
        log.warning("Slack failed during a questionnaire step: %s", error)
        problem = Problem("slack.unavailable")
    if problem is not None:
        _ = translator_for(services, user_id)
        tell(body or {"user": {"id": user_id}, "response_url": "x"}, respond, services.client,
             interview.problem_text(_, problem))


def _stale(respond: Respond, context: BoltContext, user_id: str, body: dict | None = None) -> None:
    services = services_of(context)
    _: Translator = translator_for(services, user_id)
    tell(body or {"user": {"id": user_id}, "response_url": "x"}, respond, services.client, _("questionnaire.stale"))


def handle_choose(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    """A button with the answer in its value: a score, yes/no, or an option."""
    ack()
    _act(
        action.get("value"),
        body,
        respond,
        context,
        lambda s, iid, qid, choice, user: interview.answer(s, iid, user, qid, choice),
    )


def handle_select(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    selected = (action.get("selected_option") or {}).get("value")
    _act(
        selected,
        body,
        respond,
        context,
        lambda s, iid, qid, choice, user: interview.answer(s, iid, user, qid, {"value": choice}),
    )


def handle_multi_change(ack: Ack) -> None:
    """Picking options only changes the menu; Confirm reads what is picked."""
    ack()


def handle_confirm(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    parsed = _parse(action.get("value"))
    user_id = body["user"]["id"]
    if parsed is None:
        return _stale(respond, context, user_id)
    interview_id, question_id, _choice = parsed
    state = (body.get("state") or {}).get("values") or {}
    menu = (state.get(f"q-multi-{interview_id}-{question_id}") or {}).get("q:multi") or {}
    picked = [o.get("value") for o in menu.get("selected_options") or [] if isinstance(o, dict)]
    if "other" in picked:  # ask what the other reason is, in a form
        return _run(
            respond,
            context,
            user_id,
            lambda s: interview.open_text_form(
                s, interview_id, user_id, question_id, "other", body.get("trigger_id", ""), picked=picked
            ),
        )
    _run(
        respond, context, user_id, lambda s: interview.answer(s, interview_id, user_id, question_id, {"values": picked})
    )


def handle_write(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(
        action.get("value"),
        body,
        respond,
        context,
        lambda s, iid, qid, kind, user: interview.open_text_form(s, iid, user, qid, kind, body.get("trigger_id", "")),
    )


def handle_skip(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.skip(s, iid, user, qid))


def handle_next(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    """Next, or "I'd rather not say": what is not answered in the step is skipped."""
    ack()
    _act(action.get("value"), body, respond, context,
         lambda s, iid, qid, _, user: interview.skip_rest(s, iid, user, qid))


def handle_form(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    """The form of a step: to answer it, add comments, or change it from the summary."""
    ack()
    _act(action.get("value"), body, respond, context,
         lambda s, iid, qid, _, user: interview.open_step_form(s, iid, user, qid, body.get("trigger_id", "")))


def handle_back(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.back(s, iid, user, qid))


def handle_pause(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.pause(s, iid, user, qid))


def handle_resume(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.resume(s, iid, user))


def handle_edit(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.edit(s, iid, user, qid))


def handle_submit(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.submit(s, iid, user))


def handle_withdraw(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    ack()
    _act(action.get("value"), body, respond, context, lambda s, iid, qid, _, user: interview.withdraw(s, iid, user))


def _act(raw_value: str | None, body: dict, respond: Respond, context: BoltContext, call) -> None:
    user_id = (body.get("user") or {}).get("id", "")
    parsed = _parse(raw_value)
    if parsed is None:
        return _stale(respond, context, user_id, body)
    interview_id, question_id, choice = parsed
    _run(respond, context, user_id, lambda s: call(s, interview_id, question_id, choice, user_id), body)


def handle_share(ack: Ack, action: dict, body: dict, respond: Respond, context: BoltContext) -> None:
    """Leave a quote out of what management may see, or put it back."""
    ack()
    _act(action.get("value"), body, respond, context,
         lambda s, iid, qid, choice, user: interview.toggle_quote(s, iid, user, qid, include=choice == "in"))
