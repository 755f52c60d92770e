"""The Workflow Builder step "Start exit interview": the same registration as `/exit-interview start`.

Same checks, same refusals, same storage (`registration.register`); only the way in (a workflow's
inputs) and the way out (the step's outputs, or its error) differ. Who may run it: HR, decided as
for the command, for the person who ran the workflow (Slack's `user_context`, which a workflow
author cannot fill in with somebody else).

A workflow started by a webhook (an HRIS) or a schedule has no person: such a run registers nobody
by itself. It waits (durably, `workflow_runs`) while HR gets a card with [Register] [Refuse]; the
Slack step stays in progress until HR decides, and ends with an error when nobody did within
PENDING_FOR. Slack does not say which workflow a run belongs to, so what HR trusts is an approval
code (`/exit-interview workflows new NAME`, shown once, only its SHA-256 stored) that the workflow
passes in the step's `approval_code` input: a run carrying one registers directly, in the name of
the HR member who created it (while they are in HR). Every decision is in the audit log.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks import registration as view
from bot.blocks import workflow_step as cards
from bot.i18n import LANGUAGES, Translator
from bot.incoming import replaying
from bot.operations import registration
from bot.services import Services
from flows import workflow_step as step
from flows.registration import Problem
from storage import workflow_trust as store
from storage.models import WorkflowRun

log = logging.getLogger(__name__)

# Audit log actions (bot.blocks.loop tells each in words).
REGISTERED, AUTO_REGISTERED, REFUSED = "workflow_registered", "workflow_auto_registered", "workflow_refused"
TRUSTED, UNTRUSTED, EXPIRED = "workflow_trusted", "workflow_untrusted", "workflow_expired"
# Slack's answers when the step can no longer be completed (the workflow was cancelled or ended).
_GONE = ("execution_not_in_running_state", "function_execution_not_found")
# Runs decided and reported are forgotten after this long (the audit log keeps the decision).
KEEP_DONE_DAYS = 30


@dataclass
class StepOutcome:
    """What to report to Slack: `outputs` for functions.completeSuccess, else `error` for
    completeError; `waiting`: nothing yet (HR decides on a card, the step stays in progress)."""

    outputs: dict[str, object] = field(default_factory=dict)
    error: str | None = None
    waiting: bool = False

    @property
    def succeeded(self) -> bool:
        return self.error is None and not self.waiting


def start_exit_interview(services: Services, inputs: dict, *, execution_id: str | None = None,
                         workflow_execution_id: str | None = None) -> StepOutcome:
    inputs = inputs if isinstance(inputs, dict) else {}
    hr_user = step.run_by(inputs)
    with_person = step.has_user_context(inputs)
    default = services.settings.default_language
    _ = Translator(services.directory.language(hr_user) if hr_user else default)
    try:
        runner_is_hr = hr_user is not None and services.directory.is_hr(hr_user)
        trust = None
        code = step.approval_code(inputs)
        if not with_person and code is not None:
            with services.db.session() as session:
                found = store.trusted(session, step.code_hash(code))
                trust = (found.trusted_by, found.id, found.name) if found is not None else None
            if trust is not None and not services.directory.is_hr(trust[0]):
                trust = None  # created by someone no longer in HR: HR decides again
        route = step.route(has_user_context=with_person, runner_is_hr=runner_is_hr, trusted=trust is not None)
        if route == step.Route.REFUSE:
            return StepOutcome(error=_("hr.only"))
        asked = step.read_inputs(inputs, LANGUAGES)
        if isinstance(asked, Problem):
            return StepOutcome(error=view.refused_message(_, [asked])[0])
        if route == step.Route.ASK_HR:
            if not execution_id:
                return StepOutcome(error=_("hr.only"))
            _wait_for_hr(services, asked, execution_id, workflow_execution_id, unknown_code=code is not None)
            return StepOutcome(waiting=True)
        registered_by = hr_user if route == step.Route.REGISTER else trust[0]
        _ = Translator(services.directory.language(registered_by))
        outcome = _register(services, asked, registered_by)
    except SlackClientError as error:
        log.warning("Slack failed during a workflow registration: %s", type(error).__name__)
        return StepOutcome(error=_("slack.unavailable"))
    if not outcome.accepted:
        return StepOutcome(error=view.refused_message(_, outcome.problems)[0])
    if route == step.Route.TRUSTED:
        with services.db.session() as session:
            store.audit(session, at=services.clock.now(), actor=registered_by, action=AUTO_REGISTERED,
                        subject=asked.employee_id,
                        detail={"code": trust[1], "name": trust[2], "departure": outcome.departure_id})
    return StepOutcome(outputs=_outputs(_, asked, outcome))


def _register(services: Services, asked: step.StepRegistration, registered_by: str, *, refresh_home: bool = False):
    """`refresh_home=False` when the step's listener refreshes HR's Home itself, once Slack knows the
    step is done; a decision on HR's card lets the registration's own event refresh it."""
    return registration.register(
        services,
        registration.RegistrationRequest(
            employee_id=asked.employee_id, last_day=asked.last_day, registered_by=registered_by,
            manager_id=asked.manager_id, interviewer_id=asked.interviewer_id or registered_by,
            language=asked.language,
        ),
        refresh_home=refresh_home,
    )


def _outputs(_: Translator, asked: step.StepRegistration, outcome) -> dict[str, object]:
    text, _blocks = view.registered_message(
        _, employee_id=asked.employee_id, last_day=asked.last_day, invite_local=outcome.invite_local,
        immediate=outcome.immediate, warnings=(),
    )
    if outcome.warnings:
        text += "\n" + view.problems_text(_, outcome.warnings)
    return {
        step.STATUS: step.INVITING_NOW if outcome.immediate else step.PLANNED,
        step.INVITATION_TIME: int(outcome.invite_local.timestamp()),
        step.CONFIRMATION: text,
    }


# -- a run that waits for HR ---------------------------------------------------------------------------


def _wait_for_hr(services: Services, asked: step.StepRegistration, execution_id: str,
                 workflow_execution_id: str | None, *, unknown_code: bool) -> None:
    """Keep the run, then put the card in front of HR (once: a replayed event finds the cards)."""
    now = services.clock.now()
    with services.db.session() as session:
        run = store.keep_run(session, WorkflowRun(
            execution_id=execution_id, workflow_execution_id=workflow_execution_id, unknown_code=unknown_code,
            employee_id=asked.employee_id, last_day=asked.last_day, manager_id=asked.manager_id,
            interviewer_id=asked.interviewer_id, language=asked.language, received_at=now,
            expires_at=now + step.PENDING_FOR, status=store.PENDING,
        ))
        run_id, posted = run.id, bool(run.cards)
    if not posted:
        show_cards(services, run_id)


def show_cards(services: Services, run_id: int) -> None:
    """Put the card in front of HR; when Slack takes none, the sweep tries again."""
    posted_cards = []
    for channel, language in _audience(services):
        with services.db.session() as session:
            text, blocks = cards.run_card(Translator(language), store.run_by_id(session, run_id), services.settings.tz)
        try:
            response = services.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            posted_cards.append([response["channel"], response["ts"], language])
        except SlackClientError as error:
            log.warning("could not show HR the workflow run %s in %s: %s", run_id, channel, type(error).__name__)
    if posted_cards:
        with services.db.session() as session:
            store.set_cards(session, run_id, posted_cards)
    log.info("workflow run %s waits for HR (%s cards)", run_id, len(posted_cards))


def _audience(services: Services) -> list[tuple[str, str]]:
    """HR_CHANNEL_ID in the default language, else each HR member in their own."""
    if services.settings.hr_channel_id:
        return [(services.settings.hr_channel_id, services.settings.default_language)]
    return [(user, services.directory.language(user)) for user in sorted(services.directory.hr_members())]


def decide(services: Services, run_id: int, user_id: str, decision: step.Decision) -> Problem | None:
    """HR clicked a button on the card: register or refuse; once."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    now = services.clock.now()
    with services.db.session() as session:
        run = store.run_by_id(session, run_id)
        if run is None:
            return Problem("workflow.run.unknown")
        if not store.claim(session, run_id, user_id, now) and not _own_half(run, user_id):
            return _already(run)
        asked = step.StepRegistration(run.employee_id, run.last_day, run.manager_id, run.interviewer_id, run.language)
        workflow_execution = run.workflow_execution_id
    _ = Translator(services.directory.language(user_id))
    if decision == step.Decision.REFUSE:
        with services.db.session() as session:
            store.settle(session, run_id, store.REFUSED, error=_("workflow.step.refused_by_hr"))
            store.audit(session, at=now, actor=user_id, action=REFUSED, subject=asked.employee_id,
                        detail={"workflow": workflow_execution})
    else:
        try:
            outcome = _register(services, asked, user_id, refresh_home=True)
        except Exception as error:
            log.warning("registering workflow run %s failed: %s", run_id, type(error).__name__)
            with services.db.session() as session:  # undecided again: HR may click again
                session.get(WorkflowRun, run_id).status = store.PENDING
            if isinstance(error, SlackClientError):
                return Problem("slack.unavailable")
            raise
        with services.db.session() as session:
            if outcome.accepted:
                store.settle(session, run_id, store.REGISTERED, departure_id=outcome.departure_id,
                             outputs=_outputs(_, asked, outcome))
            else:
                store.settle(session, run_id, store.REJECTED, error=view.refused_message(_, outcome.problems)[0])
            store.audit(session, at=now, actor=user_id, action=REGISTERED if outcome.accepted else REFUSED,
                        subject=asked.employee_id,
                        detail={"workflow": workflow_execution, "departure": outcome.departure_id,
                                "problems": [p.key for p in outcome.problems]})
    log.info("workflow run %s decided by HR: %s", run_id, decision.value)
    complete(services, run_id)
    refresh_cards(services, run_id)
    return None


def _own_half(run: WorkflowRun, user_id: str) -> bool:
    """The click a dead process acknowledged, finished again by the inbox: the run it claimed is still
    being decided by the same HR member, so the decision continues (the registration confirms what
    that process stored, nothing is registered twice) instead of being refused as a second click."""
    return replaying() and run.status == store.DECIDING and run.decided_by == user_id


def _already(run: WorkflowRun) -> Problem:
    if run.status == store.EXPIRED:
        return Problem("workflow.run.expired")
    return Problem("workflow.run.already", {"user": run.decided_by or "?"})


def complete(services: Services, run_id: int) -> None:
    """Tell Slack how the step ended (with the bot's token: the step's own token may be long gone);
    what Slack does not take now, the sweep sends again."""
    with services.db.session() as session:
        run = store.run_by_id(session, run_id)
        if run is None or run.completed_at is not None or run.status not in (store.REGISTERED, store.REFUSED,
                                                                              store.REJECTED, store.EXPIRED):
            return
        execution_id, outputs, error = run.execution_id, run.outputs, run.error
    try:
        if outputs is not None:
            services.client.functions_completeSuccess(function_execution_id=execution_id, outputs=outputs)
        else:
            services.client.functions_completeError(function_execution_id=execution_id,
                                                    error=error or "Not registered.")
    except SlackApiError as failure:
        if failure.response.get("error") not in _GONE:
            log.warning("Slack did not take the end of workflow run %s yet: %s", run_id,
                        failure.response.get("error"))
            return
        log.info("workflow run %s had already ended in Slack", run_id)
    except SlackClientError as failure:
        log.warning("could not end workflow run %s now: %s", run_id, type(failure).__name__)
        return
    with services.db.session() as session:
        store.mark_completed(session, run_id, services.clock.now())


def refresh_cards(services: Services, run_id: int) -> None:
    """Every copy of the card shows the decision; the buttons go."""
    with services.db.session() as session:
        run = store.run_by_id(session, run_id)
        if run is None:
            return
        session.expunge(run)
    for channel, ts, language in run.cards or []:
        text, blocks = cards.run_card(Translator(language), run, services.settings.tz)
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackClientError as error:
            log.warning("could not update the card of workflow run %s: %s", run_id, type(error).__name__)


def sweep(services: Services) -> None:
    """Runs nobody decided on in time end with an error; outcomes Slack did not take are sent again;
    runs long done are forgotten."""
    now = services.clock.now()
    with services.db.session() as session:
        due = store.due_to_expire(session, now)
    _ = Translator(services.settings.default_language)
    for run_id in due:
        with services.db.session() as session:
            if not store.claim(session, run_id, "scheduler", now, status=store.EXPIRED):
                continue
            run = store.run_by_id(session, run_id)
            store.settle(session, run_id, store.EXPIRED,
                         error=_("workflow.step.expired", count=step.PENDING_FOR.days))
            store.audit(session, at=now, actor="scheduler", action=EXPIRED, subject=run.employee_id,
                        detail={"workflow": run.workflow_execution_id})
        log.info("workflow run %s expired without a decision", run_id)
        refresh_cards(services, run_id)
    with services.db.session() as session:
        unfinished = store.not_completed(session)
        # Not shown while its own event is still posting (a minute or two), then tried again.
        unseen = [run.id for run in store.waiting(session)
                  if not run.cards and run.received_at < now - timedelta(minutes=2)]
    for run_id in unseen:
        show_cards(services, run_id)
    for run_id in unfinished:
        complete(services, run_id)
    with services.db.session() as session:
        store.forget_done(session, now - timedelta(days=KEEP_DONE_DAYS))


# -- approval codes ---------------------------------------------------------------------------------------

MAX_NAME = 200


def new_code(services: Services, user_id: str, name: str) -> tuple[Problem | None, str | None, str]:
    """`/exit-interview workflows new NAME`: a fresh approval code, trusted in the name of this HR
    member. Only its SHA-256 is stored; the code is returned to be shown once. (problem, code, name)."""
    name = " ".join((name or "").split())[:MAX_NAME]
    if not services.directory.is_hr(user_id):
        return Problem("hr.only"), None, name
    if not name:
        return Problem("workflow.code.name_missing"), None, name
    now = services.clock.now()
    with services.db.session() as session:
        while True:
            code = secrets.token_urlsafe(18)
            row = store.trust(session, step.code_hash(code), name, user_id, now)
            if row is not None:
                break
        store.audit(session, at=now, actor=user_id, action=TRUSTED, subject=None,
                    detail={"code": row.id, "name": name})
    log.info("approval code %s created", row.id)
    return None, code, name


def trusted_list(services: Services, user_id: str) -> tuple[str, list[dict]]:
    """`/exit-interview workflows`: the approval codes (by name), each with a button to stop trusting it."""
    _ = Translator(services.directory.language(user_id))
    with services.db.session() as session:
        rows = [(w.id, w.name, w.trusted_by, w.trusted_at) for w in store.trusted_workflows(session)]
        waiting = len(store.waiting(session))
    return cards.trusted_message(_, rows, waiting, services.settings.tz)


def untrust(services: Services, trust_id: int, user_id: str) -> tuple[Problem | None, str | None]:
    """HR stops trusting an approval code: runs carrying it wait for HR again. (problem, the code's name)."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only"), None
    with services.db.session() as session:
        gone = store.untrust(session, trust_id)
        if gone is None:
            return Problem("workflow.trust.unknown"), None
        store.audit(session, at=services.clock.now(), actor=user_id, action=UNTRUSTED, subject=None,
                    detail={"code": gone.id, "name": gone.name})
        shown = gone.name
    log.info("workflow trust %s withdrawn", trust_id)
    return None, shown
