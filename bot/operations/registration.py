"""Registering and cancelling departures."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackClientError

from bot import domain_events
from bot.incoming import replaying
from bot.services import Services
from flows import open_departures
from flows import registration as rules
from flows.events import DepartureRegistered, RegistrationCancelled
from flows.interview import OPEN as OPEN_INTERVIEW
from flows.interview import Mode
from flows.interview import Status as InterviewStatus
from flows.invitation import Stage, can_cancel
from flows.registration import Offer, Problem
from flows.timing import Delivery, delivery_moment, invitation_moment
from storage import repositories as repo
from storage.models import Departure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrationRequest:
    employee_id: str
    last_day: date
    registered_by: str
    manager_id: str | None = None
    interviewer_id: str | None = None
    language: str | None = None
    offer: Offer = Offer.BOTH
    # Optional, for HR's breakdowns; what is not given is taken from the Slack profile when it has it.
    department: str | None = None
    role: str | None = None
    started_on: date | None = None


@dataclass
class RegistrationOutcome:
    departure_id: int | None = None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    invite_local: datetime | None = None
    immediate: bool = False
    # Which modal field each problem belongs to, for inline errors.
    fields: dict[str, Problem] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.departure_id is not None


def register(services: Services, request: RegistrationRequest, *, refresh_home: bool = True) -> RegistrationOutcome:
    """Check the registration against Slack and the rules, store it and plan the invitation.

    `refresh_home=False`: the caller refreshes HR's App Home itself (once after a bulk import), or
    not at all (the CLI: the Home is rebuilt whenever HR opens it)."""
    directory = services.directory
    employee = directory.user(request.employee_id, fresh=True)
    manager = directory.user(request.manager_id, fresh=True) if request.manager_id else None
    interviewer = directory.user(request.interviewer_id, fresh=True) if request.interviewer_id else None
    now = services.clock.now()
    today = services.today()

    with services.db.session() as session:
        repo.close_past_registrations(session, request.employee_id, today, now)
        existing = repo.open_registration(session, request.employee_id)
        if existing is not None and replaying() and (
            existing.registered_by, existing.last_day, existing.manager_id
        ) == (request.registered_by, request.last_day, request.manager_id):
            # This very request, stored before its process died: confirm it instead of refusing it.
            again = (existing.id, existing.invite_at, ZoneInfo(existing.employee_tz), existing.created_at)
        else:
            again = None
    if again is not None:
        departure_id, send_at, tz, created_at = again
        # Its event may not have been delivered: plan the invitation (and refresh the Home) again.
        domain_events.publish(services, DepartureRegistered(departure_id, send_at.isoformat(), refresh_home))
        return RegistrationOutcome(departure_id=departure_id, invite_local=send_at.astimezone(tz),
                                   immediate=send_at <= created_at)

    profile = _profile(services, request)  # Slack look-ups before the transaction, like the people above
    with services.db.session() as session:
        verdict = rules.check_registration(
            employee=employee.person,
            last_day=request.last_day,
            today=today,
            manager=manager.person if manager else None,
            interviewer=interviewer.person if interviewer else None,
            registered_by=request.registered_by,
            open_registration_last_day=existing.last_day if existing else None,
        )
        problems = list(verdict.problems)
        profile_problems = rules.check_profile(department=profile.department, role=profile.role,
                                               started_on=profile.started_on, last_day=request.last_day)
        if problems or profile_problems:
            problems += [problem for _block, problem in profile_problems]
            return RegistrationOutcome(problems=tuple(problems),
                                       fields={**dict(profile_problems), **_fields(list(verdict.problems))})

        tz = _zone(employee.tz, services.settings.tz)
        planned = invitation_moment(
            request.last_day, services.settings.invite_working_days_before, tz, services.calendar
        )
        delivery = delivery_moment(planned, now, request.last_day, tz, services.calendar,
                                   services.settings.working_hours)
        send_at = delivery.at
        departure = Departure(
            employee_id=request.employee_id,
            manager_id=request.manager_id,
            interviewer_id=request.interviewer_id or request.registered_by,
            registered_by=request.registered_by,
            last_day=request.last_day,
            language=request.language or services.settings.default_language,
            offer=request.offer.value,
            employee_tz=tz.key,
            stage=Stage.REGISTERED.value,
            invite_at=send_at,
            created_at=now,
            department=profile.department,
            role=profile.role,
            started_on=profile.started_on,
        )
        try:
            repo.add_departure(session, departure)
        except repo.DuplicateRegistration:
            problem = Problem("register.duplicate", {"date": request.last_day.isoformat()})
            return RegistrationOutcome(problems=(problem,), fields={"employee": problem})
        departure_id = departure.id
        happened = domain_events.record(session, DepartureRegistered(departure_id, send_at.isoformat(), refresh_home),
                                        services)

    log.info("registered departure %s, invitation at %s", departure_id, send_at.isoformat())
    domain_events.deliver(services, [happened])  # plans the invitation; refreshes HR's Home unless told not to
    return RegistrationOutcome(
        departure_id=departure_id,
        warnings=_timing_warnings(verdict.warnings, delivery, now),
        invite_local=send_at.astimezone(tz),
        immediate=send_at <= now,
    )


def _timing_warnings(warnings: tuple[Problem, ...], delivery: Delivery, now: datetime) -> tuple[Problem, ...]:
    """What HR should know about the moment: at once outside the leaver's working hours (no time left), or,
    on the last day itself, not "right now" when it waits for the start of their working day."""
    if delivery.at > now:
        warnings = tuple(Problem("register.last_day_today.later") if w.key == "register.last_day_today" else w
                         for w in warnings)
    if delivery.outside_hours:
        warnings += (Problem("register.outside_hours"),)
    return warnings


@dataclass
class CancelOutcome:
    cancelled: bool
    problem: Problem | None = None
    employee_id: str | None = None
    # What the cancellation meant, for HR's confirmation (bot.blocks.registration.cancelled_message):
    stage: str | None = None  # where the departure stood
    invitation_sent: bool = False  # the leaver had the invitation: it now says HR withdrew it
    invite_local: datetime | None = None  # the invitation that will not go out, in the leaver's zone
    answers_deleted: bool = False  # they were answering: what they gave so far is deleted
    interviewer_id: str | None = None


def cancel(services: Services, employee_id: str, cancelled_by: str) -> CancelOutcome:
    """Withdraw a registration: no invitation goes out; one already sent says HR withdrew it and loses
    its buttons; a questionnaire under way is closed and its answers so far deleted."""
    now = services.clock.now()
    with services.db.session() as session:
        departure = repo.open_registration(session, employee_id)
        if departure is None or not can_cancel(Stage(departure.stage)):
            return CancelOutcome(False, Problem("cancel.nothing_open", {"user": employee_id}))
        stage, departure_id = departure.stage, departure.id
        sent = any(m.purpose == repo.INVITATION for m in repo.delivered_messages(session, departure_id))
        outcome = CancelOutcome(
            True, employee_id=employee_id, stage=stage, invitation_sent=sent, interviewer_id=departure.interviewer_id,
            invite_local=departure.invite_at.astimezone(_zone(departure.employee_tz, services.settings.tz)),
        )
        repo.cancel_departure(session, departure, cancelled_by, now)
        interview = repo.interview_for_departure(session, departure_id)
        closed = None
        if interview is not None and interview.mode == Mode.SELF and interview.status in OPEN_INTERVIEW:
            interview.state = None  # nothing of a questionnaire HR withdrew is kept
            interview.status = InterviewStatus.WITHDRAWN.value
            interview.updated_at = now
            closed = interview.id
            outcome.answers_deleted = True
        happened = domain_events.record(session, RegistrationCancelled(departure_id, closed), services)
    # The invitation loses its buttons, the questionnaire says HR withdrew it, the Homes are refreshed.
    domain_events.deliver(services, [happened])
    return outcome


def cancel_departure(services: Services, departure_id: int, user_id: str) -> CancelOutcome:
    """HR's Cancel on the dashboard (refused for anyone else)."""
    if not services.directory.is_hr(user_id):
        return CancelOutcome(False, Problem("hr.only"))
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        employee_id = departure.employee_id if departure else None
    if employee_id is None:
        return CancelOutcome(False, Problem("choice.unknown"))
    return cancel(services, employee_id, user_id)


def open_departure_rows(services: Services) -> list[dict]:
    """What `/exit-interview list` shows (flows.open_departures), oldest last day first."""
    today = services.today()
    expiry = services.settings.interview_expiry_days
    with services.db.session() as session:
        candidates = repo.departures_for_list(session, open_departures.oldest_last_day(today, expiry))
    return [
        {
            "employee_id": employee_id,
            "last_day": last_day,
            "stage": stage,
            "invite_local": invite_at.astimezone(_zone(tz, services.settings.tz)),
        }
        for _id, employee_id, last_day, stage, invite_at, tz in candidates
        if open_departures.listed(stage, last_day, today, expiry)
    ]


def _profile(services: Services, request: RegistrationRequest) -> rules.ProfileFacts:
    """What HR gave, completed from the leaver's Slack profile (custom fields matched by label)."""
    given = rules.ProfileFacts(rules.clean_profile_text(request.department), rules.clean_profile_text(request.role),
                               request.started_on)
    if given.department and given.role and given.started_on:
        return given
    slack = slack_profile(services, request.employee_id)
    return rules.ProfileFacts(given.department or slack.department, given.role or slack.role,
                              given.started_on or slack.started_on)


def slack_profile(services: Services, user_id: str) -> rules.ProfileFacts:
    """Department, role and start date from Slack, when the workspace keeps them in profile fields;
    nothing when it does not (or the app may not read them: users.profile:read)."""
    try:
        profile = services.client.users_profile_get(user=user_id)["profile"] or {}
        values = {key: (value or {}).get("value") or "" for key, value in (profile.get("fields") or {}).items()}
        labels = {}
        if values:
            fields = services.client.team_profile_get()["profile"].get("fields") or []
            labels = {f.get("id"): f.get("label") or "" for f in fields if isinstance(f, dict)}
    except (SlackClientError, KeyError, TypeError, AttributeError) as error:
        log.info("no profile fields for %s: %s", user_id, error)
        return rules.ProfileFacts()
    return rules.profile_facts(labels, values, profile.get("title"))


def _zone(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


_FIELD_OF = {
    "register.employee": "employee",
    "register.manager": "manager",
    "register.interviewer": "interviewer",
    "register.self": "employee",
    "register.duplicate": "employee",
    "register.last_day": "last_day",
    "register.department_invalid": "department",
    "register.role_invalid": "role",
    "register.started_on_invalid": "started_on",
}


def _fields(problems: list[Problem]) -> dict[str, Problem]:
    fields: dict[str, Problem] = {}
    for problem in problems:
        block = next((b for prefix, b in _FIELD_OF.items() if problem.key.startswith(prefix)), "employee")
        fields.setdefault(block, problem)
    return fields
