"""The Workflow Builder step "Start exit interview": what its inputs mean, as plain values.

Slack hands a custom step its inputs as the workflow filled them (a user id, a date as
`2026-12-20`, a string, or a `user_context` for the person who ran the workflow). This module turns
them into the same registration the slash command makes, or into a problem to report as the step's
error. Who may run it, and the registration rules themselves, are decided elsewhere (the HR check
and `flows.registration.check_registration`), exactly as for the command.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from flows.registration import Problem, parse_date, parse_user

CALLBACK_ID = "start_exit_interview"

# The names of the step's parameters; manifest.yml declares the same (tests/test_manifest.py checks).
LEAVER = "leaver"
LAST_DAY = "last_working_day"
MANAGER = "manager"
INTERVIEWER = "interviewer"
LANGUAGE = "language"
RUN_BY = "registered_by"  # slack#/types/user_context: the person who ran the workflow (optional)
# An approval code from `/exit-interview workflows new NAME` (optional): a run nobody started that
# carries a code HR created registers directly. Slack does not say which workflow a run belongs to,
# so the code is what HR trusts.
APPROVAL_CODE = "approval_code"
INPUTS = (LEAVER, LAST_DAY, MANAGER, INTERVIEWER, LANGUAGE, RUN_BY, APPROVAL_CODE)

STATUS = "status"
INVITATION_TIME = "invitation_time"
CONFIRMATION = "confirmation"
OUTPUTS = (STATUS, INVITATION_TIME, CONFIRMATION)

# The values of the `status` output: the invitation is planned, or goes out at once (little time left).
PLANNED = "registered"
INVITING_NOW = "registered_inviting_now"


@dataclass(frozen=True)
class StepRegistration:
    employee_id: str
    last_day: date
    manager_id: str | None = None
    interviewer_id: str | None = None
    language: str | None = None


# A run nobody in HR started waits this long for HR's decision; then the step ends with an error.
PENDING_FOR = timedelta(days=7)


class Route(StrEnum):
    """What happens to a run of the step, by who (or what) started it."""

    REGISTER = "register"  # an HR member ran it: register as they asked
    REFUSE = "refuse"  # someone outside HR ran it (or the user context is not Slack's): refused
    TRUSTED = "trusted"  # no person ran it, and it carries HR's approval code: register in the code creator's name
    ASK_HR = "ask_hr"  # no person ran it (a webhook, a schedule): HR decides on a card


class Decision(StrEnum):
    """HR's answer on the card of a run that waits."""

    REGISTER = "register"
    REFUSE = "refuse"


def route(*, has_user_context: bool, runner_is_hr: bool, trusted: bool) -> Route:
    """Trust covers runs without a person only: a person outside HR is refused in any workflow."""
    if has_user_context:
        return Route.REGISTER if runner_is_hr else Route.REFUSE
    return Route.TRUSTED if trusted else Route.ASK_HR


def has_user_context(inputs: dict) -> bool:
    """Whether the workflow filled in who ran it at all: a webhook or a scheduled trigger has nobody."""
    return isinstance(inputs, dict) and inputs.get(RUN_BY) not in (None, "", {})


def execution_of(event: dict) -> str | None:
    """The workflow execution a function_executed event belongs to (Slack's `workflow_execution_id`;
    Slack sends no id of the workflow itself); None when it is not a plain Slack id."""
    value = event.get("workflow_execution_id") if isinstance(event, dict) else None
    valid = isinstance(value, str) and value.isascii() and value.isalnum() and 0 < len(value) <= 64
    return value if valid else None


def approval_code(inputs: dict) -> str | None:
    """The approval code the workflow passes, stripped; None when the step's field is empty."""
    value = inputs.get(APPROVAL_CODE) if isinstance(inputs, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:200]


def code_hash(code: str) -> str:
    """What is stored of an approval code: its SHA-256 (hex); runs are compared by this, never in clear."""
    return hashlib.sha256(code.encode()).hexdigest()


def run_by(inputs: dict) -> str | None:
    """Who ran the workflow, from the `user_context` Slack filled in (never from a plain user id a
    workflow author could set to anyone); None when it is missing or malformed."""
    context = inputs.get(RUN_BY) if isinstance(inputs, dict) else None
    user_id = context.get("id") if isinstance(context, dict) else None
    return parse_user(user_id) if isinstance(user_id, str) else None


def read_inputs(inputs: dict, languages: Collection[str]) -> StepRegistration | Problem:
    """The registration the step asks for, or the first problem with its inputs."""
    inputs = inputs if isinstance(inputs, dict) else {}
    if inputs.get(LEAVER) in (None, ""):
        return Problem("workflow.leaver_missing")
    employee_id = _user(inputs.get(LEAVER))
    if employee_id is None:
        return _not_a_user(inputs.get(LEAVER))
    raw_day = inputs.get(LAST_DAY)
    last_day = parse_date(raw_day.strip()) if isinstance(raw_day, str) else None
    if last_day is None:
        return Problem("command.not_a_date", {"text": _shown(raw_day)})
    people = {}
    for name in (MANAGER, INTERVIEWER):
        value = inputs.get(name)
        if value in (None, ""):
            people[name] = None
            continue
        people[name] = _user(value)
        if people[name] is None:
            return _not_a_user(value)
    language = inputs.get(LANGUAGE)
    if language in (None, ""):
        language = None
    elif not isinstance(language, str) or language.strip().lower() not in languages:
        return Problem("workflow.language_invalid", {"text": _shown(language)})
    else:
        language = language.strip().lower()
    return StepRegistration(employee_id, last_day, people[MANAGER], people[INTERVIEWER], language)


def _user(value) -> str | None:
    return parse_user(value.strip()) if isinstance(value, str) else None


def _not_a_user(value) -> Problem:
    return Problem("command.not_a_user", {"text": _shown(value)})


def _shown(value) -> str:
    """A value as it may be quoted back in an error: a short, single-line string."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return " ".join(text.split())[:40]
