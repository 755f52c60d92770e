"""HR reviews each submitted interview; the leaver decides what could be shared."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Review
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, MANAGER
from tests.steps import answer_everything

PERSONAL = "Mira Peeters plande alles op het laatste moment, mail haar gerust: mira@example.com of 06-12345678."


def review_row(harness) -> Review:
    with harness.services.db.session() as session:
        return session.scalars(select(Review)).one()


def card_for(slack, hr_user):
    return slack.wait_for(
        lambda: [m for m in slack.dms_to(hr_user) if "beoordelen" in m.text or "to review" in m.text],
        what="review card",
    )[-1]


def test_the_leaver_sees_what_could_be_shared_and_can_leave_it_out(harness, slack):
    summary = answer_everything(harness, LEAVER, improvements=PERSONAL, submit=False)
    preview = str(summary.blocks)
    assert "Wat het managementkanaal mag krijgen" in preview
    assert "[naam]" in preview and "Peeters" not in preview.split("Wat het managementkanaal")[1]
    assert "mira@example.com" not in preview.split("Wat het managementkanaal")[1]

    harness.user.click(LEAVER, summary, "q:share")  # leave the quote out
    updated = slack.message(summary.channel, summary.ts)
    assert "Weggelaten" in str(updated.blocks)
    harness.user.click(LEAVER, updated, "q:submit")
    harness.wait_for_stage(LEAVER, "submitted")

    card = card_for(slack, HR)
    assert "<@ULEAVER01>" in str(card.blocks)  # HR sees who
    assert "[naam]" not in str(card.blocks)  # the quote the leaver left out is not in the draft
    assert review_row(harness).highlights == ""


def test_hr_reviews_edits_and_approves_once(harness, slack):
    answer_everything(harness, LEAVER, improvements=PERSONAL, manager=MANAGER, reasons=("career", "pay"))
    card = card_for(slack, HR)
    english_card = card_for(slack, HR_2)
    assert "Concept-hoofdpunten" in str(card.blocks) and "Draft highlights" in str(english_card.blocks)
    draft = review_row(harness).highlights
    assert "[naam]" in draft and "[e-mail]" in draft and "[telefoon]" in draft
    assert "Mira" not in draft and "06-12345678" not in draft

    # Not HR: refused, nothing changes.
    harness.user.click(COLLEAGUE, card, "review:approve")
    assert "alleen HR" in slack.workspace.responses[-1]["text"]
    opened = len(slack.calls_to("views.open"))
    harness.user.click(COLLEAGUE, card, "review:view")
    assert len(slack.calls_to("views.open")) == opened
    assert review_row(harness).decision is None

    # HR reads everything, then edits the highlights.
    harness.user.click(HR, card, "review:view")
    answers_view = list(slack.workspace.views.values())[-1]
    assert "Vertrouwelijk" in str(answers_view["blocks"][0]) and "mira@example.com" in str(answers_view)
    weighed = next(b["text"]["text"] for b in answers_view["blocks"] if "zwaarst" in b.get("text", {}).get("text", ""))
    assert "Doorgroeimogelijkheden" in weighed  # the option's text, not its id
    harness.user.click(HR, card, "review:edit")
    editor = list(slack.workspace.views.values())[-1]
    reply = harness.user.submit_view(HR, editor, {"highlights": "Planning kwam vaak te laat.\n\nMeer overleg."})
    assert reply.status == 200 and not reply.body
    assert review_row(harness).highlights == "Planning kwam vaak te laat.\n\nMeer overleg."
    assert "Meer overleg" in str(slack.message(card.channel, card.ts).blocks)

    harness.user.click(HR, card, "review:approve")
    row = review_row(harness)
    assert (row.decision, row.decided_by) == ("approved", HR)
    for message in (card, english_card):  # every HR copy shows the outcome, no decision buttons left
        shown = slack.message(message.channel, message.ts)
        assert "review:approve" not in str(shown.blocks)
    assert "Goedgekeurd door <@UHRANNA01>" in str(slack.message(card.channel, card.ts).blocks)

    harness.user.click(HR_2, english_card, "review:private")  # the stale card of another HR user
    assert "already been decided" in slack.workspace.responses[-1]["text"]
    assert review_row(harness).decision == "approved"

    # After HR's decision Withdraw is no longer offered, and the goodbye says why.
    thanks = next(m for m in slack.dms_to(LEAVER) if m.text == "Dank je wel!")
    shown = slack.message(thanks.channel, thanks.ts)
    assert "q:withdraw" not in str(shown.blocks) and "verwerkt" in str(shown.blocks)


def test_without_consent_nothing_is_drafted_for_management(harness, slack):
    answer_everything(harness, LEAVER, improvements=PERSONAL, consent=False)
    card = card_for(slack, HR)
    assert "geen toestemming" in str(card.blocks)
    assert review_row(harness).highlights == ""
    assert "review:edit" not in str(card.blocks)


def test_keep_private_is_recorded_with_who_and_when(harness, slack):
    answer_everything(harness, LEAVER)
    card = card_for(slack, HR)
    harness.user.click(HR, card, "review:private")
    row = review_row(harness)
    assert row.decision == "private" and row.decided_by == HR and row.decided_at is not None
    with harness.services.db.session() as session:
        from storage import repositories as repo

        [entry] = repo.audit_entries(session, action="review_decided")
        assert (entry.actor, entry.subject, entry.detail["decision"]) == (HR, LEAVER, "private")
    assert "Vertrouwelijk gehouden door <@UHRANNA01>" in str(slack.message(card.channel, card.ts).blocks)
