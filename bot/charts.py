"""The digest's picture: reasons for leaving (shares) and the category averages over the last periods.

Drawn on matplotlib's Agg canvas with a Figure of its own (no pyplot, no display, no global state),
so it runs headless and in any thread. Every text comes from the catalog or the template.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, PercentFormatter

from bot.blocks.digest import category_label, decimal, percent, reason_labels
from bot.i18n import Translator
from flows.insights import RATING_SCALE, PeriodStats
from flows.template import Template

LAST_PERIODS = 12  # the line panel shows at most this many periods
MAX_LABEL = 32  # characters of a reason label on the axis
SIZE = (11.0, 4.6)  # inches
DPI = 100
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
DODGE = 0.04  # sideways shift between categories on the line panel


def digest_chart(
    _: Translator,
    *,
    template: Template,
    stats: PeriodStats,
    periods: Sequence[tuple[str, PeriodStats]],
) -> bytes:
    """A PNG with two panels: the reasons for leaving as horizontal bars (share of leavers who
    answered), and the average per category over the last periods as lines on a 1–5 axis.

    Draws whatever figures it is given: for managers those are the published ones only
    (flows.insights.for_managers), one period per digest."""
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    reasons_axes, scores_axes = figure.subplots(1, 2, gridspec_kw={"width_ratios": (1, 1.15)})
    _reasons_panel(_, reasons_axes, template, stats)
    _scores_panel(_, scores_axes, periods)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _plain(text: str) -> str:
    """Text as matplotlib shows it literally: a `$` would start mathtext."""
    return text.replace("$", r"\$")


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _no_data(_: Translator, axes, key: str = "digest.chart.no_data") -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    axes.text(0.5, 0.5, _(key), ha="center", va="center", transform=axes.transAxes, color="grey")


def _reasons_panel(_: Translator, axes, template: Template, stats: PeriodStats) -> None:
    axes.set_title(_("digest.chart.reasons"), fontsize=11, loc="left")
    if not stats.reasons:
        withheld = stats.is_withheld("reasons") or stats.is_withheld("reasons.some")
        _no_data(_, axes, "digest.too_few" if withheld else "digest.chart.no_data")
        return
    labels = reason_labels(template, _.language)
    items = list(stats.reasons)
    names = [_plain(_short(labels.get(item.reason) or item.reason.replace("_", " "))) for item in items]
    shares = [item.share for item in items]
    positions = range(len(items))
    axes.barh(positions, shares, color="#4C78A8", height=0.65)
    axes.set_yticks(list(positions), names, fontsize=9)
    axes.invert_yaxis()  # most named on top
    axes.set_xlim(0, 1.18)  # room for the value labels
    axes.xaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    axes.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    axes.tick_params(axis="x", labelsize=8)
    axes.set_xlabel(_("digest.chart.reasons_axis", count=stats.reasons_n), fontsize=9)
    for position, item in zip(positions, items, strict=True):
        axes.text(item.share + 0.015, position, f"{percent(_, item.share)} ({item.count})", va="center", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)


def _scores_panel(_: Translator, axes, periods: Sequence[tuple[str, PeriodStats]]) -> None:
    axes.set_title(_("digest.chart.scores"), fontsize=11, loc="left")
    periods = list(periods)[-LAST_PERIODS:]
    categories: list[str] = []
    for _label, stats in periods:
        categories += [category for category in stats.categories if category not in categories]
    if not categories:
        _no_data(_, axes)
        return
    low, high = RATING_SCALE
    positions = list(range(len(periods)))
    for index, category in enumerate(categories):
        values = [
            stats.categories[category].value if category in stats.categories else math.nan for _label, stats in periods
        ]
        # Nudged sideways a little and marked differently, so equal averages do not hide each other.
        nudge = DODGE * (index - (len(categories) - 1) / 2)
        axes.plot(
            [position + nudge for position in positions],
            values,
            marker=MARKERS[index % len(MARKERS)],
            markersize=5,
            linewidth=1.8,
            label=_plain(category_label(_, category)),
        )
    axes.set_ylim(low - 0.2, high + 0.2)
    axes.set_yticks(range(low, high + 1), [decimal(_, value, 0) for value in range(low, high + 1)])
    axes.set_ylabel(_("digest.chart.scores_axis"), fontsize=9)
    axes.set_xticks(
        positions,
        [_plain(_short(label, 12)) for label, _stats in periods],
        fontsize=8,
        rotation=30 if len(periods) > 6 else 0,
    )
    axes.set_xlim(-0.5, max(positions) + 0.5)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
