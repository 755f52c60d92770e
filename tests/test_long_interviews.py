"""Long interviews reach HR whole: nothing is cut off at Slack's block limits."""

from __future__ import annotations

from bot.blocks.review import answers_modal, answers_pages
from bot.i18n import Translator
from bot.operations import templates
from flows.template import parse_template
from tests.conftest import HR, LEAVER
from tests.steps import click, invite, latest
from tests.test_review import card_for

# 3,000 characters typed; escaped ("&amp;") five times as long: five full blocks for one answer.
QUESTIONS = 22


def long_template(questions: int) -> str:
    lines = ["id: long", "version: 1", "name: {nl: Lang gesprek, en: Long interview}",
             "intro: {nl: Veel vragen., en: Many questions.}", "questions:"]
    for n in range(1, questions + 1):
        lines += [f"  - id: q{n}", "    type: long_text", "    category: improvements",
                  f"    text: {{nl: \"Vraag {n}?\", en: \"Question {n}?\"}}"]
    lines += ["  - id: share", "    type: yes_no", "    category: consent", "    required: true",
              "    text: {nl: \"Mogen we hoofdpunten delen?\", en: \"May we share highlights?\"}"]
    return "\n".join(lines) + "\n"


def answer(n: int) -> str:
    return (f"Antwoord{n:02d} " + "&" * 3000)[:3000]


def test_hr_pages_through_every_answer_of_an_interview_longer_than_one_modal(harness, slack):
    templates.install(harness.services.db, long_template(QUESTIONS), HR, harness.clock.now())
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    for n in range(1, QUESTIONS + 1):  # each typed in the DM, then on to the next step
        assert harness.user.dm(LEAVER, answer(n)).status == 200
        click(harness, LEAVER, "q:next")
    click(harness, LEAVER, "q:choose:no")  # no quotes to draft: the submission stays quick
    harness.user.click(LEAVER, latest(slack, LEAVER), "q:submit")
    harness.wait_for_stage(LEAVER, "submitted")

    harness.user.click(HR, card_for(slack, HR), "review:view")
    assert len(slack.calls_to("views.open")) == 1
    view = next(v for v in slack.workspace.views.values() if "Vertrouwelijk" in str(v["blocks"][0]))
    pages = [view]
    while "review:answers_page" in str(pages[-1]["blocks"][-1]) and "Volgende" in str(pages[-1]["blocks"][-1]):
        assert len(pages) < 5, "the pages never end"
        assert harness.user.click_in_view(HR, pages[-1], "review:answers_page").status == 200
        pages.append(slack.workspace.views[view["id"]])
        assert pages[-1] is not pages[-2]
    assert len(pages) >= 2, "the answers fit one modal: make the interview longer"
    texts = []
    for page in pages:
        assert len(page["blocks"]) <= 100
        sections = [b["text"]["text"] for b in page["blocks"] if b["type"] == "section"]
        assert all(len(text) <= 3000 for text in sections)
        texts += sections
    shown = "".join(texts).replace("> ", "").replace(" ", "").replace("\n", "")
    for n in range(1, QUESTIONS + 1):
        assert f"Vraag{n}?" in shown and f"Antwoord{n:02d}" in shown, n
    # Split over blocks and pages, never cut (nor an entity cut in half): every "&" typed is there.
    assert shown.count("&amp;") == sum(answer(n).count("&") for n in range(1, QUESTIONS + 1))
    assert shown.count("&") == shown.count("&amp;")
    assert "Pagina 2 van" in str(pages[1]["blocks"])
    # The last page goes back, not further.
    assert "Vorige" in str(pages[-1]["blocks"][-1])


def test_a_page_turn_by_someone_outside_hr_shows_nothing(harness, slack):
    from tests.conftest import COLLEAGUE

    templates.install(harness.services.db, long_template(2), HR, harness.clock.now())
    forged = {"id": "V0FORGED1", "blocks": [{"type": "actions", "block_id": "b", "elements": [
        {"type": "button", "action_id": "review:answers_page", "value": "1:1", "text": {"type": "plain_text",
                                                                                       "text": "Volgende"}}]}]}
    assert harness.user.click_in_view(COLLEAGUE, forged, "review:answers_page").status == 200
    assert slack.calls_to("views.update") == []
    assert "alleen HR" in slack.dms_to(COLLEAGUE)[-1].text


def test_the_full_answers_are_packed_and_paged_never_cut():
    """The builder alone (data in, dicts out), on a template far longer than any modal."""
    template = parse_template(long_template(60))
    answers = {f"q{n}": {"value": answer(n)} for n in range(1, 61)} | {"share": {"value": True}}
    pages = answers_pages(Translator("en"), template, answers)
    texts = [text for page in pages for text in page]
    assert len(pages) >= 3 and all(len(text) <= 3000 for text in texts)
    shown = "".join(texts).replace("\n", "")
    assert shown.count("&amp;") == sum(answer(n).count("&") for n in range(1, 61))
    short = {f"q{n}": {"value": f"Short answer {n}."} for n in range(1, 61)} | {"share": {"value": True}}
    # Short answers share blocks: 61 questions in a handful of blocks, on one page without buttons.
    [only] = answers_pages(Translator("en"), template, short)
    assert len(only) <= 3
    for page in range(len(pages)):
        modal = answers_modal(Translator("nl"), template, answers, "x", review_id=7, page=page)
        assert len(modal["blocks"]) <= 100
        buttons = [e["value"] for b in modal["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert buttons == [v for v in (f"7:{page - 1}", f"7:{page + 1}")
                           if 0 <= int(v.split(":")[1]) < len(pages)]
