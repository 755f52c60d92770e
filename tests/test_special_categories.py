"""Special categories of personal data (AVG/GDPR art. 9) and bidi controls, end to end: what the
leaver is told before sending, what HR's card marks and refuses, what reaches the managers."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from storage.models import Departure, Review
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN
from tests.steps import answer_everything
from tests.test_digest import MANAGERS, approve_all, setup_people
from tests.test_review import card_for

BURN_OUT = "In maart 2026 zat ik thuis met een burn-out, daarna kwam de planning vaak te laat."
BURN_OUT_QUOTE = "In [datum] zat ik thuis met een burn-out, daarna kwam de planning vaak te laat."
PREGNANT = "When I was pregnant my manager stopped inviting me to the planning meetings."
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Marks, embeddings and isolates: they reorder what is shown around them but keep the words readable.
MARKS = "\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def as_sent(blocks) -> str:
    """The text of blocks as Slack gets it (str() of a dict would write a bidi control as "\\u202e")."""
    return json.dumps(blocks, ensure_ascii=False)


def review_row(harness) -> Review:
    with harness.services.db.session() as session:
        return session.scalars(select(Review)).one()


def current(slack, message):
    return slack.message(message.channel, message.ts)


def edit_highlights(harness, slack, hr_user, card, text):
    harness.user.click(hr_user, current(slack, card), "review:edit")
    editor = list(slack.workspace.views.values())[-1]
    reply = harness.user.submit_view(hr_user, editor, {"highlights": text})
    assert reply.status == 200 and not reply.body


def test_health_data_is_not_shared_by_default_and_needs_hrs_edit_before_approval_nl(harness, slack):
    summary = answer_everything(harness, LEAVER, improvements=BURN_OUT, submit=False)
    preview = str(summary.blocks)
    assert "standaard *niet* gedeeld" in preview  # said once, before sending
    assert "Niet standaard gedeeld: gaat over gezondheid" in preview  # at the quote itself
    harness.user.click(LEAVER, summary, "q:submit")
    harness.wait_for_stage(LEAVER, "submitted")

    card = card_for(slack, HR)
    shown = str(card.blocks)
    assert "Niet in het concept: bijzondere persoonsgegevens" in shown
    assert "*Bijzonder persoonsgegeven:* gezondheid" in shown and "burn-out" in shown
    assert "burn-out" not in review_row(harness).highlights  # never a default highlight

    # HR pastes the quote back unchanged: the card says why Approve cannot go, and it does not.
    edit_highlights(harness, slack, HR, card, BURN_OUT_QUOTE)
    assert "Goedkeuren kan nog niet" in str(current(slack, card).blocks)
    harness.user.click(HR, current(slack, card), "review:approve")
    assert "Goedkeuren kan niet" in slack.workspace.responses[-1]["text"]
    assert review_row(harness).decision is None

    # In HR's own words, without the health details, it can be approved.
    edit_highlights(harness, slack, HR, card, "Na een periode van afwezigheid kwam de planning vaak te laat.")
    assert "Goedkeuren kan nog niet" not in str(current(slack, card).blocks)
    harness.user.click(HR, current(slack, card), "review:approve")
    assert review_row(harness).decision == "approved"


def test_pregnancy_is_not_shared_by_default_and_needs_hrs_edit_before_approval_en(harness, slack):
    summary = answer_everything(harness, LEAVER_EN, improvements=PREGNANT, submit=False)
    preview = str(summary.blocks)
    assert "are *not* shared by default" in preview
    assert "Not shared by default: about pregnancy" in preview
    harness.user.click(LEAVER_EN, summary, "q:submit")
    harness.wait_for_stage(LEAVER_EN, "submitted")

    card = card_for(slack, HR_2)  # the English-speaking HR member
    shown = str(card.blocks)
    assert "Not in the draft: special-category data" in shown and "*Special-category data:* pregnancy" in shown
    assert "pregnant" not in review_row(harness).highlights

    edit_highlights(harness, slack, HR_2, card, PREGNANT)
    assert "Approving is not possible yet" in str(current(slack, card).blocks)
    harness.user.click(HR_2, current(slack, card), "review:approve")
    assert "Cannot approve" in slack.workspace.responses[-1]["text"]
    assert review_row(harness).decision is None


def test_a_leaver_who_leaves_the_passage_out_gives_hr_nothing_to_mark(harness, slack):
    summary = answer_everything(harness, LEAVER, improvements=BURN_OUT, submit=False)
    harness.user.click(LEAVER, summary, "q:share")  # leave it out
    harness.user.click(LEAVER, current(slack, summary), "q:submit")
    harness.wait_for_stage(LEAVER, "submitted")
    shown = str(card_for(slack, HR).blocks)
    assert "bijzondere persoonsgegevens" not in shown and "burn-out" not in shown


def test_bidi_controls_never_reach_the_leaver_hr_or_the_managers(harness, slack):
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    hidden = f"De plan{MARKS}ning kwam {MARKS}vaak te laat."
    summary = answer_everything(harness, LEAVER, improvements=hidden, submit=False)
    summary_text = as_sent(summary.blocks)
    assert "kwam vaak te laat" in summary_text
    assert not set(summary_text) & set(BIDI)
    harness.user.click(LEAVER, summary, "q:submit")
    harness.wait_for_stage(LEAVER, "submitted")
    answer_everything(harness, LEAVER_EN, improvements=f"More {MARKS}feedback please.")
    answer_everything(harness, "ULEAVER03", improvements="Te veel overwerk.")

    card = next(card for card in slack.dms_to(HR) if f"<@{LEAVER}>" in str(card.blocks))
    assert "kwam vaak te laat" in as_sent(card.blocks) and not set(as_sent(card.blocks)) & set(BIDI)
    edit_highlights(harness, slack, HR, card, f"Planning {MARKS}te laat, zei \u202eeiggaM\u202c.")
    assert "Planning te laat" in as_sent(current(slack, card).blocks)
    assert not set(as_sent(current(slack, card).blocks)) & set(BIDI)  # HR's own edit is shown without them
    approve_all(harness, slack)

    with harness.services.db.session() as session:
        last_day = max(session.scalars(select(Departure.last_day)))
    harness.clock.advance(timedelta(days=(last_day - harness.today()).days + 1))  # everyone has left
    harness.user.slash(HR, "digest")
    text = "\n".join(as_sent(message.blocks) for message in slack.messages_in(MANAGERS))
    assert "Te veel overwerk" in text and "Planning" in text and "eiggaM" in text  # HR's words, as HR wrote them
    assert not set(text) & set(BIDI)
