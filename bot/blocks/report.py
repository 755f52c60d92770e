"""HR's report over a period (ephemeral, HR only): how many leavers took part, why they leave, the
category scores month by month, eNPS and the signals. Split over messages where Slack needs it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.digest import (
    category_label,
    category_lines,
    come_back_text,
    decimal,
    enps_number,
    enps_text,
    packed_sections,
    percent,
    reason_label,
    reason_labels,
    reason_sections,
    signal_sections,
)
from bot.blocks.questionnaire import split_blocks
from bot.blocks.text import dicts, escape, shorten
from bot.i18n import Translator
from flows.aggregates import MainReasons
from flows.insights import PeriodStats, Signal, bar
from flows.template import Template

COUNTS = ("registered", "invited", "answered", "talks", "declined", "withdrawn", "expired", "unreachable",
          "still_open")
MONTHS_PER_TABLE = 6  # columns of one table; more months get another table below
LABEL_WIDTH = 28
CELL_WIDTH = 9
EMPTY_CELL = "–"


def report_messages(
    _: Translator,
    *,
    template: Template,
    period_from: date,
    period_to: date,
    counts: Mapping[str, int],
    stats: PeriodStats,
    monthly: Sequence[tuple[str, PeriodStats]],
    signals: Sequence[Signal],
    main_reasons: MainReasons | None = None,
    extra: Sequence = (),
) -> list[tuple[str, list[dict]]]:
    """The report for HR. `counts` has registered, invited, answered, talks, declined, withdrawn,
    expired, unreachable and still_open (a missing one counts 0); `monthly` is (month label, its
    statistics) in time order; `main_reasons` the reason that weighed most, counted."""
    numbers = {name: int(counts.get(name, 0) or 0) for name in COUNTS}
    period = _("report.period", start=_.date(period_from), end=_.date(period_to))
    blocks: list = [
        HeaderBlock(text=shorten(_("report.header"), 150)),
        ContextBlock(elements=[MarkdownTextObject(text=f"{period} · {_('report.confidential')}")]),
        SectionBlock(
            fields=[MarkdownTextObject(text=_(f"report.count.{name}", count=numbers[name])) for name in COUNTS]
            + [MarkdownTextObject(text=participation_text(_, numbers))]
        ),
        DividerBlock(),
    ]
    if stats.count == 0:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("report.empty"))))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("report.based_on", count=stats.count))]))
        blocks += reason_sections(_, template, stats)
        if main_reasons is not None:
            blocks += main_reason_sections(_, template, main_reasons)
        blocks.append(DividerBlock())
        lines = category_lines(_, stats)
        title = _("digest.scores.title")
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="\n".join([title, *lines]) if lines else f"{title}\n{_('digest.scores.none')}"
                )
            )
        )
        blocks += monthly_tables(_, monthly)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"{enps_text(_, stats.enps)}\n{come_back_text(_, stats.come_back)}")
            )
        )
        blocks.append(DividerBlock())
        blocks += signal_sections(_, template, list(signals))
    blocks += list(extra)  # the actions and whether their numbers moved, "Record an action" (bot/blocks/loop.py)
    parts = split_blocks(dicts(blocks))
    fallback = f"{_('report.header')}: {period}"
    return [
        (fallback if index == 1 else _("report.continued", index=index, total=len(parts)), part)
        for index, part in enumerate(parts, start=1)
    ]


def main_reason_sections(_: Translator, template: Template, main: MainReasons) -> list:
    """The reason that weighed most, as a figure of its own: a bar per reason, most named first."""
    if not main.reasons:
        return [SectionBlock(text=MarkdownTextObject(text=f"{_('report.main_reason.title')}\n"
                                                          f"{_('report.main_reason.none')}"))]
    labels = reason_labels(template, _.language)
    lines = []
    for item in main.reasons:
        blocks, share = bar(item.share).split(" ", 1)
        lines.append(f"`{blocks}` {share} · {reason_label(labels, item.reason)} ({item.count})")
    return [
        *packed_sections(_("report.main_reason.title"), lines),
        ContextBlock(elements=[MarkdownTextObject(text=_("report.main_reason.note", count=main.n))]),
    ]


def participation_text(_: Translator, counts: Mapping[str, int]) -> str:
    """Took part (answered or talked) against invited."""
    invited = counts.get("invited", 0)
    took_part = counts.get("answered", 0) + counts.get("talks", 0)
    if invited <= 0:
        return _("report.participation.none")
    return _("report.participation.value", rate=percent(_, took_part / invited), count=took_part, invited=invited)


def monthly_tables(_: Translator, monthly: Sequence[tuple[str, PeriodStats]]) -> list:
    """Category averages per month as fixed-width tables in code blocks (a row per category, eNPS
    and the number of interviews; a column per month, at most MONTHS_PER_TABLE per table)."""
    months = [(label, stats) for label, stats in monthly if stats.count > 0]
    if not months:
        return []
    categories: list[str] = []
    for _label, stats in months:
        categories += [category for category in stats.categories if category not in categories]
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_("report.monthly.title")))]
    for start in range(0, len(months), MONTHS_PER_TABLE):
        chunk = months[start : start + MONTHS_PER_TABLE]
        rows = [["", *(label for label, _stats in chunk)]]
        rows.append([_("report.monthly.interviews"), *(str(stats.count) for _label, stats in chunk)])
        for category in categories:
            rows.append(
                [
                    category_label(_, category),
                    *(
                        decimal(_, stats.categories[category].value) if category in stats.categories else EMPTY_CELL
                        for _label, stats in chunk
                    ),
                ]
            )
        rows.append(
            ["eNPS", *(enps_number(_, stats.enps.value) if stats.enps else EMPTY_CELL for _label, stats in chunk)]
        )
        lines = [
            shorten(row[0], LABEL_WIDTH).ljust(LABEL_WIDTH) + "".join(_cell(cell).rjust(CELL_WIDTH) for cell in row[1:])
            for row in rows
        ]
        # At most 16 rows of about 75 characters: far below a section's limit.
        text = "```\n" + escape("\n".join(line.rstrip() for line in lines)) + "\n```"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    return blocks


def _cell(text: str) -> str:
    return shorten(text, CELL_WIDTH - 1)
