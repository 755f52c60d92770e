"""The breakdown report's picture: the reasons for leaving month by month, and the breakdown table.

Same canvas as bot/charts.py (a Figure of its own on Agg: headless, thread-safe). Only what the
text shows is drawn: months where fewer than k leavers answered are left empty, and the table
holds the cells flows.insights let through.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from bot.blocks.breakdowns import GROUPINGS, LINE_CATEGORIES
from bot.blocks.digest import category_label, decimal, enps_number
from bot.i18n import Translator
from flows.insights import OTHER, UNKNOWN, Cell

TOP_REASONS = 5
DPI = 100
MAX_ROWS = 24


def _plain(text: str) -> str:
    return text.replace("$", r"\$")


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def breakdown_chart(
    _: Translator,
    *,
    monthly: Sequence[tuple[str, str, int, int]],
    breakdowns: Mapping[str, Sequence[Cell] | None],
    reasons: Mapping[str, str],
    k: int,
) -> bytes:
    """A PNG: left the share of leavers naming each of the most named reasons per month (months with
    at least k answers), right the breakdown table (group, interviews, ratings, eNPS)."""
    figure = Figure(figsize=(12.0, 5.2), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    lines_axes, table_axes = figure.subplots(1, 2, gridspec_kw={"width_ratios": (1, 1.1)})
    _reasons_over_time(_, lines_axes, monthly, reasons, k)
    _table(_, table_axes, breakdowns, reasons)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _reasons_over_time(_: Translator, axes, monthly, reasons: Mapping[str, str], k: int) -> None:
    axes.set_title(_("breakdown.chart.reasons"), fontsize=11, loc="left")
    answered = {month: n for month, _code, _count, n in monthly if n >= k}
    months = sorted(answered)
    totals: dict[str, int] = {}
    for month, code, count, _n in monthly:
        if month in answered:
            totals[code] = totals.get(code, 0) + count
    top = sorted(totals, key=lambda code: (-totals[code], code))[:TOP_REASONS]
    if not months or not top:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.text(0.5, 0.5, _("breakdown.chart.no_data", k=k), ha="center", va="center", transform=axes.transAxes,
                  color="grey")
        return
    shares = {(month, code): count / answered[month] for month, code, count, _n in monthly if month in answered}
    positions = list(range(len(months)))
    for code in top:
        values = [shares.get((month, code), 0.0) for month in months]
        label = reasons.get(code) or code.replace("_", " ")
        axes.plot(positions, values, marker="o", markersize=4, linewidth=1.6, label=_plain(_short(label)))
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    axes.set_xticks(positions, months, fontsize=8, rotation=45 if len(months) > 6 else 0)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False, loc="upper left")


def _label(_: Translator, grouping: str, cell: Cell, reasons: Mapping[str, str]) -> str:
    if cell.name == OTHER:
        return _("breakdown.other", count=cell.merged)
    if cell.name == UNKNOWN:
        return _("breakdown.unknown")
    if grouping == "tenure":
        return _("breakdown.tenure.band", band=cell.name.replace("-", "–"))
    if grouping == "reason":
        return reasons.get(cell.name) or cell.name
    if grouping == "manager":
        return cell.name  # a Slack id: the picture cannot resolve names, the text shows them
    return cell.name


def _table(_: Translator, axes, breakdowns: Mapping[str, Sequence[Cell] | None], reasons: Mapping[str, str]) -> None:
    axes.set_title(_("breakdown.chart.table"), fontsize=11, loc="left")
    axes.axis("off")
    header = ["", "n", *(category_label(_, c) for c in LINE_CATEGORIES), "eNPS"]
    rows = []
    for grouping in GROUPINGS:
        cells = breakdowns.get(grouping)
        if not cells:
            continue
        rows.append([_(f"breakdown.chart.group.{grouping}"), "", *([""] * len(LINE_CATEGORIES)), ""])
        for cell in cells:
            values = []
            for category in LINE_CATEGORIES:
                mean = cell.categories.get(category)
                values.append(decimal(_, mean.value) if mean is not None else "–")
            rows.append(["  " + _short(_label(_, grouping, cell, reasons)), str(cell.count), *values,
                         enps_number(_, cell.enps.value) if cell.enps else "–"])
    if not rows:
        axes.text(0.5, 0.5, _("breakdown.chart.no_table"), ha="center", va="center", transform=axes.transAxes,
                  color="grey")
        return
    rows = rows[:MAX_ROWS]
    table = axes.table(cellText=[[_plain(c) for c in row] for row in rows],
                       colLabels=[_plain(_short(c, 16)) for c in header], loc="upper center", cellLoc="left",
                       colLoc="left", colWidths=[0.34, 0.1, 0.2, 0.2, 0.14])
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.2)
    for (row, _column), cell in table.get_celld().items():
        cell.set_edgecolor("#dddddd")
        if row > 0 and not rows[row - 1][1]:
            cell.set_text_props(fontweight="bold")
