"""The managers' digest, HR's report and the digest chart: numbers in the reader's language with their
n and uncertainty, changes only when real, signals with their numbers, highlights escaped, shuffled
and never cut, and nothing that points at a person."""

from __future__ import annotations

import html
import json
import typing
from datetime import date, timedelta
from typing import Any

import pytest

from bot.blocks.digest import SECTION_CHARS, category_label, digest_messages, quote_parts, withheld_message
from bot.blocks.report import COUNTS, report_messages
from bot.charts import digest_chart
from bot.i18n import LANGUAGES, Translator, catalog
from flows.insights import InterviewFacts, PeriodStats, SignalKind, changes, compute, shuffled, signals
from flows.template import Category, default_template

TEMPLATE = default_template()
RATINGS = ("working_conditions", "work_content", "working_relations", "employment_terms", "manager_support")
START = date(2026, 1, 5)


def interview(
    number: int,
    scores: tuple[int, int, int, int, int],
    reasons: list[str],
    recommend: int,
    come_back: str,
    comment: str | None = None,
) -> InterviewFacts:
    """One submitted interview with the default template, answered like a real leaver would."""
    answers: dict[str, Any] = {
        question: {"value": score, "comment": comment if question == "working_conditions" else None}
        for question, score in zip(RATINGS, scores, strict=True)
    }
    answers |= {
        "improvements": {"value": "Betere planning en minder overwerk."},
        "reasons": {"values": reasons, "other": "Verhuizing" if "other" in reasons else None},
        "reason_main": {"value": reasons[0]},
        "recommend": {"value": recommend},
        "come_back": {"value": come_back},
        "consent": {"value": True},
        "destination_type": {"skipped": True},
    }
    return InterviewFacts.from_template(number, START + timedelta(days=number), TEMPLATE, answers)


# The previous digest: seven leavers who were mostly content.
PREVIOUS = [
    interview(1, (5, 4, 4, 3, 4), ["career"], 9, "yes"),
    interview(2, (5, 4, 4, 3, 4), ["career", "commute"], 9, "yes"),
    interview(3, (5, 4, 4, 3, 4), ["career"], 10, "yes"),
    interview(4, (5, 4, 4, 3, 4), ["personal"], 9, "maybe"),
    interview(5, (5, 4, 4, 3, 4), ["career"], 8, "yes"),
    interview(6, (4, 4, 4, 3, 4), ["pay"], 9, "yes"),
    interview(7, (5, 4, 4, 3, 4), ["retirement"], 10, "yes"),
]
# This digest: five leavers, working conditions fell sharply, pay named often.
CURRENT = [
    interview(20, (2, 3, 4, 2, 3), ["pay", "workload"], 3, "no", comment="Te warm in de hal"),
    interview(21, (2, 4, 4, 2, 2), ["pay"], 5, "maybe"),
    interview(22, (1, 3, 5, 3, 3), ["pay", "career"], 6, "no"),
    interview(23, (2, 2, 4, 2, 3), ["workload"], 2, "yes"),
    interview(24, (2, 3, 3, 3, 4), ["other"], 7, "no"),
]

HIGHLIGHTS = [
    "De collega's waren geweldig, ik ga ze missen.",
    "Meer duidelijkheid over doorgroeien <!channel> & zo",
    "Plan het werk eerder, dan hoeft niemand in het weekend door te werken.",
    "Ping <@U012345> hierover",
    "De onboarding was goed geregeld.",
]


def build(language: str, *, highlights: list[str] | None = None, seed: int = 7, previous: bool = True):
    _ = Translator(language)
    current = compute(CURRENT)
    before = compute(PREVIOUS) if previous else None
    return digest_messages(
        _,
        template=TEMPLATE,
        stats=current,
        previous=before,
        changes=changes(current, before) if before is not None else {},
        signals=signals(current, before, compute(PREVIOUS + CURRENT)),
        highlights=HIGHLIGHTS if highlights is None else highlights,
        period_label="oktober–december 2026" if language == "nl" else "October–December 2026",
        seed=seed,
    )


def texts(messages: list[tuple[str, list[dict]]]) -> list[str]:
    """Every mrkdwn and plain text of every block, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for _text, blocks in messages:
        walk(blocks)
    return found


def everything(messages: list[tuple[str, list[dict]]]) -> str:
    return "\n".join([text for text, _blocks in messages] + texts(messages))


# --- the digest ------------------------------------------------------------------------------------


def test_reasons_are_a_readable_text_bar_chart_with_counts():
    nl = everything(build("nl"))
    assert "`██████░░░░` 60% · Salaris (3)" in nl
    assert "`████░░░░░░` 40% · Werkdruk of stress (2)" in nl
    assert "`██░░░░░░░░` 20% · Doorgroeimogelijkheden (1)" in nl
    assert "`██░░░░░░░░` 20% · Iets anders (1)" in nl
    assert "5 vertrekkers" in nl
    en = everything(build("en"))
    assert "`██████░░░░` 60% · Pay (3)" in en
    assert "`████░░░░░░` 40% · Workload or stress (2)" in en
    assert "```" not in en  # a text bar chart, not a code block


def test_header_says_what_it_covers():
    messages = build("en")
    first_text, first_blocks = messages[0]
    assert first_blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Exit interviews: what leavers told us", "emoji": True},
    }
    assert "Based on 5 exit interviews · October–December 2026" in everything(messages[:1])
    assert "Based on 5 exit interviews" in first_text


def test_averages_use_the_locales_decimal_separator_with_interval_for_small_n():
    nl = everything(build("nl"))
    en = everything(build("en"))
    assert "*Arbeidsomstandigheden:* 1,8 (n=5, 1,4–2,2)" in nl
    assert "*Working conditions:* 1.8 (n=5, 1.4–2.2)" in en
    assert "*Werkrelaties:* 4,0 (n=5, 3,3–4,7)" in nl
    assert "*Working relationships:* 4.0 (n=5, 3.3–4.7)" in en
    assert "*eNPS:* −80 (n=5, −88 tot −12)" in nl
    assert "*eNPS:* −80 (n=5, −88 to −12)" in en
    assert "1.8" not in nl
    assert "1,8" not in en


def test_no_interval_once_the_sample_is_large():
    many = [interview(100 + i, (4, 4, 3, 4, 4), ["pay"], 8, "yes") for i in range(12)]
    current = compute(many)
    text = everything(
        digest_messages(
            Translator("en"),
            template=TEMPLATE,
            stats=current,
            previous=None,
            changes={},
            signals=[],
            highlights=[],
            period_label="2026",
            seed=1,
        )
    )
    assert "*Working conditions:* 4.0 (n=12)" in text
    assert "4.0 (n=12," not in text
    assert "no real change" not in text and "▼ −" not in text  # no previous digest, no comparison
    assert "previous digest" not in text


def test_change_shows_a_real_drop_and_no_real_change_otherwise():
    current, before = compute(CURRENT), compute(PREVIOUS)
    found = changes(current, before)
    assert found["working_conditions"].real and found["working_conditions"].drop
    assert not found["working_relations"].real
    en = everything(build("en"))
    assert "*Working conditions:* 1.8 (n=5, 1.4–2.2) · ▼ −3.1 compared with the previous digest (4.9)" in en
    assert "*Working relationships:* 4.0 (n=5, 3.3–4.7) · no real change" in en
    nl = everything(build("nl"))
    assert "· ▼ −3,1 ten opzichte van het vorige overzicht (4,9)" in nl
    assert "*Werkrelaties:* 4,0 (n=5, 3,3–4,7) · geen echte verandering" in nl


def test_a_real_rise_gets_an_up_arrow():
    current, before = compute(PREVIOUS), compute(CURRENT)
    text = everything(
        digest_messages(
            Translator("en"),
            template=TEMPLATE,
            stats=current,
            previous=before,
            changes=changes(current, before),
            signals=[],
            highlights=[],
            period_label="Q1",
            seed=1,
        )
    )
    assert "· ▲ +3.1 compared with the previous digest (1.8)" in text
    assert "▼ −" not in text


def test_signals_are_rendered_with_the_numbers_behind_them():
    current, before = compute(CURRENT), compute(PREVIOUS)
    kinds = {signal.kind for signal in signals(current, before, None)}
    assert kinds == set(typing.get_args(SignalKind))  # the sample raises every kind
    en = everything(build("en"))
    assert "*What deserves attention*" in en
    assert "• *Working conditions* fell by 3.1: from 4.9 (n=7, 4.6–5.0) to 1.8 (n=5, 1.4–2.2)." in en
    assert "• *Pay* was named by 60% of leavers (3 of 5)." in en
    assert ("• *eNPS is negative:* −80 (n=5, −88 to −12), with 4 detractors compared with 0 promoters and "
            "1 passive.") in en
    assert "• *Working conditions* scores low: 1.8 (n=5, 1.4–2.2), the whole range below 3.0." in en
    assert "(all periods: " in en  # the context numbers of `overall`
    nl = everything(build("nl"))
    assert "• *Arbeidsomstandigheden* daalde met 3,1: van 4,9 (n=7, 4,6–5,0) naar 1,8 (n=5, 1,4–2,2)." in nl
    assert "• *Salaris* werd genoemd door 60% van de vertrekkers (3 van 5)." in nl
    assert "met 4 criticasters tegenover 0 promotors en 1 passieve." in nl  # never "1 passieven"


def test_no_signals_says_nothing_stands_out():
    current = compute(CURRENT)
    text = everything(
        digest_messages(
            Translator("en"),
            template=TEMPLATE,
            stats=current,
            previous=None,
            changes={},
            signals=[],
            highlights=[],
            period_label="Q1",
            seed=1,
        )
    )
    assert "Nothing stands out this time" in text


def test_come_back_share_with_its_range():
    en = everything(build("en"))
    assert "*Would come back:* 20% (1 of 5) · probably between" in en
    assert "*Zou terugkomen:* 20% (1 van 5)" in everything(build("nl"))


def test_highlights_are_escaped_quoted_and_all_present():
    messages = build("en")
    shown = texts(messages)
    quotes = [text for text in shown if text.startswith("> ")]
    assert len(quotes) == len(HIGHLIGHTS)
    assert "> Meer duidelijkheid over doorgroeien &lt;!channel&gt; &amp; zo" in quotes
    assert "> Ping &lt;@U012345&gt; hierover" in quotes
    assert sorted(html.unescape(quote[2:]) for quote in quotes) == sorted(HIGHLIGHTS)
    raw = json.dumps([blocks for _text, blocks in messages])
    assert "<!channel>" not in raw


def quote_order(messages) -> list[str]:
    return [html.unescape(text[2:]) for text in texts(messages) if text.startswith("> ")]


def test_highlights_are_shuffled_deterministically_by_the_seed():
    orders = {seed: quote_order(build("en", seed=seed)) for seed in range(10)}
    assert orders[3] == quote_order(build("en", seed=3))  # same seed, same order
    assert any(order != HIGHLIGHTS for order in orders.values())  # not in the order they came
    assert len({tuple(order) for order in orders.values()}) > 1  # the seed decides
    assert orders[5] == shuffled(HIGHLIGHTS, 5)


def test_a_long_digest_is_split_never_truncated():
    highlights = [
        f"Highlight {i:02d}: " + " ".join(["Het werk was zwaar maar de collega's waren top."] * 12) for i in range(60)
    ]
    messages = build("nl", highlights=highlights)
    assert len(messages) > 1
    for text, blocks in messages:
        assert text
        assert len(blocks) <= 50
        assert len(json.dumps(blocks, ensure_ascii=False)) < 16000
    joined = "\n".join(texts(messages))
    for i in range(60):
        assert joined.count(f"Highlight {i:02d}:") == 1
    assert sorted(quote_order(messages)) == sorted(highlights)
    assert messages[1][0] == "Exitgesprekken: wat vertrekkers ons vertelden (deel 2 van " + str(len(messages)) + ")"


def test_a_quote_longer_than_a_section_is_split_over_sections_not_cut():
    long = ("Dit is een lange zin over de werkdruk & de planning <!here>. " * 120).strip()
    assert len(long) > 2 * SECTION_CHARS
    parts = quote_parts(long)
    assert len(parts) >= 3
    assert all(len(part) <= SECTION_CHARS for part in parts)
    assert all(part.startswith("> ") for part in parts)
    assert "".join(html.unescape(part[2:]) for part in parts) == long
    # Also a "word" without spaces, and several lines, and entities at the cut.
    blob = "&" * 4000 + "\n" + "x" * 3500
    parts = quote_parts(blob)
    assert all(len(part) <= SECTION_CHARS for part in parts)
    lines = "\n".join(part for part in parts).split("\n")
    assert all(line.startswith("> ") for line in lines)
    assert html.unescape("".join(line[2:] for line in lines if "x" not in line)) == "&" * 4000
    assert "".join(line[2:] for line in lines if "x" in line) == "x" * 3500
    # In the digest: every section within Slack's limit, the text whole.
    messages = build("en", highlights=[long])
    sections = [block for _text, blocks in messages for block in blocks if block["type"] == "section"]
    assert all(len(block["text"]["text"]) <= 3000 for block in sections)
    assert "".join(quote_order(messages)) == long


def test_nothing_points_at_a_person():
    for language in LANGUAGES:
        text = everything(build(language)) + json.dumps(build(language))
        assert "<@" not in text
        assert "<!" not in text
        lowered = text.lower()
        for word in ("best", "worst", "beste", "slechtste", "ranking"):
            assert f" {word} " not in lowered


def test_empty_digest_period_is_graceful():
    empty = compute([])
    messages = digest_messages(
        Translator("en"),
        template=TEMPLATE,
        stats=empty,
        previous=None,
        changes={},
        signals=[],
        highlights=["", "  "],
        period_label="Q1",
        seed=1,
    )
    text = everything(messages)
    assert "No reasons given." in text
    assert "No scores given." in text
    assert "*eNPS:* no answers yet" in text
    assert "> " not in text


def test_withheld_message_for_hr():
    text, blocks = withheld_message(Translator("en"), 2, 3)
    assert text == (
        ":hourglass_flowing_sand: The digest is on hold: 2 approved interviews so far, at least 3 needed so "
        "that nobody can be singled out."
    )
    assert blocks[0]["text"]["text"] == text
    assert "1 approved interview so far" in withheld_message(Translator("en"), 1, 3)[0]
    assert "2 goedgekeurde exitgesprekken" in withheld_message(Translator("nl"), 2, 3)[0]


# --- the HR report -------------------------------------------------------------------------------------

COUNTED = {
    "registered": 9,
    "invited": 7,
    "answered": 4,
    "talks": 1,
    "declined": 1,
    "withdrawn": 0,
    "expired": 1,
    "unreachable": 0,
}


def report(language: str, stats: PeriodStats, monthly, counts=COUNTED, found=()):
    return report_messages(
        Translator(language),
        template=TEMPLATE,
        period_from=date(2026, 1, 1),
        period_to=date(2026, 3, 31),
        counts=counts,
        stats=stats,
        monthly=monthly,
        signals=list(found),
    )


def test_report_shows_counts_participation_reasons_months_and_signals():
    current, before = compute(CURRENT), compute(PREVIOUS)
    messages = report(
        "en",
        current,
        [("2026-01", before), ("2026-02", compute([])), ("2026-03", current)],
        found=signals(current, before, None),
    )
    text = everything(messages)
    assert messages[0][1][0]["text"]["text"] == "Exit interview report"
    assert "January 1, 2026 to March 31, 2026" in text
    assert "*Registered*\n9" in text
    assert "*Took part*\n71% (5 of 7 invited)" in text
    assert "`██████░░░░` 60% · Pay (3)" in text
    table = next(t for t in texts(messages) if t.startswith("```"))
    rows = table.strip("`\n").split("\n")
    assert rows[0].split() == ["2026-01", "2026-03"]  # a month without interviews has no column
    assert rows[1].split() == ["Interviews", "7", "5"]
    assert rows[2].split() == ["Working", "conditions", "4.9", "1.8"]
    assert rows[-1].split() == ["eNPS", "+86", "−80"]
    assert "*eNPS:* −80 (n=5, −88 to −12)" in text
    assert "• *Working conditions* fell by 3.1" in text
    nl = everything(report("nl", current, [("jan", before), ("mrt", current)]))
    assert "*Deelgenomen*\n71% (5 van 7 uitgenodigd)" in nl
    assert any(line.split() == ["Arbeidsomstandigheden", "4,9", "1,8"] for line in nl.split("\n"))


def test_report_splits_long_month_tables():
    current = compute(CURRENT)
    monthly = [(f"2025-{m:02d}", current) for m in range(1, 13)]
    tables = [t for t in texts(report("en", current, monthly)) if t.startswith("```")]
    assert len(tables) == 2
    assert all(len(t) <= 3000 for t in tables)


@pytest.mark.parametrize("language", LANGUAGES)
def test_report_of_an_empty_period(language):
    empty = compute([])
    messages = report(language, empty, [], counts={})
    text = everything(messages)
    assert catalog(language)["report.empty"] in text
    assert catalog(language)["report.participation.none"] in text
    assert "```" not in text
    assert len(messages) == 1
    assert "No interviews in this period." in everything(report("en", empty, [("2026-01", empty)], counts={}))


# --- the chart -------------------------------------------------------------------------------------------


def test_chart_is_a_png_made_headless():
    # How fast it is made is measured by benchmarks/, not here: a busy machine is not a bug.
    current, before = compute(CURRENT), compute(PREVIOUS)
    monthly = [("jan", before), ("feb", compute([])), ("mrt", current)]
    png = digest_chart(Translator("nl"), template=TEMPLATE, stats=current, periods=monthly)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5000


def test_chart_of_nothing_is_still_a_png():
    empty = compute([])
    png = digest_chart(Translator("en"), template=TEMPLATE, stats=empty, periods=[])
    assert png.startswith(b"\x89PNG")


# --- catalog families used through variables --------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dynamic_key_exists(language):
    messages = catalog(language)
    keys = [f"signal.{kind}" for kind in typing.get_args(SignalKind)]
    keys += [f"digest.category.{category}" for category in Category]
    keys += [f"report.count.{name}" for name in COUNTS]
    assert [key for key in keys if not messages.get(key)] == []


@pytest.mark.parametrize(
    ("language", "too_few", "reasons_left_out", "enps_plain", "back_too_few"),
    [
        ("nl", "te weinig antwoorden", "staan er niet bij", "*eNPS:* −80 (n=5",
         "*Zou terugkomen:* te weinig antwoorden"),
        ("en", "too few answers", "are left out", "*eNPS:* −80 (n=5", "*Would come back:* too few answers"),
    ],
)
def test_the_managers_view_says_too_few_answers_where_a_figure_is_withheld(
    language, too_few, reasons_left_out, enps_plain, back_too_few
):
    from flows.insights import for_managers

    _ = Translator(language)
    skipped_manager = [
        InterviewFacts(f.interview_id, f.submitted_on, f.layout,
                       {**f.answers, "manager_support": {"skipped": True}} if f.interview_id != 20 else f.answers)
        for f in CURRENT
    ]
    shown = for_managers(compute(skipped_manager))
    messages = digest_messages(_, template=TEMPLATE, stats=shown, previous=None, changes={}, signals=[],
                               highlights=[], period_label="2026", seed=1, waiting=2, min_answers=3)
    text = "\n".join(texts(messages))
    manager = category_label(_, "manager")
    assert f"*{manager}:* {too_few}" in text and "3,0 (n=1" not in text and "3.0 (n=1" not in text
    assert reasons_left_out in text  # pay (3 of 5) and the rest each leave a group of 1 or 2
    assert enps_plain in text and "promotor" not in text.split("eNPS:")[1].split("\n")[0]
    assert back_too_few in text  # 1 of 5 would come back
    assert ("Nog 2 gesprekken wachten" if language == "nl" else "2 more interviews are waiting") in text
    assert digest_chart(_, template=TEMPLATE, stats=shown, periods=[("2026", shown)]).startswith(b"\x89PNG")
