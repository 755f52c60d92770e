"""Talks in person: the interviewer's checklist, and the notes of the talk recorded in a form, from
draft to finished, by the interviewer or HR only, over real signed HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from flows.interview import expiry_moment
from flows.template import default_template
from storage.models import Departure, Interview
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER

NOTES_ACTION = "talk.record_notes"


# -- helpers -------------------------------------------------------------------------------------------


def departure_of(harness, employee: str) -> Departure:
    with harness.services.db.session() as session:
        return session.scalars(
            select(Departure).where(Departure.employee_id == employee).order_by(Departure.id.desc())
        ).first()


def interview_of(harness, employee: str) -> Interview | None:
    with harness.services.db.session() as session:
        return session.scalar(
            select(Interview).join(Departure, Departure.id == Interview.departure_id)
            .where(Departure.employee_id == employee)
        )


def interviews(harness) -> int:
    with harness.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Interview))


def views_opened(slack) -> int:
    return len(slack.calls_to("views.open"))


def latest_view(slack) -> dict:
    return list(slack.workspace.views.values())[-1]


def inputs(view: dict) -> dict[str, dict]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def actions_in(message) -> list[dict]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def register_by_form(harness, slack, employee: str, interviewer: str, days: int = 3) -> None:
    """HR registers with the form, choosing someone as the interviewer."""
    harness.user.slash(HR, "start")
    reply = harness.user.submit_view(HR, latest_view(slack), {
        "employee": employee, "last_day": harness.in_working_days(days).isoformat(), "manager": MANAGER,
        "interviewer": interviewer, "language": "nl", "offer": "both",
    })
    assert reply.status == 200 and not reply.body, reply


def request_talk(harness, employee: str) -> None:
    invitation = harness.invitation_for(employee)
    harness.wait_for_stage(employee, "invited")
    harness.user.click(employee, invitation, "invitation.talk")
    harness.wait_for_stage(employee, "talk_requested")


def checklist_for(slack, user_id: str):
    def found():
        return next((m for m in slack.dms_to(user_id) if any(e["action_id"] == NOTES_ACTION for e in actions_in(m))),
                    None)

    return slack.wait_for(found, what=f"the talk checklist for {user_id}")


def errors_of(reply) -> dict[str, str]:
    body = reply.json()
    assert body["response_action"] == "errors", body
    return body["errors"]


# -- the checklist, and notes from draft to finished -----------------------------------------------------


def test_the_interviewer_gets_a_checklist_and_records_notes_from_draft_to_finished(harness, slack):
    register_by_form(harness, slack, LEAVER, interviewer=COLLEAGUE)  # an interviewer outside HR
    request_talk(harness, LEAVER)
    departure = departure_of(harness, LEAVER)

    checklist = checklist_for(slack, COLLEAGUE)
    assert "<@ULEAVER01> wil graag een persoonlijk gesprek" in checklist.text
    shown = " ".join(b["text"]["text"] for b in checklist.blocks if b["type"] == "section")
    for practice in ("ongeveer een uur", "rustige, afgesloten ruimte", "doel uit", "vragenlijst",
                     "discussieer niet", "aantekeningen", "goede verstandhouding"):
        assert practice in shown, practice
    [button] = actions_in(checklist)
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        NOTES_ACTION, str(departure.id), "Notities vastleggen")
    # HR still hears about the request, and gets no checklist: the talk is the colleague's.
    assert any("heeft liever een persoonlijk exitgesprek" in m.text for m in slack.dms_to(HR))
    assert not any(actions_in(m) for m in slack.dms_to(HR) if m.blocks)

    # The button opens the template as a form, every question optional.
    harness.user.click(COLLEAGUE, checklist, NOTES_ACTION)
    view = latest_view(slack)
    assert view["callback_id"] == "talk_notes"
    assert view["private_metadata"] == str(departure.id)
    assert view["title"]["text"] == "Gespreksnotities"
    template = default_template()
    fields = inputs(view)
    expected = []
    for question in template.questions:
        expected.append(f"q:{question.id}")
        if question.allow_comment and question.type == "rating":  # the 0-10 comment is only typed by leavers
            expected.append(f"c:{question.id}")
        if question.allow_other:
            expected.append(f"o:{question.id}")
    assert list(fields) == [*expected, "status"]
    assert all(fields[block].get("optional") for block in expected)
    assert len(view["blocks"]) <= 100
    rating = fields["q:working_conditions"]
    assert rating["label"]["text"] == "Hoe heb je de arbeidsomstandigheden ervaren?"
    assert rating["element"]["type"] == "static_select"
    assert [o["text"]["text"] for o in rating["element"]["options"]][:5] == [
        "1 · Zeer slecht", "2 · Slecht", "3 · Redelijk", "4 · Goed", "5 · Zeer goed"]
    assert fields["c:working_conditions"]["element"]["multiline"] is True
    assert fields["q:reasons"]["element"]["type"] == "multi_static_select"
    assert fields["o:reasons"]["element"]["type"] == "plain_text_input"
    assert len(fields["q:reason_main"]["element"]["options"]) == 12 + 1  # all reasons, and "no answer"
    assert [o["value"] for o in fields["q:recommend"]["element"]["options"]][:11] == [str(n) for n in range(11)]
    assert fields["q:consent"]["element"]["type"] == "radio_buttons"
    assert fields["q:competitor_offer"]["element"]["max_length"] == 3000
    assert fields["q:improvements"]["element"]["multiline"] is True
    assert [o["text"]["text"] for o in fields["status"]["element"]["options"]] == ["Opslaan als concept", "Afgerond"]
    assert interviews(harness) == 0  # opening stores nothing

    # A draft with some answers.
    reply = harness.user.submit_view(COLLEAGUE, view, {
        "q:working_conditions": "4", "c:working_conditions": "Fijne werkplek, <!channel> te lawaaiig",
        "q:reasons": ["pay", "career"], "q:reason_main": "career", "q:recommend": "7", "q:consent": "yes",
        "q:improvements": "  Meer overleg  ", "q:competitor_offer": "   ", "status": "draft",
    })
    assert reply.json()["response_action"] == "update"
    assert "concept is opgeslagen" in reply.json()["view"]["blocks"][0]["text"]["text"]
    interview = interview_of(harness, LEAVER)
    assert (interview.mode, interview.status, interview.recorded_by) == ("talk", "draft", COLLEAGUE)
    assert (interview.template_key, interview.template_version) == (template.id, template.version)
    assert interview.expires_at == expiry_moment(departure.last_day, 14, ZoneInfo("Europe/Amsterdam"))
    assert interview.submitted_at is None
    assert interview.state["phase"] == "summary"
    assert interview.state["answers"] == {
        "working_conditions": {"value": 4, "comment": "Fijne werkplek, <!channel> te lawaaiig"},
        "improvements": {"value": "Meer overleg"},
        "reasons": {"values": ["pay", "career"], "other": None},
        "reason_main": {"value": "career"},
        "recommend": {"value": 7},
        "consent": {"value": True},
    }
    assert harness.stage_of(LEAVER) == "talk_requested"

    # Reopened, the draft is filled in.
    harness.user.click(COLLEAGUE, checklist, NOTES_ACTION)
    view = latest_view(slack)
    fields = inputs(view)
    assert fields["q:working_conditions"]["element"]["initial_option"]["text"]["text"] == "4 · Goed"
    assert fields["c:working_conditions"]["element"]["initial_value"] == "Fijne werkplek, <!channel> te lawaaiig"
    assert [o["value"] for o in fields["q:reasons"]["element"]["initial_options"]] == ["pay", "career"]
    assert fields["q:reason_main"]["element"]["initial_option"]["value"] == "career"
    assert fields["q:recommend"]["element"]["initial_option"]["value"] == "7"
    assert fields["q:consent"]["element"]["initial_option"]["value"] == "yes"
    assert fields["q:improvements"]["element"]["initial_value"] == "Meer overleg"
    assert "initial_option" not in fields["q:work_content"]["element"]
    assert "initial_value" not in fields["q:competitor_offer"]["element"]
    draft_note = " ".join(e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "<@UCOLLEA01>" in draft_note

    # Finished: one answer changed, one cleared with "no answer", the rest as prefilled.
    reply = harness.user.submit_view(COLLEAGUE, view, {"q:recommend": "8", "q:consent": "-", "status": "finished"})
    assert reply.json()["response_action"] == "update"
    assert "afgerond" in reply.json()["view"]["blocks"][0]["text"]["text"]
    interview = interview_of(harness, LEAVER)
    assert interview.status == "submitted" and interview.submitted_at is not None
    assert interview.state["phase"] == "submitted"
    assert interview.state["answers"]["recommend"] == {"value": 8}
    assert interview.state["answers"]["working_conditions"]["value"] == 4
    assert "consent" not in interview.state["answers"]
    assert harness.stage_of(LEAVER) == "submitted"
    told_anna = slack.wait_for(lambda: [m for m in slack.dms_to(HR) if "afgerond" in m.text], what="HR told")
    told_bert = slack.wait_for(lambda: [m for m in slack.dms_to(HR_2) if "finished the notes" in m.text],
                               what="HR told in English")
    assert "<@UCOLLEA01>" in told_anna[0].text and "<@ULEAVER01>" in told_anna[0].text
    assert len(told_anna) == len(told_bert) == 1
    assert "Fijne werkplek" not in told_anna[0].text  # the answers stay in the database

    # Finished notes can no longer be changed: not by the button, the command, or an old form.
    opened = views_opened(slack)
    harness.user.click(COLLEAGUE, checklist, NOTES_ACTION)
    assert "al afgerond" in harness.last_response()["text"]
    assert harness.last_response()["response_type"] == "ephemeral"
    harness.user.slash(HR, f"notes <@{LEAVER}|jan>")
    assert "al afgerond" in harness.last_response()["text"]
    assert views_opened(slack) == opened
    errors = errors_of(harness.user.submit_view(COLLEAGUE, view, {"q:recommend": "2", "status": "draft"}))
    assert "al afgerond" in errors["status"]
    assert interview_of(harness, LEAVER).state["answers"]["recommend"] == {"value": 8}


# -- the command, who may, and the recorder's language ------------------------------------------------------


def test_hr_opens_the_notes_by_command_in_their_own_language_and_others_are_refused(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))  # HR (Anna) is the interviewer
    request_talk(harness, LEAVER)
    departure = departure_of(harness, LEAVER)
    # The interviewer in HR gets the checklist too.
    checklist_for(slack, HR)

    harness.user.slash(HR, f"notes <@{LEAVER}|jan>")
    dutch = latest_view(slack)
    assert dutch["private_metadata"] == str(departure.id)
    harness.user.slash(HR_2, f"notities <@{LEAVER}>")  # Bert's Slack is in English
    english = latest_view(slack)
    assert views_opened(slack) == 2

    assert (dutch["title"]["text"], english["title"]["text"]) == ("Gespreksnotities", "Talk notes")
    assert (dutch["submit"]["text"], english["submit"]["text"]) == ("Opslaan", "Save")
    nl_fields, en_fields = inputs(dutch), inputs(english)
    assert nl_fields["q:working_conditions"]["label"]["text"] == "Hoe heb je de arbeidsomstandigheden ervaren?"
    assert en_fields["q:working_conditions"]["label"]["text"] == "How did you experience the working conditions?"
    assert nl_fields["q:working_conditions"]["hint"]["text"].startswith("Denk aan je werkplek")
    assert en_fields["q:working_conditions"]["hint"]["text"].startswith("Think of your workplace")
    assert en_fields["q:working_conditions"]["element"]["options"][3]["text"]["text"] == "4 · Good"
    assert en_fields["q:recommend"]["element"]["options"][10]["text"]["text"] == "10 · Extremely likely"
    assert nl_fields["q:recommend"]["element"]["options"][0]["text"]["text"] == "0 · Zeer onwaarschijnlijk"
    assert [o["text"]["text"] for o in en_fields["q:consent"]["element"]["options"]][:2] == ["Yes", "No"]
    assert [o["text"]["text"] for o in nl_fields["q:consent"]["element"]["options"]][:2] == ["Ja", "Nee"]
    assert en_fields["c:working_conditions"]["label"]["text"] == "Comment"
    assert nl_fields["c:working_conditions"]["label"]["text"] == "Toelichting"
    assert en_fields["q:reasons"]["element"]["options"][0]["text"]["text"] == "Pay"
    assert nl_fields["q:reasons"]["element"]["options"][0]["text"]["text"] == "Salaris"
    assert "Notes of the exit interview with <@ULEAVER01>" in english["blocks"][0]["text"]["text"]
    assert "Notities van het exitgesprek met <@ULEAVER01>" in dutch["blocks"][0]["text"]["text"]

    # A colleague outside HR who is not the interviewer: refused, with the same answer whether or not
    # the person is leaving (who leaves is confidential).
    harness.user.slash(COLLEAGUE, f"notes <@{LEAVER}>")
    refused = harness.last_response()["text"]
    assert "Alleen HR en de gesprekspartner" in refused
    harness.user.slash(COLLEAGUE, f"notes <@{LEAVER_EN}>")
    assert harness.last_response()["text"] == refused
    assert views_opened(slack) == 2
    # ... also when they submit a form someone else opened.
    errors = errors_of(harness.user.submit_view(COLLEAGUE, dutch, {"q:recommend": "3", "status": "finished"}))
    assert "Alleen HR en de gesprekspartner" in errors["status"]
    assert interviews(harness) == 0

    # HR is told precisely what is wrong.
    harness.user.slash(HR, f"notes <@{LEAVER_EN}>")
    assert "<@ULEAVER02> heeft geen lopende registratie" in harness.last_response()["text"]
    harness.user.slash(HR, "notes")
    assert "/exit-interview notes @persoon" in harness.last_response()["text"]
    harness.user.slash(HR, "notes <!channel>")
    assert "<!channel>" not in harness.last_response()["text"]
    harness.user.slash(HR, "help")
    assert "/exit-interview notes @persoon" in harness.last_response()["blocks"][1]["text"]["text"]

    # The English recorder's save is answered in English.
    reply = harness.user.submit_view(HR_2, english, {"q:recommend": "6", "status": "draft"})
    assert "The draft is saved" in reply.json()["view"]["blocks"][0]["text"]["text"]
    assert interview_of(harness, LEAVER).recorded_by == HR_2


def test_forged_forms_and_invalid_answers_are_refused_and_nothing_is_stored(harness, slack):
    register_by_form(harness, slack, LEAVER, interviewer=COLLEAGUE)
    request_talk(harness, LEAVER)
    register_by_form(harness, slack, LEAVER_EN, interviewer=HR_2)
    harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")
    other = departure_of(harness, LEAVER_EN)

    harness.user.click(COLLEAGUE, checklist_for(slack, COLLEAGUE), NOTES_ACTION)
    view = latest_view(slack)

    # Another departure's id, or no id at all, in the form's metadata.
    for metadata, expected in [(str(other.id), "Alleen HR en de gesprekspartner"), ("999999", "hoort (niet meer)"),
                               ("abc", "hoort (niet meer)"), ("", "hoort (niet meer)"),
                               (f"{other.id}|x", "hoort (niet meer)"), ("1" * 40, "hoort (niet meer)")]:
        forged = {**view, "private_metadata": metadata}
        errors = errors_of(harness.user.submit_view(COLLEAGUE, forged, {"q:recommend": "5", "status": "finished"}))
        assert list(errors) == ["status"] and expected in errors["status"], (metadata, errors)
    view_without = {key: value for key, value in view.items() if key != "private_metadata"}
    errors = errors_of(harness.user.submit_view(COLLEAGUE, view_without, {"status": "draft"}))
    assert "hoort (niet meer)" in errors["status"]

    # Answers that do not fit: each error at its own field, and nothing stored.
    errors = errors_of(harness.user.submit_view(COLLEAGUE, view, {
        "q:working_conditions": "9",  # out of range
        "q:recommend": "11",
        "q:come_back": "forever",  # not an option
        "q:competitor_offer": "x" * 3001,  # longer than the field allows
        "c:work_content": "y" * 3001,  # a comment without a rating, and too long
        "q:reasons": ["other"],  # "something else" without saying what
        "q:consent": "maybe",
        "status": "finished",
    }))
    assert errors == {
        "q:working_conditions": "Kies een getal van 1 tot en met 5.",
        "q:recommend": "Kies een getal van 0 tot en met 10.",
        "q:come_back": "“forever” is geen van de opties.",
        "q:competitor_offer": "Dit is 3001 tekens lang; er passen er hoogstens 3000 in.",
        "c:work_content": "Dit is 3001 tekens lang; er passen er hoogstens 3000 in.",
        "o:reasons": "Schrijf op wat het andere antwoord is, of vink “iets anders” uit.",
        "q:consent": "Dit antwoord is niet geldig; kies of schrijf het opnieuw.",
    }
    errors = errors_of(harness.user.submit_view(COLLEAGUE, view, {
        "c:working_conditions": "Prima", "q:reasons": ["pay", "career"], "q:reason_main": "commute",
        "q:come_back": "<!channel>", "status": "draft",
    }))
    assert set(errors) == {"q:working_conditions", "q:reason_main", "q:come_back"}
    assert "beoordeling" in errors["q:working_conditions"]
    assert "aangevinkt" in errors["q:reason_main"]
    assert "<!channel>" not in errors["q:come_back"] and "&lt;!channel&gt;" in errors["q:come_back"]
    errors = errors_of(harness.user.submit_view(COLLEAGUE, view, {"q:recommend": "5", "status": "someday"}))
    assert list(errors) == ["status"]
    assert interviews(harness) == 0
    assert harness.stage_of(LEAVER) == "talk_requested"

    # A forged button value.
    harness.user.click(COLLEAGUE, checklist_for(slack, COLLEAGUE), NOTES_ACTION, value="999999")
    assert "Alleen HR en de gesprekspartner" in harness.last_response()["text"]  # as for an id that exists
    harness.user.click(HR, checklist_for(slack, COLLEAGUE), NOTES_ACTION, value="999999")
    assert "niet meer vinden" in harness.last_response()["text"]  # HR may know

    # The interviewer in HR, Bert, gets the checklist of the invited leaver only when they ask for a talk;
    # HR may hold the talk anyway, and the leaver then no longer gets a reminder or a questionnaire.
    assert not [m for m in slack.dms_to(HR_2) if actions_in(m)]
    harness.user.slash(HR_2, f"notes <@{LEAVER_EN}>")
    reply = harness.user.submit_view(HR_2, latest_view(slack), {"q:strengths": "The team", "status": "draft"})
    assert reply.json()["response_action"] == "update"
    departure = departure_of(harness, LEAVER_EN)
    assert (departure.stage, departure.choice) == ("talk_requested", "talk")
    assert interview_of(harness, LEAVER_EN).state["answers"] == {"strengths": {"value": "The team"}}


def test_notes_wait_for_the_invitation_are_open_after_declining_and_end_with_a_cancellation(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))  # the invitation is weeks away
    harness.user.slash(HR, f"notes <@{LEAVER}>")
    assert "nog niet verstuurd" in harness.last_response()["text"]
    assert views_opened(slack) == 0

    harness.register(MANAGER, harness.in_working_days(2))
    invitation = harness.invitation_for(MANAGER)
    harness.wait_for_stage(MANAGER, "invited")
    harness.user.click(MANAGER, invitation, "invitation.decline")
    harness.user.slash(HR, f"notes <@{MANAGER}>")  # declined: HR may hold a talk anyway
    assert views_opened(slack) == 1

    harness.register(LEAVER_EN, harness.in_working_days(2))
    harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")
    harness.user.slash(HR, f"notes <@{LEAVER_EN}>")  # no answer to the invitation yet
    assert views_opened(slack) == 2
    view = latest_view(slack)
    harness.user.slash(HR, f"cancel <@{LEAVER_EN}>")
    errors = errors_of(harness.user.submit_view(HR, view, {"q:recommend": "5", "status": "finished"}))
    assert "geannuleerd" in errors["status"]
    assert interviews(harness) == 0


def test_two_finishing_saves_at_once_store_one_and_tell_hr_once(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    request_talk(harness, LEAVER)
    harness.user.slash(HR, f"notes <@{LEAVER}>")
    harness.user.submit_view(HR, latest_view(slack), {"q:recommend": "5", "status": "draft"})
    harness.user.slash(HR, f"notes <@{LEAVER}>")
    view = latest_view(slack)
    replies = []
    barrier = threading.Barrier(4)

    def finish(score: int):
        barrier.wait()
        replies.append(harness.user.submit_view(HR, view, {"q:recommend": str(score), "status": "finished"}))

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [r for r in replies if r.json()["response_action"] == "update"]
    assert len(saved) == 1
    for reply in replies:
        if reply not in saved:
            assert any(text in reply.json()["errors"]["status"] for text in ("al afgerond", "hetzelfde moment"))
    assert interview_of(harness, LEAVER).status == "submitted"
    told = slack.wait_for(lambda: [m for m in slack.dms_to(HR_2) if "finished the notes" in m.text])
    assert len(told) == 1


def test_the_checklist_is_in_the_interviewers_language_and_sent_once(harness, slack):
    from bot.operations import talks

    register_by_form(harness, slack, LEAVER_EN, interviewer=HR_2)  # Bert's Slack is in English
    request_talk(harness, LEAVER_EN)
    checklist = checklist_for(slack, HR_2)
    assert checklist.text.startswith("<@ULEAVER02> would like to talk in person")
    assert checklist.blocks[0]["text"]["text"] == "Checklist for the exit interview"
    last_day = departure_of(harness, LEAVER_EN).last_day
    assert f"{last_day:%B} {last_day.day}, {last_day.year}" in checklist.blocks[1]["text"]["text"]
    assert "*Plan about an hour*" in checklist.blocks[2]["text"]["text"]
    assert actions_in(checklist)[0]["text"]["text"] == "Record notes"

    assert talks.send_talk_checklist(harness.services, departure_of(harness, LEAVER_EN).id) is False
    assert len([m for m in slack.dms_to(HR_2) if actions_in(m)]) == 1


def test_notes_can_no_longer_be_recorded_two_weeks_after_the_last_day(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    request_talk(harness, LEAVER)
    harness.user.slash(HR, f"notes <@{LEAVER}>")
    view = latest_view(slack)
    last_day = departure_of(harness, LEAVER).last_day
    harness.clock.advance(last_day - harness.today() + timedelta(days=16))
    harness.user.slash(HR, f"notes <@{LEAVER}>")
    assert "die tijd is voorbij" in harness.last_response()["text"]
    assert f"{(last_day + timedelta(days=14)).day} " in harness.last_response()["text"]
    errors = errors_of(harness.user.submit_view(HR, view, {"q:recommend": "5", "status": "draft"}))
    assert "die tijd is voorbij" in errors["status"]
    assert views_opened(slack) == 1
    assert interviews(harness) == 0


# -- the form within Slack's limits, for any template ---------------------------------------------------------


def _big_template(questions: int, text_length: int = 40) -> str:
    lines = ["id: big", "version: 1", "name: {nl: Groot, en: Big}", "intro: {nl: Hallo, en: Hello}", "questions:"]
    for n in range(questions):
        lines += [f"  - id: q{n:03d}", "    type: rating", "    category: working_conditions",
                  f"    text: {{nl: {'v' * text_length}, en: {'q' * text_length}}}",
                  "    labels: {nl: [a, b, c, d, " + "e" * 75 + "], en: [a, b, c, d, e]}", "    allow_comment: true"]
    lines += ["  - id: consent", "    type: yes_no", "    category: consent", "    required: true",
              "    text: {nl: Delen, en: Share}"]
    return "\n".join(lines)


def test_a_template_larger_than_a_modal_still_makes_a_valid_form():
    from datetime import date

    from bot.blocks import notes
    from bot.i18n import Translator
    from flows.talks import validate_notes
    from flows.template import parse_template

    template = parse_template(_big_template(120))
    view = notes.notes_modal(Translator("nl"), template=template, departure_id=1, employee_id=LEAVER,
                             last_day=date(2026, 12, 20), answers={}, draft_by=HR)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["block_id"] == "status"
    assert "25 vragen" in view["blocks"][-2]["elements"][0]["text"]
    fields = inputs(view)
    assert not [block for block in fields if block.startswith("c:")]  # comments go before questions do
    assert len(fields) == 96 + 1

    small = parse_template(_big_template(60, text_length=2900))
    view = notes.notes_modal(Translator("nl"), template=small, departure_id=1, employee_id=LEAVER,
                             last_day=date(2026, 12, 20))
    fields = inputs(view)
    assert len(view["blocks"]) <= 100
    assert all(len(block["label"]["text"]) <= 2000 for block in fields.values())
    assert all(len(o["text"]["text"]) <= 75 for block in fields.values() for o in block["element"].get("options", []))
    assert fields["q:q000"]["element"]["options"][4]["text"]["text"].endswith("…")
    assert len([block for block in fields if block.startswith("c:")]) == 96 - 61

    # What the form shows is what is read back.
    values = {block: {"value": {"type": "static_select", "selected_option": {"value": "3"}}}
              for block in fields if block.startswith("q:q")}
    checked = validate_notes(small, notes.read_values(small, values))
    assert not checked.problems and len(checked.answers) == 60


# -- the rules, in plain Python -------------------------------------------------------------------------------


def test_the_notes_command_is_parsed():
    from flows.registration import Notes, Problem, parse_command

    assert parse_command("notes <@U123ABC|jan>") == Notes("U123ABC")
    assert parse_command("Notities <@U123ABC>") == Notes("U123ABC")
    assert parse_command("notes") == Problem("notes.usage")
    assert parse_command("notes <@U123ABC> <@U456DEF>") == Problem("notes.usage")
    assert parse_command("notes jan") == Problem("command.not_a_user", {"text": "jan"})


@pytest.mark.parametrize(
    ("stage", "existing", "expected"),
    [
        ("talk_requested", None, None),
        ("invited", None, None),
        ("declined", None, None),
        ("unreachable", None, None),
        ("talk_requested", ("talk", "draft"), None),
        ("registered", None, "notes.not_yet"),
        ("answering", None, "notes.self_service"),
        ("answering", ("self", "in_progress"), "notes.self_service"),
        ("submitted", ("self", "submitted"), "notes.self_service"),
        ("submitted", ("talk", "submitted"), "notes.already_finished"),
        ("talk_requested", ("talk", "expired"), "notes.closed"),
        ("expired", None, "notes.closed"),
        ("cancelled", None, "notes.cancelled"),
        ("cancelled", ("talk", "draft"), "notes.cancelled"),
    ],
)
def test_when_notes_can_be_recorded(stage, existing, expected):
    from datetime import UTC, datetime

    from flows.talks import Existing, check_notes

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    problem = check_notes(stage=stage, existing=Existing(*existing) if existing else None, now=now,
                          deadline=now + timedelta(hours=1))
    assert (problem.key if problem else None) == expected
    late = check_notes(stage="talk_requested", existing=None, now=now, deadline=now)
    assert late.key == "notes.expired" and late.params == {"date": "2026-11-30"}


def test_only_hr_and_the_interviewer_may_record():
    from flows.talks import may_record

    assert may_record(user_id="UA", interviewer_id="UA", is_hr=False) is None
    assert may_record(user_id="UB", interviewer_id="UA", is_hr=True) is None
    assert may_record(user_id="UB", interviewer_id="UA", is_hr=False).key == "notes.not_allowed"
