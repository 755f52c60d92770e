"""A questionnaire that respects the leaver's time: the standard template in three steps, the five
ratings in one message rewritten in place, two forms, a compact summary, one thank-you; every
question voluntary; typed text never lost.

What counts as a tap: every interaction of the leaver that reaches the bot (a click, a menu choice,
a form sent, a DM typed). Opening a form is a click, so a form costs two. New bot messages: every
chat.postMessage into the leaver's DM from the moment they choose to answer here.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from flows.questionnaire import Phase, Progress, Questionnaire, State
from flows.registration import Problem
from flows.template import default_template, estimated_minutes, parse_template
from storage.models import Interview
from tests.conftest import LEAVER, LEAVER_EN
from tests.steps import RATINGS, choose, click, fill_step, invite, last_view, latest

TEMPLATE = default_template()


# --- the rules, without Slack -------------------------------------------------------------------------


def ok(result) -> State:
    assert isinstance(result, State), result
    return result


def test_the_ratings_are_one_step_answered_in_any_order():
    questionnaire = Questionnaire(TEMPLATE)
    state = ok(questionnaire.start(questionnaire.new_state()))
    assert [q.id for q in questionnaire.current_step(state)] == list(RATINGS)
    assert questionnaire.progress(state) == Progress(1, 3)
    for question_id in reversed(RATINGS[1:]):
        state = ok(questionnaire.answer(state, question_id, 4))
        assert questionnaire.progress(state) == Progress(1, 3)  # the step waits for the last one
    state = ok(questionnaire.answer(state, "work_content", 2))  # a change while the step is open
    state = ok(questionnaire.answer(state, "working_conditions", 3))
    assert questionnaire.progress(state) == Progress(2, 3)
    assert questionnaire.current(state).id == "reasons"
    # A click on a rating once the step is done is stale: an old button never answers twice.
    assert questionnaire.answer(state, "work_content", 5) == Problem("questionnaire.stale")


def test_the_total_never_changes_whatever_is_picked():
    questionnaire = Questionnaire(TEMPLATE)
    state = ok(questionnaire.start(questionnaire.new_state()))
    state = ok(questionnaire.skip_rest(state, "working_conditions"))
    totals = {questionnaire.progress(state).total}
    state = ok(questionnaire.answer_step(state, "reasons", {"reasons": {"values": ["pay", "career"]}}))
    totals.add(questionnaire.progress(state).total)
    assert totals == {3} and questionnaire.progress(state) == Progress(3, 3)


def test_a_form_answers_its_step_and_a_main_reason_that_was_not_ticked_is_added():
    questionnaire = Questionnaire(TEMPLATE)
    state = ok(questionnaire.start(questionnaire.new_state()))
    state = ok(questionnaire.skip_rest(state, "working_conditions"))
    state = ok(questionnaire.answer_step(state, "reasons", {
        "reasons": {"values": ["pay"], "other": None}, "reason_main": "career",
        "destination_type": "competitor", "attractions": {"values": ["technology", "pay"]},
    }))
    assert state.answers["reasons"] == {"values": ["pay", "career"], "other": None}
    assert state.answers["reason_main"] == {"value": "career"}
    assert state.answers["destination_type"] == {"value": "competitor"}
    assert state.answers["attractions"] == {"values": ["pay", "technology"], "other": None}
    assert state.answers["reasons_detail"] == {"skipped": True}
    problems = questionnaire.answer_step(state, "improvements", {"recommend": "11"})
    assert set(problems) == {"recommend"}


def test_nothing_is_required_and_skipping_everything_reaches_the_summary():
    questionnaire = Questionnaire(TEMPLATE)
    state = ok(questionnaire.start(questionnaire.new_state()))
    for first in ("working_conditions", "reasons", "improvements"):
        state = ok(questionnaire.skip_rest(state, first))
    assert state.phase is Phase.SUMMARY
    assert ok(questionnaire.submit(state)).phase is Phase.SUBMITTED


def test_the_estimate_follows_the_template():
    minutes = estimated_minutes(TEMPLATE)
    assert 4 <= minutes <= 8
    short = parse_template("""
id: short
version: 1
name: {nl: Kort, en: Short}
intro: {nl: Kort., en: Short.}
questions:
  - {id: consent, type: yes_no, category: consent, text: {nl: "Mag het?", en: "May we?"}}
""")
    assert estimated_minutes(short) == 1 < minutes


def test_a_step_name_is_checked():
    with pytest.raises(Exception, match="step"):
        parse_template("""
id: short
version: 1
name: {nl: Kort, en: Short}
intro: {nl: Kort., en: Short.}
questions:
  - {id: consent, type: yes_no, category: consent, step: Not An Id, text: {nl: "Mag het?", en: "May we?"}}
""")


# --- through the real app and the fake Slack ----------------------------------------------------------


class Counted:
    """Counts the leaver's taps and replies, and the bot's new messages in their DM."""

    def __init__(self, harness, employee):
        self.harness, self.employee, self.taps = harness, employee, 0
        user = harness.user
        for name in ("click", "submit_view", "dm"):
            original = getattr(user, name)

            def counting(*args, _original=original, **kwargs):
                if args and args[0] == employee:
                    self.taps += 1
                return _original(*args, **kwargs)

            setattr(user, name, counting)
        self.channel = harness.slack.dm_channel(employee)
        self.posted_before = self.posted()
        self.updated_before = self.updated()

    def posted(self) -> int:
        return sum(1 for call in self.harness.slack.calls_to("chat.postMessage")
                   if self.harness.slack._resolve_channel(call.params.get("channel")) == self.channel)

    def updated(self) -> int:
        return len(self.harness.slack.calls_to("chat.update"))

    @property
    def new_messages(self) -> int:
        return self.posted() - self.posted_before

    @property
    def edits(self) -> int:
        return self.updated() - self.updated_before


def interview(harness) -> Interview:
    with harness.services.db.session() as session:
        return session.scalars(select(Interview)).one()


EVERYTHING_STEP_2 = {
    "reasons": ["pay", "career", "other"],
    "reasons.other": "Verhuizing naar het noorden",
    "reason_main": "career",
    "reasons_detail": "Ik wilde verder groeien als tech lead.",
    "destination_type": "competitor",
    "attractions": ["career", "technology", "flexibility"],
    "competitor_offer": "Een rol als tech lead in een team dat met Rust werkt.",
}
EVERYTHING_STEP_3 = {
    "improvements": "Minder vergaderen, meer tijd voor code reviews.",
    "strengths": "Fijne collega's en goede laptops.",
    "recommend": "8",
    "come_back": "maybe",
    "anything_else": "Bedankt voor de mooie jaren.",
    "consent": "yes",
    "manager_feedback": "no",
}


def test_every_question_answered_in_at_most_12_taps_and_8_new_messages(harness):
    invitation = invite(harness, LEAVER)
    count = Counted(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    for question_id, score in zip(RATINGS, (4, 3, 5, 2, 4), strict=True):
        choose(harness, LEAVER, question_id, score)
    fill_step(harness, LEAVER, EVERYTHING_STEP_2)
    fill_step(harness, LEAVER, EVERYTHING_STEP_3)
    click(harness, LEAVER, "q:submit")
    harness.wait_for_stage(LEAVER, "submitted")

    answers = interview(harness).state["answers"]
    assert set(answers) == {q.id for q in TEMPLATE.questions}
    assert not [key for key, answer in answers.items() if answer.get("skipped")]
    # The README quotes these figures.
    assert (count.taps, count.new_messages) == (11, 6), (count.taps, count.new_messages, count.edits)
    assert count.taps <= 12 and count.new_messages <= 8


def test_the_ratings_message_is_rewritten_in_place_showing_what_is_chosen(harness):
    invitation = invite(harness, LEAVER_EN)
    harness.user.click(LEAVER_EN, invitation, "invitation.answer")
    ratings = latest(harness.slack, LEAVER_EN)
    assert "Step 1 of 3" in str(ratings.blocks)
    posted = len(harness.slack.dms_to(LEAVER_EN))
    choose(harness, LEAVER_EN, "manager_support", 2)  # the last one first
    choose(harness, LEAVER_EN, "work_content", 5)
    now = harness.slack.message(ratings.channel, ratings.ts)
    assert len(harness.slack.dms_to(LEAVER_EN)) == posted  # no new message
    text = str(now.blocks)
    assert "2 · Poor" in text and "5 · Very good" in text
    chosen = [e["value"].split("|", 1)[1] for b in now.blocks for e in b.get("elements") or []
              if e.get("style") == "primary" and e.get("action_id", "").startswith("q:choose:")]
    assert sorted(chosen) == ["manager_support|2", "work_content|5"]
    # Skip the other three: "Next" leaves them out and moves on.
    click(harness, LEAVER_EN, "q:next")
    done = harness.slack.message(ratings.channel, ratings.ts)
    assert not any(b["type"] == "actions" for b in done.blocks)
    assert "Step 2 of 3" in str(latest(harness.slack, LEAVER_EN).blocks)


def test_the_same_estimate_in_the_invitation_and_the_intro(harness):
    minutes = estimated_minutes(TEMPLATE)
    invitation = invite(harness, LEAVER_EN)
    assert f"about {minutes} minutes" in str(invitation.blocks)
    harness.user.click(LEAVER_EN, invitation, "invitation.answer")
    intro = next(m for m in harness.slack.dms_to(LEAVER_EN) if m.text.startswith("Your exit interview: the"))
    assert f"about {minutes} minutes" in str(intro.blocks)
    texts = " ".join(str(m.blocks) for m in harness.slack.dms_to(LEAVER_EN))
    assert "15 minutes" not in texts and "ten minutes" not in texts


def test_rather_not_say_everywhere_and_no_question_id_in_any_message(harness):
    invitation = invite(harness, LEAVER_EN)
    harness.user.click(LEAVER_EN, invitation, "invitation.answer")
    for _step in range(3):
        message = latest(harness.slack, LEAVER_EN)
        assert "I'd rather not say" in str(message.blocks)
        harness.user.click(LEAVER_EN, message, "q:next")
    summary = latest(harness.slack, LEAVER_EN)
    assert "Your answers" in summary.text
    harness.user.click(LEAVER_EN, summary, "q:submit")
    harness.wait_for_stage(LEAVER_EN, "submitted")
    state = interview(harness).state
    assert all(answer == {"skipped": True} for answer in state["answers"].values())
    shown = " ".join(m.text + str(m.blocks) for m in harness.slack.dms_to(LEAVER_EN))
    for question in TEMPLATE.questions:
        assert f"“{question.id}”" not in shown and f"\"{question.id}\"" not in shown
    assert "needs an answer" not in shown


def test_typed_scores_and_texts_are_kept(harness):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    harness.user.dm(LEAVER, "3 - te veel werkdruk")  # the first rating that is still open
    assert interview(harness).state["answers"]["working_conditions"] == {"value": 3, "comment": "te veel werkdruk"}
    click(harness, LEAVER, "q:next")
    click(harness, LEAVER, "q:next")
    harness.user.dm(LEAVER, "8 - fijne collega's maar te druk")
    harness.user.dm(LEAVER, "Minder vergaderen.")
    harness.user.dm(LEAVER, "En betere laptops.")  # a second message while the text waits: added
    answers = interview(harness).state["answers"]
    assert answers["recommend"] == {"value": 8, "comment": "fijne collega's maar te druk"}
    assert answers["improvements"] == {"value": "Minder vergaderen.\n\nEn betere laptops."}
    step = latest(harness.slack, LEAVER)
    assert "Toegevoegd aan je antwoord op “Wat kunnen we beter doen?”" in str(step.blocks)
    assert "Stap 3 van 3" in str(step.blocks)
    # The form shows what was typed, and sending it keeps it.
    fill_step(harness, LEAVER, {"consent": "no"})
    answers = interview(harness).state["answers"]
    assert answers["improvements"] == {"value": "Minder vergaderen.\n\nEn betere laptops."}
    assert answers["recommend"] == {"value": 8, "comment": "fijne collega's maar te druk"}
    assert interview(harness).state["phase"] == "summary"


def test_changing_from_the_summary_is_a_form_and_the_summary_is_rewritten_in_place(harness):
    invitation = invite(harness, LEAVER_EN)
    harness.user.click(LEAVER_EN, invitation, "invitation.answer")
    for _step in range(3):
        click(harness, LEAVER_EN, "q:next")
    summary = latest(harness.slack, LEAVER_EN)
    change = [b["accessory"] for b in summary.blocks if b.get("accessory", {}).get("action_id") == "q:change"]
    assert len(change) == 3  # one per step, not one per question
    posted = len(harness.slack.dms_to(LEAVER_EN))
    fill_step(harness, LEAVER_EN, {"destination_type": "study", "attractions": ["technology"]},
              action_id="q:change", value=change[1]["value"])
    assert len(harness.slack.dms_to(LEAVER_EN)) == posted
    now = harness.slack.message(summary.channel, summary.ts)
    assert "Study" in str(now.blocks) and "The technology I get to work with" in str(now.blocks)


def test_a_wrong_field_is_shown_at_the_field(harness):
    invitation = invite(harness, LEAVER_EN)
    harness.user.click(LEAVER_EN, invitation, "invitation.answer")
    click(harness, LEAVER_EN, "q:next")
    click(harness, LEAVER_EN, "q:form")
    reply = harness.user.submit_view(LEAVER_EN, last_view(harness), {"reasons": ["other"]})
    body = reply.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["reasons.other"]
    assert not re.search(r"\breasons\b", body["errors"]["reasons.other"])
