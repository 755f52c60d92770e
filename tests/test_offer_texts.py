"""The invitation says what the offer is: every offer in both languages, rendered end to end."""

from __future__ import annotations

import pytest

from flows.template import default_template, estimated_minutes
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN

MINUTES = estimated_minutes(default_template())

# What each invitation must say, and what it must not, per offer and language.
SAYS = {
    ("both", "nl"): [f"Hier antwoorden kost ongeveer {MINUTES} minuten", "Een gesprek duurt ongeveer een uur",
                     "hier in deze chat antwoorden, liever een persoonlijk gesprek hebben, of nee bedankt zeggen",
                     "Kies je voor een gesprek, dan voert <@UHRBERT02> het met je."],
    ("both", "en"): [f"Answering here takes about {MINUTES} minutes", "A talk takes about an hour",
                     "answer here in this chat, have a talk in person instead, or say no thanks",
                     "If you choose a talk, <@UHRBERT02> will be your interviewer."],
    ("questionnaire", "nl"): [f"Hier antwoorden kost ongeveer {MINUTES} minuten",
                              "de vragen hier in deze chat beantwoorden, of nee bedankt zeggen",
                              "Vragen? Stel ze gerust aan <@UHRBERT02>."],
    ("questionnaire", "en"): [f"Answering here takes about {MINUTES} minutes",
                              "answer the questions here in this chat, or say no thanks",
                              "Questions? Feel free to ask <@UHRBERT02>."],
    ("talk", "nl"): ["Een gesprek duurt ongeveer een uur", "een persoonlijk gesprek hebben, of nee bedankt zeggen",
                     "Je gesprek voer je met <@UHRBERT02>."],
    ("talk", "en"): ["A talk takes about an hour", "have a talk in person, or say no thanks",
                     "Your interviewer: <@UHRBERT02>"],
}
NEVER = ["contactpersoon bij HR", "contact in HR", "15 minu"]
NOT_FOR = {
    "questionnaire": ["een uur", "an hour", "persoonlijk gesprek", "talk in person", "interviewer", "voert"],
    "talk": ["minu", "in deze chat", "in this chat", "pauzeren", "pause"],
    "both": [],
}
BUTTONS = {
    "both": ["invitation.answer", "invitation.talk", "invitation.decline"],
    "questionnaire": ["invitation.answer", "invitation.decline"],
    "talk": ["invitation.talk", "invitation.decline"],
}


def invitation_text(message) -> str:
    parts = []
    for block in message.blocks:
        if block["type"] in ("section", "header"):
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts += [element["text"] for element in block["elements"]]
    return "\n".join(parts)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("offer", ["both", "questionnaire", "talk"])
def test_every_offer_says_what_it_offers_in_both_languages(harness, slack, offer, language):
    leaver = LEAVER if language == "nl" else LEAVER_EN  # their Slack locale decides the language
    harness.user.slash(HR, "start")
    view = next(iter(slack.workspace.views.values()))
    harness.user.submit_view(HR, view, {"employee": leaver, "last_day": harness.in_working_days(3).isoformat(),
                                        "interviewer": HR_2, "language": language, "offer": offer})

    invitation = harness.invitation_for(leaver)
    text = invitation_text(invitation)

    for sentence in SAYS[offer, language]:
        assert sentence in text, (offer, language, sentence, text)
    for wrong in NEVER + NOT_FOR[offer]:
        assert wrong not in text, (offer, language, wrong, text)
    buttons = [e["action_id"] for b in invitation.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == BUTTONS[offer]


def test_choosing_a_talk_names_the_interviewer_who_will_plan_it(harness, slack):
    harness.user.slash(HR, "start")
    view = next(iter(slack.workspace.views.values()))
    harness.user.submit_view(HR, view, {"employee": LEAVER_EN, "last_day": harness.in_working_days(3).isoformat(),
                                        "interviewer": HR_2, "language": "en", "offer": "talk"})
    invitation = harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")

    harness.user.click(LEAVER_EN, invitation, "invitation.talk")

    updated = slack.message(invitation.channel, invitation.ts)
    assert "<@UHRBERT02> will contact you to plan it" in updated.text
    assert "HR will contact you" not in updated.text
