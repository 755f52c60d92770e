"""Statistics for the digests to managers and the HR trend reports, honest about small samples.

A company of 200 sees a few leavers a month, so every number comes with how many answers it rests
on and an uncertainty interval, and a signal ("working conditions dropped") is only raised when the
interval says the change is more than noise. Nothing here ranks teams or managers: a breakdown by
department or tenure is shown whole (every group large enough) or not at all, in name order.

What counts is read from the template by question type and category, so custom templates work:

    rating questions                     averaged per category (one value per interview)
    multiple_choice, category reasons    the reasons for leaving (the first such question)
    scale_0_10, category recommendation  eNPS: % promoters (9–10) minus % detractors (0–6)
    single_choice, category return       would come back: the option id "yes" is yes, others not
    yes_no, category consent             whether the leaver agreed to share highlights

Skipped answers, answers of questions the template does not have and malformed values are ignored.
Everything is deterministic: the same interviews give the same numbers, signals and order.
"""

from __future__ import annotations

import functools
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple, TypeVar

from flows.template import RATING_POINTS, Category, QuestionType, Template

T = TypeVar("T")

RATING_SCALE = (1, RATING_POINTS)
ENPS_SCALE = (-100, 100)
PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_UP_TO = 6  # 0 to 6
YES = "yes"  # the option id of the come-back question that counts as yes
UNKNOWN = "unknown"  # the breakdown group of interviews without a value
TENURE_BOUNDS = (1.0, 2.0, 5.0)  # years: bands 0-1, 1-2, 2-5, 5+
MIN_GROUP_FLOOR = 3  # no configuration goes below this
BAR_FULL = "█"
BAR_EMPTY = "░"
SignalKind = Literal["category_drop", "reason_common", "enps_negative", "category_low"]


# --- configuration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Every threshold in one place. `min_group_size` is clamped to at least 3.

    min_group_size  fewest interviews behind any signal, breakdown group or digest
    drop_threshold  how far a category average must fall (points on 1–5) to be a drop
    reason_share    share of leavers naming a reason that makes it common
    low_score       a category average below this (with its whole interval) is low
    confidence      level of every interval (two-sided)
    """

    min_group_size: int = 3
    drop_threshold: float = 0.5
    reason_share: float = 0.40
    low_score: float = 3.0
    confidence: float = 0.90

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_group_size", max(MIN_GROUP_FLOOR, int(self.min_group_size)))
        if not (math.isfinite(self.drop_threshold) and self.drop_threshold >= 0):
            raise ValueError(f"drop_threshold must be a number ≥ 0, not {self.drop_threshold!r}")
        if not 0 < self.reason_share <= 1:
            raise ValueError(f"reason_share must be above 0 and at most 1, not {self.reason_share!r}")
        if not math.isfinite(self.low_score):
            raise ValueError(f"low_score must be a number, not {self.low_score!r}")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1, not {self.confidence!r}")


DEFAULT_THRESHOLDS = Thresholds()


# --- interviews ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What the statistics need to know of a template: which question feeds which number."""

    ratings: tuple[tuple[str, str], ...] = ()  # (question id, category), in template order
    reasons: str | None = None
    recommendation: str | None = None
    come_back: str | None = None
    consent: str | None = None

    @classmethod
    def of(cls, template: Template) -> Layout:
        def first(kind: QuestionType, category: Category) -> str | None:
            return next((q.id for q in template.questions if q.type is kind and q.category is category), None)

        return cls(
            ratings=tuple((q.id, str(q.category)) for q in template.questions if q.type is QuestionType.RATING),
            reasons=first(QuestionType.MULTIPLE_CHOICE, Category.REASONS),
            recommendation=first(QuestionType.SCALE_0_10, Category.RECOMMENDATION),
            come_back=first(QuestionType.SINGLE_CHOICE, Category.RETURN),
            consent=first(QuestionType.YES_NO, Category.CONSENT),
        )


@dataclass(frozen=True)
class InterviewFacts:
    """One submitted interview: its final answers (question id → answer JSON) and who left."""

    interview_id: int
    submitted_on: date
    layout: Layout
    answers: Mapping[str, Any]
    department: str | None = None
    tenure_years: float | None = None

    @classmethod
    def from_template(
        cls,
        interview_id: int,
        submitted_on: date,
        template: Template,
        answers: Mapping[str, Any],
        department: str | None = None,
        tenure_years: float | None = None,
    ) -> InterviewFacts:
        return cls(interview_id, submitted_on, Layout.of(template), dict(answers), department, tenure_years)

    @property
    def consented(self) -> bool:
        """True only when the leaver answered yes to sharing highlights with management."""
        answer = _answer(self.answers, self.layout.consent)
        return answer is not None and answer.get("value") is True

    def ratings(self) -> dict[str, float]:
        """Category → this interview's average rating in it (categories without a rating left out)."""
        per_category: dict[str, list[float]] = {}
        for question_id, category in self.layout.ratings:
            value = _number(_answer(self.answers, question_id), *RATING_SCALE)
            if value is not None:
                per_category.setdefault(category, []).append(value)
        return {category: math.fsum(values) / len(values) for category, values in per_category.items()}

    def reasons(self) -> list[str] | None:
        """The reason option ids picked (each once, in answer order), None when not answered."""
        answer = _answer(self.answers, self.layout.reasons)
        values = answer.get("values") if answer is not None else None
        if not isinstance(values, list | tuple):
            return None
        picked = list(dict.fromkeys(value for value in values if isinstance(value, str)))
        return picked or None

    def recommendation(self) -> float | None:
        return _number(_answer(self.answers, self.layout.recommendation), 0, 10)

    def comes_back(self) -> bool | None:
        answer = _answer(self.answers, self.layout.come_back)
        value = answer.get("value") if answer is not None else None
        return value == YES if isinstance(value, str) else None


def _answer(answers: Mapping[str, Any], question_id: str | None) -> Mapping[str, Any] | None:
    """The answer to a question, None when missing, skipped or not an answer at all."""
    if question_id is None:
        return None
    answer = answers.get(question_id)
    if not isinstance(answer, Mapping) or answer.get("skipped") is True:
        return None
    return answer


def _number(answer: Mapping[str, Any] | None, low: float, high: float) -> float | None:
    value = answer.get("value") if answer is not None else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return float(value)


# --- estimates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mean:
    """An average of `n` values with its interval [low, high] (always low ≤ value ≤ high)."""

    value: float
    n: int
    low: float
    high: float

    def overlaps(self, other: Mean) -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True)
class Enps:
    """Employee Net Promoter Score, −100..100, with its interval and the counts behind it."""

    value: float
    n: int
    low: float
    high: float
    promoters: int
    passives: int
    detractors: int


@dataclass(frozen=True)
class Share:
    """`count` of `n` (value = count / n), with a Wilson interval."""

    count: int
    n: int
    value: float
    low: float
    high: float


class ReasonCount(NamedTuple):
    reason: str  # the option id
    count: int
    share: float  # of the leavers who answered the reasons question


EXPANSION_FROM_DF = 100  # from here the series below is exact to well within 1e-9


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t distribution with `df` degrees of freedom (0 < p < 1).

    Inverts the exact CDF (through the regularized incomplete beta function) by bisection, so it is
    exact to about 1e-12 for every df and p, no table needed. From EXPANSION_FROM_DF degrees of
    freedom on (large groups: a breakdown at 100,000 interviews asks hundreds of them) the
    Cornish-Fisher series around the normal quantile gives the same to within 1e-9, a thousand
    times faster (Abramowitz & Stegun 26.7.5).
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, not {p!r}")
    if not df > 0:
        raise ValueError(f"df must be positive, not {df!r}")
    if df >= EXPANSION_FROM_DF:
        return _t_series(p, df)
    return _t_exact(p, df)


def _t_exact(p: float, df: float) -> float:
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -_t_exact(1 - p, df)
    tail = 1 - p

    def upper_tail(t: float) -> float:  # P(T > t) for t ≥ 0
        return 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))

    low, high = 0.0, 1.0
    while upper_tail(high) > tail:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if upper_tail(middle) > tail:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _t_series(p: float, df: float) -> float:
    x = statistics.NormalDist().inv_cdf(p)
    g1 = (x ** 3 + x) / 4
    g2 = (5 * x ** 5 + 16 * x ** 3 + 3 * x) / 96
    g3 = (3 * x ** 7 + 19 * x ** 5 + 17 * x ** 3 - 15 * x) / 384
    g4 = (79 * x ** 9 + 776 * x ** 7 + 1482 * x ** 5 - 1920 * x ** 3 - 945 * x) / 92160
    return x + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4


def _betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300

    def guard(value: float) -> float:
        return tiny if abs(value) < tiny else value

    c = 1.0
    d = 1 / guard(1 - (a + b) * x / (a + 1))
    result = d
    for m in range(1, 1000):
        numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 / guard(1 + numerator * d)
        c = guard(1 + numerator / c)
        result *= d * c
        numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 / guard(1 + numerator * d)
        c = guard(1 + numerator / c)
        step = d * c
        result *= step
        if abs(step - 1) < 1e-16:
            break
    return result


def _z(confidence: float) -> float:
    return statistics.NormalDist().inv_cdf((1 + confidence) / 2)


def mean_of(
    values: Iterable[float],
    scale: tuple[float, float] = RATING_SCALE,
    confidence: float = DEFAULT_THRESHOLDS.confidence,
) -> Mean:
    """The average with a Student t interval, clamped to the scale; one value says nothing: the
    interval is then the whole scale. Raises ValueError for no values or a value off the scale."""
    data = [float(value) for value in values]
    bottom, top = scale
    if not data:
        raise ValueError("no values to average")
    if any(not (math.isfinite(value) and bottom <= value <= top) for value in data):
        raise ValueError(f"values must lie within {bottom}..{top}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    n = len(data)
    value = min(top, max(bottom, math.fsum(data) / n))
    if n == 1:
        return Mean(value, 1, float(bottom), float(top))
    half = t_quantile((1 + confidence) / 2, n - 1) * statistics.stdev(data) / math.sqrt(n)
    return Mean(value, n, max(float(bottom), value - half), min(float(top), value + half))


def enps_of(scores: Iterable[float], confidence: float = DEFAULT_THRESHOLDS.confidence) -> Enps:
    """eNPS of 0–10 scores, with the adjusted-Wald interval (Rocks 2016: ¾ added to promoters and to
    detractors, 3 to n) that holds up at small n; one score: the whole range."""
    data = [float(score) for score in scores]
    if not data:
        raise ValueError("no scores")
    if any(not (math.isfinite(score) and 0 <= score <= 10) for score in data):
        raise ValueError("scores must lie within 0..10")
    promoters = sum(score >= PROMOTER_FROM for score in data)
    detractors = sum(score <= DETRACTOR_UP_TO for score in data)
    return _enps(promoters, len(data) - promoters - detractors, detractors, confidence)


def _enps(promoters: int, passives: int, detractors: int, confidence: float) -> Enps:
    n = promoters + passives + detractors
    value = 100 * (promoters - detractors) / n
    bottom, top = ENPS_SCALE
    if n == 1:
        low, high = float(bottom), float(top)
    else:
        p = (promoters + 0.75) / (n + 3)
        d = (detractors + 0.75) / (n + 3)
        half = _z(confidence) * math.sqrt((p + d - (p - d) ** 2) / (n + 3))
        low = max(float(bottom), min(value, 100 * (p - d - half)))
        high = min(float(top), max(value, 100 * (p - d + half)))
    return Enps(value, n, low, high, promoters, n - promoters - detractors, detractors)


def share_of(count: int, n: int, confidence: float = DEFAULT_THRESHOLDS.confidence) -> Share:
    """count / n with the Wilson score interval."""
    if n < 1 or not 0 <= count <= n:
        raise ValueError(f"need 0 ≤ count ≤ n and n ≥ 1, not {count} of {n}")
    z = _z(confidence)
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Share(count, n, p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


# --- one period ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodStats:
    """What a set of interviews says. `count`: interviews; every part carries its own n."""

    count: int
    reasons: tuple[ReasonCount, ...]  # share desc, then id; only reasons named at least once
    reasons_n: int  # interviews that answered the reasons question: the denominator of the shares
    categories: dict[str, Mean]  # category → average rating, in Category order
    enps: Enps | None
    come_back: Share | None  # share answering "yes" of those answering the come-back question
    # Figures left out of a managers' view (see `for_managers`): "category:<id>", "reasons" (all of
    # them), "reasons.some" (some bars), "enps", "enps.counts", "come_back". Empty for HR's figures.
    withheld: tuple[str, ...] = ()

    def is_withheld(self, figure: str) -> bool:
        return figure in self.withheld


def category_order(category: str) -> tuple[int, str]:
    """Categories in the order Category lists them; any unknown one after those, by name."""
    known = [str(item) for item in Category]
    return (known.index(category), "") if category in known else (len(known), category)


@dataclass(frozen=True)
class Moments:
    """What an average needs: how many values, their sum and their sum of squares (SQL can give these)."""

    n: int = 0
    total: float = 0.0
    sumsq: float = 0.0

    @classmethod
    def of(cls, values: Iterable[float]) -> Moments:
        data = [float(value) for value in values]
        return cls(len(data), math.fsum(data), math.fsum(value * value for value in data))

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.sumsq + other.sumsq)


@dataclass(frozen=True)
class PeriodAggregates:
    """Everything the statistics of a set of interviews rest on, as counts and sums only.

    ratings         category → Moments of the per-interview category averages
    reasons         reason option id → interviews naming it; reasons_n: interviews answering
    recommendation  score (0–10) → interviews giving it
    come_back       option id of the come-back question → interviews choosing it
    """

    count: int = 0
    ratings: Mapping[str, Moments] = field(default_factory=dict)
    reasons: Mapping[str, int] = field(default_factory=dict)
    reasons_n: int = 0
    recommendation: Mapping[float, int] = field(default_factory=dict)
    come_back: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: PeriodAggregates) -> PeriodAggregates:
        ratings = dict(self.ratings)
        for category, moments in other.ratings.items():
            ratings[category] = ratings.get(category, Moments()) + moments
        return PeriodAggregates(
            count=self.count + other.count,
            ratings=ratings,
            reasons=dict(Counter(self.reasons) + Counter(other.reasons)),
            reasons_n=self.reasons_n + other.reasons_n,
            recommendation=dict(Counter(self.recommendation) + Counter(other.recommendation)),
            come_back=dict(Counter(self.come_back) + Counter(other.come_back)),
        )


def aggregate(period: Iterable[InterviewFacts]) -> PeriodAggregates:
    """The counts and sums of a set of interviews (what a numbers table in SQL would give)."""
    ratings: dict[str, list[float]] = {}
    reasons: Counter[str] = Counter()
    reasons_n = 0
    scores: Counter[float] = Counter()
    come_back: Counter[str] = Counter()
    count = 0
    for facts in period:
        count += 1
        for category, value in facts.ratings().items():
            ratings.setdefault(category, []).append(value)
        picked = facts.reasons()
        if picked is not None:
            reasons_n += 1
            reasons.update(picked)
        score = facts.recommendation()
        if score is not None:
            scores[score] += 1
        if facts.comes_back() is not None:
            come_back[_answer(facts.answers, facts.layout.come_back)["value"]] += 1
    return PeriodAggregates(
        count=count,
        ratings={category: Moments.of(values) for category, values in ratings.items()},
        reasons=dict(reasons),
        reasons_n=reasons_n,
        recommendation=dict(scores),
        come_back=dict(come_back),
    )


def mean_from(
    moments: Moments, scale: tuple[float, float] = RATING_SCALE, confidence: float = DEFAULT_THRESHOLDS.confidence
) -> Mean:
    """The average of `moments` with a Student t interval clamped to the scale (as `mean_of`)."""
    n = moments.n
    if n < 1:
        raise ValueError("no values to average")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    bottom, top = scale
    value = min(top, max(bottom, moments.total / n))
    if n == 1:
        return Mean(value, 1, float(bottom), float(top))
    variance = max(0.0, (moments.sumsq - moments.total * moments.total / n) / (n - 1))
    half = t_quantile((1 + confidence) / 2, n - 1) * math.sqrt(variance) / math.sqrt(n)
    return Mean(value, n, max(float(bottom), value - half), min(float(top), value + half))


def enps_from(scores: Mapping[float, int], confidence: float = DEFAULT_THRESHOLDS.confidence) -> Enps:
    """eNPS from how many gave each 0–10 score (as `enps_of`)."""
    return enps_of([score for score, times in sorted(scores.items()) for _ in range(int(times))], confidence)


def stats_from(aggregates: PeriodAggregates, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PeriodStats:
    """Every figure of a period from its counts and sums, each with the n it rests on."""
    confidence = thresholds.confidence
    reasons_n = aggregates.reasons_n
    reason_counts = sorted(
        (ReasonCount(reason, count, count / reasons_n) for reason, count in aggregates.reasons.items() if count > 0),
        key=lambda item: (-item.count, item.reason),  # same n for all: count order is share order, exactly
    ) if reasons_n else []
    back_n = sum(aggregates.come_back.values())
    scores = {score: times for score, times in aggregates.recommendation.items() if times > 0}
    return PeriodStats(
        count=aggregates.count,
        reasons=tuple(reason_counts),
        reasons_n=reasons_n,
        categories={
            category: mean_from(aggregates.ratings[category], RATING_SCALE, confidence)
            for category in sorted(aggregates.ratings, key=category_order)
            if aggregates.ratings[category].n > 0
        },
        enps=enps_from(scores, confidence) if scores else None,
        come_back=share_of(aggregates.come_back.get(YES, 0), back_n, confidence) if back_n else None,
    )


def compute(period: Sequence[InterviewFacts], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PeriodStats:
    return stats_from(aggregate(period), thresholds)


# --- what managers may see ---------------------------------------------------------------------------
#
# The rule, for every figure in a digest, its chart, its signals and anything else a manager sees:
#
# 1. k per figure: a figure rests on at least k answers to THAT question (k = min_group_size, the
#    setting DIGEST_MIN_INTERVIEWS, never below 3); otherwise it is withheld ("too few answers").
# 2. Clean partitions: a published count splits the answers into cells (named a reason / did not;
#    would come back / would not; promoters / passives / detractors). Every cell is 0 or at least k,
#    so no small group can be had by subtracting a published count from its published total.
#    Reasons are multiple choice: each reason is its own two-cell partition, and the reasons
#    withheld are neither named nor counted.
# 3. Periods never overlap: a change compares two digests that share no interview, and is shown only
#    when both sides are published figures; the chart's history is one point per digest (each
#    interview in exactly one), never months that a later digest could fill up.
# 4. Context over everything published so far ("overall") only accompanies a signal, and a signal
#    only exists for a published figure, so the overall minus the previous overall is that figure.


def enough_answers(n: int, k: int) -> bool:
    """Rule 1: a figure resting on n answers may be shown."""
    return n >= max(MIN_GROUP_FLOOR, k)


def clean_cell(count: int, n: int, k: int) -> bool:
    """Rule 2: `count` of `n` may be shown: n is enough, and the cell and its complement are each
    0 or at least k."""
    k = max(MIN_GROUP_FLOOR, k)
    rest = n - count
    return enough_answers(n, k) and (count == 0 or count >= k) and (rest == 0 or rest >= k)


def for_managers(stats: PeriodStats, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PeriodStats:
    """The figures of `stats` that may reach managers (rules 1 and 2); the others are left out and
    named in `withheld`, so the view can say "too few answers" where they would be."""
    k = thresholds.min_group_size
    withheld: list[str] = []
    categories: dict[str, Mean] = {}
    for category, mean in stats.categories.items():
        if enough_answers(mean.n, k):
            categories[category] = mean
        else:
            withheld.append(f"category:{category}")
    reasons: tuple[ReasonCount, ...] = ()
    if stats.reasons_n and not enough_answers(stats.reasons_n, k):
        withheld.append("reasons")
    elif stats.reasons:
        reasons = tuple(item for item in stats.reasons if clean_cell(item.count, stats.reasons_n, k))
        if len(reasons) < len(stats.reasons):
            withheld.append("reasons.some")
    enps = stats.enps
    if enps is not None and not enough_answers(enps.n, k):
        withheld.append("enps")
        enps = None
    elif enps is not None and not all(
        clean_cell(cell, enps.n, k) for cell in (enps.promoters, enps.passives, enps.detractors)
    ):
        withheld.append("enps.counts")
    come_back = stats.come_back
    if come_back is not None and not clean_cell(come_back.count, come_back.n, k):
        withheld.append("come_back")
        come_back = None
    return PeriodStats(stats.count, reasons, stats.reasons_n, categories, enps, come_back, tuple(withheld))


def published_record(stats: PeriodStats) -> dict[str, Any]:
    """The managers' figures of a digest as plain JSON, kept with the digest: later digests compare
    with (and chart) exactly what was published, never a recount that an interview withdrawn or
    purged since would change (the difference would be that one interview)."""
    return {
        "count": stats.count,
        "categories": {
            category: [mean.value, mean.n, mean.low, mean.high] for category, mean in stats.categories.items()
        },
        "withheld": list(stats.withheld),
    }


def from_published_record(record: Mapping[str, Any]) -> PeriodStats | None:
    """The figures `published_record` kept (categories only: what comparisons and the chart use);
    None for a record without them."""
    categories = record.get("categories") if isinstance(record, Mapping) else None
    if not isinstance(categories, Mapping):
        return None
    means = {
        str(category): Mean(float(value), int(n), float(low), float(high))
        for category, (value, n, low, high) in categories.items()
    }
    return PeriodStats(
        count=int(record.get("count", 0)), reasons=(), reasons_n=0,
        categories={category: means[category] for category in sorted(means, key=category_order)},
        enps=None, come_back=None, withheld=tuple(str(item) for item in record.get("withheld", ())),
    )


# --- comparing and signalling ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A category's average now against the previous period.

    `real`: both periods have at least min_group_size answers and the intervals do not overlap;
    `drop`: real and fallen by at least drop_threshold.
    """

    category: str
    current: Mean
    previous: Mean
    delta: float
    real: bool
    drop: bool


def changes(
    current: PeriodStats, previous: PeriodStats, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> dict[str, Change]:
    """Per category present in both periods, in Category order."""
    result: dict[str, Change] = {}
    for category, now in current.categories.items():
        before = previous.categories.get(category)
        if before is None:
            continue
        delta = now.value - before.value
        enough = min(now.n, before.n) >= thresholds.min_group_size
        real = enough and not now.overlaps(before)
        drop = real and delta <= -thresholds.drop_threshold + 1e-9
        result[category] = Change(category, now, before, delta, real, drop)
    return result


@dataclass(frozen=True)
class Signal:
    """Something worth a line in a digest. `numbers` are the figures behind it (rounded for display);
    `key` names the message in the catalog: "signal.<kind>"."""

    kind: SignalKind
    subject: str  # the category, the reason option id, or "enps"
    numbers: dict[str, float | int]
    key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"signal.{self.kind}")


def _mean_numbers(mean: Mean, prefix: str = "") -> dict[str, float | int]:
    names = ("mean", "n", "low", "high") if not prefix else (prefix, f"{prefix}_n", f"{prefix}_low", f"{prefix}_high")
    return dict(zip(names, (round(mean.value, 2), mean.n, round(mean.low, 2), round(mean.high, 2)), strict=True))


def _overall_mean(overall: PeriodStats | None, category: str) -> dict[str, float | int]:
    mean = overall.categories.get(category) if overall is not None else None
    return {"overall": round(mean.value, 2), "overall_n": mean.n} if mean is not None else {}


def signals(
    current: PeriodStats,
    previous: PeriodStats | None,
    overall: PeriodStats | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Signal]:
    """The signals of a period, in a fixed order: category drops, common reasons, a negative eNPS,
    low categories. Each needs at least min_group_size answers and an interval that leaves no
    doubt, so a period where nothing really changed raises none. `overall` (all periods) only adds
    context numbers ("overall", "overall_share")."""
    minimum = thresholds.min_group_size
    result: list[Signal] = []
    numbers: dict[str, float | int]
    if previous is not None:
        for category, change in changes(current, previous, thresholds).items():
            if change.drop:
                numbers = {
                    **_mean_numbers(change.current),
                    **_mean_numbers(change.previous, "previous"),
                    "delta": round(change.delta, 2),
                    **_overall_mean(overall, category),
                }
                result.append(Signal("category_drop", category, numbers))
    if current.reasons_n >= minimum:
        overall_reasons = {item.reason: item for item in overall.reasons} if overall is not None else {}
        for item in current.reasons:
            if item.share >= thresholds.reason_share - 1e-9:
                numbers = {
                    "count": item.count,
                    "n": current.reasons_n,
                    "share": round(item.share, 4),
                }
                if item.reason in overall_reasons:
                    numbers["overall_share"] = round(overall_reasons[item.reason].share, 4)
                result.append(Signal("reason_common", item.reason, numbers))
    enps = current.enps
    if enps is not None and enps.n >= minimum and enps.value < 0 and enps.high < 0:
        numbers = {
            "enps": round(enps.value, 2),
            "n": enps.n,
            "low": round(enps.low, 2),
            "high": round(enps.high, 2),
        }
        if not current.is_withheld("enps.counts"):
            numbers.update(promoters=enps.promoters, passives=enps.passives, detractors=enps.detractors)
        if overall is not None and overall.enps is not None:
            numbers["overall"] = round(overall.enps.value, 2)
        result.append(Signal("enps_negative", "enps", numbers))
    for category, mean in current.categories.items():
        if mean.n >= minimum and mean.value < thresholds.low_score and mean.high < thresholds.low_score:
            numbers = {**_mean_numbers(mean), "threshold": thresholds.low_score, **_overall_mean(overall, category)}
            result.append(Signal("category_low", category, numbers))
    return result


# --- breakdowns ------------------------------------------------------------------------------------


def by_department(facts: InterviewFacts) -> str | None:
    department = (facts.department or "").strip()
    return department or None


def tenure_band(years: float | None, bounds: Sequence[float] = TENURE_BOUNDS) -> str | None:
    """The band of a tenure in years: with bounds (1, 2, 5) one of "0-1", "1-2", "2-5", "5+"."""
    if years is None or isinstance(years, bool) or not math.isfinite(years) or years < 0:
        return None
    lower = 0.0
    for bound in bounds:
        if years < bound:
            return f"{_number_text(lower)}-{_number_text(bound)}"
        lower = bound
    return f"{_number_text(lower)}+"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def by_tenure_band(facts: InterviewFacts) -> str | None:
    return tenure_band(facts.tenure_years)


def breakdown(
    facts: Sequence[InterviewFacts],
    key: Callable[[InterviewFacts], str | None],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, PeriodStats] | None:
    """Statistics per group (department, tenure band, ...), shown whole or not at all: None unless
    every group, "unknown" (no value) included, has at least min_group_size interviews. Groups in
    name order with "unknown" last — never ranked by score."""
    groups: dict[str, list[InterviewFacts]] = {}
    for item in facts:
        groups.setdefault(key(item) or UNKNOWN, []).append(item)
    if not groups or any(len(members) < thresholds.min_group_size for members in groups.values()):
        return None
    order = sorted(groups, key=lambda name: (name == UNKNOWN, name))
    return {name: compute(groups[name], thresholds) for name in order}


# --- presentation helpers --------------------------------------------------------------------------


def _half_up(value: float) -> int:
    return math.floor(value + 0.5 + 1e-9)


def bar(share: float, width: int = 10) -> str:
    """A text bar with the percentage: bar(0.6) == "██████░░░░ 60%". Shares are clamped to 0..1."""
    if width < 1:
        raise ValueError("width must be at least 1")
    share = min(1.0, max(0.0, share)) if math.isfinite(share) else 0.0
    filled = min(width, _half_up(share * width))
    return f"{BAR_FULL * filled}{BAR_EMPTY * (width - filled)} {_half_up(share * 100)}%"


def shuffled(items: Iterable[T], seed: int | str | bytes) -> list[T]:
    """The items in an order fixed by the seed (so highlights never appear in leaving order, and the
    same digest shows them the same way every time)."""
    result = list(items)
    random.Random(seed).shuffle(result)
    return result


def digest_ready(pending_count: int, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Enough new interviews for a digest that does not point at anyone."""
    return pending_count >= max(MIN_GROUP_FLOOR, thresholds.min_group_size)


# --- protected breakdowns from SQL aggregates ------------------------------------------------------
#
# The numbers store gives, per group (a manager, a department, a tenure band, a main reason), the
# count of interviews and for each figure its count, sum and sum of squares. A group is shown only
# when it holds at least min_group_size interviews. The small ones are merged into one "other"
# cell; and because the total is published too, "other" must itself reach the threshold, else one
# small group could be read off as total minus the rest: the smallest shown groups then join
# "other" until it does. Below the threshold overall, nothing is shown.

OTHER = "other"  # the cell of the groups too small to show on their own


def mean_of_moments(
    moments: Moments, scale: tuple[float, float] = RATING_SCALE, confidence: float = DEFAULT_THRESHOLDS.confidence
) -> Mean | None:
    """`mean_from`, None when there is nothing to average."""
    return mean_from(moments, scale, confidence) if moments.n >= 1 else None


@dataclass(frozen=True)
class GroupFigures:
    """The aggregates of one group of interviews, as SQL sums them; groups add up."""

    count: int = 0  # interviews
    ratings: Mapping[str, Moments] = field(default_factory=dict)  # category → rating moments
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    reasons: Mapping[str, int] = field(default_factory=dict)  # option id → interviews naming it
    reasons_n: int = 0  # interviews that answered the reasons question

    def __add__(self, other: GroupFigures) -> GroupFigures:
        ratings = dict(self.ratings)
        for category, moments in other.ratings.items():
            ratings[category] = ratings.get(category, Moments()) + moments
        reasons = Counter(self.reasons)
        reasons.update(other.reasons)
        return GroupFigures(
            self.count + other.count, ratings, self.promoters + other.promoters, self.passives + other.passives,
            self.detractors + other.detractors, dict(reasons), self.reasons_n + other.reasons_n,
        )


@dataclass(frozen=True)
class Cell:
    """One shown cell of a breakdown: a group (or OTHER, the merged small groups) and its figures.
    A figure resting on fewer than min_group_size answers is None."""

    name: str
    count: int
    categories: dict[str, Mean | None]
    enps: Enps | None
    reasons: tuple[ReasonCount, ...]  # only reasons named by at least min_group_size
    merged: int = 0  # how many groups OTHER holds (0 for a named group)


def protect_partition(counts: Mapping[str, int], min_group_size: int) -> dict[str, list[str]] | None:
    """Which groups form which shown cell: {cell name: [group names]}, named cells in name order and
    OTHER last. Every cell holds at least min_group_size (clamped to MIN_GROUP_FLOOR) interviews, so
    no group below it can be recovered from the total and the other cells. None: too few overall."""
    k = max(MIN_GROUP_FLOOR, int(min_group_size))
    groups = {name: count for name, count in counts.items() if count > 0}
    if sum(groups.values()) < k:
        return None
    large = sorted((name for name, count in groups.items() if count >= k), key=lambda name: (groups[name], name))
    small = sorted(name for name in groups if groups[name] < k)
    other = sum(groups[name] for name in small)
    while small and other < k and large:
        smallest = large.pop(0)  # the smallest shown group makes "other" large enough
        small.append(smallest)
        other += groups[smallest]
    cells = {name: [name] for name in sorted(large, key=lambda name: (name == UNKNOWN, name))}
    if small:
        cells[OTHER] = sorted(small)
    return cells


def enps_of_counts(
    promoters: int, passives: int, detractors: int, confidence: float = DEFAULT_THRESHOLDS.confidence
) -> Enps | None:
    """`enps_of` from the three counts alone (what it computes depends on nothing else)."""
    if min(promoters, passives, detractors) < 0 or promoters + passives + detractors < 1:
        return None
    return _enps(promoters, passives, detractors, confidence)


def cell_of(name: str, figures: GroupFigures, merged: int, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Cell:
    minimum, confidence = thresholds.min_group_size, thresholds.confidence
    categories = {
        category: mean_of_moments(moments, RATING_SCALE, confidence) if moments.n >= minimum else None
        for category, moments in sorted(figures.ratings.items(), key=lambda item: category_order(item[0]))
    }
    enps = None
    if figures.promoters + figures.passives + figures.detractors >= minimum:
        enps = enps_of_counts(figures.promoters, figures.passives, figures.detractors, confidence)
    reasons: tuple[ReasonCount, ...] = ()
    if figures.reasons_n >= minimum:
        reasons = tuple(sorted(
            (ReasonCount(reason, count, count / figures.reasons_n) for reason, count in figures.reasons.items()
             if count >= minimum),  # a reason of one or two in a small group would point at them
            key=lambda item: (-item.count, item.reason),
        ))
    return Cell(name, figures.count, categories, enps, reasons, merged)


def protected_breakdown(
    groups: Mapping[str, GroupFigures], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[Cell] | None:
    """The cells of a breakdown HR may see (protect_partition), each with its figures; None when the
    interviews together are fewer than min_group_size."""
    cells = protect_partition({name: figures.count for name, figures in groups.items()}, thresholds.min_group_size)
    if cells is None:
        return None
    result = []
    for name, members in cells.items():
        figures = GroupFigures()
        for member in members:
            figures = figures + groups[member]
        result.append(cell_of(name, figures, len(members) if name == OTHER else 0, thresholds))
    return result


@dataclass(frozen=True)
class Comparison:
    """One manager's leavers against the rest of the company, for HR only."""

    manager: Cell
    rest: Cell
    company: Cell


def compare_group(
    group: GroupFigures, company: GroupFigures, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Comparison | None:
    """A group against the company, only when the group and the rest each hold at least
    min_group_size interviews (otherwise the rest, company minus group, would give a small group
    away). None: withheld."""
    rest_count = company.count - group.count
    if group.count < thresholds.min_group_size or rest_count < thresholds.min_group_size:
        return None
    rest = _minus(company, group)
    return Comparison(cell_of("group", group, 0, thresholds), cell_of("rest", rest, 0, thresholds),
                      cell_of("company", company, 0, thresholds))


def _minus(whole: GroupFigures, part: GroupFigures) -> GroupFigures:
    ratings = {
        category: Moments(moments.n - part.ratings.get(category, Moments()).n,
                          moments.total - part.ratings.get(category, Moments()).total,
                          moments.sumsq - part.ratings.get(category, Moments()).sumsq)
        for category, moments in whole.ratings.items()
    }
    reasons = {reason: count - part.reasons.get(reason, 0) for reason, count in whole.reasons.items()}
    return GroupFigures(
        whole.count - part.count, ratings, whole.promoters - part.promoters, whole.passives - part.passives,
        whole.detractors - part.detractors, reasons, whole.reasons_n - part.reasons_n,
    )


def protected_counts(
    counts: Mapping[str, int], n: int, min_group_size: int
) -> tuple[list[tuple[str, int]], int] | None:
    """Answers to a choice question (option → how many picked it, of n who answered): the options
    picked by at least min_group_size, most picked first, and how many picks went to the rest
    (merged as OTHER; when that rest is below the threshold and above zero, the least picked
    shown options join it). None when fewer than min_group_size answered."""
    k = max(MIN_GROUP_FLOOR, int(min_group_size))
    if n < k:
        return None
    cells = protect_partition(counts, k)
    if cells is None:
        return [], 0
    shown = sorted(((name, counts[name]) for name in cells if name != OTHER), key=lambda item: (-item[1], item[0]))
    rest = sum(counts[name] for name in cells.get(OTHER, []))
    return shown, rest
