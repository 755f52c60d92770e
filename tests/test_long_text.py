"""Text that grows past Slack's limits once escaped never stops a leaver, HR or the sweep."""

from __future__ import annotations

from tests.conftest import HR, LEAVER
from tests.steps import answer_everything
from tests.test_review import card_for

# 3,000 characters typed; escaped ("R&amp;D &lt;b&gt;") it is more than twice as long.
HOSTILE = ("R&D <b> " * 400)[:3000]


def sections(message):
    return [b["text"]["text"] for b in message.blocks if b.get("type") == "section" and "text" in b]


def test_a_long_escaped_answer_still_reaches_the_summary_and_is_sent(harness):
    summary = answer_everything(harness, LEAVER, improvements=HOSTILE, consent=True)

    assert harness.stage_of(LEAVER) == "submitted"
    assert summary.blocks, "the summary was posted"
    for message in harness.slack.dms_to(LEAVER):
        for text in sections(message):
            assert len(text) <= 3000
    assert any("R&amp;D &lt;b&gt;" in text for text in sections(summary)), "the answer is shown, escaped"


def test_hr_sees_the_card_and_every_character_of_the_long_answer(harness):
    answer_everything(harness, LEAVER, improvements=HOSTILE, consent=True)
    card = card_for(harness.slack, HR)
    assert all(len(text) <= 3000 for text in sections(card))

    harness.user.click(HR, card, "review:view")
    answers_view = list(harness.slack.workspace.views.values())[-1]
    texts = [b["text"]["text"] for b in answers_view["blocks"] if b.get("type") == "section"]
    assert all(len(text) <= 3000 for text in texts)
    shown = "".join(texts).replace("> ", "").replace(" ", "")  # blocks are cut at a space
    # split over blocks, not cut: every escaped "R&D <b>" typed is there
    assert shown.count("R&amp;D&lt;b&gt;") == HOSTILE.count("R&D <b>")
