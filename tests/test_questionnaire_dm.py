"""A leaver answers the standard questionnaire in the DM, by clicking and by typing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.emulator.client import menu_state
from storage.models import Departure, Interview
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN


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
    assert "*1/" in heading(first) and w["q1"] in heading(first)
    assert w["very_good"] in str(first.blocks)

    # 1 rating by button; the message is then updated in place with the answer, buttons gone.
    clicked = click(harness, LEAVER, "q:choose:4")
    answered = slack.message(clicked.channel, clicked.ts)
    assert not [b for b in answered.blocks if b["type"] == "actions"]
    assert w["four"] in answered.blocks[0]["text"]["text"]
    # 2 rating typed with a comment
    harness.user.dm(LEAVER, "3 - " + w["pressure"] + " <!channel>")
    # 3 skip
    assert w["q3"] in heading(latest(slack, LEAVER))
    click(harness, LEAVER, "q:skip")
    # 4 rating with a comment in the form
    click(harness, LEAVER, "q:write")
    reply = submit_form(harness, LEAVER, {"rating": "2", "text": "Salaris bleef achter"})
    assert reply.status == 200 and not reply.body
    # 5 manager
    click(harness, LEAVER, "q:choose:5")
    # 6 improvements typed, 7 strengths in the form
    harness.user.dm(LEAVER, "Meer overleg tussen teams.")
    click(harness, LEAVER, "q:write")
    submit_form(harness, LEAVER, {"text": "Fijne collega's"})
    # 8 reasons: several, confirmed; 'other' asks for the text in a form
    message = latest(slack, LEAVER)
    harness.user.click(LEAVER, message, "q:confirm", state=menu_state(message, "q:multi", ["pay", "career", "other"]))
    submit_form(harness, LEAVER, {"text": "De reistijd met de trein"})
    # 9 reasons_detail skipped; 10 which weighed most: only the picked ones are offered
    click(harness, LEAVER, "q:skip")
    weighed = latest(slack, LEAVER)
    offered = [
        e["action_id"]
        for b in weighed.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("q:choose:")
    ]
    assert offered == ["q:choose:pay", "q:choose:career", "q:choose:other"]
    click(harness, LEAVER, "q:choose:career")
    # 11 destination typed, 12 competitor offer skipped, 13 eNPS, 14 come back
    harness.user.dm(LEAVER, "Een scale-up in Utrecht")
    click(harness, LEAVER, "q:skip")
    click(harness, LEAVER, "q:choose:8")
    click(harness, LEAVER, "q:choose:maybe")
    # 15 anything else: go back to change the come-back answer first
    click(harness, LEAVER, "q:back")
    back_at = latest(slack, LEAVER)
    assert heading(back_at).startswith("*14/17*") and w["q14"] in heading(back_at)
    assert w["maybe"] in str(back_at.blocks)  # the current answer is shown
    click(harness, LEAVER, "q:choose:yes")
    click(harness, LEAVER, "q:skip")
    # 16 consent, 17 feedback for the manager: skipped, which is no
    click(harness, LEAVER, "q:choose:yes")
    click(harness, LEAVER, "q:skip")

    summary = latest(slack, LEAVER)
    assert summary.blocks[0]["text"]["text"] == w["answers"]
    text = str(summary.blocks)
    assert w["pressure"] in text and "&lt;!channel&gt;" in text and "<!channel>" not in text
    # Edit from the summary, then back to a new summary.
    harness.user.click(LEAVER, summary, "q:edit", value=f"{interview_row(harness).id}|destination|")
    harness.user.dm(LEAVER, "Een scale-up in Amersfoort")
    assert w["replaced"] in slack.message(summary.channel, summary.ts).text
    summary = latest(slack, LEAVER)
    assert "Amersfoort" in str(summary.blocks)

    click(harness, LEAVER, "q:submit")
    thanks = latest(slack, LEAVER)
    assert thanks.blocks[0]["text"]["text"] == w["thanks"]
    assert w["welcome"] in str(thanks.blocks)

    stored = answers(harness)
    assert stored["working_conditions"] == {"value": 4, "comment": None} or stored["working_conditions"]["value"] == 4
    assert stored["work_content"]["value"] == 3 and w["pressure"] in stored["work_content"]["comment"]
    assert stored["working_relations"] == {"skipped": True}
    assert stored["employment_terms"] == {"value": 2, "comment": "Salaris bleef achter"}
    assert stored["improvements"] == {"value": "Meer overleg tussen teams."}
    assert stored["strengths"] == {"value": "Fijne collega's"}
    assert stored["reasons"]["values"] == ["pay", "career", "other"]
    assert stored["reasons"]["other"] == "De reistijd met de trein"
    assert stored["reason_main"] == {"value": "career"}
    assert stored["destination"] == {"value": "Een scale-up in Amersfoort"}
    assert stored["recommend"] == {"value": 8}
    assert stored["come_back"] == {"value": "yes"}
    assert stored["consent"] == {"value": True}
    assert stored["manager_feedback"] == {"skipped": True}
    assert interview_row(harness).status == "submitted"
    assert harness.stage_of(LEAVER) == "submitted"
    hr_note = slack.wait_for(lambda: [m for m in slack.dms_to(w["hr"]) if w["hr_sent"] in m.text], what="HR told")
    assert f"<@{LEAVER}>" in str(hr_note[0].blocks)  # the review card, for HR only

    # Submitted answers cannot be changed any more: old buttons are refused gently.
    harness.user.click(LEAVER, summary, "q:edit", value=f"{interview_row(harness).id}|destination|")
    assert w["already_sent"] in slack.workspace.responses[-1]["text"]
    harness.user.dm(LEAVER, "nog iets")
    assert w["already_in"] in slack.dms_to(LEAVER)[-1].text


def test_english_leaver_gets_english_questions_and_required_questions_cannot_be_skipped(harness, slack):
    start_interview(harness, LEAVER_EN)
    first = latest(slack, LEAVER_EN)
    assert "working conditions" in heading(first)
    for _ in range(7):
        click(harness, LEAVER_EN, "q:skip")
    reasons = latest(slack, LEAVER_EN)
    assert "Skip" not in str([b for b in reasons.blocks if b["type"] == "actions"][-1])
    # Confirming nothing for a required question explains instead of moving on.
    harness.user.click(LEAVER_EN, reasons, "q:confirm", state=menu_state(reasons, "q:multi", []))
    assert "needs an answer" in slack.workspace.responses[-1]["text"]
    assert latest(slack, LEAVER_EN).ts == reasons.ts
    # A typed answer where buttons are needed gets a hint.
    harness.user.dm(LEAVER_EN, "money")
    assert "use the buttons" in slack.dms_to(LEAVER_EN)[-1].text


def test_stale_buttons_and_other_peoples_clicks_change_nothing(harness, slack):
    start_interview(harness, LEAVER)
    first = latest(slack, LEAVER)
    harness.user.click(LEAVER, first, "q:choose:2")
    harness.user.click(LEAVER, first, "q:choose:5")  # the old copy of the first question
    assert "eerdere stap" in slack.workspace.responses[-1]["text"]
    assert answers(harness)["working_conditions"]["value"] == 2

    second = latest(slack, LEAVER)
    harness.user.click(HR, second, "q:choose:1")
    assert "gesloten" in slack.workspace.responses[-1]["text"]  # as for an unknown id, below
    harness.user.click(LEAVER, second, "q:choose:1", value="999|work_content|1")
    assert "gesloten" in slack.workspace.responses[-1]["text"]
    assert "work_content" not in answers(harness)


def test_double_clicks_answer_once(harness, slack):
    start_interview(harness, LEAVER)
    first = latest(slack, LEAVER)
    threads = [threading.Thread(target=harness.user.click, args=(LEAVER, first, f"q:choose:{n}")) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    questions_posted = [m for m in slack.dms_to(LEAVER) if "*2/" in str(m.blocks[:1])]
    assert len(questions_posted) == 1
    assert len(answers(harness)) == 1


def test_pause_survives_a_restart_and_resumes_at_the_same_question(harness, slack):
    start_interview(harness, LEAVER)
    click(harness, LEAVER, "q:choose:4")
    click(harness, LEAVER, "q:choose:3")
    click(harness, LEAVER, "q:pause")
    paused = latest(slack, LEAVER)
    assert "Gepauzeerd" in paused.text

    harness.restart()
    harness.user.dm(LEAVER, "hoi, ik ga verder")
    resumed = latest(slack, LEAVER)
    assert "*3/" in heading(resumed) and "werkrelaties" in heading(resumed)
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
    assert "werkrelaties" in heading(latest(slack, LEAVER))


def test_a_redelivered_dm_event_is_not_taken_as_the_next_answer(harness, slack):
    start_interview(harness, LEAVER)
    for _ in range(5):
        click(harness, LEAVER, "q:skip")
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
