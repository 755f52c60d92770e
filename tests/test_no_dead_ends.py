"""No dead ends for a leaver: "no thanks" can be undone until the last day, a leaver who writes is pointed
to their open invitation, and after expiry a message or an old button gets a kind answer."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.operations import interview
from storage.models import Departure
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN
from tests.steps import click, invite, latest


def actions_in(message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def now_shown(slack, message):
    return slack.message(message.channel, message.ts)


def last_day_of(harness, employee):
    with harness.services.db.session() as session:
        return session.scalars(select(Departure.last_day).where(Departure.employee_id == employee)).one()


def hr_notes(slack, words: str) -> list:
    return [m for user in (HR, HR_2) for m in slack.dms_to(user) if words in m.text]


def ephemeral(slack) -> str:
    return slack.workspace.responses[-1]["text"]


# --- 1. "no thanks" can be undone ------------------------------------------------------------------


def test_no_thanks_can_be_undone_from_the_confirmation_once_and_hr_hears_what_follows(harness, slack):
    invitation = invite(harness, LEAVER_EN)
    harness.user.click(LEAVER_EN, invitation, "invitation.decline")
    declined = now_shown(slack, invitation)
    assert "completely fine" in declined.text
    assert actions_in(declined) == ["invitation.reconsider"]
    assert "Changed your mind?" in str(declined.blocks)

    harness.user.click(LEAVER_EN, declined, "invitation.reconsider")

    assert harness.stage_of(LEAVER_EN) == "invited"
    reopened = now_shown(slack, invitation)
    assert actions_in(reopened) == ["invitation.answer", "invitation.talk"]
    assert "Glad you changed your mind" in reopened.text
    slack.wait_for(lambda: hr_notes(slack, "changed their mind"), what="HR told (en)")
    slack.wait_for(lambda: hr_notes(slack, "heeft zich bedacht"), what="HR told (nl)")

    # A double click (the stale copy of the message) changes nothing and is no error.
    responses = len(slack.workspace.responses)
    harness.user.click(LEAVER_EN, declined, "invitation.reconsider")
    assert harness.stage_of(LEAVER_EN) == "invited"
    assert len(slack.workspace.responses) == responses  # nothing to tell
    assert len(hr_notes(slack, "changed their mind")) == 1

    # The next choice is an ordinary one, and HR hears of a talk although they heard "no thanks" before.
    harness.user.click(LEAVER_EN, reopened, "invitation.talk")
    assert harness.stage_of(LEAVER_EN) == "talk_requested"
    slack.wait_for(lambda: hr_notes(slack, "prefers an exit interview in person"), what="HR told of the talk")
    assert actions_in(now_shown(slack, invitation)) == []


def test_a_leaver_who_said_no_thanks_and_writes_later_can_still_take_part(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.decline")

    harness.user.dm(LEAVER, "Hoi, mag ik toch iets kwijt?")

    reply = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "Bedacht?" in m.text], what="the reply")[-1]
    assert "Er is hier nu niets voor je te doen" not in reply.text
    assert "je laatste werkdag" in reply.text
    assert actions_in(reply) == ["invitation.reconsider"]

    harness.user.click(LEAVER, reply, "invitation.reconsider")
    offered = now_shown(slack, reply)
    assert actions_in(offered) == ["invitation.answer", "invitation.talk"]
    assert actions_in(now_shown(slack, invitation)) == ["invitation.answer", "invitation.talk"]

    harness.user.click(LEAVER, offered, "invitation.answer")
    assert harness.stage_of(LEAVER) == "answering"
    assert actions_in(now_shown(slack, reply)) == [] and actions_in(now_shown(slack, invitation)) == []
    assert "q:choose:4" in str(latest(slack, LEAVER).blocks)  # the first question is there


def test_after_the_last_day_changed_your_mind_says_kindly_that_the_time_is_over(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.decline")
    declined = now_shown(slack, invitation)
    day_after = last_day_of(harness, LEAVER) + timedelta(days=1)
    harness.clock.advance(datetime.combine(day_after, time(10), tzinfo=harness.settings.tz) - harness.clock.now())

    reply = harness.user.click(LEAVER, declined, "invitation.reconsider")

    assert reply.status == 200
    assert "de tijd voor het exitgesprek is om" in ephemeral(slack)
    assert harness.stage_of(LEAVER) == "declined"
    assert actions_in(now_shown(slack, invitation)) == []  # nothing left to click

    harness.user.dm(LEAVER, "Toch nog even?")
    answer = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "voorbij" in m.text], what="a kind answer")
    assert "Bedankt voor je tijd" in answer[-1].text and actions_in(answer[-1]) == []


# --- 2. a leaver with an open invitation is pointed to it -------------------------------------------


def test_a_leaver_with_an_open_invitation_who_writes_is_pointed_to_it(harness, slack):
    invitation = invite(harness, LEAVER_EN)

    harness.user.dm(LEAVER_EN, "Hi, what do I need to do?")

    reply = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER_EN) if "still open" in m.text], what="reply")[-1]
    assert "There is nothing for you to do here right now" not in reply.text
    assert f"/archives/{invitation.channel}/p{invitation.ts.replace('.', '')}|Go to the invitation>" in str(
        reply.blocks)
    assert actions_in(reply) == ["invitation.answer", "invitation.talk", "invitation.decline"]

    harness.user.click(LEAVER_EN, reply, "invitation.talk")

    assert harness.stage_of(LEAVER_EN) == "talk_requested"
    assert actions_in(now_shown(slack, reply)) == [] and actions_in(now_shown(slack, invitation)) == []

    harness.user.dm(LEAVER_EN, "And now?")
    told = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER_EN) if "will contact you" in m.text and
                                   "There is nothing else" in m.text], what="where they stand")
    assert "<@UHRANNA01>" in told[-1].text  # the interviewer (HR registered, so HR interviews)


# --- 3. after expiry ----------------------------------------------------------------------------------


def test_after_expiry_a_message_gets_a_kind_answer_and_old_buttons_answer_kindly(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:choose:4")
    waiting = latest(slack, LEAVER)  # the second question, unanswered
    assert actions_in(waiting)
    days_left = (last_day_of(harness, LEAVER) - harness.today()).days
    harness.clock.advance(timedelta(days=days_left + 16))

    interview.sweep(harness.services)

    assert harness.stage_of(LEAVER) == "expired"
    assert actions_in(now_shown(slack, waiting)) == []  # the last question no longer asks anything
    reply = harness.user.click(LEAVER, waiting, "q:choose:3")  # a click on the stale copy
    assert reply.status == 200
    assert ephemeral(slack) == ("Deze vragenlijst is gesloten, dus hier hoef je niets meer te doen. "
                                "Bedankt voor je tijd!")
    assert "Bedankt voor je tijd" in now_shown(slack, waiting).text

    harness.user.dm(LEAVER, "Sorry, ik was het vergeten!")
    answer = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "Dank je voor je bericht" in m.text],
                            what="a kind answer after expiry")
    assert "voorbij" in answer[-1].text and actions_in(answer[-1]) == []
