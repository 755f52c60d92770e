"""Talks in person: the interviewer's checklist, and recording the notes of the talk.

The notes are an Interview with mode `talk`: saved as a draft as often as needed (the first save
creates it), final once finished. Every save checks again who submits it and for which departure,
because a form's private_metadata comes back from the client and can be forged. The interview's
revision counter refuses the second of two saves made at the same moment.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackClientError
from sqlalchemy.orm.exc import StaleDataError

from bot import domain_events, leavers
from bot.blocks import notes as view
from bot.blocks.text import mention
from bot.i18n import Translator
from bot.notify import notify_hr
from bot.operations import numbers, templates
from bot.services import Services
from flows.events import InterviewSubmitted
from flows.interview import Mode, Status, expiry_moment
from flows.invitation import Choice, Stage
from flows.questionnaire import from_json, to_json
from flows.registration import Problem
from flows.talks import Existing, check_notes, may_record, notes_state, validate_notes
from flows.template import Template
from storage import repositories as repo
from storage.models import Interview

log = logging.getLogger(__name__)

CHECKLIST = "talk_checklist"  # its purpose in sent_messages: sent once per departure
_DEPARTURE_ID = re.compile(r"^[0-9]{1,12}$")


# -- the checklist -----------------------------------------------------------------------------------


def send_talk_checklist(services: Services, departure_id: int) -> bool:
    """DM the interviewer good practice for the talk and a button to record the notes; at most
    once per departure. True when this call sent it. Never raises for Slack: the choice that
    triggered it is recorded already, and HR can always open the notes with the command."""
    now = services.clock.now()
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None or not repo.claim_message(session, departure_id, CHECKLIST, now):
            return False
        interviewer_id, employee_id, last_day = departure.interviewer_id, departure.employee_id, departure.last_day
    try:
        _ = Translator(services.directory.language(interviewer_id))
        text, blocks = view.checklist_message(_, departure_id=departure_id, employee_id=employee_id, last_day=last_day)
        response = services.client.chat_postMessage(channel=interviewer_id, text=text, blocks=blocks)
    except SlackClientError as error:
        log.warning("could not send the talk checklist of departure %s: %s", departure_id, error)
        with services.db.session() as session:
            repo.release_message(session, departure_id, CHECKLIST)
        return False
    with services.db.session() as session:
        repo.complete_message(session, departure_id, CHECKLIST, response["channel"], response["ts"],
                              services.clock.now())
    return True


# -- opening the form ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Notes:
    """A departure and its notes as read in one transaction."""

    departure_id: int
    employee_id: str
    interviewer_id: str
    last_day: date
    stage: str
    deadline: datetime
    existing: Existing | None
    template_key: str | None
    template_version: int | None
    answers: dict
    recorded_by: str | None


def _read(services: Services, session, departure) -> _Notes:
    interview = repo.interview_for_departure(session, departure.id)
    answers: dict = {}
    if interview is not None and interview.mode == Mode.TALK and interview.state:
        try:
            answers = from_json(interview.state).answers
        except ValueError:
            log.warning("interview %s holds an unreadable state", interview.id)
    return _Notes(
        departure_id=departure.id,
        employee_id=departure.employee_id,
        interviewer_id=departure.interviewer_id,
        last_day=departure.last_day,
        stage=departure.stage,
        deadline=expiry_moment(departure.last_day, services.settings.interview_expiry_days,
                               ZoneInfo(departure.employee_tz)),
        existing=Existing(interview.mode, interview.status) if interview is not None else None,
        template_key=interview.template_key if interview is not None else None,
        template_version=interview.template_version if interview is not None else None,
        answers=answers,
        recorded_by=interview.recorded_by if interview is not None else None,
    )


def _template(services: Services, notes: _Notes) -> Template:
    """The template the notes were started with; new notes use the company's active template."""
    if notes.template_key is not None:
        return templates.template_for(services.db, notes.template_key, notes.template_version)
    return templates.active_template(services.db)


def _refusal(services: Services, notes: _Notes, user_id: str) -> Problem | None:
    return may_record(user_id=user_id, interviewer_id=notes.interviewer_id,
                      is_hr=services.directory.is_hr(user_id)) or check_notes(
        stage=notes.stage, existing=notes.existing, now=services.clock.now(), deadline=notes.deadline)


def open_notes(services: Services, departure_id: int, user_id: str, trigger_id: str) -> Problem | None:
    """The checklist's button: open the form, or say why not. Someone who may not record notes gets
    the same refusal whether or not the id exists."""
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        notes = _read(services, session, departure) if departure is not None else None
    if notes is None:
        return Problem("notes.unknown") if services.directory.is_hr(user_id) else Problem("notes.not_allowed")
    return _open(services, notes, user_id, trigger_id)


def open_notes_for_employee(services: Services, employee_id: str, user_id: str, trigger_id: str) -> Problem | None:
    """`/exit-interview notes @leaver`: HR, or the interviewer of the leaver's open departure.

    Someone outside HR gets the same answer whether or not the person is leaving: who leaves is
    confidential until it is announced."""
    is_hr = services.directory.is_hr(user_id)
    with services.db.session() as session:
        departure = repo.open_registration(session, employee_id)
        notes = _read(services, session, departure) if departure is not None else None
    if notes is None or (not is_hr and notes.interviewer_id != user_id):
        return Problem("notes.no_departure", {"user": employee_id}) if is_hr else Problem("notes.not_allowed")
    return _open(services, notes, user_id, trigger_id)


def _open(services: Services, notes: _Notes, user_id: str, trigger_id: str) -> Problem | None:
    problem = _refusal(services, notes, user_id)
    if problem is not None:
        return problem
    _ = Translator(services.directory.language(user_id))
    modal = view.notes_modal(
        _, template=_template(services, notes), departure_id=notes.departure_id, employee_id=notes.employee_id,
        last_day=notes.last_day, answers=notes.answers, draft_by=notes.recorded_by,
    )
    services.client.views_open(trigger_id=trigger_id, view=modal)
    return None


# -- saving ----------------------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    """`errors` by block id of the form; empty when the notes were saved."""

    errors: dict[str, Problem] = field(default_factory=dict)
    finished: bool = False
    interview_id: int | None = None
    employee_id: str | None = None
    # What happened (bot.domain_events), delivered by after_finished once the form was answered.
    events: tuple[int, ...] = ()

    @property
    def saved(self) -> bool:
        return not self.errors


def _refused(problem: Problem) -> SaveOutcome:
    return SaveOutcome(errors={view.STATUS_BLOCK: problem})


def save_notes(services: Services, user_id: str, metadata: object, values: object) -> SaveOutcome:
    """The form was submitted: check who and what, then store a draft or the finished notes."""
    if not isinstance(metadata, str) or not _DEPARTURE_ID.match(metadata):
        return _refused(Problem("notes.invalid_form"))
    departure_id = int(metadata)
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        before = _read(services, session, departure) if departure is not None else None
    if before is None:
        return _refused(Problem("notes.invalid_form"))
    problem = _refusal(services, before, user_id)
    if problem is not None:
        return _refused(problem)

    status = view.read_status(values)
    if status is None:
        return _refused(Problem("notes.problem.invalid"))
    template = _template(services, before)
    checked = validate_notes(template, view.read_values(template, values))
    if checked.problems:
        return SaveOutcome(errors={view.block_id(question_id, part): problem
                                   for (question_id, part), problem in checked.problems.items()})
    finished = status == view.FINISHED

    now = services.clock.now()
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None:
            return _refused(Problem("notes.invalid_form"))
        interview = repo.interview_for_departure(session, departure_id)
        current = _read(services, session, departure)
        problem = check_notes(stage=current.stage, existing=current.existing, now=now, deadline=current.deadline)
        if problem is not None:
            return _refused(problem)
        if (current.existing is None) != (before.existing is None):
            return _refused(Problem("notes.conflict"))
        state = to_json(notes_state(template, checked.answers, finished=finished))
        if interview is None:
            interview = repo.add_interview(session, Interview(
                departure_id=departure_id, mode=Mode.TALK.value, template_key=template.id,
                template_version=template.version, state=state, status=Status.DRAFT.value, started_at=now,
                updated_at=now, expires_at=current.deadline, recorded_by=user_id,
            ))
            if interview is None:
                return _refused(Problem("notes.conflict"))
            # The talk took place: a leaver who had not answered the invitation gets no reminder,
            # and the invitation's buttons no longer start a questionnaire next to these notes.
            repo.record_choice(session, departure_id, Choice.TALK.value, Stage.TALK_REQUESTED.value, now)
        else:
            interview.state = state
            interview.updated_at = now
            interview.recorded_by = user_id
        if finished:
            interview.status = Status.SUBMITTED.value
            interview.submitted_at = now
        happened: tuple[int, ...] = ()
        try:
            session.flush()  # the revision check: a save made at the same moment fails here
            if finished:
                repo.set_departure_stage(session, departure_id, Stage.SUBMITTED.value)
                numbers.record(session, services.db, interview, template, services.settings.tz)
                happened = (domain_events.record(session, InterviewSubmitted(interview.id, Mode.TALK.value),
                                                 services),)
        except StaleDataError:
            session.rollback()
            return _refused(Problem("notes.conflict"))
        interview_id = interview.id
    log.info("talk notes of departure %s saved by %s (%s)", departure_id, user_id, status)
    return SaveOutcome(finished=finished, interview_id=interview_id, employee_id=before.employee_id, events=happened)


def after_finished(services: Services, outcome: SaveOutcome, recorded_by: str) -> None:
    """Finished notes go to HR: a notice and the review card (bot.subscribers). Called after the form
    was answered, so this Slack work never counts against the submission's 3 seconds."""
    domain_events.deliver(services, outcome.events)


def notify_notes_finished(services: Services, interview_id: int) -> None:
    """HR hears that the notes of a talk are finished, and who recorded them (bot.subscribers)."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        recorded_by = interview.recorded_by if interview is not None else None
    employee_id = leavers.employee_of_interview(services, interview_id)
    if employee_id is not None:
        notify_hr(services, "talk.notes_finished", employee=mention(employee_id), recorder=mention(recorded_by))
