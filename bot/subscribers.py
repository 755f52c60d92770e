"""What follows what: every domain event (flows.events) and its follow-ups, in one table.

An operation stores its change with the event and returns; the follow-ups listed here run after the
commit (bot.domain_events), in this order, each on its own: one that fails is retried by the sweep
and never stops the others; one that went through never runs twice for the same event. This is the
only place where one use case leads to another: the operations never import each other for it.
The table is installed at startup (bot.runtime).
"""

from __future__ import annotations

from datetime import datetime

from bot import domain_events, leavers
from bot.domain_events import FollowUp
from bot.operations import home, interview, invitations, review, talks
from bot.services import Services
from flows import events
from flows.interview import Mode
from flows.invitation import Choice


def _refresh_hr_home(services: Services, _event: events.Event) -> None:
    home.hr_changed(services)


def _refresh_hr_home_unless_told(services: Services, event: events.DepartureRegistered) -> None:
    if event.refresh_home:
        home.hr_changed(services)


def _refresh_leaver_home(services: Services, event) -> None:
    """The leaver's own Home: whose it is, from the departure or the interview the event names."""
    departure_id = getattr(event, "departure_id", None)
    if departure_id is not None:
        employee_id = leavers.employee_of_departure(services, departure_id)
    else:
        employee_id = leavers.employee_of_interview(services, event.interview_id)
    if employee_id is not None:
        home.refresh_leaver(services, employee_id)


def _plan_invitation(services: Services, event: events.DepartureRegistered) -> None:
    invitations.plan(services, event.departure_id, datetime.fromisoformat(event.invite_at))


def _withdraw_invitation(services: Services, event: events.RegistrationCancelled) -> None:
    invitations.withdraw(services, event.departure_id)


def _close_questionnaire(services: Services, event: events.RegistrationCancelled) -> None:
    if event.interview_id is not None:
        interview.close_cancelled(services, event.interview_id)


def _refresh_leaver_home_if_answering(services: Services, event: events.RegistrationCancelled) -> None:
    if event.interview_id is not None:
        _refresh_leaver_home(services, event)


def _start_questionnaire(services: Services, event: events.ChoiceMade) -> None:
    if event.choice == Choice.ANSWER.value:
        interview.start(services, event.departure_id)


def _send_talk_checklist(services: Services, event: events.ChoiceMade) -> None:
    if event.choice == Choice.TALK.value:
        talks.send_talk_checklist(services, event.departure_id)


def _notify_hr_of_choice(services: Services, event: events.ChoiceMade) -> None:
    invitations.notify_choice(services, event.departure_id, Choice(event.choice))


def _notify_hr_reconsidered(services: Services, event: events.ChoiceReconsidered) -> None:
    invitations.notify_reconsidered(services, event.departure_id)


def _notify_hr_of_notes(services: Services, event: events.InterviewSubmitted) -> None:
    if event.mode == Mode.TALK.value:
        talks.notify_notes_finished(services, event.interview_id)


def _open_review(services: Services, event: events.InterviewSubmitted) -> None:
    review.open_review(services, event.interview_id)


def _notify_hr_withdrawn(services: Services, event: events.InterviewWithdrawn) -> None:
    interview.notify_withdrawn(services, event.interview_id)


def _close_withdraw_offers(services: Services, event) -> None:
    interview.close_withdraw_offers(services, event.interview_id)


def _refresh_review_cards(services: Services, event: events.InterviewWithdrawn) -> None:
    review.refresh_cards_for_interview(services, event.interview_id)


HR_HOME = FollowUp("refresh_hr_home", _refresh_hr_home)
LEAVER_HOME = FollowUp("refresh_leaver_home", _refresh_leaver_home)

TABLE: dict[type[events.Event], tuple[FollowUp, ...]] = {
    events.DepartureRegistered: (
        FollowUp("plan_invitation", _plan_invitation),
        FollowUp("refresh_hr_home", _refresh_hr_home_unless_told),
    ),
    events.RegistrationCancelled: (
        FollowUp("withdraw_invitation", _withdraw_invitation),
        FollowUp("close_questionnaire", _close_questionnaire),
        FollowUp("refresh_leaver_home", _refresh_leaver_home_if_answering),
        HR_HOME,
    ),
    events.ChoiceMade: (
        FollowUp("start_questionnaire", _start_questionnaire),
        FollowUp("send_talk_checklist", _send_talk_checklist),
        FollowUp("notify_hr", _notify_hr_of_choice),
        HR_HOME,
    ),
    events.ChoiceReconsidered: (
        FollowUp("notify_hr", _notify_hr_reconsidered),
        HR_HOME,
        LEAVER_HOME,
    ),
    events.ReminderSentByHr: (HR_HOME,),
    events.InterviewSubmitted: (
        FollowUp("notify_hr", _notify_hr_of_notes),
        FollowUp("open_review", _open_review),
    ),
    events.InterviewWithdrawn: (
        FollowUp("notify_hr", _notify_hr_withdrawn),
        FollowUp("close_withdraw_offers", _close_withdraw_offers),
        FollowUp("refresh_review_cards", _refresh_review_cards),
        HR_HOME,
        LEAVER_HOME,
    ),
    events.ReviewPosted: (HR_HOME,),
    events.ReviewDecided: (
        FollowUp("close_withdraw_offers", _close_withdraw_offers),
        HR_HOME,
        LEAVER_HOME,
    ),
    events.DeparturesImported: (HR_HOME,),
    events.NudgeResolved: (HR_HOME,),
    events.DigestPosted: (HR_HOME,),
}


def install() -> None:
    domain_events.install(TABLE)
