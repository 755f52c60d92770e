"""Feedback for the direct manager is the leaver's own, explicit choice, and HR sees exactly what goes.

Issue 11: after *Approve + inform manager* the manager got "HR shares the main points from the exit
interview with @jan …" and highlights with "[name]" in them, without the leaver ever agreeing, while
the invitation promised managers would never see a name. Now the manager gets nothing of the answers
without the leaver's yes to a separate question (skipping it is no), at most a notice that the
interview took place; with it, a named message that HR saw and edited, after the last working day.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.operations import review as review_operations
from storage.models import Departure, Review
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN, MANAGER
from tests.steps import answer_everything

MANAGER_EN = "UMANAGE02"
# The leaver names a colleague and their manager: the kind of text that used to reach the manager as "[naam]".
ABOUT_THE_MANAGER = {
    "nl": "Mira Peeters plande alles op het laatste moment; Cees Dekker ving veel op.",
    "en": "James Carter planned everything at the last minute; Cees Dekker picked up a lot.",
}
TEXTS = {
    "nl": {"card": "beoordelen", "approve_manager": "Goedkeuren + leidinggevende informeren",
           "notice_button": "Goedkeuren + melden dat het gesprek was", "placeholder": "[naam]",
           "notice": "Het exitgesprek met <@{leaver}> heeft plaatsgevonden",
           "named": "<@{leaver}> gaf toestemming om de feedback uit het exitgesprek met jou als directe "
                    "leidinggevende te delen, met naam"},
    "en": {"card": "to review", "approve_manager": "Approve + inform manager",
           "notice_button": "Approve + tell manager it took place", "placeholder": "[name]",
           "notice": "The exit interview with <@{leaver}> has taken place",
           "named": "<@{leaver}> agreed to share their exit-interview feedback with you, their direct manager, "
                    "with their name"},
}
CASES = {"nl": (LEAVER, MANAGER, HR), "en": (LEAVER_EN, MANAGER_EN, HR_2)}


@pytest.fixture
def english_manager(slack):
    slack.add_user(MANAGER_EN, "james", real_name="James Carter", locale="en-GB")
    slack.add_user("UCEESDEK2", "cees2", real_name="Cees Dekker", locale="en-GB")


def card_for(slack, hr_user, language):
    return slack.wait_for(lambda: [m for m in slack.dms_to(hr_user) if TEXTS[language]["card"] in m.text],
                          what="review card")[-1]


def buttons(message) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in message.blocks if b["type"] == "actions" for e in b["elements"]}


def review_row(harness) -> Review:
    with harness.services.db.session() as session:
        return session.scalars(select(Review)).one()


def past_the_last_day(harness) -> None:
    with harness.services.db.session() as session:
        last_day = session.scalars(select(Departure.last_day)).one()
    harness.clock.advance(timedelta(days=(last_day - harness.today()).days + 1))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_without_the_leavers_yes_the_manager_gets_nothing_of_the_answers(harness, slack, english_manager, language):
    leaver, manager, hr = CASES[language]
    texts = TEXTS[language]
    # Agreed to anonymised quotes for the managers' channel, skipped the manager question (= no).
    answer_everything(harness, leaver, improvements=ABOUT_THE_MANAGER[language], manager=manager, consent=True,
                      manager_consent=None)
    card = card_for(slack, hr, language)
    offered = buttons(card)
    assert texts["approve_manager"] not in offered  # only offered when it applies
    notice_button = offered[texts["notice_button"]]
    assert notice_button["confirm"]  # HR sees what the manager gets before the click

    harness.user.click(hr, card, "review:approve_manager")
    assert review_row(harness).decision == "approved"
    assert review_row(harness).manager_note is None
    review_operations.send_manager_feedback(harness.services)
    assert slack.dms_to(manager) == []  # the leaver is still here

    past_the_last_day(harness)
    review_operations.send_manager_feedback(harness.services)
    review_operations.send_manager_feedback(harness.services)
    [notice] = slack.dms_to(manager)
    shown = str(notice.blocks)
    assert texts["notice"].format(leaver=leaver) in shown
    for word in ("Peeters", "Carter", "Dekker", "laatste moment", "last minute", texts["placeholder"]):
        assert word not in shown


@pytest.mark.parametrize("language", ["nl", "en"])
def test_with_the_leavers_yes_hr_sees_edits_and_sends_the_named_message_after_the_last_day(
    harness, slack, english_manager, language
):
    leaver, manager, hr = CASES[language]
    texts = TEXTS[language]
    answer_everything(harness, leaver, improvements=ABOUT_THE_MANAGER[language], manager=manager, consent=False,
                      manager_consent=True)
    card = card_for(slack, hr, language)
    assert texts["notice_button"] not in buttons(card)
    harness.user.click(hr, card, "review:approve_manager")
    assert review_row(harness).decision is None  # nothing decided until HR approved the message itself

    modal = list(slack.workspace.views.values())[-1]
    preview = str(modal["blocks"])
    assert texts["named"].format(leaver=leaver) in preview  # exactly what the manager will read
    draft = modal["blocks"][-1]["element"]["initial_value"]
    assert ABOUT_THE_MANAGER[language] in draft and texts["placeholder"] not in draft  # own words, no fake anonymity
    edited = draft.replace("Cees Dekker ving veel op.", "").replace("Cees Dekker picked up a lot.", "").strip()
    assert "Dekker" not in edited

    reply = harness.user.submit_view(hr, modal, {"manager_note": edited})
    assert reply.status == 200 and not reply.body
    row = review_row(harness)
    assert (row.decision, row.inform_manager, row.manager_note) == ("approved", True, edited)

    review_operations.send_manager_feedback(harness.services)
    assert slack.dms_to(manager) == []  # waits for the last working day

    past_the_last_day(harness)
    review_operations.send_manager_feedback(harness.services)
    review_operations.send_manager_feedback(harness.services)
    [message] = slack.dms_to(manager)  # once
    shown = str(message.blocks)
    assert texts["named"].format(leaver=leaver) in shown
    assert ABOUT_THE_MANAGER[language].split(";")[0] in shown
    assert "Dekker" not in shown and texts["placeholder"] not in shown


def test_an_empty_message_is_refused_at_the_field(harness, slack):
    answer_everything(harness, LEAVER, improvements="De planning kwam vaak te laat.", manager=MANAGER,
                      manager_consent=True)
    card = card_for(slack, HR, "nl")
    harness.user.click(HR, card, "review:approve_manager")
    modal = list(slack.workspace.views.values())[-1]
    reply = harness.user.submit_view(HR, modal, {"manager_note": "   "})
    assert "Schrijf het bericht" in reply.json()["errors"]["manager_note"]
    assert review_row(harness).decision is None


def test_health_in_the_message_for_the_manager_needs_hrs_own_words(harness, slack):
    """Special-category data (art. 9) reaches the manager only in HR's own edited words, as in the
    highlights: the unchanged draft is refused at the field."""
    answer_everything(harness, LEAVER, manager=MANAGER, manager_consent=True,
                      improvements="Ik zat in maart thuis met een burn-out; de planning kwam te laat.")
    card = card_for(slack, HR, "nl")
    harness.user.click(HR, card, "review:approve_manager")
    modal = list(slack.workspace.views.values())[-1]
    draft = modal["blocks"][-1]["element"]["initial_value"]
    assert "burn-out" in draft
    reply = harness.user.submit_view(HR, modal, {"manager_note": draft})
    assert "AVG art. 9" in reply.json()["errors"]["manager_note"]
    assert review_row(harness).decision is None
    edited = draft.replace("Ik zat in maart thuis met een burn-out; de planning kwam te laat.",
                           "De planning kwam vaak te laat.")
    reply = harness.user.submit_view(HR, modal, {"manager_note": edited})
    assert reply.status == 200 and not reply.body
    assert review_row(harness).decision == "approved"


def test_no_manager_registered_means_no_manager_buttons(harness, slack):
    answer_everything(harness, LEAVER, improvements="De planning kwam vaak te laat.", manager_consent=True)
    card = card_for(slack, HR, "nl")
    assert "review:approve_manager" not in str(card.blocks)
    assert "leidinggevende" not in str(card.blocks[3:])  # no line about a manager who does not exist


def test_a_message_for_the_manager_needs_the_leavers_yes_even_when_forged(harness, slack):
    answer_everything(harness, LEAVER, improvements="De planning kwam vaak te laat.", manager=MANAGER,
                      manager_consent=False)
    card_for(slack, HR, "nl")
    modal = {"type": "modal", "callback_id": "review_manager", "private_metadata": str(review_row(harness).id),
             "blocks": [{"type": "input", "block_id": "manager_note",
                         "element": {"type": "plain_text_input", "action_id": "value"}}]}
    harness.bot.services.client.views_open(trigger_id="forged", view=modal)
    opened = list(slack.workspace.views.values())[-1]
    reply = harness.user.submit_view(HR, opened, {"manager_note": "Alles wat Jan zei."})
    assert "geen toestemming" in reply.json()["errors"]["manager_note"]
    assert review_row(harness).decision is None


def test_the_draft_holds_exactly_what_the_question_promises():
    from flows import manager_feedback
    from flows.template import default_template

    template = default_template()
    answers = {
        "manager_support": {"value": 2, "comment": "Weinig tijd voor één-op-één."},
        "improvements": {"value": "Meer overleg."},
        "strengths": {"skipped": True},
        "anything_else": {"value": "Iets over mijn gezondheid."},
        "consent": {"value": False},
    }
    assert manager_feedback.draft(template, answers, "nl") == ""  # no yes, no draft
    assert manager_feedback.draft(template, {**answers, "manager_feedback": {"skipped": True}}, "nl") == ""
    draft = manager_feedback.draft(template, {**answers, "manager_feedback": {"value": True}}, "nl")
    assert draft == ("“Hoe goed heeft je directe leidinggevende je ondersteund?” 2/5 (Slecht)\n"
                     "Weinig tijd voor één-op-één.\n\n“Wat kunnen we beter doen?”\nMeer overleg.")


def test_a_message_for_the_manager_too_long_for_slack_once_escaped_goes_in_several_parts_once(harness, slack):
    """2,900 characters HR approved can grow fivefold once escaped ("&" is "&amp;"): past what Slack
    takes in one message. It goes whole, in as many messages as needed, each part once."""
    answer_everything(harness, LEAVER, improvements="&" * 3000, manager=MANAGER, manager_consent=True)
    card = card_for(slack, HR, "nl")
    harness.user.click(HR, card, "review:approve_manager")
    modal = list(slack.workspace.views.values())[-1]
    draft = modal["blocks"][-1]["element"]["initial_value"]
    reply = harness.user.submit_view(HR, modal, {"manager_note": draft})
    assert reply.status == 200 and not reply.body

    past_the_last_day(harness)
    review_operations.send_manager_feedback(harness.services)
    # (the bot's own sweep may be sending it at the same moment: wait for the parts, not for a call)
    parts = slack.wait_for(lambda: [m for m in slack.dms_to(MANAGER)] if len(slack.dms_to(MANAGER)) >= 2 else None,
                           what="the parts of the manager message")
    review_operations.send_manager_feedback(harness.services)
    assert TEXTS["nl"]["named"].format(leaver=LEAVER) in str(parts[0].blocks)
    sections = [b["text"]["text"] for m in parts for b in m.blocks if b["type"] == "section"]
    assert "".join(sections).count("&amp;") == draft.count("&")  # every character HR approved, escaped
    # Nothing is sent again afterwards.
    review_operations.send_manager_feedback(harness.services)
    assert len(slack.dms_to(MANAGER)) == len(parts)
