"""Insights: averages, shares and eNPS with honest intervals, signals only for changes that are more
than noise, breakdowns shown whole or not at all, and the small helpers of the digest."""

from __future__ import annotations

import math
import statistics
from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.insights import (
    DEFAULT_THRESHOLDS,
    UNKNOWN,
    Change,
    Enps,
    InterviewFacts,
    Layout,
    Mean,
    Moments,
    PeriodAggregates,
    PeriodStats,
    ReasonCount,
    Share,
    Signal,
    Thresholds,
    aggregate,
    bar,
    breakdown,
    by_department,
    by_tenure_band,
    changes,
    clean_cell,
    compute,
    digest_ready,
    enough_answers,
    enps_from,
    enps_of,
    for_managers,
    from_published_record,
    mean_from,
    mean_of,
    published_record,
    share_of,
    shuffled,
    signals,
    stats_from,
    t_quantile,
    tenure_band,
)
from flows.questionnaire import Phase, Questionnaire, State
from flows.template import default_template, parse_template

TEMPLATE = default_template()
LAYOUT = Layout.of(TEMPLATE)
RATING_IDS = ("working_conditions", "work_content", "working_relations", "employment_terms", "manager_support")
START = date(2025, 3, 3)
SKIP = {"skipped": True}


def leaver(number: int, department: str | None = None, tenure: float | None = None, **answers: Any) -> InterviewFacts:
    """One interview with the default template. Ratings, `recommend` and `come_back` take the bare
    value, `reasons` a list of option ids; None stores a skip."""
    stored: dict[str, Any] = {}
    for question_id, value in answers.items():
        if value is None:
            stored[question_id] = SKIP
        elif question_id in RATING_IDS:
            stored[question_id] = {"value": value, "comment": None}
        elif question_id == "reasons":
            stored[question_id] = {"values": list(value), "other": None}
        elif question_id == "consent":
            stored[question_id] = {"value": value}
        else:
            stored[question_id] = {"value": value}
    return InterviewFacts.from_template(
        number, START + timedelta(days=number), TEMPLATE, stored, department=department, tenure_years=tenure
    )


def sample(first: int = 1, department: str | None = None, **columns: list[Any]) -> list[InterviewFacts]:
    """A period: column lists of equal length, one interview per position."""
    sizes = {len(column) for column in columns.values()}
    assert len(sizes) == 1, "columns must be equally long"
    size = sizes.pop()
    return [
        leaver(first + i, department=department, **{key: column[i] for key, column in columns.items()})
        for i in range(size)
    ]


def half_width(values: list[float], confidence: float = 0.90) -> float:
    n = len(values)
    return t_quantile((1 + confidence) / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)


# --- configuration ---------------------------------------------------------------------------------


def test_thresholds_defaults_in_one_place():
    assert Thresholds() == DEFAULT_THRESHOLDS
    assert (
        DEFAULT_THRESHOLDS.min_group_size,
        DEFAULT_THRESHOLDS.drop_threshold,
        DEFAULT_THRESHOLDS.reason_share,
        DEFAULT_THRESHOLDS.low_score,
        DEFAULT_THRESHOLDS.confidence,
    ) == (3, 0.5, 0.40, 3.0, 0.90)
    with pytest.raises(FrozenInstanceError):
        DEFAULT_THRESHOLDS.min_group_size = 1  # type: ignore[misc]


@pytest.mark.parametrize("asked, used", [(0, 3), (1, 3), (2, 3), (3, 3), (5, 5)])
def test_min_group_size_is_never_below_three(asked, used):
    assert Thresholds(min_group_size=asked).min_group_size == used


@pytest.mark.parametrize(
    "changes_",
    [
        {"confidence": 0},
        {"confidence": 1},
        {"confidence": 1.5},
        {"reason_share": 0},
        {"reason_share": 1.2},
        {"drop_threshold": -0.1},
        {"drop_threshold": math.nan},
        {"low_score": math.inf},
    ],
)
def test_thresholds_refuse_nonsense(changes_):
    with pytest.raises(ValueError):
        Thresholds(**changes_)


# --- reading interviews ----------------------------------------------------------------------------


def test_layout_of_the_default_template():
    assert Layout.of(TEMPLATE) == Layout(
        ratings=(
            ("working_conditions", "working_conditions"),
            ("work_content", "work_content"),
            ("working_relations", "working_relations"),
            ("employment_terms", "employment_terms"),
            ("manager_support", "manager"),
        ),
        reasons="reasons",
        recommendation="recommend",
        come_back="come_back",
        consent="consent",
    )
    hash(LAYOUT)  # small and immutable: one per template, shared by its interviews


CUSTOM = """
id: short
version: 2
name: {nl: Kort, en: Short}
intro: {nl: Hallo, en: Hello}
questions:
  - id: pay_level
    type: rating
    category: employment_terms
    text: {nl: Salaris, en: Pay}
    labels: &l
      nl: [a, b, c, d, e]
      en: [a, b, c, d, e]
  - id: benefits
    type: rating
    category: employment_terms
    text: {nl: Extra's, en: Benefits}
    labels: *l
  - id: boss
    type: rating
    category: manager
    text: {nl: Baas, en: Boss}
    labels: *l
  - id: why
    type: multiple_choice
    category: reasons
    text: {nl: Waarom, en: Why}
    options:
      - {id: money, text: {nl: Geld, en: Money}}
      - {id: boss, text: {nl: Baas, en: Boss}}
  - id: again
    type: single_choice
    category: return
    text: {nl: Terug, en: Back}
    options:
      - {id: "yes", text: {nl: Ja, en: "Yes"}}
      - {id: "no", text: {nl: Nee, en: "No"}}
  - id: ok
    type: yes_no
    category: consent
    text: {nl: Delen, en: Share}
"""


def test_a_custom_template_is_read_by_type_and_category():
    template = parse_template(CUSTOM)
    layout = Layout.of(template)
    assert layout.ratings == (("pay_level", "employment_terms"), ("benefits", "employment_terms"), ("boss", "manager"))
    assert (layout.reasons, layout.recommendation, layout.come_back, layout.consent) == ("why", None, "again", "ok")

    def one(number: int, pay: int, benefits: int | None, boss: int, why: list[str], again: str) -> InterviewFacts:
        answers = {
            "pay_level": {"value": pay, "comment": None},
            "benefits": SKIP if benefits is None else {"value": benefits, "comment": None},
            "boss": {"value": boss, "comment": None},
            "why": {"values": why, "other": None},
            "again": {"value": again},
            "ok": {"value": True},
        }
        return InterviewFacts.from_template(number, START, template, answers)

    period = [one(1, 2, 4, 5, ["money"], "yes"), one(2, 1, None, 4, ["money", "boss"], "no"), one(3, 3, 3, 3, [], "no")]
    stats = compute(period)
    # Two ratings in one category: one value per interview (their average), so n counts people.
    assert stats.categories["employment_terms"].value == pytest.approx((3 + 1 + 3) / 3)
    assert stats.categories["employment_terms"].n == 3
    assert stats.categories["manager"].value == 4.0
    assert list(stats.categories) == ["employment_terms", "manager"]
    # An empty pick is no answer to the reasons question.
    assert stats.reasons_n == 2
    assert stats.reasons == (ReasonCount("money", 2, 1.0), ReasonCount("boss", 1, 0.5))
    assert stats.enps is None  # no recommendation question in this template
    assert (stats.come_back.count, stats.come_back.n) == (1, 3)


def test_answers_from_a_real_walk_through_the_questionnaire():
    questionnaire = Questionnaire(TEMPLATE)
    state = questionnaire.start(questionnaire.new_state())
    given_answers = {
        "working_conditions": 4,
        "work_content": 2,
        "working_relations": 5,
        "manager_support": 1,
        "reasons": ["pay", "leadership"],
        "reason_main": "leadership",
        "recommend": 6,
        "come_back": "maybe",
        "consent": True,
    }
    for _turn in range(100):  # step by step, as the leaver goes; never more turns than questions
        if state.phase is not Phase.ASKING:
            break
        step = questionnaire.current_step(state)
        raws = {q.id: given_answers[q.id] for q in step if q.id in given_answers}
        if len(step) == 1 and raws:
            state = questionnaire.answer(state, step[0].id, raws[step[0].id])
        elif raws:
            state = questionnaire.answer_step(state, step[0].id, raws)
        else:
            state = questionnaire.skip_rest(state, step[0].id)
        assert isinstance(state, State), state
    assert state.phase is not Phase.ASKING
    state = questionnaire.submit(state)
    assert isinstance(state, State) and state.phase is Phase.SUBMITTED
    facts = InterviewFacts.from_template(7, START, TEMPLATE, questionnaire.final_answers(state), "Sales", 3.5)
    assert facts.consented is True
    assert facts.ratings() == {"working_conditions": 4.0, "work_content": 2.0, "working_relations": 5.0, "manager": 1.0}
    stats = compute([facts])
    assert stats.count == 1
    assert "employment_terms" not in stats.categories  # skipped
    assert stats.categories["manager"] == Mean(1.0, 1, 1.0, 5.0)  # one answer: the whole scale
    assert stats.reasons == (ReasonCount("leadership", 1, 1.0), ReasonCount("pay", 1, 1.0))
    assert stats.enps.value == -100.0 and stats.enps.n == 1
    assert (stats.enps.low, stats.enps.high) == (-100.0, 100.0)
    assert stats.come_back.value == 0.0  # "maybe" is not yes


def test_skipped_missing_and_malformed_answers_are_ignored():
    period = [
        leaver(1, working_conditions=4, reasons=["pay"], recommend=9, come_back="yes"),
        leaver(2, working_conditions=None, reasons=None, recommend=None, come_back=None),  # all skipped
        leaver(3),  # nothing answered at all
        InterviewFacts(
            4,
            START,
            LAYOUT,
            {
                "working_conditions": {"value": 7},  # off the scale
                "work_content": {"value": True},  # not a number
                "working_relations": "4",  # not an answer
                "reasons": {"values": "pay"},  # not a list
                "recommend": {"value": -1},
                "come_back": {"value": None},
                "no_such_question": {"value": 1},
            },
        ),
        leaver(5, working_conditions=2, reasons=["pay", "pay", "career"], recommend=3, come_back="no"),
    ]
    stats = compute(period)
    assert stats.count == 5
    assert stats.categories == {"working_conditions": mean_of([4, 2])}
    assert stats.reasons_n == 2
    assert stats.reasons == (ReasonCount("pay", 2, 1.0), ReasonCount("career", 1, 0.5))  # a reason counts once
    assert (stats.enps.n, stats.enps.value) == (2, 0.0)
    assert (stats.come_back.count, stats.come_back.n, stats.come_back.value) == (1, 2, 0.5)


def test_consent_is_only_an_explicit_yes():
    assert leaver(1, consent=True).consented is True
    assert leaver(2, consent=False).consented is False
    assert leaver(3, consent=None).consented is False
    assert leaver(4).consented is False


def test_an_empty_period():
    assert compute([]) == PeriodStats(0, (), 0, {}, None, None)
    assert signals(compute([]), compute([]), compute([])) == []


# --- exact numbers ---------------------------------------------------------------------------------


def test_a_month_of_five_leavers():
    period = sample(
        working_conditions=[4, 3, 5, 4, 4],
        work_content=[2, 3, None, 4, 3],
        manager_support=[5, 1, 4, 2, 3],
        reasons=[["pay", "career"], ["leadership"], ["pay", "workload"], ["career", "pay"], ["personal"]],
        recommend=[10, 9, 8, 6, 3],
        come_back=["yes", "maybe", "yes", "no", "yes"],
    )
    stats = compute(period)
    assert stats.count == 5
    assert list(stats.categories) == ["working_conditions", "work_content", "manager"]
    assert stats.categories["working_conditions"].value == 4.0
    assert stats.categories["working_conditions"].n == 5
    assert stats.categories["work_content"].value == 3.0
    assert stats.categories["work_content"].n == 4
    assert stats.categories["manager"].value == 3.0
    assert stats.reasons_n == 5
    assert stats.reasons == (
        ReasonCount("pay", 3, 0.6),
        ReasonCount("career", 2, 0.4),
        ReasonCount("leadership", 1, 0.2),
        ReasonCount("personal", 1, 0.2),
        ReasonCount("workload", 1, 0.2),
    )
    # 10 and 9 promote, 8 is passive, 6 and 3 detract: (2 − 2) / 5 = 0.
    assert stats.enps == Enps(0.0, 5, stats.enps.low, stats.enps.high, promoters=2, passives=1, detractors=2)
    assert stats.enps.low == pytest.approx(-stats.enps.high)
    assert stats.enps.low < 0 < stats.enps.high
    assert (stats.come_back.count, stats.come_back.n, stats.come_back.value) == (3, 5, 0.6)
    assert stats.come_back.low < 0.6 < stats.come_back.high


def test_the_order_of_the_interviews_does_not_matter():
    period = sample(
        working_conditions=[4, 3, 5, 4, 2, 1],
        reasons=[["pay"], ["career"], ["pay"], ["hours"], ["commute"], ["career"]],
        recommend=[10, 2, 8, 6, 3, 9],
    )
    assert compute(period) == compute(list(reversed(period))) == compute(shuffled(period, 99))


def test_enps_mixes():
    assert enps_of([10, 9, 9, 10]).value == 100.0
    assert enps_of([0, 6, 5]).value == -100.0
    assert enps_of([7, 8, 7]).value == 0.0
    assert enps_of([10, 9, 8, 6, 3, 2]).value == pytest.approx(100 * (2 - 3) / 6)


def test_enps_adjusted_wald_interval():
    # 5 detractors: p = 0.75/8, d = 5.75/8, centre −0.625, se = sqrt((p + d − 0.625²) / 8).
    enps = enps_of([3, 5, 6, 2, 1])
    se = math.sqrt((0.8125 - 0.625**2) / 8)
    z = statistics.NormalDist().inv_cdf(0.95)
    assert enps.value == -100.0
    assert enps.low == -100.0  # clamped
    assert enps.high == pytest.approx(100 * (-0.625 + z * se))
    assert enps.high == pytest.approx(-24.73, abs=0.01)


def test_share_wilson_interval():
    share = share_of(2, 5)
    assert share == Share(2, 5, 0.4, share.low, share.high)
    assert share.low == pytest.approx(0.1427, abs=1e-4)
    assert share.high == pytest.approx(0.7275, abs=1e-4)
    assert share_of(0, 4).low == 0.0
    assert share_of(4, 4).high == 1.0
    with pytest.raises(ValueError):
        share_of(3, 2)


# --- means and intervals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p, df, expected",
    [
        (0.95, 1, 6.3138),
        (0.95, 2, 2.9200),
        (0.975, 2, 4.3027),
        (0.95, 5, 2.0150),
        (0.95, 7, 1.8946),
        (0.975, 10, 2.2281),
        (0.995, 5, 4.0321),
        (0.95, 30, 1.6973),
        (0.90, 4, 1.5332),
        (0.95, 1000, 1.6464),
    ],
)
def test_t_quantile_matches_the_table(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("df", [100, 101, 250, 1000, 99_999])
@pytest.mark.parametrize("p", [0.005, 0.05, 0.9, 0.95, 0.975, 0.995])
def test_t_quantile_for_large_groups_is_the_exact_quantile(p, df):
    from flows.insights import _t_exact

    assert t_quantile(p, df) == pytest.approx(_t_exact(p, df), abs=1e-9)


def test_t_quantile_shape():
    assert t_quantile(0.5, 3) == 0.0
    assert t_quantile(0.05, 4) == pytest.approx(-t_quantile(0.95, 4))
    assert t_quantile(0.95, 10**6) == pytest.approx(statistics.NormalDist().inv_cdf(0.95), abs=1e-4)
    assert [t_quantile(0.95, df) for df in range(1, 40)] == sorted(
        (t_quantile(0.95, df) for df in range(1, 40)), reverse=True
    )
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        t_quantile(0.9, 0)


def test_t_interval_of_a_known_sample():
    # [2, 3, 4]: mean 3, sd 1, se 1/√3 = 0.577, t(0.95, 2) = 2.920: 3 ± 1.686.
    mean = mean_of([2, 3, 4], confidence=0.90)
    assert (mean.value, mean.n) == (3.0, 3)
    assert mean.low == pytest.approx(3 - 1.686, abs=1e-3)
    assert mean.high == pytest.approx(3 + 1.686, abs=1e-3)
    # At 95% wider: t(0.975, 2) = 4.303 (on a 0–10 scale, so nothing is clamped).
    wider = mean_of([2, 3, 4], scale=(0, 10), confidence=0.95)
    assert wider.high - wider.value == pytest.approx(4.3027 / math.sqrt(3), abs=1e-3)
    assert wider.value - wider.low == pytest.approx(4.3027 / math.sqrt(3), abs=1e-3)


def test_one_answer_says_nothing_about_the_spread():
    assert mean_of([4]) == Mean(4.0, 1, 1.0, 5.0)
    assert mean_of([7], scale=(0, 10)) == Mean(7.0, 1, 0.0, 10.0)


def test_intervals_are_clamped_to_the_scale():
    mean = mean_of([1, 1, 2])
    assert mean.low == 1.0
    assert mean.high == pytest.approx(4 / 3 + half_width([1, 1, 2]))
    assert mean_of([5, 4, 5, 5]).high == 5.0


def test_intervals_shrink_as_answers_come_in():
    widths = [mean_of([2, 3, 4] * k).high - mean_of([2, 3, 4] * k).low for k in (1, 2, 3, 5, 10)]
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == len(widths)
    assert all(mean_of([2, 3, 4] * k).value == 3.0 for k in (1, 2, 3))


def test_mean_of_refuses_nothing_and_values_off_the_scale():
    with pytest.raises(ValueError):
        mean_of([])
    with pytest.raises(ValueError):
        mean_of([3, 6])
    with pytest.raises(ValueError):
        mean_of([3, math.nan])


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=60))
def test_a_mean_lies_inside_its_interval_inside_the_scale(values):
    mean = mean_of(values)
    assert 1.0 <= mean.low <= mean.value <= mean.high <= 5.0
    assert mean.n == len(values)
    assert mean.value == pytest.approx(sum(values) / len(values))


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60))
def test_enps_lies_inside_its_interval(scores):
    enps = enps_of(scores)
    assert -100.0 <= enps.low <= enps.value <= enps.high <= 100.0
    assert enps.promoters + enps.passives + enps.detractors == enps.n == len(scores)


@given(st.integers(min_value=1, max_value=80).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_share_lies_inside_its_interval(count_n):
    count, n = count_n
    share = share_of(count, n)
    assert 0.0 <= share.low <= share.value <= share.high <= 1.0


# --- changes and signals ---------------------------------------------------------------------------


def real_drop() -> tuple[PeriodStats, PeriodStats]:
    previous = sample(working_conditions=[4, 4, 4, 4, 4, 4, 3, 5], reasons=[["pay"], ["career"]] * 4)
    current = sample(
        first=20,
        working_conditions=[2, 3, 2, 3, 2, 3],
        reasons=[["pay"], ["career"], ["commute"], ["hours"], ["personal"], ["retirement"]],
    )
    return compute(current), compute(previous)


def test_a_real_drop_raises_category_drop_with_its_numbers():
    current, previous = real_drop()
    overall = compute(
        sample(working_conditions=[4, 4, 4, 4, 4, 4, 3, 5]) + sample(first=20, working_conditions=[2, 3, 2, 3, 2, 3])
    )
    found = signals(current, previous, overall)
    drop = found[0]
    assert drop == Signal(
        "category_drop",
        "working_conditions",
        {
            "mean": 2.5,
            "n": 6,
            "low": 2.05,
            "high": 2.95,
            "previous": 4.0,
            "previous_n": 8,
            "previous_low": 3.64,
            "previous_high": 4.36,
            "delta": -1.5,
            "overall": round(47 / 14, 2),
            "overall_n": 14,
        },
    )
    assert drop.key == "signal.category_drop"
    # 2.5 with its whole interval below 3.0 is also low; nothing else is raised.
    assert [(s.kind, s.subject) for s in found] == [
        ("category_drop", "working_conditions"),
        ("category_low", "working_conditions"),
    ]


def test_changes_between_periods():
    current, previous = real_drop()
    change = changes(current, previous)["working_conditions"]
    assert change == Change(
        "working_conditions",
        current.categories["working_conditions"],
        previous.categories["working_conditions"],
        -1.5,
        real=True,
        drop=True,
    )
    assert change.current.high < change.previous.low
    # Both directions are compared; only a fall is a drop.
    rise = changes(previous, current)["working_conditions"]
    assert (rise.delta, rise.real, rise.drop) == (1.5, True, False)


def test_a_noisy_small_difference_raises_nothing():
    previous = compute(sample(working_conditions=[3, 4, 3], reasons=[["pay"], ["career"], ["commute"]]))
    current = compute(sample(first=10, working_conditions=[3, 2, 4], reasons=[["hours"], ["personal"], ["workload"]]))
    assert current.categories["working_conditions"].value == 3.0
    change = changes(current, previous)["working_conditions"]
    assert change.delta == pytest.approx(-1 / 3)
    assert (change.real, change.drop) == (False, False)
    assert signals(current, previous, compute([])) == []


def test_a_drop_below_the_threshold_is_not_signalled_even_when_certain():
    previous = compute(sample(work_content=[4, 4, 4, 4, 4, 4, 4, 4, 4, 4] * 3))
    current = compute(sample(work_content=[4, 3, 4, 4, 4, 4, 4, 3, 4, 4, 4, 4] * 3))  # 3.83
    change = changes(current, previous)["work_content"]
    assert change.real and not change.drop
    assert signals(current, previous, None) == []
    strict = Thresholds(drop_threshold=0.1)
    assert [s.kind for s in signals(current, previous, None, strict)] == ["category_drop"]


def test_a_drop_needs_enough_answers_in_both_periods():
    previous = compute(sample(manager_support=[5, 5]))
    current = compute(sample(manager_support=[2, 2, 2]))
    assert not changes(current, previous)["manager"].real
    assert [s.kind for s in signals(current, previous, None)] == ["category_low"]


def test_without_a_previous_period_there_is_no_drop():
    current, _ = real_drop()
    assert [s.kind for s in signals(current, None, None)] == ["category_low"]


@pytest.mark.parametrize(
    "reasons, raised",
    [
        ([["pay"], ["pay", "career"], ["career"], ["hours"], ["commute"]], ["career", "pay"]),  # 2 of 5: 40%
        ([["pay"], ["career"], ["hours"], ["commute"], ["personal"]], []),  # 20% each
        ([["pay"], ["pay"], ["career"]], ["pay"]),  # 2 of 3
        ([["pay"], ["pay"]], []),  # 100%, but of only two leavers
        ([["pay", "career", "hours"], ["workload"], ["culture"], ["commute"], ["personal"], ["other"]], []),
    ],
)
def test_common_reasons(reasons, raised):
    stats = compute(sample(reasons=reasons))
    found = signals(stats, None, None)
    assert [s.subject for s in found if s.kind == "reason_common"] == raised


def test_a_common_reason_carries_its_numbers():
    stats = compute(sample(reasons=[["pay"], ["pay", "workload"], ["career"], ["pay"], ["hours"]]))
    overall = compute(sample(reasons=[["pay"], ["pay", "workload"], ["career"], ["pay"], ["hours"]] + [["career"]] * 5))
    (signal,) = signals(stats, None, overall)
    assert signal == Signal("reason_common", "pay", {"count": 3, "n": 5, "share": 0.6, "overall_share": 0.3})
    assert signal.key == "signal.reason_common"


def test_a_common_reason_obeys_the_configured_share():
    stats = compute(sample(reasons=[["pay"], ["pay"], ["career"], ["hours"], ["commute"], ["personal"]]))  # 33%
    assert signals(stats, None, None) == []
    assert [s.subject for s in signals(stats, None, None, Thresholds(reason_share=0.3))] == ["pay"]
    assert signals(stats, None, None, Thresholds(min_group_size=7, reason_share=0.3)) == []


def test_a_clearly_negative_enps_raises():
    stats = compute(sample(recommend=[2, 3, 5, 6, 1, 4, 7]))
    (signal,) = signals(stats, None, None)
    assert (signal.kind, signal.subject, signal.key) == ("enps_negative", "enps", "signal.enps_negative")
    assert signal.numbers["enps"] == round(-600 / 7, 2)
    assert signal.numbers["n"] == 7
    assert (signal.numbers["promoters"], signal.numbers["passives"], signal.numbers["detractors"]) == (0, 1, 6)
    assert signal.numbers["high"] < 0


@pytest.mark.parametrize(
    "scores",
    [
        [10, 9, 8, 6, 3],  # 0
        [9, 5, 6, 8],  # −25, but four answers cannot tell
        [1, 2],  # −100 of two leavers
        [10, 10, 9, 9],
    ],
)
def test_a_mixed_or_thin_enps_raises_nothing(scores):
    assert signals(compute(sample(recommend=scores)), None, None) == []


def test_a_low_category_raises():
    stats = compute(
        sample(
            employment_terms=[2, 2, 3, 1, 2],
            manager_support=[2, 3, 3, None, None],
            work_content=[2, 3, 4, None, None],
        )
    )
    found = signals(stats, None, None)
    assert [(s.kind, s.subject) for s in found] == [("category_low", "employment_terms")]
    mean = stats.categories["employment_terms"]
    assert found[0].numbers == {
        "mean": 2.0,
        "n": 5,
        "low": round(mean.low, 2),
        "high": round(mean.high, 2),
        "threshold": 3.0,
    }
    assert mean.high == pytest.approx(2 + half_width([2, 2, 3, 1, 2]))
    assert found[0].key == "signal.category_low"
    # manager 2.67 and work content 3.0: their intervals reach above 3, so not low.
    assert stats.categories["manager"].high > 3


def test_a_stable_period_raises_nothing():
    previous = compute(
        sample(
            working_conditions=[4, 3, 4, 5, 3, 4],
            manager_support=[3, 4, 4, 2, 5, 4],
            reasons=[["pay"], ["career"], ["commute"], ["hours"], ["personal"], ["culture"]],
            recommend=[9, 7, 6, 8, 10, 5],
        )
    )
    current = compute(
        sample(
            first=30,
            working_conditions=[3, 4, 4, 3, 5],
            manager_support=[4, 3, 3, 4, 2],
            reasons=[["career"], ["workload"], ["pay"], ["retirement"], ["contract_end"]],
            recommend=[8, 9, 6, 7, 4],
        )
    )
    assert signals(current, previous, previous) == []


def test_signals_are_deterministic():
    current, previous = real_drop()
    assert signals(current, previous, None) == signals(current, previous, None)


# --- breakdowns ------------------------------------------------------------------------------------


def departments(*sizes: tuple[str | None, int]) -> list[InterviewFacts]:
    result: list[InterviewFacts] = []
    for name, size in sizes:
        result += sample(first=len(result) + 1, department=name, working_conditions=[3] * size)
    return result


def test_a_breakdown_is_shown_when_every_group_is_large_enough():
    facts = departments(("Support", 3), ("Sales", 4))
    shown = breakdown(facts, by_department)
    assert list(shown) == ["Sales", "Support"]  # by name, never by score
    assert shown["Sales"].count == 4
    assert shown["Support"] == compute(facts[:3])


@pytest.mark.parametrize(
    "sizes",
    [
        [("Support", 3), ("Sales", 2)],
        [("Support", 3), ("Sales", 3), (None, 1)],  # the unknown group counts too
        [("Support", 1)],
    ],
)
def test_a_breakdown_is_withheld_when_any_group_is_small(sizes):
    assert breakdown(departments(*sizes), by_department) is None


def test_a_breakdown_with_an_unknown_group_large_enough():
    shown = breakdown(departments(("Support", 3), (None, 2), ("", 1), ("Sales", 3)), by_department)
    assert list(shown) == ["Sales", "Support", UNKNOWN]
    assert shown[UNKNOWN].count == 3


def test_a_breakdown_follows_the_configured_group_size():
    facts = departments(("Support", 4), ("Sales", 4))
    assert breakdown(facts, by_department, Thresholds(min_group_size=5)) is None
    assert breakdown([], by_department) is None


def test_a_breakdown_lists_worse_groups_in_name_order_too():
    facts = sample(department="Zeeland", working_conditions=[1, 1, 2]) + sample(
        first=10, department="Amsterdam", working_conditions=[5, 5, 4]
    )
    assert list(breakdown(facts, by_department)) == ["Amsterdam", "Zeeland"]


@pytest.mark.parametrize(
    "years, band",
    [
        (0, "0-1"),
        (0.5, "0-1"),
        (1, "1-2"),
        (1.99, "1-2"),
        (2, "2-5"),
        (4.9, "2-5"),
        (5, "5+"),
        (30, "5+"),
        (None, None),
        (-1, None),
        (math.nan, None),
    ],
)
def test_tenure_bands(years, band):
    assert tenure_band(years) == band


def test_tenure_bands_can_be_chosen():
    assert tenure_band(0.3, bounds=(0.5, 3)) == "0-0.5"
    assert tenure_band(3, bounds=(0.5, 3)) == "3+"


def test_a_breakdown_by_tenure_band():
    facts = [leaver(i, tenure=years, working_conditions=4) for i, years in enumerate([0.2, 0.5, 0.9, 3, 4, 2.5])]
    shown = breakdown(facts, by_tenure_band)
    assert list(shown) == ["0-1", "2-5"]
    assert breakdown([*facts, leaver(9, tenure=7, working_conditions=2)], by_tenure_band) is None


# --- digest helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "share, width, text",
    [
        (0.6, 10, "██████░░░░ 60%"),
        (0.0, 10, "░░░░░░░░░░ 0%"),
        (1.0, 10, "██████████ 100%"),
        (0.25, 10, "███░░░░░░░ 25%"),
        (0.4, 5, "██░░░ 40%"),
        (1 / 3, 10, "███░░░░░░░ 33%"),
        (2 / 3, 10, "███████░░░ 67%"),
        (1.7, 4, "████ 100%"),
        (-0.2, 4, "░░░░ 0%"),
    ],
)
def test_bar(share, width, text):
    assert bar(share, width) == text


def test_bar_refuses_no_width():
    with pytest.raises(ValueError):
        bar(0.5, 0)


def test_shuffled_is_a_deterministic_permutation():
    items = [f"highlight {i}" for i in range(12)]
    first = shuffled(items, 42)
    assert first == shuffled(items, 42)
    assert sorted(first) == sorted(items)
    assert first != items
    assert items == [f"highlight {i}" for i in range(12)]  # the input is left alone
    assert shuffled(items, "digest-2025-03") == shuffled(items, "digest-2025-03")
    assert len({tuple(shuffled(items, seed)) for seed in range(10)}) > 1
    assert shuffled([], 1) == []


@given(st.lists(st.integers()), st.integers())
def test_shuffled_keeps_every_item(items, seed):
    assert sorted(shuffled(items, seed)) == sorted(items)
    assert shuffled(items, seed) == shuffled(items, seed)


@pytest.mark.parametrize(
    "pending, thresholds, ready",
    [
        (0, DEFAULT_THRESHOLDS, False),
        (2, DEFAULT_THRESHOLDS, False),
        (3, DEFAULT_THRESHOLDS, True),
        (10, DEFAULT_THRESHOLDS, True),
        (4, Thresholds(min_group_size=5), False),
        (5, Thresholds(min_group_size=5), True),
        (2, Thresholds(min_group_size=1), False),
    ],
)
def test_digest_ready(pending, thresholds, ready):
    assert digest_ready(pending, thresholds) is ready


# --- from counts and sums (what SQL aggregates give) ---------------------------------------------


@given(st.lists(st.integers(1, 5), min_size=1, max_size=40))
def test_a_mean_from_count_sum_and_sum_of_squares_is_the_mean_of_the_values(values):
    expected = mean_of(values)
    got = mean_from(Moments.of(values))
    assert got.n == expected.n and got.value == pytest.approx(expected.value)
    assert got.low == pytest.approx(expected.low, abs=1e-9) and got.high == pytest.approx(expected.high, abs=1e-9)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=40))
def test_enps_from_counts_per_score_is_enps_of_the_scores(scores):
    counts: dict[float, int] = {}
    for score in scores:
        counts[score] = counts.get(score, 0) + 1
    assert enps_from(counts) == enps_of(scores)


def test_statistics_from_aggregates_add_up_over_periods():
    first = sample(working_conditions=[1, 2, 3], reasons=[["pay"], ["pay", "career"], None],
                   recommend=[9, 5, None], come_back=["yes", "no", "maybe"])
    second = sample(10, working_conditions=[5, None], reasons=[["career"], ["pay"]], recommend=[10, 10],
                    come_back=[None, "yes"])
    combined = aggregate(first) + aggregate(second)
    assert combined == aggregate(first + second)
    assert stats_from(combined) == compute(first + second)
    assert combined.count == 5 and combined.reasons_n == 4 and combined.reasons == {"pay": 3, "career": 2}
    assert combined.come_back == {"yes": 2, "no": 1, "maybe": 1}
    assert stats_from(PeriodAggregates()) == PeriodStats(0, (), 0, {}, None, None)


# --- what managers may see: k per figure, clean partitions ---------------------------------------


def test_a_figure_needs_k_answers_to_its_own_question():
    assert not enough_answers(2, 3) and enough_answers(3, 3) and not enough_answers(4, 5)
    assert not enough_answers(2, 1)  # never below the floor of 3


@pytest.mark.parametrize(
    ("count", "n", "k", "shown"),
    [
        (0, 4, 3, True),  # nobody: no small group
        (4, 4, 3, True),  # everybody
        (3, 6, 3, True),  # 3 and 3
        (1, 4, 3, False),  # one person
        (3, 4, 3, False),  # the complement is one person
        (2, 2, 3, False),  # too few answers at all
        (3, 7, 5, False),  # k = 5
        (5, 10, 5, True),
    ],
)
def test_a_count_is_shown_only_when_it_and_its_complement_are_zero_or_at_least_k(count, n, k, shown):
    assert clean_cell(count, n, k) is shown


def test_a_category_with_fewer_than_k_answers_is_withheld_and_the_rest_shown():
    """Issue 11: "Support from the manager: 1.0 (n=1, 1.0-5.0)" reached the managers' channel."""
    period = sample(working_conditions=[4, 4, 3], manager_support=[1, None, None])
    shown = for_managers(compute(period))
    assert "manager" not in shown.categories and shown.is_withheld("category:manager")
    assert shown.categories["working_conditions"].n == 3


def test_reasons_shown_form_clean_partitions():
    period = sample(reasons=[["pay", "career"], ["pay", "career"], ["pay", "career"], ["pay", "workload"],
                             ["pay"], ["career", "pay"]])
    shown = for_managers(compute(period))
    # pay: 6 of 6; career: 4 of 6 (complement 2: withheld); workload: 1 of 6 (withheld).
    assert [item.reason for item in shown.reasons] == ["pay"]
    assert shown.is_withheld("reasons.some") and shown.reasons_n == 6
    too_few = for_managers(compute(sample(reasons=[["pay"], ["pay"], None])))
    assert too_few.reasons == () and too_few.is_withheld("reasons")


def test_enps_and_come_back_follow_the_same_rule():
    period = sample(recommend=[10, 7, 7, 7], come_back=["yes", "no", "no", "no"])
    shown = for_managers(compute(period))
    assert shown.enps is not None and shown.enps.n == 4 and shown.is_withheld("enps.counts")
    assert shown.come_back is None and shown.is_withheld("come_back")  # 1 of 4
    assert for_managers(compute(sample(recommend=[10, 7]))).is_withheld("enps")
    whole = for_managers(compute(sample(recommend=[10, 9, 9, 7, 7, 7], come_back=["no"] * 6)))
    assert whole.withheld == () and whole.come_back is not None and whole.come_back.count == 0


def test_no_signal_or_change_rests_on_a_withheld_figure():
    previous = sample(working_conditions=[5, 5, 5, 5], manager_support=[5, 5, None, None])
    current = sample(20, working_conditions=[1, 1, 1, 2, 1, 1], manager_support=[1, 1, 1, 1, 1, 1],
                     recommend=[0, 0, 0, 10, 0, 0], reasons=[["pay"]] * 5 + [["career"]])
    now, before = for_managers(compute(current)), for_managers(compute(previous))
    assert set(changes(now, before)) == {"working_conditions"}  # the manager's previous side had 2 answers
    found = signals(now, before, for_managers(compute(previous + current)))
    enps = next(signal for signal in found if signal.kind == "enps_negative")
    assert "promoters" not in enps.numbers  # 1 promoter: the counts are withheld, the value is not
    assert [s.subject for s in found if s.kind == "reason_common"] == []  # pay 5 of 6: its complement is one


@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(["pay", "career", "workload"])), st.one_of(st.none(), st.integers(0, 10)),
                  st.sampled_from([None, "yes", "no", "maybe"]), st.one_of(st.none(), st.integers(1, 5))),
        max_size=12,
    ),
    st.integers(3, 5),
)
def test_every_figure_a_manager_sees_rests_on_k_answers_and_leaves_no_small_cell(rows, k):
    period = sample(
        reasons=[sorted(r) or None for r, *_ in rows], recommend=[s for _, s, *_ in rows],
        come_back=[c for *_, c, _ in rows], manager_support=[m for *_, m in rows],
    ) if rows else []
    limits = Thresholds(min_group_size=k)
    shown = for_managers(compute(period, limits), limits)
    for mean in shown.categories.values():
        assert mean.n >= k
    for item in shown.reasons:
        assert shown.reasons_n >= k and item.count >= k and shown.reasons_n - item.count in (0, *range(k, 99))
    if shown.enps is not None:
        assert shown.enps.n >= k
        if not shown.is_withheld("enps.counts"):
            assert all(c == 0 or c >= k for c in (shown.enps.promoters, shown.enps.passives, shown.enps.detractors))
    if shown.come_back is not None:
        assert all(c == 0 or c >= k for c in (shown.come_back.count, shown.come_back.n - shown.come_back.count))


def test_a_digest_keeps_what_it_published_for_later_comparisons():
    import json

    shown = for_managers(compute(sample(working_conditions=[4, 2, 3], manager_support=[1, None, None])))
    kept = from_published_record(json.loads(json.dumps(published_record(shown))))
    assert kept is not None and kept.categories == shown.categories and kept.count == 3
    assert kept.withheld == ("category:manager",)
    now = for_managers(compute(sample(10, working_conditions=[1, 1, 1], manager_support=[2, 2, 2])))
    assert set(changes(now, kept)) == {"working_conditions"}
    assert from_published_record({"interviews": [1, 2, 3]}) is None  # a digest from before figures were kept
