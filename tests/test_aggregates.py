"""Figures from sums and counts (flows.aggregates) equal the figures from every interview
(flows.insights.compute), and a tally of days adds up to the tally of the whole."""

from __future__ import annotations

import random
from datetime import date

import pytest

from flows.aggregates import Roles, Tally, main_reasons, stats_of, total
from flows.aggregates import tally_of as one_tally
from flows.insights import InterviewFacts, compute
from flows.numbers import numbers_of
from flows.template import default_template


def tally_of(answers_list) -> Tally:
    """What storage.numbers adds up for these interviews (tested against SQL in test_numbers)."""
    template = default_template()
    return total(one_tally(numbers_of(template, answers)) for answers in answers_list)


def random_answers(rng: random.Random) -> dict:
    answers = {q: {"value": rng.randint(1, 5)} if rng.random() < 0.9 else {"skipped": True}
               for q in ("working_conditions", "work_content", "working_relations", "employment_terms",
                         "manager_support")}
    reasons = rng.sample(["pay", "career", "workload", "culture"], rng.randint(1, 3))
    answers["reasons"] = {"values": reasons}
    if len(reasons) > 1:
        answers["reason_main"] = {"value": rng.choice(reasons)}
    answers["recommend"] = {"value": rng.randint(0, 10)}
    answers["come_back"] = {"value": rng.choice(["yes", "maybe", "no"])}
    return answers


@pytest.mark.parametrize("size", [1, 2, 7, 40])
def test_figures_from_a_tally_equal_the_figures_from_the_interviews(size):
    rng = random.Random(size)
    template = default_template()
    interviews = [random_answers(rng) for _ in range(size)]
    facts = [InterviewFacts.from_template(i, date(2026, 1, 1), template, a) for i, a in enumerate(interviews)]
    expected = compute(facts)
    got = stats_of(tally_of(interviews), Roles.of([template]))
    assert (got.count, got.reasons, got.reasons_n, got.come_back) == (
        expected.count, expected.reasons, expected.reasons_n, expected.come_back)
    assert list(got.categories) == list(expected.categories)
    for category, mean in expected.categories.items():
        assert got.categories[category].n == mean.n
        for field in ("value", "low", "high"):
            assert getattr(got.categories[category], field) == pytest.approx(getattr(mean, field), abs=1e-9)
    assert got.enps == expected.enps


def test_tallies_add_up_and_survive_json():
    rng = random.Random(3)
    interviews = [random_answers(rng) for _ in range(30)]
    whole = tally_of(interviews)
    parts = total([tally_of(interviews[:10]), tally_of(interviews[10:25]), tally_of(interviews[25:])])
    assert parts == whole
    assert Tally.from_json(whole.to_json()) == whole


def test_the_main_reason_is_counted_and_a_single_reason_weighs_most():
    interviews = [{"reasons": {"values": ["pay"]}},
                  {"reasons": {"values": ["pay", "career"]}, "reason_main": {"value": "career"}},
                  {"reasons": {"values": ["career", "culture"]}, "reason_main": {"value": "career"}}]
    main = main_reasons(tally_of(interviews), Roles.of([default_template()]))
    assert main.n == 3
    assert [(r.reason, r.count) for r in main.reasons] == [("career", 2), ("pay", 1)]
