"""The Workflow Builder step "Start exit interview": the same registration as `/exit-interview start`.

Same checks, same refusals, same storage (`registration.register`); only the way in (a workflow's
inputs) and the way out (the step's outputs, or its error) differ. Who may run it: HR, decided as
for the command, for the person who ran the workflow (Slack's `user_context`, which a workflow
author cannot fill in with somebody else).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk.errors import SlackClientError

from bot.blocks import registration as view
from bot.i18n import LANGUAGES, Translator
from bot.operations import registration
from bot.services import Services
from flows import workflow_step as step
from flows.registration import Problem

log = logging.getLogger(__name__)


@dataclass
class StepOutcome:
    """What to report to Slack: `outputs` for functions.completeSuccess, else `error` for completeError."""

    outputs: dict[str, object] = field(default_factory=dict)
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None


def start_exit_interview(services: Services, inputs: dict) -> StepOutcome:
    hr_user = step.run_by(inputs)
    _ = Translator(services.directory.language(hr_user) if hr_user else services.settings.default_language)
    try:
        if hr_user is None or not services.directory.is_hr(hr_user):
            return StepOutcome(error=_("hr.only"))
        asked = step.read_inputs(inputs, LANGUAGES)
        if isinstance(asked, Problem):
            return StepOutcome(error=view.refused_message(_, [asked])[0])
        outcome = registration.register(
            services,
            registration.RegistrationRequest(
                employee_id=asked.employee_id, last_day=asked.last_day, registered_by=hr_user,
                manager_id=asked.manager_id, interviewer_id=asked.interviewer_id or hr_user,
                language=asked.language,
            ),
            refresh_home=False,  # the caller refreshes HR's Home once Slack knows the step is done
        )
    except SlackClientError as error:
        log.warning("Slack failed during a workflow registration: %s", type(error).__name__)
        return StepOutcome(error=_("slack.unavailable"))
    if not outcome.accepted:
        return StepOutcome(error=view.refused_message(_, outcome.problems)[0])
    text, _blocks = view.registered_message(
        _, employee_id=asked.employee_id, last_day=asked.last_day, invite_local=outcome.invite_local,
        immediate=outcome.immediate, warnings=(),
    )
    if outcome.warnings:
        text += "\n" + view.problems_text(_, outcome.warnings)
    return StepOutcome(outputs={
        step.STATUS: step.INVITING_NOW if outcome.immediate else step.PLANNED,
        step.INVITATION_TIME: int(outcome.invite_local.timestamp()),
        step.CONFIRMATION: text,
    })
