"""The digest for the managers' channel: what leavers told us, as numbers with their n and
uncertainty, the signals worth attention, and the approved highlights in a shuffled order.

Anonymous by construction: no names, no mentions, no breakdown by team or manager, no ranking.
Everything a leaver wrote is escaped, and a long digest is split over several messages, never cut.
The helpers for numbers, labels and signals are shared with the HR report and the chart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from babel.numbers import format_decimal, format_percent
from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.questionnaire import option_text, split_blocks
from bot.blocks.text import dicts, escape, shorten
from bot.i18n import Translator
from flows.aggregates import ChoiceFigure
from flows.insights import Change, Enps, Mean, PeriodStats, Share, Signal, bar, category_order, shuffled
from flows.template import Category, QuestionType, Template

SMALL_N = 10  # below this many answers an average is shown with its interval
SECTION_CHARS = 2900  # Slack allows 3000 in a section; room for markup
MINUS = "−"  # U+2212, a real minus sign
UP, DOWN = "▲", "▼"


# --- numbers in the reader's language ----------------------------------------------------------


def decimal(_: Translator, value: float, digits: int = 1) -> str:
    """3,4 in Dutch, 3.4 in English."""
    pattern = "0." + "0" * digits if digits else "0"
    text = format_decimal(abs(value), format=pattern, locale=_.language)
    return MINUS + text if value < 0 and text.strip("0,.") else text


def signed(_: Translator, value: float, digits: int = 1) -> str:
    """+0,6 / −0,8 / 0,0: a difference, always with its sign."""
    text = decimal(_, abs(value), digits)
    if not text.strip("0,."):
        return text
    return ("+" if value > 0 else MINUS) + text


def percent(_: Translator, share: float) -> str:
    return format_percent(share, format="#,##0%", locale=_.language)


def mean_text(_: Translator, mean: Mean) -> str:
    """An average with its n, e.g. "3,4 (n=12)"; with its interval when n is small: "3,4 (n=5, 2,8–4,0)"."""
    if mean.n < SMALL_N:
        return f"{decimal(_, mean.value)} (n={mean.n}, {decimal(_, mean.low)}–{decimal(_, mean.high)})"
    return f"{decimal(_, mean.value)} (n={mean.n})"


def enps_number(_: Translator, value: float) -> str:
    """eNPS as a whole number with its sign: +20, −15, 0."""
    return signed(_, round(value), 0)


# --- labels ------------------------------------------------------------------------------------


def category_label(_: Translator, category: str) -> str:
    """The category's name in the catalog; an unknown category by its id (escaped)."""
    key = f"digest.category.{category}"
    label = _(key)
    return label if label != key else escape(category.replace("_", " "))


def reason_labels(template: Template, language: str) -> dict[str, str]:
    """Option id → its text in the language, from the template's reasons question (raw, unescaped)."""
    question = next(
        (q for q in template.questions if q.type is QuestionType.MULTIPLE_CHOICE and q.category is Category.REASONS),
        None,
    )
    if question is None:
        return {}
    return {option.id: option_text(option, language) for option in question.options}


def reason_label(labels: Mapping[str, str], reason: str) -> str:
    """A reason as mrkdwn: its template text, or its id for a reason the template no longer has."""
    return escape(labels.get(reason) or reason.replace("_", " "))


# --- sections ----------------------------------------------------------------------------------


def packed_sections(title: str, lines: Iterable[str], limit: int = SECTION_CHARS) -> list[SectionBlock]:
    """The title and lines in as few sections as fit, each at most `limit` characters; a line
    longer than that gets sections of its own (split at spaces), so nothing is ever cut off."""
    texts: list[str] = []
    current = title
    for line in lines:
        for piece in _pieces(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                texts.append(current)
                current = piece
    if current:
        texts.append(current)
    return [SectionBlock(text=MarkdownTextObject(text=text)) for text in texts]


def _pieces(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
            amp = text.rfind("&", max(0, cut - 5), cut)  # never split an entity such as &amp;
            if amp > 0 and ";" not in text[amp:cut]:
                cut = amp
        pieces.append(text[:cut])
        text = text[cut:].lstrip(" ")
    if text:
        pieces.append(text)
    return pieces


def quote_parts(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """A leaver's text escaped and quoted ("> " on every line), in parts of at most `limit`
    characters: split at line ends, then at spaces, then anywhere; the parts together hold all of it."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for rendered in _quoted_line(line, limit):
            extra = len(rendered) + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                extra = len(rendered)
            current.append(rendered)
            size += extra
    if current:
        parts.append("\n".join(current))
    return parts


def _quoted_line(line: str, limit: int) -> list[str]:
    """One line as quoted mrkdwn, split at spaces (or anywhere) where it would exceed `limit`."""
    room = limit - 2
    if len(escape(line)) <= room:
        return ["> " + escape(line)]
    segments: list[str] = []
    current, size = "", 0
    for token in re.findall(r"\S+\s*|\s+", line):
        length = len(escape(token))
        if size + length <= room:
            current, size = current + token, size + length
            continue
        if current:
            segments.append(current)
            current, size = "", 0
        if length <= room:
            current, size = token, length
            continue
        for char in token:  # a "word" longer than a section: split it anywhere, never inside an entity
            width = len(escape(char))
            if size + width > room:
                segments.append(current)
                current, size = "", 0
            current, size = current + char, size + width
    if current:
        segments.append(current)
    return ["> " + escape(segment) for segment in segments]


# --- shared parts of the digest and the report ---------------------------------------------------


def reason_lines(_: Translator, template: Template, stats: PeriodStats) -> list[str]:
    """A line per reason named, most named first, e.g. "`██████░░░░` 60% · Salaris (3)"."""
    labels = reason_labels(template, _.language)
    lines = []
    for item in stats.reasons:
        blocks, share = bar(item.share).split(" ", 1)
        lines.append(f"`{blocks}` {share} · {reason_label(labels, item.reason)} ({item.count})")
    return lines


def reason_sections(_: Translator, template: Template, stats: PeriodStats) -> list:
    if stats.is_withheld("reasons"):
        text = f"{_('digest.reasons.title')}\n{_('digest.reasons.too_few')}"
        return [SectionBlock(text=MarkdownTextObject(text=text))]
    some_withheld = stats.is_withheld("reasons.some")
    if not stats.reasons:  # none named, or every one withheld
        key = "digest.reasons.some_withheld" if some_withheld else "digest.reasons.none"
        return [SectionBlock(text=MarkdownTextObject(text=f"{_('digest.reasons.title')}\n{_(key)}"))]
    note = _("digest.reasons.note", count=stats.reasons_n)
    if some_withheld:
        note += " " + _("digest.reasons.some_withheld")
    return [
        *packed_sections(_("digest.reasons.title"), reason_lines(_, template, stats)),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
    ]


def category_lines(_: Translator, stats: PeriodStats, changes: Mapping[str, Change] | None = None) -> list[str]:
    """A line per category in Category order, e.g. "• *Working conditions:* 3,4 (n=5, 2,8–4,0) · ▼ −0,8 …"."""
    withheld = [figure.partition(":")[2] for figure in stats.withheld if figure.startswith("category:")]
    lines = []
    for category in sorted([*stats.categories, *withheld], key=category_order):
        mean = stats.categories.get(category)
        if mean is None:  # fewer answers to this category's questions than a figure needs
            lines.append(f"• *{category_label(_, category)}:* {_('digest.too_few')}")
            continue
        line = f"• *{category_label(_, category)}:* {mean_text(_, mean)}"
        change = (changes or {}).get(category)
        if change is not None:
            line += " · " + change_text(_, change)
        lines.append(line)
    return lines


def change_text(_: Translator, change: Change) -> str:
    if not change.real:
        return _("digest.change.none")
    return _(
        "digest.change.real",
        arrow=UP if change.delta > 0 else DOWN,
        delta=signed(_, change.delta),
        previous=decimal(_, change.previous.value),
    )


def enps_text(_: Translator, enps: Enps | None, counts: bool = True) -> str:
    """eNPS with its n and interval; the promoter/passive/detractor counts only when `counts`."""
    if enps is None:
        return _("digest.enps.none")
    if not counts:
        return _("digest.enps.value_only", value=enps_number(_, enps.value), n=enps.n,
                 low=enps_number(_, enps.low), high=enps_number(_, enps.high))
    return _(
        "digest.enps.value",
        value=enps_number(_, enps.value),
        n=enps.n,
        low=enps_number(_, enps.low),
        high=enps_number(_, enps.high),
        **enps_groups(_, enps.promoters, enps.passives, enps.detractors),
    )


def enps_groups(_: Translator, promoters: int, passives: int, detractors: int) -> dict[str, str]:
    """"1 promoter", "2 passives", "0 detractors": each group counted with its own plural."""
    return {"promoters": _("digest.enps.promoters", count=promoters),
            "passives": _("digest.enps.passives", count=passives),
            "detractors": _("digest.enps.detractors", count=detractors)}


def come_back_text(_: Translator, share: Share | None) -> str:
    if share is None:
        return _("digest.come_back.none")
    text = _("digest.come_back.value", share=percent(_, share.value), count=share.count, n=share.n)
    if share.n < SMALL_N:
        text += " · " + _("digest.likely_between", low=percent(_, share.low), high=percent(_, share.high))
    return text


def signal_text(_: Translator, signal: Signal, reasons: Mapping[str, str]) -> str:
    """One signal as a sentence with the numbers behind it (catalog message `signal.<kind>`)."""
    numbers = signal.numbers

    def number(name: str, digits: int = 1) -> str:
        return decimal(_, float(numbers.get(name, 0)), digits)

    def count(name: str) -> int:
        return int(numbers.get(name, 0))

    context = ""
    if signal.kind == "category_drop":
        text = _(
            signal.key,
            category=category_label(_, signal.subject),
            drop=number_abs(_, float(numbers.get("delta", 0))),
            mean=number("mean"),
            n=count("n"),
            low=number("low"),
            high=number("high"),
            previous=number("previous"),
            previous_n=count("previous_n"),
            previous_low=number("previous_low"),
            previous_high=number("previous_high"),
        )
        if "overall" in numbers:
            context = _("digest.context.mean", overall=number("overall"), overall_n=count("overall_n"))
    elif signal.kind == "category_low":
        text = _(
            signal.key,
            category=category_label(_, signal.subject),
            mean=number("mean"),
            n=count("n"),
            low=number("low"),
            high=number("high"),
            threshold=number("threshold"),
        )
        if "overall" in numbers:
            context = _("digest.context.mean", overall=number("overall"), overall_n=count("overall_n"))
    elif signal.kind == "reason_common":
        text = _(
            signal.key,
            reason=reason_label(reasons, signal.subject),
            count=count("count"),
            n=count("n"),
            share=percent(_, float(numbers.get("share", 0))),
        )
        if "overall_share" in numbers:
            context = _("digest.context.share", overall_share=percent(_, float(numbers["overall_share"])))
    elif signal.kind == "enps_negative" and "promoters" not in numbers:  # counts withheld
        text = _(
            "signal.enps_negative_plain",
            enps=enps_number(_, float(numbers.get("enps", 0))),
            n=count("n"),
            low=enps_number(_, float(numbers.get("low", 0))),
            high=enps_number(_, float(numbers.get("high", 0))),
        )
        if "overall" in numbers:
            context = _("digest.context.enps", overall=enps_number(_, float(numbers["overall"])))
    elif signal.kind == "enps_negative":
        text = _(
            signal.key,
            enps=enps_number(_, float(numbers.get("enps", 0))),
            n=count("n"),
            low=enps_number(_, float(numbers.get("low", 0))),
            high=enps_number(_, float(numbers.get("high", 0))),
            **enps_groups(_, count("promoters"), count("passives"), count("detractors")),
        )
        if "overall" in numbers:
            context = _("digest.context.enps", overall=enps_number(_, float(numbers["overall"])))
    else:  # a kind this version does not know: its subject and bare numbers, never nothing
        shown = ", ".join(f"{escape(str(name))} {decimal(_, float(value), 2)}" for name, value in numbers.items())
        text = f"*{escape(signal.subject)}*: {shown}"
    return f"• {text} {context}".rstrip()


def number_abs(_: Translator, value: float) -> str:
    return decimal(_, abs(value))


def signal_sections(_: Translator, template: Template, signals: Sequence[Signal]) -> list:
    title = _("digest.signals.title")
    if not signals:
        return [SectionBlock(text=MarkdownTextObject(text=f"{title}\n{_('digest.signals.none')}"))]
    labels = reason_labels(template, _.language)
    return packed_sections(title, [signal_text(_, signal, labels) for signal in signals])


def where_sections(_: Translator, template: Template, figures: Sequence[ChoiceFigure], k: int) -> list:
    """Where leavers go and what the new employer offers, counted from the choice questions about
    it: per question only when k leavers answered it, an option only when k picked it (the rest
    together). Nothing when the questionnaire asks none of it with choices."""
    if not figures:
        return []
    questions = {question.id: question for question in template.questions}
    lines = []
    for figure in figures:
        question = questions.get(figure.question_id)
        name = escape(shorten(question.text.get(_.language) or next(iter(question.text.values()), figure.question_id)
                              if question else figure.question_id, 150))
        if figure.withheld:
            lines.append(_("digest.where.too_few", question=name))
            continue
        lines.append(_("digest.where.question", question=name, count=figure.answered))
        labels = {option.id: option_text(option, _.language) for option in question.options} if question else {}
        lines += [_("digest.where.option", option=escape(shorten(labels.get(code) or code.replace("_", " "), 75)),
                    count=count, share=percent(_, count / figure.answered)) for code, count in figure.shown]
        if figure.rest:
            lines.append(_("digest.where.rest", count=figure.rest))
    return [DividerBlock(), *packed_sections(_("digest.where.title"), lines),
            ContextBlock(elements=[MarkdownTextObject(text=_("digest.where.note", k=k))])]


def covered_text(_: Translator, count: int, period_label: str) -> str:
    return _("digest.covered", count=count, period=escape(period_label))


# --- the digest ----------------------------------------------------------------------------------


def digest_messages(
    _: Translator,
    *,
    template: Template,
    stats: PeriodStats,
    previous: PeriodStats | None,
    changes: dict[str, Change],
    signals: list[Signal],
    highlights: list[str],
    period_label: str,
    seed: int | str | bytes,
    extra: Sequence = (),
    waiting: int = 0,
    min_answers: int = 3,
    where: Sequence[ChoiceFigure] = (),
) -> list[tuple[str, list[dict]]]:
    """The digest for the managers' channel, in as many messages as Slack needs (never truncated).

    `stats` and `previous` are the managers' view (flows.insights.for_managers): what they withheld
    reads "too few answers" (`min_answers`: k). `waiting`: interviews held back until the leaver's last day has passed.

    `changes` (flows.insights.changes against `previous`) adds ▲/▼ or "no real change" per category;
    `highlights` are the approved, anonymised quotes, shown escaped in an order fixed by `seed`;
    `where` (flows.aggregates.where_they_go) counts where leavers go, k held per question."""
    covered = covered_text(_, stats.count, period_label)
    intro = f"{covered}\n{_('digest.privacy')}"
    if stats.withheld:
        intro += "\n" + _("digest.withheld_figures", k=min_answers)
    if waiting:
        intro += "\n" + _("digest.waiting_last_day", count=waiting)
    blocks: list = [
        HeaderBlock(text=shorten(_("digest.header"), 150)),
        ContextBlock(elements=[MarkdownTextObject(text=intro)]),
        DividerBlock(),
        *reason_sections(_, template, stats),
        DividerBlock(),
    ]
    lines = category_lines(_, stats, changes)
    if lines:
        blocks += packed_sections(_("digest.scores.title"), lines)
        note = _("digest.scores.note", small=SMALL_N)
        if previous is not None:
            note += " " + _("digest.scores.compared", count=previous.count)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    else:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"{_('digest.scores.title')}\n{_('digest.scores.none')}"))
        )
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=f"{_enps_line(_, stats)}\n{_come_back_line(_, stats)}")),
        ContextBlock(elements=[MarkdownTextObject(text=_("digest.enps.explain"))]),
        *where_sections(_, template, where, min_answers),
        DividerBlock(),
        *signal_sections(_, template, signals),
        *extra,  # "you said, we did" (bot/blocks/loop.py)
    ]
    quotes = [text.strip() for text in shuffled(highlights, seed) if text and text.strip()]
    if quotes:
        blocks += [
            DividerBlock(),
            SectionBlock(text=MarkdownTextObject(text=_("digest.highlights.title"))),
            ContextBlock(elements=[MarkdownTextObject(text=_("digest.highlights.note"))]),
        ]
        for quote in quotes:
            blocks += [SectionBlock(text=MarkdownTextObject(text=part)) for part in quote_parts(quote)]
    parts = split_blocks(dicts(blocks))
    fallback = f"{_('digest.header')}: {covered}"
    return [
        (fallback if index == 1 else _("digest.continued", index=index, total=len(parts)), part)
        for index, part in enumerate(parts, start=1)
    ]


def _enps_line(_: Translator, stats: PeriodStats) -> str:
    if stats.is_withheld("enps"):
        return _("digest.enps.too_few")
    return enps_text(_, stats.enps, counts=not stats.is_withheld("enps.counts"))


def _come_back_line(_: Translator, stats: PeriodStats) -> str:
    return _("digest.come_back.too_few") if stats.is_withheld("come_back") else come_back_text(_, stats.come_back)


def withheld_message(_: Translator, pending: int, needed: int, waiting: int = 0) -> tuple[str, list[dict]]:
    """For HR: not enough approved interviews yet for a digest that points at nobody; and how many
    more wait for the leaver's last working day."""
    text = _("digest.withheld", count=pending, needed=needed)
    if waiting:
        text += " " + _("digest.withheld_waiting", count=waiting)
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
