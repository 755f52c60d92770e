"""Breakdowns per manager, department, tenure band and reason (plain Python): a cell is shown only
with at least k interviews, small groups go into "other", and no small group can be recovered by
subtracting the published cells from the published total."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.insights import (
    OTHER,
    UNKNOWN,
    GroupFigures,
    Moments,
    Thresholds,
    compare_group,
    enps_of,
    enps_of_counts,
    mean_of,
    mean_of_moments,
    protect_partition,
    protected_breakdown,
    protected_counts,
)


def figures(count: int, manager: list[int] | None = None, **reasons: int) -> GroupFigures:
    ratings = {}
    if manager:
        ratings["manager"] = Moments(len(manager), sum(manager), sum(v * v for v in manager))
    return GroupFigures(count=count, ratings=ratings, promoters=0, passives=count, detractors=0,
                        reasons=reasons, reasons_n=count if reasons else 0)


def test_groups_of_at_least_k_are_shown_by_name_in_name_order():
    assert protect_partition({"Sales": 4, "Legal": 3, "Ops": 5}, 3) == {"Legal": ["Legal"], "Ops": ["Ops"],
                                                                         "Sales": ["Sales"]}


def test_small_groups_are_merged_into_other_when_together_they_reach_k():
    assert protect_partition({"Sales": 5, "Legal": 1, "Ops": 2}, 3) == {"Sales": ["Sales"], OTHER: ["Legal", "Ops"]}


def test_a_single_small_group_takes_the_smallest_shown_group_with_it_into_other():
    # Total 12 minus Sales 6 minus Ops 4 would otherwise give Legal's 2 away.
    cells = protect_partition({"Sales": 6, "Ops": 4, "Legal": 2}, 3)
    assert cells == {"Sales": ["Sales"], OTHER: ["Legal", "Ops"]}


def test_everything_is_withheld_below_k_overall():
    assert protect_partition({"Sales": 1, "Ops": 1}, 3) is None
    assert protect_partition({}, 3) is None


def test_unknown_is_a_group_like_any_other_shown_last():
    assert list(protect_partition({UNKNOWN: 3, "Ops": 3, "Sales": 3}, 3)) == ["Ops", "Sales", UNKNOWN]


def test_the_threshold_follows_the_setting_and_never_goes_below_three():
    assert protect_partition({"Sales": 5, "Ops": 4}, 5) == {OTHER: ["Ops", "Sales"]}
    assert protect_partition({"Sales": 2, "Ops": 2}, 1) == {OTHER: ["Ops", "Sales"]}


@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 12), max_size=8), st.integers(3, 6))
def test_no_group_below_k_can_be_recovered_from_the_published_figures(counts, k):
    cells = protect_partition(counts, k)
    total = sum(counts.values())
    if cells is None:
        assert total < k
        return
    shown = {name: sum(counts[m] for m in members) for name, members in cells.items()}
    assert all(size >= k for size in shown.values())  # every published cell holds k or more
    assert sum(shown.values()) == total  # a true partition: nothing lost, nothing counted twice
    for name, members in cells.items():
        if name != OTHER:
            assert members == [name]
    # total minus every other cell is a whole published cell, never a small group on its own
    for name in shown:
        assert total - sum(size for other, size in shown.items() if other != name) >= k


def test_mean_from_sums_equals_the_mean_of_the_values():
    values = [1, 2, 2, 4, 5, 3]
    direct = mean_of(values)
    summed = mean_of_moments(Moments(len(values), sum(values), sum(v * v for v in values)))
    assert summed.value == pytest.approx(direct.value)
    assert (summed.low, summed.high) == pytest.approx((direct.low, direct.high))
    assert mean_of_moments(Moments()) is None


def test_enps_from_counts_equals_enps_of_the_scores():
    scores = [10, 9, 8, 7, 3, 0, 6]
    assert enps_of_counts(2, 2, 3) == enps_of(scores)


def test_a_breakdown_shows_figures_per_cell_and_merges_the_small_ones():
    groups = {
        "Sales": figures(4, manager=[2, 2, 3, 1], pay=3, career=1),
        "Ops": figures(3, manager=[4, 5, 4], career=3),
        "Legal": figures(2, manager=[5, 5], pay=2),
        "HR": figures(1, manager=[3], pay=1),
    }
    cells = protected_breakdown(groups, Thresholds(min_group_size=3))
    assert [(cell.name, cell.count, cell.merged) for cell in cells] == [("Ops", 3, 0), ("Sales", 4, 0), (OTHER, 3, 2)]
    sales = cells[1]
    assert sales.categories["manager"].value == pytest.approx(statistics.mean([2, 2, 3, 1]))
    assert [(r.reason, r.count) for r in sales.reasons] == [("pay", 3)]  # career named once: below k
    other = cells[2]
    assert other.categories["manager"].value == pytest.approx(statistics.mean([5, 5, 3]))


def test_a_figure_resting_on_fewer_than_k_answers_is_left_out_of_a_shown_cell():
    cells = protected_breakdown({"Sales": figures(5, manager=[3, 4])}, Thresholds(min_group_size=3))
    assert cells[0].count == 5 and cells[0].categories["manager"] is None


def test_a_manager_is_compared_with_the_rest_only_when_both_hold_k():
    manager = figures(3, manager=[1, 2, 1])
    company = figures(8, manager=[1, 2, 1, 4, 5, 4, 4, 5])
    comparison = compare_group(manager, company, Thresholds(min_group_size=3))
    assert comparison.manager.categories["manager"].value == pytest.approx(4 / 3)
    assert comparison.rest.count == 5
    assert comparison.rest.categories["manager"].value == pytest.approx(22 / 5)
    assert comparison.company.count == 8
    assert compare_group(figures(2, manager=[1, 1]), company, Thresholds()) is None  # the manager's few
    assert compare_group(figures(6, manager=[1] * 6), company, Thresholds()) is None  # the rest would be 2


def test_choice_counts_show_only_answers_picked_by_k():
    assert protected_counts({"competitor": 5, "own_business": 1, "study": 2}, 8, 3) == ([("competitor", 5)], 3)
    assert protected_counts({"competitor": 5, "study": 4, "own_business": 1}, 10, 3) == ([("competitor", 5)], 5)
    assert protected_counts({"competitor": 2}, 2, 3) is None
