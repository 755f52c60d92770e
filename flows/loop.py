""""You said, we did" (issue 5), the rules: which signals HR can record an action against, and whether a
signal's number moved after an action (before vs after the action's day, each side with its n; below
`MIN_SIDE` interviews on a side the report says "not enough data yet").

A subject names a signal: "category:<category>", "reason:<reason code>", or `GENERAL` for an action
that answers no one signal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flows.insights import PeriodStats, Signal

GENERAL = "general"
MAX_WHAT = 500
MAX_SUBJECT = 80
MIN_SIDE = 3  # fewest interviews on either side of an action before we say whether numbers moved

# Which signals an action can answer, and the kind of subject each one becomes.
_SUBJECT_KIND = {"category_drop": "category", "category_low": "category", "reason_common": "reason"}


@dataclass(frozen=True)
class Action:
    id: int
    what: str
    done_on: date
    owner_id: str
    subject: str
    owner_is_leaver: bool = False


@dataclass(frozen=True)
class Movement:
    """A signal's number before and after an action: a mean (category) or a share (reason)."""

    action: Action
    kind: str  # "category" | "reason"
    name: str
    before: float | None
    before_n: int
    after: float | None
    after_n: int

    @property
    def enough(self) -> bool:
        return self.before_n >= MIN_SIDE and self.after_n >= MIN_SIDE


def subjects_of(signals: Iterable[Signal]) -> list[str]:
    """The subjects HR may pick for an action, in the order of the signals, each once."""
    subjects: list[str] = []
    for signal in signals:
        kind = _SUBJECT_KIND.get(signal.kind)
        if kind is None:
            continue
        subject = f"{kind}:{signal.subject}"
        if subject not in subjects:
            subjects.append(subject)
    return subjects


def valid_subject(subject: str) -> bool:
    if subject == GENERAL:
        return True
    kind, _sep, name = subject.partition(":")
    return kind in ("category", "reason") and bool(name) and len(subject) <= MAX_SUBJECT


def movements(actions: Sequence[Action], split: Callable[[date], tuple[PeriodStats, PeriodStats]]) -> list[Movement]:
    """Per action with a subject: the signal's number before (up to and on its day) and after it;
    `split(day)` gives the statistics of the interviews submitted up to that day and after it."""
    result = []
    for action in actions:
        if action.subject == GENERAL:
            continue
        kind, _sep, name = action.subject.partition(":")
        before, after = split(action.done_on)
        result.append(Movement(action, kind, name, *number_of(kind, name, before), *number_of(kind, name, after)))
    return result


def number_of(kind: str, name: str, stats: PeriodStats) -> tuple[float | None, int]:
    """The signal's number in these statistics and the n it rests on: a category's mean, or the share
    of leavers naming a reason; (None, 0) when there is nothing to say."""
    if kind == "category":
        mean = stats.categories.get(name)
        return (mean.value, mean.n) if mean is not None else (None, 0)
    if kind == "reason":
        if stats.reasons_n == 0:
            return None, 0
        count = next((item.count for item in stats.reasons if item.reason == name), 0)
        return count / stats.reasons_n, stats.reasons_n
    return None, 0
