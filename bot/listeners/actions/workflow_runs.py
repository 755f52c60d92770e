"""HR's buttons on the card of a workflow run that waits for HR, and on the list of trusted
workflows. Each checks again that the clicker is HR (bot.operations.workflow_step)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.text import escape, mention
from bot.listeners.common import services_of, tell, translator_for, user_of
from bot.operations import workflow_step
from flows.registration import Problem
from flows.workflow_step import Decision

log = logging.getLogger(__name__)


def _decide(action: dict, body: dict, respond: Respond, client: WebClient, context: BoltContext,
            decision: Decision) -> None:
    services = services_of(context)
    user_id = user_of(body) or ""
    raw = action.get("value") or ""
    problem = workflow_step.decide(services, int(raw), user_id, decision) if raw.isdigit() and len(raw) < 12 \
        else Problem("workflow.run.unknown")
    if problem is not None:
        _ = translator_for(services, user_id)
        params = {key: mention(value) if key == "user" else value for key, value in problem.params.items()}
        tell(body, respond, client, _(problem.key, **params))


def handle_register(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                    context: BoltContext) -> None:
    ack()
    _decide(action, body, respond, client, context, Decision.REGISTER)


def handle_refuse(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                  context: BoltContext) -> None:
    ack()
    _decide(action, body, respond, client, context, Decision.REFUSE)


def handle_untrust(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                   context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = user_of(body) or ""
    raw = action.get("value") or ""
    problem, shown = workflow_step.untrust(services, int(raw), user_id) if raw.isdigit() and len(raw) < 12 \
        else (Problem("workflow.trust.unknown"), None)
    _ = translator_for(services, user_id)
    if problem is not None:
        tell(body, respond, client, _(problem.key, **problem.params))
        return
    tell(body, respond, client, _("workflow.trust.withdrawn", workflow=escape(shown or "?")))
