"""The leaver's invitation: sent once at the right moment, survives restarts, and records a choice."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.operations import invitations
from bot.runtime import BotProcess
from storage.models import Departure, SentMessage
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN, MANAGER


def sent(harness, purpose: str = "invitation") -> int:
    with harness.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(SentMessage).where(SentMessage.purpose == purpose))


def departure(harness, employee: str = LEAVER) -> Departure:
    with harness.services.db.session() as session:
        return session.scalars(select(Departure).where(Departure.employee_id == employee)).one()


def actions_in(message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def test_answer_here_is_stored_and_the_message_shows_it(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")

    reply = harness.user.click(LEAVER, invitation, "invitation.answer")

    assert reply.status == 200
    assert departure(harness).choice == "answer"
    assert departure(harness).stage == "answering"
    updated = slack.message(invitation.channel, invitation.ts)
    assert actions_in(updated) == []  # no buttons left to click twice
    assert "in deze chat" in updated.text


def test_a_talk_request_is_stored_and_hr_is_told(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2), manager=MANAGER)
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")

    harness.user.click(LEAVER, invitation, "invitation.talk")

    assert departure(harness).stage == "talk_requested"
    assert "persoonlijk gesprek" in slack.message(invitation.channel, invitation.ts).text
    # No HR channel configured: each HR member gets a DM in their own language.
    to_anna = slack.wait_for(lambda: slack.dms_to(HR), what="HR DM")
    to_bert = slack.wait_for(lambda: slack.dms_to(HR_2), what="HR DM")
    assert "<@ULEAVER01> heeft liever een persoonlijk exitgesprek" in to_anna[-1].text
    assert "<@ULEAVER01> prefers an exit interview in person" in to_bert[-1].text
    assert slack.dms_to(MANAGER) == []  # the manager is not told anything about the leaver's choice


def test_hr_channel_gets_the_talk_request_when_configured(harness, slack):
    slack.add_channel("CHRDESK01", "hr-desk")
    harness.restart(hr_channel_id="CHRDESK01")
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")
    harness.user.click(LEAVER, invitation, "invitation.talk")
    posted = slack.wait_for(lambda: slack.messages_in("CHRDESK01"), what="HR channel post")
    assert "persoonlijk exitgesprek" in posted[0].text
    assert slack.dms_to(HR) == [] or all("exitgesprek" not in m.text for m in slack.dms_to(HR))


def test_no_thanks_is_respected(harness, slack):
    harness.register(LEAVER_EN, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")
    harness.user.click(LEAVER_EN, invitation, "invitation.decline")
    assert departure(harness, LEAVER_EN).stage == "declined"
    assert "completely fine" in slack.message(invitation.channel, invitation.ts).text


def test_double_click_and_clicks_by_others_change_nothing(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")

    harness.user.click(MANAGER, invitation, "invitation.decline")
    # the words an unknown id gets: a click tells nobody whether a leaver behind the id exists
    assert "niet meer vinden" in slack.workspace.responses[-1]["text"]
    assert departure(harness).choice is None

    harness.user.click(LEAVER, invitation, "invitation.answer")
    harness.user.click(LEAVER, invitation, "invitation.decline")  # the stale copy of the message
    assert departure(harness).choice == "answer"
    assert "al gemaakt" in slack.workspace.responses[-1]["text"]
    assert slack.workspace.responses[-1]["response_type"] == "ephemeral"


def test_concurrent_clicks_record_exactly_one_choice(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")
    choices = ["invitation.answer", "invitation.talk", "invitation.decline"] * 3
    threads = [threading.Thread(target=harness.user.click, args=(LEAVER, invitation, c)) for c in choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [r for r in slack.workspace.responses if "al gemaakt" in (r.get("text") or "")]
    assert len(refused) == len(choices) - 1
    assert departure(harness).choice is not None


def test_a_forged_or_unknown_invitation_id_gets_a_gentle_note(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer", value="999999")
    assert "niet meer vinden" in slack.workspace.responses[-1]["text"]
    harness.user.click(LEAVER, invitation, "invitation.answer", value="not-a-number")
    assert "niet meer vinden" in slack.workspace.responses[-1]["text"]


def test_a_bot_stopped_while_the_invitation_is_due_sends_it_once_after_restart(harness, slack):
    last_day = harness.in_working_days(30)
    harness.register(LEAVER, last_day)
    assert slack.dms_to(LEAVER) == []
    harness.stop()

    # While the bot is down, the invitation moment passes.
    harness.start()
    harness.advance_past_invitation(LEAVER)
    harness.stop()
    harness.start()
    harness.invitation_for(LEAVER, timeout=10)
    harness.wait_for_stage(LEAVER, "invited")
    harness.restart()  # and once more: nothing is sent twice
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.0)
    assert len(slack.dms_to(LEAVER)) == 1
    assert sent(harness) == 1


def test_a_one_off_job_missed_during_downtime_still_runs(harness, slack):
    """APScheduler's default grace time of 1 s would drop this job silently."""
    harness.register(LEAVER, harness.in_working_days(30))
    with harness.services.db.session() as session:
        departure_id = session.scalars(select(Departure.id)).one()
    # The job fires 1.5 s from now in real time, while the bot is down; by then it is due.
    harness.bot.scheduler.plan_invitation(departure_id, datetime.now(UTC) + timedelta(seconds=1.5))
    harness.advance_past_invitation(LEAVER)
    harness.stop()
    time.sleep(2.5)
    harness.bot = BotProcess(replace(harness.settings), host="127.0.0.1", clock=harness.clock,
                             sweep_seconds=3600, sweep_at_start=False,  # no sweep to help
                             process_before_response=True)
    harness.bot.start()
    harness.invitation_for(LEAVER, timeout=10)
    assert sent(harness) == 1


def test_concurrent_senders_never_send_a_second_invitation(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    with harness.services.db.session() as session:
        departure_id = session.scalars(select(Departure.id)).one()
    harness.advance_past_invitation(LEAVER)
    barrier = threading.Barrier(8)

    def send():
        barrier.wait()
        invitations.deliver_invitation(harness.services, departure_id)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    harness.bot.scheduler.run_sweep_now()
    harness.wait_for_stage(LEAVER, "invited")
    assert len(slack.dms_to(LEAVER)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_failed_send_is_retried_by_the_sweep_and_sent_once(harness, slack):
    slack.fail("chat.postMessage", "internal_error", status=500, times=3)  # outlasts the client's own retries
    harness.register(LEAVER, harness.in_working_days(2))
    harness.invitation_for(LEAVER, timeout=10)
    harness.wait_for_stage(LEAVER, "invited")
    assert len(slack.dms_to(LEAVER)) == 1
    assert sent(harness) == 1


def test_rate_limits_are_honoured(harness, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    harness.register(LEAVER, harness.in_working_days(2))
    harness.invitation_for(LEAVER, timeout=10)
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 2  # one refused with 429, then the retry after Retry-After


def test_a_deactivated_account_is_reported_to_hr_once(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    slack.workspace.users[LEAVER]["deleted"] = True
    harness.advance_past_invitation(LEAVER)
    harness.bot.scheduler.run_sweep_now()
    harness.wait_for_stage(LEAVER, "unreachable")
    harness.bot.scheduler.run_sweep_now()
    notice = slack.wait_for(lambda: [m for m in slack.dms_to(HR) if "bezorgd" in m.text], what="HR notice")
    assert "kon niet worden bezorgd" in notice[0].text and "<@ULEAVER01>" in notice[0].text
    time.sleep(1.2)  # two more sweeps
    assert len([m for m in slack.dms_to(HR) if "bezorgd" in m.text]) == 1


def test_one_friendly_reminder_after_three_working_days_and_no_more(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    harness.clock.advance(timedelta(days=10))  # well before; nothing due
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.0)
    assert slack.dms_to(LEAVER) == []
    harness.advance_past_invitation(LEAVER)
    harness.bot.scheduler.run_sweep_now()
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")

    harness.clock.advance(timedelta(days=2))  # at most 2 working days later: too early
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.0)
    assert len(slack.dms_to(LEAVER)) == 1

    harness.clock.advance(timedelta(days=5))  # a week after, 10:01 their time: at least 3 working days
    harness.bot.scheduler.run_sweep_now()
    messages = slack.wait_for(lambda: len(slack.dms_to(LEAVER)) == 2 and slack.dms_to(LEAVER))
    reminder = messages[1]
    assert "herinnering" in reminder.text
    assert actions_in(reminder) == actions_in(invitation)

    harness.clock.advance(timedelta(days=7))
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.0)
    assert len(slack.dms_to(LEAVER)) == 2  # one reminder, never more

    # Choosing on the reminder updates both messages.
    harness.user.click(LEAVER, reminder, "invitation.decline")
    for message in (invitation, reminder):  # no choice left to click twice; only a way to undo "no thanks"
        assert actions_in(slack.message(message.channel, message.ts)) == ["invitation.reconsider"]


def test_a_post_whose_answer_was_lost_is_reconciled_not_repeated(harness, slack):
    """Slack took the invitation, then the connection broke: the bot finds it in the DM."""
    harness.register(LEAVER, harness.in_working_days(30))
    slack.fail("chat.postMessage", drop_after=True)
    harness.advance_past_invitation(LEAVER)
    harness.bot.scheduler.run_sweep_now()
    harness.invitation_for(LEAVER)  # it did reach the leaver
    time.sleep(1.0)
    with harness.services.db.session() as session:
        claim = session.scalars(select(SentMessage)).one()
        assert claim.ts is None and claim.channel_id is not None  # outcome unknown, recorded as such
    harness.clock.advance(timedelta(minutes=3))
    harness.bot.scheduler.run_sweep_now()
    harness.wait_for_stage(LEAVER, "invited")
    time.sleep(1.0)
    assert len(slack.dms_to(LEAVER)) == 1
    with harness.services.db.session() as session:
        assert session.scalars(select(SentMessage)).one().ts == slack.dms_to(LEAVER)[0].ts


def test_a_post_that_never_reached_slack_goes_out_once_after_reconciling(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    slack.fail("chat.postMessage", drop_connection=True)
    harness.advance_past_invitation(LEAVER)
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.5)
    assert slack.dms_to(LEAVER) == []
    harness.clock.advance(timedelta(minutes=3))
    harness.bot.scheduler.run_sweep_now()
    harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")
    time.sleep(1.0)
    assert len(slack.dms_to(LEAVER)) == 1


def test_a_notice_slack_would_not_take_waits_in_the_outbox(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")
    slack.fail("chat.postMessage", "internal_error", status=500, times=6)  # HR's two notices fail for now
    harness.user.click(LEAVER, invitation, "invitation.decline")
    assert not [m for m in slack.dms_to(HR) if "doet niet mee" in m.text]
    slack.faults.clear()
    harness.clock.advance(timedelta(minutes=2))
    harness.bot.scheduler.run_sweep_now()
    slack.wait_for(lambda: [m for m in slack.dms_to(HR) if "doet niet mee" in m.text], what="the notice, later")
    harness.clock.advance(timedelta(minutes=10))
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.0)
    assert len([m for m in slack.dms_to(HR) if "doet niet mee" in m.text]) == 1
