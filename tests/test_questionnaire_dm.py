"""A leaver answers the standard questionnaire in the DM, by clicking and by typing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import Departure, Interview
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN
from tests.steps import choose, fill_step


def start_interview(harness, employee):
    harness.register(employee, harness.in_working_days(2))
    invitation = harness.invitation_for(employee)
    harness.wait_for_stage(employee, "invited")
    harness.user.click(employee, invitation, "invitation.answer")
    return invitation


def latest(slack, employee):
    """The newest message in the DM that asks something (has buttons or menus)."""
    for message in reversed(slack.dms_to(employee)):
        if any(b["type"] == "actions" for b in message.blocks):
            return message
    raise AssertionError("no interactive message in the DM")


def heading(message) -> str:
    return message.blocks[0]["text"]["text"]


def interview_row(harness) -> Interview:
    with harness.services.db.session() as session:
        return session.scalars(select(Interview)).one()


def answers(harness) -> dict:
    return interview_row(harness).state["answers"]


def click(harness, employee, action_id, **kwargs):
    message = latest(harness.slack, employee)
    reply = harness.user.click(employee, message, action_id, **kwargs)
    assert reply.status == 200
    return message


def submit_form(harness, employee, values):
    view = list(harness.slack.workspace.views.values())[-1]
    return harness.user.submit_view(employee, view, values)


WORDS = {
    "nl": {
        "leaver": LEAVER,
        "hr": HR,
        "name": "Exitgesprek",
        "q1": "arbeidsomstandigheden",
        "step1": "Stap 1 van 3",
        "step2": "Stap 2 van 3",
        "step3": "Stap 3 van 3",
        "competitor": "Een bedrijf in onze branche",
        "very_good": "Zeer goed",
        "four": "4 · Goed",
        "pressure": "te veel werkdruk",
        "q3": "werkrelaties",
        "q14": "in de toekomst",
        "maybe": "Misschien",
        "answers": "Je antwoorden",
        "replaced": "vervangen",
        "thanks": "Dank je wel!",
        "welcome": "welkom",
        "hr_sent": "Exitgesprek om te beoordelen",
        "already_sent": "al verstuurd",
        "already_in": "al binnen",
    },
    "en": {
        "leaver": LEAVER_EN,
        "hr": HR_2,
        "name": "Exit interview",
        "q1": "working conditions",
        "step1": "Step 1 of 3",
        "step2": "Step 2 of 3",
        "step3": "Step 3 of 3",
        "competitor": "A company in our field",
        "very_good": "Very good",
        "four": "4 · Good",
        "pressure": "too much pressure",
        "q3": "working relationships",
        "q14": "in the future",
        "maybe": "Maybe",
        "answers": "Your answers",
        "replaced": "replaced",
        "thanks": "Thank you!",
        "welcome": "welcome",
        "hr_sent": "Exit interview to review",
        "already_sent": "already submitted",
        "already_in": "already in",
    },
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_full_interview_by_clicking_and_typing(harness, slack, lang):
    w = WORDS[lang]
    LEAVER = w["leaver"]
    start_interview(harness, LEAVER)
    dms = slack.dms_to(LEAVER)
    assert dms[1].blocks[0]["text"]["text"] == w["name"]  # the intro after the invitation
    first = latest(slack, LEAVER)
    assert w["step1"] in heading(first) and w["q1"] in str(first.blocks)
    assert w["very_good"] in str(first.blocks)

    # Step 1, the ratings: by button (the message rewritten in place), typed with a comment (the first
    # one still open), and the last one with a comment in the form; one left out.
    choose(harness, LEAVER, "working_conditions", 4)
    assert w["four"] in str(slack.message(first.channel, first.ts).blocks)
    harness.user.dm(LEAVER, "3 - " + w["pressure"] + " <!channel>")
    choose(harness, LEAVER, "manager_support", 5)
    fill_step(harness, LEAVER, {"employment_terms": "2", "employment_terms.comment": "Salaris bleef achter"})
    done = slack.message(first.channel, first.ts)
    assert not [b for b in done.blocks if b["type"] == "actions"]  # nothing to click twice

    # Step 2 in its form: several reasons with 'other', the main one offered from all reasons.
    form_at = len(slack.workspace.views)
    click(harness, LEAVER, "q:form")
    form = list(slack.workspace.views.values())[form_at]
    main = next(b for b in form["blocks"] if b.get("block_id") == "reason_main")
    assert [o["value"] for o in main["element"]["options"]][:3] == ["pay", "career", "leadership"]
    reply = submit_form(harness, LEAVER, {"reasons": ["pay", "career", "other"],
                                          "reasons.other": "De reistijd met de trein",
                                          "reason_main": "career", "destination_type": "competitor"})
    assert reply.status == 200 and not reply.body

    # Step 3: typed, then Back to step 2 (its answers shown), which is sent again unchanged.
    harness.user.dm(LEAVER, "Meer overleg tussen teams.")
    click(harness, LEAVER, "q:back")
    back_at = latest(slack, LEAVER)
    assert w["step2"] in heading(back_at) and w["competitor"] in str(back_at.blocks)
    fill_step(harness, LEAVER, {})
    assert w["step3"] in heading(latest(slack, LEAVER))
    fill_step(harness, LEAVER, {"strengths": "Fijne collega's", "recommend": "8", "come_back": "maybe",
                                "consent": "yes"})

    summary = latest(slack, LEAVER)
    assert summary.blocks[0]["text"]["text"] == w["answers"]
    text = str(summary.blocks)
    assert w["pressure"] in text and "&lt;!channel&gt;" in text and "<!channel>" not in text
    # Change from the summary: the step's form, and the summary is rewritten in place.
    interview_id = interview_row(harness).id
    fill_step(harness, LEAVER, {"competitor_offer": "Een scale-up in Amersfoort"}, action_id="q:change",
              value=f"{interview_id}|reasons|")
    assert latest(slack, LEAVER).ts == summary.ts
    summary = slack.message(summary.channel, summary.ts)
    assert "Amersfoort" in str(summary.blocks)

    click(harness, LEAVER, "q:submit")
    thanks = latest(slack, LEAVER)
    assert thanks.blocks[0]["text"]["text"] == w["thanks"]
    assert w["welcome"] in str(thanks.blocks)

    stored = answers(harness)
    assert stored["working_conditions"] == {"value": 4, "comment": None}
    assert stored["work_content"]["value"] == 3 and w["pressure"] in stored["work_content"]["comment"]
    assert stored["working_relations"] == {"skipped": True}
    assert stored["employment_terms"] == {"value": 2, "comment": "Salaris bleef achter"}
    assert stored["improvements"] == {"value": "Meer overleg tussen teams."}
    assert stored["strengths"] == {"value": "Fijne collega's"}
    assert stored["reasons"]["values"] == ["pay", "career", "other"]
    assert stored["reasons"]["other"] == "De reistijd met de trein"
    assert stored["reason_main"] == {"value": "career"}
    assert stored["destination_type"] == {"value": "competitor"}
    assert stored["competitor_offer"] == {"value": "Een scale-up in Amersfoort"}
    assert stored["recommend"] == {"value": 8}
    assert stored["come_back"] == {"value": "maybe"}
    assert stored["consent"] == {"value": True}
    assert stored["manager_feedback"] == {"skipped": True}
    assert interview_row(harness).status == "submitted"
    assert harness.stage_of(LEAVER) == "submitted"
    hr_note = slack.wait_for(lambda: [m for m in slack.dms_to(w["hr"]) if w["hr_sent"] in m.text], what="HR told")
    assert f"<@{LEAVER}>" in str(hr_note[0].blocks)  # the review card, for HR only

    # Submitted answers cannot be changed any more: old buttons are refused gently.
    harness.user.click(LEAVER, summary, "q:submit")
    assert w["already_sent"] in slack.workspace.responses[-1]["text"]
    harness.user.dm(LEAVER, "nog iets")
    assert w["already_in"] in slack.dms_to(LEAVER)[-1].text


def test_english_leaver_gets_english_questions_and_nothing_is_required(harness, slack):
    start_interview(harness, LEAVER_EN)
    first = latest(slack, LEAVER_EN)
    assert "working conditions" in str(first.blocks)
    # A typed answer where buttons are needed gets a hint.
    harness.user.dm(LEAVER_EN, "money")
    assert "use the buttons" in slack.dms_to(LEAVER_EN)[-1].text
    click(harness, LEAVER_EN, "q:next")
    reasons = latest(slack, LEAVER_EN)
    assert "I'd rather not say" in str(reasons.blocks)
    fill_step(harness, LEAVER_EN, {})  # the form sent empty: nothing needs an answer
    assert "needs an answer" not in str(slack.workspace.responses)
    assert "Step 3 of 3" in heading(latest(slack, LEAVER_EN))
    assert answers(harness)["reasons"] == {"skipped": True}


def test_stale_buttons_and_other_peoples_clicks_change_nothing(harness, slack):
    start_interview(harness, LEAVER)
    first = latest(slack, LEAVER)
    choose(harness, LEAVER, "working_conditions", 2)
    click(harness, LEAVER, "q:next")
    harness.user.click(LEAVER, first, "q:choose:5", value=f"{interview_row(harness).id}|working_conditions|5")
    assert "eerdere stap" in slack.workspace.responses[-1]["text"]  # the old copy of the first step
    assert answers(harness)["working_conditions"]["value"] == 2

    second = latest(slack, LEAVER)
    harness.user.click(HR, second, "q:next")
    assert "gesloten" in slack.workspace.responses[-1]["text"]  # as for an unknown id, below
    harness.user.click(LEAVER, second, "q:next", value="999|reasons|")
    assert "gesloten" in slack.workspace.responses[-1]["text"]
    assert "reasons" not in answers(harness)


def test_double_clicks_answer_once(harness, slack):
    start_interview(harness, LEAVER)
    for question_id in ("working_conditions", "work_content", "working_relations", "employment_terms"):
        choose(harness, LEAVER, question_id, 3)
    ratings = latest(slack, LEAVER)
    value = f"{interview_row(harness).id}|manager_support|"
    threads = [threading.Thread(target=harness.user.click, args=(LEAVER, ratings, f"q:choose:{n}"),
                                kwargs={"value": value + str(n)}) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    steps_posted = [m for m in slack.dms_to(LEAVER) if "Stap 2 van 3" in str(m.blocks[:1])]
    assert len(steps_posted) == 1
    assert len(answers(harness)) == 5


def test_pause_survives_a_restart_and_resumes_at_the_same_question(harness, slack):
    start_interview(harness, LEAVER)
    choose(harness, LEAVER, "working_conditions", 4)
    choose(harness, LEAVER, "work_content", 3)
    click(harness, LEAVER, "q:pause")
    paused = latest(slack, LEAVER)
    assert "Gepauzeerd" in paused.text

    harness.restart()
    harness.user.dm(LEAVER, "hoi, ik ga verder")
    resumed = latest(slack, LEAVER)
    assert "Stap 1 van 3" in heading(resumed) and "4 · Goed" in str(resumed.blocks)
    assert "Hieronder" in slack.message(paused.channel, paused.ts).text
    assert interview_row(harness).status == "in_progress"
    assert (
        answers(harness)
        == {"working_conditions": {"value": 4, "comment": None}, "work_content": {"value": 3, "comment": None}}
        or len(answers(harness)) == 2
    )

    # Pause again: one reminder after three days, none after that; Resume continues.
    click(harness, LEAVER, "q:pause")
    harness.clock.advance(timedelta(days=3, minutes=1))
    harness.bot.scheduler.run_sweep_now()
    reminder = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "duwtje" in m.text], what="pause reminder")
    harness.clock.advance(timedelta(days=4))
    harness.bot.scheduler.run_sweep_now()
    import time

    time.sleep(1.0)
    assert len([m for m in slack.dms_to(LEAVER) if "duwtje" in m.text]) == 1
    harness.user.click(LEAVER, reminder[0], "q:resume")
    assert "Stap 1 van 3" in heading(latest(slack, LEAVER))


def test_a_redelivered_dm_event_is_not_taken_as_the_next_answer(harness, slack):
    start_interview(harness, LEAVER)
    for _ in range(2):
        click(harness, LEAVER, "q:next")
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": slack.dm_channel(LEAVER),
        "user": LEAVER,
        "text": "Betere planning",
        "ts": "1800000000.000100",
        "event_ts": "1800000000.000100",
    }
    harness.user.event(event, event_id="Ev0001")
    harness.user.event(event, event_id="Ev0001", retry=1)  # Slack's retry of the same event
    assert answers(harness)["improvements"] == {"value": "Betere planning"}
    assert "strengths" not in answers(harness)


def test_withdraw_deletes_the_answers_and_tells_hr(harness, slack):
    start_interview(harness, LEAVER)
    click(harness, LEAVER, "q:choose:4")
    intro = slack.dms_to(LEAVER)[1]
    harness.user.click(LEAVER, intro, "q:withdraw")
    row = interview_row(harness)
    assert row.state is None and row.status == "withdrawn"
    assert harness.stage_of(LEAVER) == "withdrawn"
    assert "verwijderd" in slack.dms_to(LEAVER)[-1].text
    slack.wait_for(lambda: [m for m in slack.dms_to(HR) if "ingetrokken" in m.text], what="HR told")


def test_an_unfinished_questionnaire_expires_after_the_last_day(harness, slack):
    start_interview(harness, LEAVER)
    with harness.services.db.session() as session:
        last_day = session.scalars(select(Departure.last_day)).one()
    days_left = (last_day - harness.today()).days
    harness.clock.advance(timedelta(days=days_left + 16))
    harness.bot.scheduler.run_sweep_now()
    harness.wait_for_stage(LEAVER, "expired")
    assert interview_row(harness).status == "expired"
