""""You said, we did" without Slack or a database: which signals HR can record an action against, and
whether a signal's number moved after an action (flows.loop, flows.aggregates.report_signals)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.config import Settings
from flows.aggregates import YEAR, Roles, report_signals
from flows.insights import Mean, PeriodStats, ReasonCount, Signal, Thresholds
from flows.loop import GENERAL, MIN_SIDE, Action, movements, number_of, subjects_of, valid_subject
from flows.template import default_template
from tests.test_aggregates import tally_of

TODAY = date(2026, 6, 1)


def signal(kind: str, subject: str) -> Signal:
    return Signal(kind, subject, {})


def stats(*, count: int = 0, categories: dict | None = None, reasons: tuple = (), reasons_n: int = 0) -> PeriodStats:
    return PeriodStats(count=count, reasons=reasons, reasons_n=reasons_n, categories=categories or {}, enps=None,
                       come_back=None)


def action(subject: str, done_on: date = TODAY, number: int = 1) -> Action:
    return Action(number, "Pay scales published", done_on, "UHRANNA01", subject)


def test_hr_can_answer_a_drop_a_low_category_or_a_common_reason_each_once_in_the_signals_order():
    signals = [signal("reason_common", "workload"), signal("category_drop", "work_content"),
               signal("enps_negative", "enps"), signal("category_low", "work_content"),
               signal("category_low", "manager_support")]
    assert subjects_of(signals) == ["reason:workload", "category:work_content", "category:manager_support"]
    assert subjects_of([]) == []


def test_a_subject_names_a_category_a_reason_or_nothing_in_particular():
    assert valid_subject(GENERAL)
    assert valid_subject("category:work_content")
    assert valid_subject("reason:pay")
    assert not valid_subject("category:")
    assert not valid_subject("enps:enps")
    assert not valid_subject("workload")
    assert not valid_subject("reason:" + "x" * 80)


def test_a_category_moves_by_its_mean_and_a_reason_by_its_share_of_leavers_naming_one():
    before = stats(count=4, categories={"work_content": Mean(2.5, 4, 2.0, 3.0)},
                   reasons=(ReasonCount("pay", 2, 0.5),), reasons_n=4)
    after = stats(count=3, categories={"work_content": Mean(4.0, 3, 3.5, 4.5)},
                  reasons=(ReasonCount("career", 3, 1.0),), reasons_n=3)

    def split(day: date) -> tuple[PeriodStats, PeriodStats]:
        assert day == TODAY - timedelta(days=10)
        return before, after

    done = TODAY - timedelta(days=10)
    category, reason = movements([action("category:work_content", done), action(GENERAL, done, 2),
                                  action("reason:pay", done, 3)], split)
    assert (category.kind, category.name, category.before, category.before_n, category.after, category.after_n) == (
        "category", "work_content", 2.5, 4, 4.0, 3)
    assert category.enough
    assert (reason.kind, reason.name, reason.before, reason.before_n, reason.after, reason.after_n) == (
        "reason", "pay", 0.5, 4, 0.0, 3)


def test_too_few_interviews_on_either_side_is_not_enough_to_say_whether_it_moved():
    few = stats(count=MIN_SIDE - 1, categories={"pay": Mean(3.0, MIN_SIDE - 1, 2.0, 4.0)})
    many = stats(count=MIN_SIDE, categories={"pay": Mean(3.0, MIN_SIDE, 2.0, 4.0)})
    (moved,) = movements([action("category:pay")], lambda day: (many, few))
    assert not moved.enough
    (moved,) = movements([action("category:pay")], lambda day: (many, many))
    assert moved.enough


def test_nothing_to_say_without_answers():
    empty = stats()
    assert number_of("category", "work_content", empty) == (None, 0)
    assert number_of("reason", "pay", empty) == (None, 0)
    assert number_of("enps", "enps", empty) == (None, 0)


def unhappy(reason: str) -> dict:
    answers = {q: {"value": 1} for q in ("working_conditions", "work_content", "working_relations",
                                         "employment_terms", "manager_support")}
    return {**answers, "reasons": {"values": [reason]}, "recommend": {"value": 2}, "come_back": {"value": "no"}}


def test_the_report_signals_cover_the_last_twelve_months_against_all_time():
    roles = Roles.of([default_template()])
    recent = {TODAY - timedelta(days=day): tally_of([unhappy("workload")]) for day in range(5)}
    signals = report_signals(recent, roles, TODAY)
    assert "reason:workload" in subjects_of(signals)
    assert "category:work_content" in subjects_of(signals)

    old = {TODAY - YEAR - timedelta(days=day + 1): tally_of([unhappy("workload")]) for day in range(5)}
    assert report_signals(old, roles, TODAY) == []  # nothing in the last twelve months: nothing to answer
    assert report_signals({}, roles, TODAY) == []


def test_the_report_signals_need_as_many_interviews_as_the_settings_ask():
    roles = Roles.of([default_template()])
    recent = {TODAY - timedelta(days=day): tally_of([unhappy("workload")]) for day in range(5)}
    assert report_signals(recent, roles, TODAY, Thresholds(min_group_size=6)) == []


def test_the_thresholds_come_from_the_settings():
    settings = Settings(digest_min_interviews=7, signal_drop=0.8, signal_reason_share=0.3, signal_low_score=2.5)
    assert settings.thresholds == Thresholds(min_group_size=7, drop_threshold=0.8, reason_share=0.3, low_score=2.5)
    assert Settings().thresholds == Thresholds()
