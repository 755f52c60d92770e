"""Text that grows past Slack's limits once escaped never stops a leaver, HR or the sweep."""

from __future__ import annotations

from tests.conftest import HR, LEAVER, LEAVER_EN
from tests.steps import answer_everything

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


def test_one_leavers_long_answer_does_not_stop_the_sweep_for_others(harness):
    answer_everything(harness, LEAVER, improvements=HOSTILE, consent=True, submit=False)
    answer_everything(harness, LEAVER_EN, submit=False)
    harness.user.dm(LEAVER_EN, "pause")
    # the sweep keeps running: every DM the bot tries reaches Slack without an error
    rejected = [c for c in harness.slack.calls_to("chat.postMessage") if c.params.get("channel") is None]
    assert not rejected
    assert HR
