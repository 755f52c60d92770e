"""Withdraw: real words on every surface, offered only while it works, and the Home tells the truth.

Issue 11: the confirm dialog showed raw catalog keys ("q:withdraw.title: q:withdraw.text /
q:withdraw.confirm") everywhere, and after HR had processed the answers Withdraw was still offered
(then refused) while the App Home said the answers could still be withdrawn.
"""

from __future__ import annotations

import pytest

from bot.i18n import catalog
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN
from tests.steps import answer_everything, click, invite, latest

CASES = {"nl": (LEAVER, HR), "en": (LEAVER_EN, HR_2)}


def withdraw_buttons(blocks) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "q:withdraw"]


def assert_real_words(button: dict, language: str) -> None:
    messages = catalog(language)
    confirm = button["confirm"]
    shown = [confirm["title"]["text"], confirm["text"]["text"], confirm["confirm"]["text"], confirm["deny"]["text"]]
    assert shown == [messages["q.withdraw.title"], messages["q.withdraw.text"], messages["q.withdraw.confirm"],
                     messages["q.withdraw.deny"]]
    assert not any("withdraw." in text for text in shown)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_withdraw_button_asks_in_real_words(harness, slack, language):
    leaver, _ = CASES[language]
    invitation = invite(harness, leaver)
    harness.user.click(leaver, invitation, "invitation.answer")
    intro = slack.wait_for(lambda: [m for m in slack.dms_to(leaver) if withdraw_buttons(m.blocks)], what="intro")[0]
    surfaces = {"intro": intro}
    click(harness, leaver, "q:pause")
    surfaces["paused"] = latest(slack, leaver)
    harness.user.open_home(leaver)
    surfaces["home"] = slack.workspace.home_views[leaver]
    for name, surface in surfaces.items():
        blocks = surface["blocks"] if isinstance(surface, dict) else surface.blocks
        buttons = withdraw_buttons(blocks)
        assert len(buttons) == 1, name
        assert_real_words(buttons[0], language)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_once_hr_processed_the_answers_withdraw_is_no_longer_offered_and_the_home_says_so(harness, slack, language):
    leaver, hr = CASES[language]
    summary = answer_everything(harness, leaver, submit=False)
    [button] = withdraw_buttons(summary.blocks)
    assert_real_words(button, language)
    harness.user.click(leaver, summary, "q:submit")
    harness.wait_for_stage(leaver, "submitted")
    thanks = latest(slack, leaver)
    [button] = withdraw_buttons(thanks.blocks)
    assert_real_words(button, language)
    harness.user.open_home(leaver)
    assert withdraw_buttons(slack.workspace.home_views[leaver]["blocks"])  # still works: offered

    card = slack.wait_for(lambda: [m for m in slack.dms_to(hr) if m.text in ("Exitgesprek om te beoordelen",
                                                                           "Exit interview to review")],
                          what="review card")[-1]
    harness.user.click(hr, card, "review:approve")

    messages = catalog(language)
    for message in slack.dms_to(leaver):  # the intro and the goodbye: no Withdraw left anywhere
        assert withdraw_buttons(slack.message(message.channel, message.ts).blocks) == []
    goodbye = slack.message(thanks.channel, thanks.ts)
    assert messages["q.thanks.processed"] in str(goodbye.blocks)
    home = slack.workspace.home_views[leaver]  # refreshed without the leaver opening it again
    assert withdraw_buttons(home["blocks"]) == []
    home_text = str(home["blocks"])
    assert messages["home.leaver.processed"].split("{")[0] in home_text
    assert messages["home.leaver.submitted"].split("{")[0] not in home_text


def test_withdrawing_takes_the_button_off_the_intro_too(harness, slack):
    summary = answer_everything(harness, LEAVER, submit=False)
    harness.user.click(LEAVER, summary, "q:withdraw")
    harness.wait_for_stage(LEAVER, "withdrawn")
    for message in slack.dms_to(LEAVER):
        assert withdraw_buttons(slack.message(message.channel, message.ts).blocks) == []
    harness.user.open_home(LEAVER)
    assert withdraw_buttons(slack.workspace.home_views[LEAVER]["blocks"]) == []


def test_a_closed_questionnaire_no_longer_offers_withdraw_or_answers(harness, slack):
    from datetime import timedelta

    from sqlalchemy import select

    from storage.models import Departure

    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:choose:4")
    with harness.services.db.session() as session:
        last_day = session.scalars(select(Departure.last_day)).one()
    harness.clock.advance(timedelta(days=(last_day - harness.today()).days + 16))
    harness.bot.scheduler.run_sweep_now()
    harness.wait_for_stage(LEAVER, "expired")
    current = slack.dms_to(LEAVER)[-1]  # the question being asked: no buttons to click either
    slack.wait_for(lambda: "gesloten" in str(slack.message(current.channel, current.ts).blocks),
                   what="the open question closed")
    slack.wait_for(lambda: all(not withdraw_buttons(slack.message(m.channel, m.ts).blocks)
                               for m in slack.dms_to(LEAVER)), what="no Withdraw left in the DM")
