"""Sending the invitation and its reminder exactly once, and recording the leaver's choice.

Sending follows claim → mark → post → complete: the claim is a row under a unique constraint,
committed before Slack is called together with the state the message offers its buttons for
(invited), so a retry, a second scheduler run or a race can never post twice, and a click within
milliseconds of the post finds the state it needs. A post that fails for certain gives the claim
back and the departure goes back to registered, for the next sweep.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackClientError

from bot import domain_events, isolation
from bot.blocks import invitation as blocks
from bot.blocks.text import mention
from bot.claimed_messages import METADATA_EVENT, post_claimed_dm
from bot.i18n import Translator
from bot.incoming import replaying
from bot.leavers import employee_language
from bot.notify import notify_hr, notify_hr_text, notify_user  # noqa: F401  (re-exported for older callers)
from bot.operations import templates
from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from flows.events import ChoiceMade, ChoiceReconsidered, ReminderSentByHr
from flows.invitation import (
    CHOICE_STAGE,
    Choice,
    Stage,
    check_choice,
    check_reconsider,
    choices_offered,
    reconsider_choices,
)
from flows.registration import Offer, Problem
from flows.template import estimated_minutes
from flows.timing import may_deliver_now, reminder_moment, within_working_hours
from storage import repositories as repo

log = logging.getLogger(__name__)

# Slack's answers that no retry will change: the person cannot get a DM from us.
UNREACHABLE = frozenset({"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "user_not_visible"})


def plan(services: Services, departure_id: int, when: datetime) -> None:
    if services.scheduler is None:
        # Another process runs the scheduler (or none yet): its sweep sends what is due. Due now
        # means now, so send it from here; the claim makes sure only one process posts it.
        if when <= services.clock.now():
            threading.Thread(
                target=_safely,
                args=(deliver_invitation, services, departure_id),
                name=f"invite-{departure_id}",
                daemon=True,
            ).start()
        return
    try:
        services.scheduler.plan_invitation(departure_id, when)
    except Exception:  # the database stays the source of truth; the sweep sends it
        log.exception("could not plan the invitation job for departure %s", departure_id)


@dataclass(frozen=True)
class _Snapshot:
    id: int
    employee_id: str
    interviewer_id: str
    last_day: object
    language: str
    offer: Offer
    tz: str


def _snapshot(departure) -> _Snapshot:
    return _Snapshot(
        departure.id,
        departure.employee_id,
        departure.interviewer_id,
        departure.last_day,
        departure.language,
        Offer(departure.offer),
        departure.employee_tz,
    )


def employee_translator(services: Services, snapshot: _Snapshot) -> Translator:
    return Translator(employee_language(services, snapshot.employee_id, snapshot.language))


def deliver_invitation(services: Services, departure_id: int) -> bool:
    """Send the invitation if it is due and not sent; True when this call sent it."""
    now = services.clock.now()
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None or departure.stage != Stage.REGISTERED or departure.invite_at > now:
            return False
        if not _may_reach(services, departure, now):
            return False  # outside the leaver's working hours: the sweep sends it when they start
        if not repo.claim_message(session, departure_id, repo.INVITATION, now):
            return False
        # State before message: the leaver may click within milliseconds of the post.
        repo.mark_invited(session, departure_id)
        snapshot = _snapshot(departure)

    try:
        _ = employee_translator(services, snapshot)
        text, message_blocks = blocks.invitation_message(
            _,
            departure_id=snapshot.id,
            last_day=snapshot.last_day,
            choices=choices_offered(snapshot.offer),
            interviewer_id=snapshot.interviewer_id,
            min_group=services.settings.digest_min_interviews,
            minutes=estimated_minutes(templates.active_template(services.db)),
        )
        sent = _post_claimed(services, snapshot, repo.INVITATION, text, message_blocks)
    except Exception:  # the sweep records it and tries again later (bot.isolation)
        _give_back_unposted(services, departure_id, repo.INVITATION)
        raise
    if sent:
        log.info("invitation sent for departure %s", departure_id)
    else:  # certainly not posted (the claim was given back): not invited after all, the sweep retries
        with services.db.session() as session:
            repo.unmark_invited(session, departure_id)
    return sent


def deliver_reminder(services: Services, departure_id: int) -> bool:
    now = services.clock.now()
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None or departure.stage != Stage.INVITED:
            return False
        if not repo.claim_message(session, departure_id, repo.REMINDER, now):
            return False
        snapshot = _snapshot(departure)
    try:
        _ = employee_translator(services, snapshot)
        text, message_blocks = blocks.reminder_message(
            _, departure_id=snapshot.id, last_day=snapshot.last_day, choices=choices_offered(snapshot.offer)
        )
        return _post_claimed(services, snapshot, repo.REMINDER, text, message_blocks)
    except Exception:
        _give_back_unposted(services, departure_id, repo.REMINDER)
        raise


def _give_back_unposted(services: Services, departure_id: int, purpose: str) -> None:
    """After an unexpected failure between claim and post. A claim whose DM was never opened cannot
    have been posted: give it back at once (an invitation's departure is registered again), so the
    retry sends it. One with a channel may have been posted: the reconciler looks in the DM first,
    so the leaver still gets exactly one."""
    try:
        with services.db.session() as session:
            claim = repo.sent_message(session, departure_id, purpose)
            if claim is None or claim.ts is not None or claim.channel_id is not None:
                return
            repo.release_message(session, departure_id, purpose)
            if purpose == repo.INVITATION:
                repo.unmark_invited(session, departure_id)
    except Exception:  # the database is away: the reconciler gives it back later
        log.exception("could not give back the %s claim of departure %s", purpose, departure_id)


def _post_claimed(services: Services, snapshot: _Snapshot, purpose: str, text: str, message_blocks) -> bool:
    sent, code = post_claimed_dm(services, snapshot.id, purpose, snapshot.employee_id, text, message_blocks)
    if sent:
        return True
    if code in UNREACHABLE:
        _mark_unreachable(services, snapshot, code)
    elif code:
        log.warning("Slack refused the %s for departure %s (%s); the sweep retries", purpose, snapshot.id, code)
    return False


RECONCILE_AFTER = timedelta(minutes=2)


def reconcile(services: Services) -> None:
    """Claims still open after a while: find the message in the DM (then record it), or give the
    claim back so the sweep sends it. Never a second message for the same purpose."""
    now = services.clock.now()
    with services.db.session() as session:
        stale = [
            (c.departure_id, c.purpose, c.channel_id, c.claimed_at)
            for c in repo.unfinished_claims(session, now - RECONCILE_AFTER)
        ]
    for departure_id, purpose, channel, _claimed_at in stale:
        if channel is None:  # the DM was never opened: nothing can have been posted
            with services.db.session() as session:
                repo.release_message(session, departure_id, purpose)
                if purpose == repo.INVITATION:
                    repo.unmark_invited(session, departure_id)
            continue
        try:
            # A DM with the bot holds few messages: the newest 200 certainly include this one.
            history = services.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        except SLACK_FAILURES as error:
            log.warning("could not reconcile the %s of departure %s: %s", purpose, departure_id, error)
            continue
        found = next(
            (
                m
                for m in history.get("messages", [])
                if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT
                and (m["metadata"].get("event_payload") or {}) == {"departure": departure_id, "purpose": purpose}
            ),
            None,
        )
        with services.db.session() as session:
            if found is not None:
                repo.complete_message(session, departure_id, purpose, channel, found["ts"], now)
                if purpose == repo.INVITATION:
                    repo.mark_invited(session, departure_id)
                log.info("reconciled: the %s of departure %s had been posted", purpose, departure_id)
            else:
                repo.release_message(session, departure_id, purpose)
                if purpose == repo.INVITATION:
                    repo.unmark_invited(session, departure_id)
                log.info("reconciled: the %s of departure %s was not posted; it goes out again", purpose, departure_id)


def _mark_unreachable(services: Services, snapshot: _Snapshot, code: str) -> None:
    now = services.clock.now()
    with services.db.session() as session:
        if not repo.mark_unreachable(session, snapshot.id):
            return
        first_notice = repo.claim_message(session, snapshot.id, "unreachable_notice", now)
    log.warning("departure %s: the leaver cannot be reached in Slack (%s)", snapshot.id, code)
    if first_notice:
        notify_hr(services, "hr.unreachable", employee=mention(snapshot.employee_id))


def sweep(services: Services) -> None:
    """Send every due, unsent invitation, and the one reminder where it is due (unless turned off)."""
    now = services.clock.now()
    with services.db.session() as session:
        due = list(repo.departures_due_for_invitation(session, now))
    isolation.each(services, "invitation", due, lambda departure_id: deliver_invitation(services, departure_id),
                   who=lambda departure_id: _employee_of(services, departure_id))

    if not services.settings.reminders_enabled:
        return  # HR turned the reminder off (REMINDERS_ENABLED or the settings in Slack)
    reminders = []
    with services.db.session() as session:
        for departure in repo.departures_awaiting_choice(session):
            if departure.choice_at is not None:
                continue  # invited again after "Changed your mind?": they have just seen the offer
            invitation = repo.sent_message(session, departure.id, repo.INVITATION)
            if invitation is None or invitation.sent_at is None:
                continue
            when = reminder_moment(
                invitation.sent_at,
                departure.last_day,
                services.settings.reminder_working_days,
                ZoneInfo(departure.employee_tz),
                services.calendar,
            )
            if when is not None and when <= now and _may_reach(services, departure, now, reminder=True):
                reminders.append(departure.id)
    isolation.each(services, "invitation-reminder", reminders,
                   lambda departure_id: deliver_reminder(services, departure_id),
                   who=lambda departure_id: _employee_of(services, departure_id))


def _employee_of(services: Services, departure_id: int) -> str | None:
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        return departure.employee_id if departure is not None else None


def _may_reach(services: Services, departure, now: datetime, *, reminder: bool = False) -> bool:
    """Within the leaver's working hours (their time zone, the company's working days); an invitation also
    when their last working day leaves no better moment. A reminder can always wait, or be left out."""
    tz, hours = ZoneInfo(departure.employee_tz), services.settings.working_hours
    if reminder:
        return within_working_hours(now, tz, services.calendar, hours)
    return may_deliver_now(now, departure.last_day, tz, services.calendar, hours)


def _safely(send, services: Services, departure_id: int) -> None:
    try:
        send(services, departure_id)
    except Exception:
        log.exception("sending for departure %s failed; the next sweep tries again", departure_id)


@dataclass
class ChoiceOutcome:
    recorded: bool
    problem: Problem | None = None
    choice: Choice | None = None
    language: str = "en"


def choose(services: Services, departure_id: int, choice: Choice, clicked_by: str,
           clicked: tuple[str, str] | None = None) -> ChoiceOutcome:
    """The leaver clicked a button on the invitation (or its reminder, or a reply that points to it:
    `clicked` is that message's channel and ts, rewritten with the others)."""
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None or departure.employee_id != clicked_by:
            # The same words whether or not the id exists, in the clicker's own language: a click on
            # someone else's invitation tells nothing about that leaver or their settings.
            return ChoiceOutcome(False, Problem("choice.unknown"), language=services.directory.language(clicked_by))
        snapshot = _snapshot(departure)
        problem = check_choice(
            stage=Stage(departure.stage),
            offer=snapshot.offer,
            choice=choice,
            clicked_by=clicked_by,
            employee_id=departure.employee_id,
        )
        if replaying() and departure.choice == choice.value and clicked_by == departure.employee_id:
            problem = None  # this very click, recorded before its process died: finish what follows it
        elif problem is None and not repo.record_choice(
            session, departure_id, choice.value, CHOICE_STAGE[choice].value, services.clock.now()
        ):
            problem = Problem("choice.already_made")
        messages = [
            (m.channel_id, m.ts)
            for m in repo.delivered_messages(session, departure_id)
            if m.purpose in (repo.INVITATION, repo.REMINDER)
        ]
        happened = None if problem is not None else domain_events.record(
            session, ChoiceMade(departure_id, choice.value), services)

    _ = employee_translator(services, snapshot)
    if problem is not None:
        return ChoiceOutcome(False, problem, language=_.language)

    text, message_blocks = blocks.chosen_message(_, choice, snapshot.interviewer_id, snapshot.id)
    for channel, ts in _with_clicked(messages, clicked):
        _update(services, channel, ts, text, message_blocks)
    domain_events.deliver(services, [happened])  # the questionnaire, the checklist, HR's notice and Home
    return ChoiceOutcome(True, choice=choice, language=_.language)


def notify_choice(services: Services, departure_id: int, choice: Choice) -> None:
    """HR hears that the leaver asked for a talk or declined, once (bot.subscribers)."""
    if choice not in (Choice.TALK, Choice.DECLINE):
        return
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None:
            return
        employee_id, interviewer_id = departure.employee_id, departure.interviewer_id
    if not _first_choice_notice(services, departure_id):
        return
    if choice == Choice.TALK:
        notify_hr(services, "hr.talk_requested", employee=mention(employee_id), interviewer=mention(interviewer_id))
    else:
        notify_hr(services, "hr.declined", employee=mention(employee_id))


def notify_reconsidered(services: Services, departure_id: int) -> None:
    """HR hears that the leaver asked for the offer again (bot.subscribers)."""
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        employee_id = departure.employee_id if departure is not None else None
    if employee_id is not None:
        notify_hr(services, "hr.reconsidered", employee=mention(employee_id))


def remind_now(services: Services, departure_id: int, user_id: str) -> Problem | None:
    """HR's "Remind now" on the dashboard: the one reminder, at once."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    if not deliver_reminder(services, departure_id):
        return Problem("home.remind.not_possible")
    domain_events.publish(services, ReminderSentByHr(departure_id))
    return None


def _with_clicked(messages: list[tuple[str, str]], clicked: tuple[str, str] | None) -> list[tuple[str, str]]:
    if clicked and all(clicked) and clicked not in messages:
        return [*messages, clicked]
    return messages


def _invitation_messages(session, departure_id: int) -> list[tuple[str, str]]:
    return [
        (m.channel_id, m.ts)
        for m in repo.delivered_messages(session, departure_id)
        if m.purpose in (repo.INVITATION, repo.REMINDER)
    ]


def reconsider(services: Services, departure_id: int, clicked_by: str,
               clicked: tuple[str, str] | None = None) -> ChoiceOutcome:
    """"Changed your mind?" after "no thanks": until the last working day the offer comes back (answer here,
    talk) on the invitation and on the message clicked; HR hears of it. Clicked twice, or retried, it
    changes nothing; after the last day it says, kindly, that the time is over."""
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None or departure.employee_id != clicked_by:
            return ChoiceOutcome(False, Problem("choice.unknown"), language=services.directory.language(clicked_by))
        snapshot = _snapshot(departure)
        today = services.clock.now().astimezone(ZoneInfo(snapshot.tz)).date()
        problem = check_reconsider(stage=Stage(departure.stage), today=today, last_day=departure.last_day)
        reopened = problem is None and repo.reopen_declined(session, departure_id, services.clock.now())
        messages = _invitation_messages(session, departure_id)
        happened = domain_events.record(session, ChoiceReconsidered(departure_id), services) if reopened else None
    _ = employee_translator(services, snapshot)
    if problem is not None and problem.key == "reconsider.too_late":
        for channel, ts in _with_clicked(messages, clicked):
            _update(services, channel, ts, *blocks.declined_for_good_message(_))
    if problem is not None:
        return ChoiceOutcome(False, problem, language=_.language)
    text, message_blocks = blocks.reopened_message(_, departure_id=snapshot.id,
                                                   choices=reconsider_choices(snapshot.offer))
    for channel, ts in _with_clicked(messages, clicked):
        _update(services, channel, ts, text, message_blocks)
    domain_events.deliver(services, [happened])  # HR's notice, HR's Home and the leaver's
    return ChoiceOutcome(True, language=_.language)


def _first_choice_notice(services: Services, departure_id: int) -> bool:
    """HR hears of a choice once, also when the click is finished again after a crash."""
    with services.db.session() as session:
        return repo.claim_message(session, departure_id, "choice_notice", services.clock.now())


def withdraw(services: Services, departure_id: int) -> None:
    """After HR cancelled: forget the job and take the buttons off any invitation already sent."""
    if services.scheduler is not None:
        services.scheduler.forget_invitation(departure_id)
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None:  # erased meanwhile: nothing left to take back
            return
        snapshot = _snapshot(departure)
        messages = [
            (m.channel_id, m.ts)
            for m in repo.delivered_messages(session, departure_id)
            if m.purpose in (repo.INVITATION, repo.REMINDER)
        ]
    if messages:
        text, message_blocks = blocks.withdrawn_message(employee_translator(services, snapshot))
        for channel, ts in messages:
            _update(services, channel, ts, text, message_blocks)


def _update(services: Services, channel: str, ts: str, text: str, message_blocks) -> None:
    try:
        services.client.chat_update(channel=channel, ts=ts, text=text, blocks=message_blocks)
    except SlackClientError as error:
        log.warning("could not update message %s in %s: %s", ts, channel, error)


def send_outbox(services: Services) -> None:
    """Retry the notices Slack would not take, with growing pauses (1, 2, 4 … minutes, at most 1 h)."""
    now = services.clock.now()
    with services.db.session() as session:
        due = [(m.id, m.channel, m.text, m.blocks) for m in repo.outbox_due(session, now)]
    for message_id, channel, text, message_blocks in due:
        try:
            services.client.chat_postMessage(channel=channel, text=text, blocks=message_blocks)
            error = None
        except SLACK_FAILURES as failure:
            error = str(failure)
        with services.db.session() as session:
            message = repo.outbox_message(session, message_id)
            if error is None:
                message.sent_at = now
            else:
                message.attempts += 1
                message.last_error = error[:200]
                message.next_attempt_at = now + min(timedelta(hours=1), timedelta(minutes=2**message.attempts))


def _minutes(services: Services) -> int:
    """How long the questionnaire takes, from the template a leaver starting now gets."""
    from bot.operations import templates
    from flows.template import estimated_minutes

    return estimated_minutes(templates.active_template(services.db))
