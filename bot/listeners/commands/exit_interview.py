"""`/exit-interview`: HR's command line in Slack."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import notes as notes_view
from bot.blocks import registration as view
from bot.blocks import workflow_step as workflow_cards
from bot.blocks.text import mention
from bot.i18n import Translator
from bot.listeners.actions.template_editor import open_template_editor
from bot.listeners.common import services_of, translator_for
from bot.operations import breakdowns, digest, loop, privacy, registration, report, talks, workflow_step
from bot.services import Services
from flows.registration import (
    Access,
    Audit,
    Cancel,
    EditTemplate,
    Erase,
    Help,
    ListDepartures,
    ManagerView,
    NewWorkflowCode,
    Notes,
    OpenRegistrationForm,
    OpenSettings,
    PostDigest,
    Problem,
    Register,
    Report,
    Workflows,
    parse_command,
)

log = logging.getLogger(__name__)


def handle_exit_interview(ack: Ack, command: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = command.get("user_id")
    if not user_id or not command.get("response_url"):
        return  # not something Slack sends; nothing to answer to
    try:
        _ = translator_for(services, user_id)
        parsed = parse_command(command.get("text", ""))
        # Notes are also for the leaver's interviewer outside HR; the operation checks who may.
        if not isinstance(parsed, Notes) and not services.directory.is_hr(user_id):
            _reply(respond, *view.plain(_("hr.only")))
            return
        _run(services, _, parsed, command, respond, client)
    except SlackClientError as error:
        log.warning("Slack failed during /exit-interview: %s", error)
        _reply(respond, *view.plain(Translator(services.settings.default_language)("slack.unavailable")))


def _run(services: Services, _: Translator, parsed, command: dict, respond: Respond, client: WebClient) -> None:
    user_id = command["user_id"]
    match parsed:
        case Problem():
            _reply(respond, *view.refused_message(_, [parsed]))
        case Help(unknown=unknown):
            _reply(respond, *view.help_message(_, unknown))
        case OpenRegistrationForm():
            client.views_open(
                trigger_id=command["trigger_id"],
                view=view.registration_modal(_, hr_user_id=user_id,
                                             default_language=services.settings.default_language),
            )
        case Register(employee_id=employee_id, last_day=last_day, manager_id=manager_id):
            outcome = registration.register(
                services,
                registration.RegistrationRequest(
                    employee_id=employee_id, last_day=last_day, manager_id=manager_id, registered_by=user_id,
                    interviewer_id=user_id,
                ),
            )
            if not outcome.accepted:
                _reply(respond, *view.refused_message(_, outcome.problems))
                return
            _reply(respond, *view.registered_message(
                _, employee_id=employee_id, last_day=last_day, invite_local=outcome.invite_local,
                immediate=outcome.immediate, warnings=outcome.warnings,
            ))
        case ListDepartures():
            _reply(respond, *view.departures_message(_, registration.open_departure_rows(services)))
        case Cancel(employee_id=employee_id):
            outcome = registration.cancel(services, employee_id, cancelled_by=user_id)
            if outcome.problem:
                _reply(respond, *view.refused_message(_, [outcome.problem]))
            else:
                _reply(respond, *view.cancelled_message(_, outcome))
        case Notes(employee_id=employee_id):
            if problem := talks.open_notes_for_employee(services, employee_id, user_id, command["trigger_id"]):
                _reply(respond, *notes_view.problem_message(_, problem))
        case PostDigest():
            outcome = digest.post_digest(services, requested_by=user_id)
            if outcome.posted:
                _reply(respond, *view.plain(_("digest.posted", channel=services.settings.manager_channel_id,
                                              count=outcome.pending)))
                digest.after_posting(outcome)
            elif outcome.problem is not None:
                _reply(respond, *view.plain(_(outcome.problem.key)))
            else:
                _reply(respond, *digest.withheld(services, _.language, outcome))
        case Report(start=start, end=end):
            # The report first, the breakdowns after it, counted meanwhile (the database works on
            # both at once); a response_url takes five responses in all.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="breakdowns") as pool:
                later = pool.submit(breakdowns.report_messages, services, _.language, start, end)
                sent = report.report(services, _.language, start, end)[:4]
                for text, blocks in sent:
                    _reply(respond, text, blocks)
                for text, blocks in later.result()[:5 - len(sent)]:
                    _reply(respond, text, blocks)
            breakdowns.upload_charts(services, user_id, _.language, start, end)
        case ManagerView(manager_id=manager_id, start=start, end=end):
            _reply(respond, *breakdowns.manager_message(services, _.language, manager_id, start, end))
        case Audit():
            _reply(respond, *loop.audit_message(services, user_id))
        case OpenSettings():
            from bot.blocks.settings import settings_modal
            from bot.operations.settings import recent_changes

            client.views_open(trigger_id=command["trigger_id"],
                              view=settings_modal(_, services.reload_settings(), recent_changes(services.db)))
        case EditTemplate():
            if problem := open_template_editor(services, _, user_id, command["trigger_id"], client):
                _reply(respond, *view.plain(_(problem.key, **problem.params)))
        case Access(employee_id=employee_id):
            outcome = privacy.send_access_export(services, employee_id, user_id)
            if outcome.problem is not None:
                _reply(respond, *view.plain(_(outcome.problem.key)))
            else:
                _reply(respond, *view.plain(_("privacy.access.sent", user=mention(employee_id),
                                              departures=outcome.departures)))
        case Workflows():
            _reply(respond, *workflow_step.trusted_list(services, user_id))
        case NewWorkflowCode(name=name):
            problem, code, name = workflow_step.new_code(services, user_id, name)
            if problem is not None:
                _reply(respond, *view.plain(_(problem.key, **problem.params)))
            else:
                _reply(respond, *workflow_cards.new_code_message(_, name, code))
        case Erase(employee_id=employee_id):
            problem = privacy.open_erase_confirmation(services, employee_id, user_id, command["trigger_id"])
            if problem is not None:
                _reply(respond, *view.plain(_(problem.key, **{k: mention(v) for k, v in problem.params.items()})))


def _reply(respond: Respond, text: str, blocks: list[dict]) -> None:
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
