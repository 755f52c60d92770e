"""Where leavers go, in the managers' digest: counted from the choice questions about the new
employer, each question shown only when k leavers answered it, each option only when k picked it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.blocks.digest import digest_messages
from bot.i18n import LANGUAGES, Translator
from flows.aggregates import Roles, Tally, stats_of, tally_of, total, where_they_go
from flows.insights import for_managers
from flows.numbers import numbers_of
from flows.template import default_template, parse_template
from tests.conftest import HR

EXTRA_QUESTIONS = """
  - id: destination_type
    type: single_choice
    category: competitor
    text: {nl: "Wat voor werk ga je doen?", en: "What kind of work are you going to?"}
    options:
      - id: competitor
        text: {nl: Een concurrent, en: A competitor}
      - id: other_industry
        text: {nl: Een andere branche, en: Another industry}
      - id: own_business
        text: {nl: Een eigen bedrijf, en: My own business}
  - id: attractions
    type: multiple_choice
    category: competitor
    text: {nl: "Wat trekt je daar aan?", en: "What attracts you there?"}
    options:
      - id: pay
        text: {nl: Salaris, en: Pay}
      - id: remote
        text: {nl: Thuiswerken, en: Remote work}
      - id: technology
        text: {nl: Nieuwere techniek, en: Newer technology}
"""


def template_with_choices():
    shipped = Path(__file__).resolve().parents[1] / "flows" / "templates" / "shipped"
    source = (shipped / "standard-v2.yml").read_text(encoding="utf-8")
    source = source.replace("\nquestions:\n", "\nquestions:\n" + EXTRA_QUESTIONS, 1)
    return parse_template(source)


TEMPLATE = template_with_choices()


def tally(rows: list[dict]) -> Tally:
    return total(tally_of(numbers_of(TEMPLATE, answers)) for answers in rows)


def leaver(destination: str | None, attractions: list[str] | None) -> dict:
    answers = {"recommend": {"value": 7}, "consent": {"value": True}}
    answers["destination_type"] = {"value": destination} if destination else {"skipped": True}
    answers["attractions"] = {"values": attractions} if attractions else {"skipped": True}
    return answers


# Six leavers: five go to a competitor, one starts a business; all six name pay, three remote
# work, one newer technology.
SIX = [leaver("competitor", ["pay", "remote"]), leaver("competitor", ["pay", "remote"]),
       leaver("competitor", ["pay", "remote", "technology"]), leaver("competitor", ["pay"]),
       leaver("competitor", ["pay"]), leaver("own_business", ["pay"])]


def test_the_template_really_asks_where_with_choices():
    assert {q.id for q in TEMPLATE.questions} >= {"destination_type", "attractions"}


def test_an_option_picked_by_fewer_than_k_joins_the_rest_and_a_question_answered_by_fewer_is_withheld():
    figures = {figure.question_id: figure for figure in where_they_go(tally(SIX), TEMPLATE, 3)}
    destination = figures["destination_type"]
    # 5 competitor and 1 own business: showing the five tells that the sixth went elsewhere, and
    # who that is may be known: nothing of this question is shown.
    assert destination.answered == 6 and not destination.withheld
    assert destination.shown == () and destination.rest == 6
    attractions = figures["attractions"]
    assert dict(attractions.shown) == {"pay": 6, "remote": 3}
    assert attractions.rest == 0  # newer technology, picked once, is neither shown nor counted

    # Remote work picked by 3 of 4: the one who did not would stand out.
    four = where_they_go(tally(SIX[:3] + SIX[5:]), TEMPLATE, 3)
    assert dict(next(f for f in four if f.question_id == "attractions").shown) == {"pay": 4}

    two = where_they_go(tally(SIX[:2]), TEMPLATE, 3)
    assert all(figure.withheld and figure.shown == () for figure in two)


def test_a_template_that_asks_it_only_in_words_gives_no_section():
    from flows.template import shipped_template

    assert where_they_go(tally(SIX), shipped_template("standard", 2), 3) == ()
    assert {f.question_id for f in where_they_go(tally(SIX), default_template(), 3)} == {"destination_type",
                                                                                         "attractions"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_shows_where_they_go_only_as_far_as_k_allows(language):
    _ = Translator(language)
    counted = tally(SIX)
    stats = for_managers(stats_of(counted, Roles.of([TEMPLATE])))
    messages = digest_messages(_, template=TEMPLATE, stats=stats, previous=None, changes={}, signals=[],
                               highlights=[], period_label="", seed=1, min_answers=3,
                               where=where_they_go(counted, TEMPLATE, 3))
    text = "\n".join(str(blocks) for _t, blocks in messages)
    title = "Waar vertrekkers naartoe gaan" if language == "nl" else "Where leavers go"
    assert title in text
    pay, remote = ("Salaris", "Thuiswerken") if language == "nl" else ("Pay", "Remote work")
    assert f"{pay}: 6" in text and f"{remote}: 3" in text
    assert ("Nieuwere techniek" if language == "nl" else "Newer technology") not in text
    assert ("Een eigen bedrijf" if language == "nl" else "My own business") not in text
    assert ("6 antwoorden" if language == "nl" else "6 answers") in text

    few = tally(SIX[:2])
    messages = digest_messages(_, template=TEMPLATE, stats=for_managers(stats_of(few, Roles.of([TEMPLATE]))),
                               previous=None, changes={}, signals=[], highlights=[], period_label="", seed=1,
                               min_answers=3, where=where_they_go(few, TEMPLATE, 3))
    text = "\n".join(str(blocks) for _t, blocks in messages)
    assert ("te weinig antwoorden" if language == "nl" else "too few answers") in text
    assert pay + ":" not in text


def test_the_managers_digest_counts_where_leavers_go_from_the_standard_questionnaire(harness, slack):
    """End to end with the shipped template: four leavers answer where they go; the digest shows
    what at least three share and nothing that points at one of them."""
    from tests.conftest import LEAVER, LEAVER_EN
    from tests.steps import answer_everything
    from tests.test_digest import EXTRA, MANAGERS, after_last_days, approve_all, digest_text, setup_people

    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    leavers = [LEAVER, LEAVER_EN, *EXTRA]
    for number, employee in enumerate(leavers):
        where = {"destination_type": "own_business" if number == 4 else "competitor",
                 "attractions": ["pay", "technology"] if number < 3 else ["pay"]}
        answer_everything(harness, employee, reasons=("pay",), where=where)
    approve_all(harness, slack)
    after_last_days(harness)

    harness.user.slash(HR, "digest")
    text = digest_text(slack)
    where = text[text.index("Waar vertrekkers naartoe gaan"):]
    assert "Salaris: 5 keer" in where  # all five
    # Four of five went to a company in the field: showing that would tell where the fifth went.
    assert "Een bedrijf in onze branche" not in where and "Voor mezelf beginnen" not in where
    # Newer technology: three of five picked it, two did not; both sides hold at most two people.
    assert "De technologie waarmee ik werk" not in where
