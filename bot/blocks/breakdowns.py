"""HR's breakdowns (report and App Home) and the manager view: pure builders, data in, dicts out.

Only cells that flows.insights let through arrive here; a breakdown that was withheld (None) says
so, with the threshold, instead of showing anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks.digest import category_label, decimal, enps_number, packed_sections, percent, reason_label
from bot.blocks.questionnaire import split_blocks
from bot.blocks.text import dicts, escape, mention, shorten
from bot.i18n import Translator
from flows.insights import OTHER, UNKNOWN, Cell, Comparison

GROUPINGS = ("manager", "department", "tenure", "reason")  # the order HR reads them in
LINE_CATEGORIES = ("manager", "working_relations")  # the ratings each breakdown line shows
MAX_LABEL = 60
SHARE_MANAGER_ACTION = "breakdown:share_manager"


@dataclass(frozen=True)
class Destinations:
    """Where leavers go: per choice question of the competitor category, the options picked by at
    least k (label, count) and the picks merged as "other"; `answered` is its n. Plus quotes."""

    questions: tuple[tuple[str, int, tuple[tuple[str, int], ...], int], ...]  # (title, answered, shown, rest)
    quotes: tuple[str, ...]
    withheld: bool  # fewer than k answered anything: nothing shown


def group_label(_: Translator, grouping: str, name: str, merged: int, reasons: Mapping[str, str]) -> str:
    if name == OTHER:
        return _("breakdown.other", count=merged)
    if name == UNKNOWN:
        return _("breakdown.unknown")
    if grouping == "manager":
        return mention(name)
    if grouping == "tenure":
        return _("breakdown.tenure.band", band=name.replace("-", "–"))
    if grouping == "reason":
        return shorten(reason_label(reasons, name), MAX_LABEL)
    return escape(shorten(name, MAX_LABEL))


def cell_line(_: Translator, grouping: str, cell: Cell, reasons: Mapping[str, str]) -> str:
    parts = [f"*{group_label(_, grouping, cell.name, cell.merged, reasons)}*",
             _("breakdown.interviews", count=cell.count)]
    for category in LINE_CATEGORIES:
        if category in cell.categories:
            mean = cell.categories[category]
            parts.append(f"{category_label(_, category)} {decimal(_, mean.value) if mean else '–'}")
    parts.append(f"eNPS {enps_number(_, cell.enps.value) if cell.enps else '–'}")
    if cell.reasons and grouping != "reason":
        top = cell.reasons[0]
        parts.append(_("breakdown.top_reason", reason=shorten(reason_label(reasons, top.reason), MAX_LABEL),
                       share=percent(_, top.share)))
    return " · ".join(parts)


def breakdown_sections(
    _: Translator, grouping: str, cells: Sequence[Cell] | None, reasons: Mapping[str, str], k: int
) -> list:
    title = _(f"breakdown.title.{grouping}")
    if cells is None:
        return [SectionBlock(text=MarkdownTextObject(text=f"{title}\n{_('breakdown.withheld', k=k)}"))]
    if len(cells) == 1 and cells[0].name == OTHER:
        return [SectionBlock(text=MarkdownTextObject(text=f"{title}\n{_('breakdown.too_small', k=k)}"))]
    return packed_sections(title, [cell_line(_, grouping, cell, reasons) for cell in cells])


def breakdown_messages(
    _: Translator,
    *,
    period_from: date,
    period_to: date,
    breakdowns: Mapping[str, Sequence[Cell] | None],
    destinations: Destinations | None,
    reasons: Mapping[str, str],
    k: int,
) -> list[tuple[str, list[dict]]]:
    """The breakdown part of HR's report: one section per grouping, then where leavers go."""
    period = _("report.period", start=_.date(period_from), end=_.date(period_to))
    blocks: list = [
        HeaderBlock(text=shorten(_("breakdown.header"), 150)),
        ContextBlock(elements=[MarkdownTextObject(text=f"{period} · {_('breakdown.rule', k=k)}")]),
    ]
    for grouping in GROUPINGS:
        if grouping in breakdowns:
            blocks += breakdown_sections(_, grouping, breakdowns[grouping], reasons, k)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("breakdown.manager_hint"))]))
    if destinations is not None:
        blocks.append(DividerBlock())
        blocks += destination_sections(_, destinations, k)
    parts = split_blocks(dicts(blocks))
    return [(_("breakdown.header") if index == 1 else _("report.continued", index=index, total=len(parts)), part)
            for index, part in enumerate(parts, start=1)]


def destination_sections(_: Translator, destinations: Destinations, k: int) -> list:
    title = _("breakdown.where.title")
    if destinations.withheld:
        return [SectionBlock(text=MarkdownTextObject(text=f"{title}\n{_('breakdown.withheld', k=k)}"))]
    lines = []
    for question, answered, shown, rest in destinations.questions:
        lines.append(_("breakdown.where.question", question=escape(shorten(question, 150)), count=answered))
        lines += [_("breakdown.where.option", option=escape(shorten(label, MAX_LABEL)), count=count,
                    share=percent(_, count / answered)) for label, count in shown]
        if rest:
            lines.append(_("breakdown.where.rest", count=rest))
    if not destinations.questions:
        lines.append(_("breakdown.where.no_choices"))
    blocks: list = packed_sections(title, lines)
    if destinations.quotes:
        blocks += packed_sections(_("breakdown.where.quotes"), [f"> {escape(q)}" for q in destinations.quotes])
    return blocks


def home_sections(_: Translator, breakdowns: Mapping[str, Sequence[Cell] | None], reasons: Mapping[str, str],
                  k: int) -> list:
    """A compact breakdown for HR's App Home (at most a few blocks): the last twelve months."""
    blocks: list = [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=_("breakdown.home.title", k=k)))]
    for grouping, cells in breakdowns.items():
        blocks += breakdown_sections(_, grouping, cells, reasons, k)[:1]
    return blocks


def manager_messages(
    _: Translator,
    *,
    manager_id: str,
    period_from: date,
    period_to: date,
    comparison: Comparison | None,
    reasons: Mapping[str, str],
    k: int,
    shared_by: str | None = None,
) -> tuple[str, list[dict]]:
    """One manager's leavers against the rest of the company, for HR's eyes; with `shared_by` the
    copy HR chose to send the manager (no button, says who shared it)."""
    period = _("report.period", start=_.date(period_from), end=_.date(period_to))
    header = _("breakdown.manager.header")
    audience = (_("breakdown.manager.confidential") if shared_by is None
                else _("breakdown.manager.shared_by", hr=mention(shared_by)))
    blocks: list = [
        HeaderBlock(text=shorten(header, 150)),
        SectionBlock(text=MarkdownTextObject(text=_("breakdown.manager.intro", manager=mention(manager_id)))),
        ContextBlock(elements=[MarkdownTextObject(text=f"{period} · {audience}")]),
    ]
    if comparison is None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("breakdown.manager.withheld", k=k))))
        return header, dicts(blocks)
    mine, rest = comparison.manager, comparison.rest
    lines = [_("breakdown.manager.counts", mine=mine.count, rest=rest.count)]
    for category in ("manager", "working_relations"):
        lines.append(_("breakdown.manager.rating", category=category_label(_, category),
                       mine=_mean(_, mine.categories.get(category)), rest=_mean(_, rest.categories.get(category))))
    lines.append(_("breakdown.manager.enps", mine=_enps(_, mine), rest=_enps(_, rest)))
    blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    reason_lines = []
    rest_shares = {item.reason: item for item in rest.reasons}
    for item in mine.reasons:
        other = rest_shares.get(item.reason)
        reason_lines.append(_("breakdown.manager.reason", reason=shorten(reason_label(reasons, item.reason), MAX_LABEL),
                              mine=percent(_, item.share), rest=percent(_, other.share) if other else "–"))
    blocks += packed_sections(_("breakdown.manager.reasons"),
                              reason_lines or [_("breakdown.manager.no_reasons", k=k)])
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("breakdown.manager.note"))]))
    if shared_by is None:
        blocks.append(ActionsBlock(block_id="breakdown-manager", elements=[ButtonElement(
            text=_("breakdown.manager.share"), action_id=SHARE_MANAGER_ACTION,
            value=f"{manager_id}|{period_from.isoformat()}|{period_to.isoformat()}",
            confirm=ConfirmObject(title=_("breakdown.manager.share_title"),
                                  text=_("breakdown.manager.share_text", manager=mention(manager_id)),
                                  confirm=_("breakdown.manager.share_confirm"), deny=_("breakdown.manager.share_deny")),
        )]))
    return header, dicts(blocks)


def _mean(_: Translator, mean) -> str:
    """An average with its interval and n, always: "3,4 (2,8–4,0, n=5)"."""
    if mean is None:
        return "–"
    return f"{decimal(_, mean.value)} ({decimal(_, mean.low)}–{decimal(_, mean.high)}, n={mean.n})"


def _enps(_: Translator, cell: Cell) -> str:
    if cell.enps is None:
        return "–"
    enps = cell.enps
    return f"{enps_number(_, enps.value)} ({enps_number(_, enps.low)} … {enps_number(_, enps.high)}, n={enps.n})"
