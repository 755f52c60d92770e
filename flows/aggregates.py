"""Figures from sums and counts: the statistics of flows.insights computed from what SQL adds up
(counts, sums, sums of squares, counts per answer) instead of from every interview.

A Tally is additive: the tally of a year is the sum of the tallies of its days, the figures of all
digests the sum of each digest's stored tally. It keeps every choice question's counts (the main
reason, where leavers go, ...); `period_aggregates` gives flows.insights what its statistics need
(`stats_from`). A category average is the average of its rating answers (with one rating question
per category, as in the standard template, that is the same as the average of each interview's
category average).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flows.insights import (
    DEFAULT_THRESHOLDS,
    MIN_GROUP_FLOOR,
    Moments,
    PeriodAggregates,
    PeriodStats,
    ReasonCount,
    Signal,
    Thresholds,
    protected_counts,
    signals,
    stats_from,
)
from flows.template import Category, QuestionType, Template


@dataclass
class Tally:
    """What a set of interviews adds up to. `ratings`: category → [n, sum, sum of squares];
    `choices`: question → option id → count; `answered`: question → interviews that answered a
    choice question; `scores`: question → score (0–10) → count."""

    count: int = 0
    ratings: dict[str, list[float]] = field(default_factory=dict)
    choices: dict[str, dict[str, int]] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    scores: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, other: Tally) -> Tally:
        """Add `other` into this tally (in place) and return it."""
        self.count += other.count
        for category, (n, total, squares) in other.ratings.items():
            mine = self.ratings.setdefault(category, [0, 0.0, 0.0])
            mine[0] += n
            mine[1] += total
            mine[2] += squares
        for question, codes in other.choices.items():
            mine_codes = self.choices.setdefault(question, {})
            for code, count in codes.items():
                mine_codes[code] = mine_codes.get(code, 0) + count
        for question, count in other.answered.items():
            self.answered[question] = self.answered.get(question, 0) + count
        for question, values in other.scores.items():
            mine_values = self.scores.setdefault(question, {})
            for value, count in values.items():
                mine_values[value] = mine_values.get(value, 0) + count
        return self

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "ratings": {k: list(v) for k, v in self.ratings.items()},
                "choices": self.choices, "answered": self.answered,
                "scores": {q: {str(v): c for v, c in values.items()} for q, values in self.scores.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Tally:
        if not isinstance(data, Mapping) or "count" not in data:
            return cls()
        return cls(
            count=int(data["count"]),
            ratings={k: [int(v[0]), float(v[1]), float(v[2])] for k, v in (data.get("ratings") or {}).items()},
            choices={q: {c: int(n) for c, n in codes.items()} for q, codes in (data.get("choices") or {}).items()},
            answered={q: int(n) for q, n in (data.get("answered") or {}).items()},
            scores={q: {int(v): int(n) for v, n in values.items()} for q, values in (data.get("scores") or {}).items()},
        )


def total(tallies: Iterable[Tally]) -> Tally:
    result = Tally()
    for tally in tallies:
        result.add(tally)
    return result


@dataclass(frozen=True)
class Roles:
    """Which questions feed which figure, over every template the interviews used."""

    reasons: frozenset[str] = frozenset()
    main_reason: frozenset[str] = frozenset()
    recommendation: frozenset[str] = frozenset()
    come_back: frozenset[str] = frozenset()

    @classmethod
    def of(cls, templates: Iterable[Template]) -> Roles:
        reasons, main, recommendation, come_back = set(), set(), set(), set()
        for template in templates:
            def first(kind: QuestionType, category: Category, template=template) -> str | None:
                return next((q.id for q in template.questions if q.type is kind and q.category is category), None)

            for found, bucket in ((first(QuestionType.MULTIPLE_CHOICE, Category.REASONS), reasons),
                                  (first(QuestionType.SINGLE_CHOICE, Category.REASONS), main),
                                  (first(QuestionType.SCALE_0_10, Category.RECOMMENDATION), recommendation),
                                  (first(QuestionType.SINGLE_CHOICE, Category.RETURN), come_back)):
                if found is not None:
                    bucket.add(found)
        return cls(frozenset(reasons), frozenset(main), frozenset(recommendation), frozenset(come_back))


def _merged(tally: Tally, questions: frozenset[str]) -> tuple[dict[str, int], int]:
    codes: dict[str, int] = {}
    for question in sorted(questions):
        for code, count in tally.choices.get(question, {}).items():
            codes[code] = codes.get(code, 0) + count
    return codes, sum(tally.answered.get(question, 0) for question in questions)


def _ranked(codes: Mapping[str, int], n: int) -> tuple[ReasonCount, ...]:
    if n == 0:
        return ()
    return tuple(sorted((ReasonCount(code, count, count / n) for code, count in codes.items() if count > 0),
                        key=lambda item: (-item.count, item.reason)))


def period_aggregates(tally: Tally, roles: Roles) -> PeriodAggregates:
    """The tally in the shape flows.insights computes its figures from."""
    reasons, reasons_n = _merged(tally, roles.reasons)
    scores: dict[float, int] = {}
    for question in sorted(roles.recommendation):
        for value, count in tally.scores.get(question, {}).items():
            scores[float(value)] = scores.get(float(value), 0) + count
    back, _n = _merged(tally, roles.come_back)
    return PeriodAggregates(
        count=tally.count,
        ratings={category: Moments(int(n), float(total_), float(squares))
                 for category, (n, total_, squares) in tally.ratings.items() if n >= 1},
        reasons=reasons, reasons_n=reasons_n, recommendation=scores, come_back=back,
    )


def stats_of(tally: Tally, roles: Roles, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PeriodStats:
    """flows.insights.compute, from a tally."""
    return stats_from(period_aggregates(tally, roles), thresholds)


YEAR = timedelta(days=365)  # the report's default period, up to today


def report_signals(days: Mapping[date, Tally], roles: Roles, end: date,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[Signal]:
    """The signals of the report's default period (the twelve months up to `end`) against all time,
    from the tallies per day: what HR can record an action against (flows.loop.subjects_of)."""
    start = end - YEAR
    period = total(tally for day, tally in days.items() if start <= day <= end)
    if not period.count:
        return []
    return signals(stats_of(period, roles, thresholds), None, stats_of(total(days.values()), roles, thresholds),
                   thresholds)


@dataclass(frozen=True)
class MainReasons:
    """The reason that weighed most (one per leaver who named one), counted."""

    reasons: tuple[ReasonCount, ...]
    n: int


def main_reasons(tally: Tally, roles: Roles) -> MainReasons:
    codes, n = _merged(tally, roles.main_reason)
    return MainReasons(_ranked(codes, n), n)


def tallies_from_rows(rows: Mapping[str, Iterable[tuple]]) -> dict[Any, Tally]:
    """Tallies by key (a day, a digest id, ...) from the rows storage.numbers returns:
    count (key, interviews), ratings (key, question, category, n, sum, sum of squares), choices
    (key, question, category, code, count), answered (key, question, interviews), scores (key,
    question, value, count)."""
    result: dict[Any, Tally] = {}

    def of(key) -> Tally:
        tally = result.get(key)
        if tally is None:
            tally = result[key] = Tally()
        return tally

    for key, count in rows.get("count", ()):
        of(key).count += int(count)
    for key, _question, category, n, total_, squares in rows.get("ratings", ()):
        sums = of(key).ratings.setdefault(category, [0, 0.0, 0.0])
        sums[0] += int(n)
        sums[1] += float(total_ or 0)
        sums[2] += float(squares or 0)
    for key, question, _category, code, count in rows.get("choices", ()):
        codes = of(key).choices.setdefault(question, {})
        codes[code] = codes.get(code, 0) + int(count)
    for key, question, count in rows.get("answered", ()):
        of(key).answered[question] = int(count)
    for key, question, value, count in rows.get("scores", ()):
        of(key).scores.setdefault(question, {})[int(value)] = int(count)
    return result


def tally_of(numbers: Any) -> Tally:
    """The tally of one interview's numbers (flows.numbers.InterviewNumbers): what SQL adds up."""
    tally = Tally(count=1)
    for row in numbers.answers:
        if row.kind == "rating":
            sums = tally.ratings.setdefault(row.category, [0, 0.0, 0.0])
            sums[0] += 1
            sums[1] += row.value
            sums[2] += row.value * row.value
        elif row.kind == "score":
            values = tally.scores.setdefault(row.question_id, {})
            values[row.value] = values.get(row.value, 0) + 1
        elif row.kind == "answered":
            tally.answered[row.question_id] = tally.answered.get(row.question_id, 0) + 1
        elif row.kind == "choice":
            codes = tally.choices.setdefault(row.question_id, {})
            codes[row.code] = codes.get(row.code, 0) + 1
    return tally


@dataclass(frozen=True)
class ChoiceFigure:
    """One choice question's answers as a figure for managers: the options picked by at least k
    leavers (most picked first), what the rest add up to, of `answered`. `withheld` when fewer
    than k answered the question: nothing of it is shown."""

    question_id: str
    answered: int
    shown: tuple[tuple[str, int], ...] = ()
    rest: int = 0
    withheld: bool = False


def where_they_go(tally: Tally, template: Template, min_group_size: int) -> tuple[ChoiceFigure, ...]:
    """Where leavers go and what the new employer offers, from the choice questions about it
    (category competitor), each with k checked on its own answers and its cells kept as a clean
    partition (flows.insights.protected_counts)."""
    k = max(MIN_GROUP_FLOOR, int(min_group_size))
    figures = []
    for question in template.questions:
        if question.category is not Category.COMPETITOR or question.type not in (
                QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            continue
        answered = tally.answered.get(question.id, 0)
        counts = tally.choices.get(question.id, {})
        if answered < k:
            figures.append(ChoiceFigure(question.id, answered, withheld=True))
            continue
        if question.type is QuestionType.SINGLE_CHOICE:
            protected = protected_counts(counts, answered, k)
            shown, rest = protected if protected is not None else ([], answered)
        else:
            # Several picks per leaver: an option is shown when at least k picked it and at least k
            # (or nobody) did not, as for the reasons; the picks of the rest count together, and
            # only when they are k or more.
            shown = sorted(((code, count) for code, count in counts.items()
                            if count >= k and (answered - count == 0 or answered - count >= k)),
                           key=lambda item: (-item[1], item[0]))
            rest = sum(counts.values()) - sum(count for _code, count in shown)
        figures.append(ChoiceFigure(question.id, answered, tuple(shown), rest if rest >= k else 0))
    return tuple(figures)
