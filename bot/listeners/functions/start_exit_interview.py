"""Workflow Builder's "Start exit interview" step: register the leaver, then tell Slack the step's
outcome (functions.completeSuccess with the outputs, or completeError with the refusal). A run that
waits for HR's decision (started by a webhook or a schedule) is left in progress: it is completed
when HR decides (bot.operations.workflow_step.decide) or when it expires."""

from __future__ import annotations

import logging

from slack_bolt import BoltContext, Complete, Fail

from bot.i18n import Translator
from bot.listeners.common import services_of
from bot.operations import home, workflow_step
from flows.workflow_step import execution_of

log = logging.getLogger(__name__)


def handle_start_exit_interview(event: dict, complete: Complete, fail: Fail, context: BoltContext) -> None:
    # Bolt acknowledges function_executed itself (auto_acknowledge); the durable inbox has the event
    # under its function_execution_id, so a second delivery of the same execution never gets here.
    services = services_of(context)
    try:
        outcome = workflow_step.start_exit_interview(services, event.get("inputs") or {},
                                                     execution_id=event.get("function_execution_id"),
                                                     workflow_execution_id=execution_of(event))
    except Exception:
        log.exception("the workflow step failed")
        # A step that is never completed hangs in the workflow: end it, in words.
        fail(error=Translator(services.settings.default_language)("workflow.failed"))
        return
    if outcome.waiting:
        return  # HR decides on a card; the step stays in progress until then
    if not outcome.succeeded:
        fail(error=outcome.error)
        return
    complete(outputs=outcome.outputs)
    home.hr_changed(services)  # after the step is done: publishing every HR member's Home takes a while
