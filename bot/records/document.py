"""One interview's record for the personnel file: Markdown and a printable PDF, in one language.

`build_record` turns the template, the answers and the facts around them into a `Record`: every
text resolved in the reader's language, every answer as plain text (no Slack markup). `markdown`
and `pdf` lay the same record out; neither adds or drops anything, so the two files always agree.

The PDF is A4 with a title, sections, wrapped text, a confidentiality line and "page x of n" on
every page. It embeds DejaVu Sans (shipped with matplotlib, a dependency of the bot) so any
European text prints as typed; without that font it falls back to the PDF core font Helvetica and
prints characters outside Latin-1 as their closest plain letter.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from bot.i18n import Translator, t
from flows.questionnaire import Answer, is_skipped
from flows.template import Option, Question, QuestionType, Template

# -- what a record says ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A Slack user as a record shows them: the real name when Slack gave one, always the id."""

    user_id: str
    name: str | None = None

    def shown(self) -> str:
        return f"{self.name} ({self.user_id})" if self.name else self.user_id


@dataclass(frozen=True)
class RecordFacts:
    """Everything about the interview besides its answers; datetimes aware, in the company's zone."""

    interview_id: int
    employee: Person
    last_day: date
    mode: str  # self | talk
    submitted_at: datetime | None
    interviewer: Person | None
    recorded_by: Person | None
    decision: str | None  # approved | private | None (not decided yet)
    decided_by: Person | None
    decided_at: datetime | None
    inform_manager: bool
    exported_by: Person
    exported_at: datetime


@dataclass(frozen=True)
class Entry:
    """One question and its answer. `value`: the chosen score or options (None for free text);
    `texts`: what the person wrote, each with its label (None: the answer itself)."""

    number: int
    question: str
    value: str | None = None
    texts: tuple[tuple[str | None, str], ...] = ()
    empty: str | None = None  # "skipped" / "not answered", when there is no answer


@dataclass(frozen=True)
class Record:
    language: str
    title: str
    subtitle: str
    confidential: str
    details_heading: str
    details: tuple[tuple[str, str], ...]
    decision_heading: str
    decision: tuple[tuple[str, str], ...]
    answers_heading: str
    entries: tuple[Entry, ...]
    exported: str
    facts: RecordFacts = field(repr=False)


def _text(texts: dict[str, str], language: str, fallback: str = "") -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), fallback)


def _option_text(option: Option | None, option_id: str, language: str) -> str:
    return _text(option.text, language, option_id) if option is not None else option_id


def options_of(template: Template, question: Question) -> tuple[Option, ...]:
    """The options an answer can name: a `choices_from` question takes them from its source."""
    if question.choices_from is not None:
        source = template.question(question.choices_from)
        return source.options if source is not None else ()
    return question.options


def entry(_: Translator, template: Template, number: int, question: Question, answer: Answer | None) -> Entry:
    """One answer as plain text in the translator's language."""
    language = _.language
    text = _text(question.text, language, question.id)
    if answer is None:
        return Entry(number, text, empty=_("records.not_answered"))
    if is_skipped(answer):
        return Entry(number, text, empty=_("records.skipped"))
    by_id = {option.id: option for option in options_of(template, question)}
    kind = question.type
    if kind is QuestionType.RATING:
        labels = question.labels.get(language) or question.labels.get("en") or ()
        n = answer.get("value")
        value = f"{n} · {labels[n - 1]}" if isinstance(n, int) and 0 < n <= len(labels) else str(n)
        comment = answer.get("comment")
        return Entry(number, text, value=value, texts=((_("records.comment"), comment),) if comment else ())
    if kind is QuestionType.SCALE_0_10:
        low, high = (question.labels.get(language) or question.labels.get("en") or ("", ""))[:2]
        value = _("records.scale", value=answer.get("value"), low=low, high=high)
        return Entry(number, text, value=value)
    if kind is QuestionType.YES_NO:
        return Entry(number, text, value=_("q.yes") if answer.get("value") else _("q.no"))
    if kind is QuestionType.SINGLE_CHOICE:
        option_id = str(answer.get("value"))
        return Entry(number, text, value=_option_text(by_id.get(option_id), option_id, language))
    if kind is QuestionType.MULTIPLE_CHOICE:
        values = [str(v) for v in answer.get("values", [])]
        shown = ", ".join(_option_text(by_id.get(v), v, language) for v in values)
        other = answer.get("other")
        texts = ((_option_text(by_id.get("other"), _("records.other"), language), other),) if other else ()
        return Entry(number, text, value=shown or None, texts=texts)
    return Entry(number, text, texts=((None, str(answer.get("value", ""))),))


def build_record(_: Translator, template: Template, answers: dict[str, Answer], facts: RecordFacts) -> Record:
    """The record in the translator's language: every question of the template with its answer."""
    language = _.language
    details = [
        (_("records.field.leaver"), facts.employee.shown()),
        (_("records.field.last_day"), _.date(facts.last_day)),
        (_("records.field.submitted"), _.moment(facts.submitted_at) if facts.submitted_at else "–"),
        (_("records.field.mode"), _(f"records.mode.{facts.mode}") if facts.mode in ("self", "talk") else facts.mode),
    ]
    if facts.interviewer is not None:
        details.append((_("records.field.interviewer"), facts.interviewer.shown()))
    if facts.recorded_by is not None:
        details.append((_("records.field.recorded_by"), facts.recorded_by.shown()))
    details.append((_("records.field.template"),
                    _("records.template", name=_text(template.name, language, template.id), version=template.version)))
    details.append((_("records.field.reference"), _("records.reference", id=facts.interview_id)))

    if facts.decision is None:
        decision = [(_("records.field.decision"), _("records.decision.none"))]
    else:
        key = {"approved": "records.decision.approved", "private": "records.decision.private"}.get(facts.decision)
        if facts.decision == "approved" and facts.inform_manager:
            key = "records.decision.approved_manager"
        decision = [(_("records.field.decision"), _(key) if key else facts.decision)]
        if facts.decided_by is not None:
            decision.append((_("records.field.decided_by"), facts.decided_by.shown()))
        if facts.decided_at is not None:
            decision.append((_("records.field.decided_at"), _.moment(facts.decided_at)))

    entries = tuple(
        entry(_, template, number, question, answers.get(question.id))
        for number, question in enumerate(template.questions, start=1)
    )
    return Record(
        language=language,
        title=_("records.title"),
        subtitle=facts.employee.shown(),
        confidential=_("records.confidential"),
        details_heading=_("records.section.details"),
        details=tuple(details),
        decision_heading=_("records.section.decision"),
        decision=tuple(decision),
        answers_heading=_("records.section.notes" if facts.mode == "talk" else "records.section.answers"),
        entries=entries,
        exported=_("records.exported", moment=_.moment(facts.exported_at), who=facts.exported_by.shown()),
        facts=facts,
    )


def filename(record: Record, extension: str) -> str:
    """`exit-interview-jan-bakker-2026-12-20.pdf`: the name when known, else the Slack id."""
    person = record.facts.employee
    return f"exit-interview-{_slug(person.name or person.user_id)}-{record.facts.last_day.isoformat()}.{extension}"


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "leaver"


# -- Markdown ----------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")


def _md(text: str) -> str:
    """Text as itself in Markdown: no emphasis, links, HTML or headings sneak in from an answer."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_quote(text: str) -> list[str]:
    """A block quote keeping the writer's line breaks (hard breaks) and blank lines."""
    lines = text.split("\n")
    quoted = []
    for index, line in enumerate(lines):
        line = _md(line.rstrip())
        hard_break = index + 1 < len(lines) and line and lines[index + 1].strip()
        quoted.append(f"> {line}  " if hard_break else (f"> {line}" if line else ">"))
    return quoted


def markdown(record: Record) -> str:
    lines = [f"# {_md(record.title)}", "", f"**{_md(record.subtitle)}**", "", f"_{_md(record.confidential)}_", ""]
    for heading, fields in ((record.details_heading, record.details), (record.decision_heading, record.decision)):
        lines += [f"## {_md(heading)}", ""]
        lines += [f"- **{_md(label)}:** {_md(value)}" for label, value in fields]
        lines.append("")
    lines += [f"## {_md(record.answers_heading)}", ""]
    for item in record.entries:
        lines += [f"### {item.number}. {_md(item.question)}", ""]
        if item.empty is not None:
            lines += [f"_{_md(item.empty)}_", ""]
            continue
        if item.value is not None:
            lines += [_md(item.value), ""]
        for label, text in item.texts:
            if label:
                lines.append(f"{_md(label)}:")
                lines.append("")
            lines += _md_quote(text)
            lines.append("")
    lines += ["---", "", f"_{_md(record.exported)}_", ""]
    return "\n".join(lines)


# -- PDF -----------------------------------------------------------------------------------------------

FONT = "DejaVu"
_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "€": "EUR",
                             "•": "-", "→": "->"})


@cache
def _font_folder() -> Path | None:
    """DejaVu Sans from matplotlib's own data (found without importing matplotlib), or Debian's."""
    folders = []
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        folders.append(Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf")
    folders.append(Path("/usr/share/fonts/truetype/dejavu"))
    for folder in folders:
        if (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file():
            return folder
    return None


def _latin1(text: str) -> str:
    """For the core font only: Latin-1 as is, the rest as its closest plain letters, else '?'."""
    text = text.translate(_TYPOGRAPHY)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or "?")
    return "".join(out)


def pdf(record: Record) -> bytes:
    """The record as an A4 PDF (bytes)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    folder = _font_folder()
    clean = (lambda text: text) if folder is not None else _latin1

    class _Document(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font(family, "", 8)
            self.set_text_color(110)
            self.cell(0, 5, clean(f"{record.title} · {record.subtitle}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(4)
            self.set_text_color(0)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_draw_color(180)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.set_font(family, "", 8)
            self.set_text_color(110)
            self.cell(0, 6, clean(record.confidential), align="L")
            self.set_x(self.l_margin)
            page = t(record.language, "records.page", page=self.page_no(), pages="{nb}")
            self.cell(0, 6, clean(page), align="R")
            self.set_text_color(0)

    document = _Document(format="A4", unit="mm")
    if folder is not None:
        family = FONT
        document.add_font(FONT, "", str(folder / "DejaVuSans.ttf"))
        document.add_font(FONT, "B", str(folder / "DejaVuSans-Bold.ttf"))
        oblique = folder / "DejaVuSans-Oblique.ttf"
        document.add_font(FONT, "I", str(oblique if oblique.is_file() else folder / "DejaVuSans.ttf"))
    else:
        family = "Helvetica"
    document.set_margins(20, 18, 20)
    document.set_auto_page_break(auto=True, margin=20)
    document.set_title(clean(f"{record.title}: {record.subtitle}"))
    document.set_author("exit-interview")
    document.set_creator("exit-interview")
    document.set_lang(record.language)
    document.add_page()
    width = document.w - document.l_margin - document.r_margin

    def write(text: str, size: float = 10.5, style: str = "", height: float = 5.5, indent: float = 0,
              grey: bool = False) -> None:
        document.set_font(family, style, size)
        if grey:
            document.set_text_color(90)
        document.set_x(document.l_margin + indent)
        document.multi_cell(width - indent, height, clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        document.set_text_color(0)

    def heading(text: str) -> None:
        if document.will_page_break(30):
            document.add_page()
        document.ln(4)
        write(text, size=13, style="B", height=7)
        document.set_draw_color(60)
        document.line(document.l_margin, document.get_y(), document.w - document.r_margin, document.get_y())
        document.ln(3)

    def fields(rows: tuple[tuple[str, str], ...]) -> None:
        label_width = 52
        for label, value in rows:
            document.set_font(family, "B", 10)
            lines = document.multi_cell(width - label_width, 5.5, clean(value), dry_run=True, output="LINES")
            if document.will_page_break(5.5 * len(lines)):
                document.add_page()
            top = document.get_y()
            document.set_x(document.l_margin)
            document.multi_cell(label_width - 2, 5.5, clean(label), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            after_label = document.get_y()
            document.set_xy(document.l_margin + label_width, top)
            document.set_font(family, "", 10)
            document.multi_cell(width - label_width, 5.5, clean(value), align="L", new_x=XPos.LMARGIN,
                                new_y=YPos.NEXT)
            document.set_y(max(document.get_y(), after_label))
            document.ln(0.8)

    write(record.title, size=20, style="B", height=10)
    write(record.subtitle, size=13, height=7)
    document.ln(1)
    write(record.confidential, size=9, style="I", grey=True)
    heading(record.details_heading)
    fields(record.details)
    heading(record.decision_heading)
    fields(record.decision)
    heading(record.answers_heading)
    for item in record.entries:
        if document.will_page_break(22):
            document.add_page()
        write(f"{item.number}. {item.question}", size=10.5, style="B")
        document.ln(0.8)
        if item.empty is not None:
            write(item.empty, style="I", indent=6, grey=True)
        if item.value is not None:
            write(item.value, indent=6)
        for label, text in item.texts:
            if label:
                write(f"{label}:", size=9.5, style="I", indent=6, grey=True)
            write(text, indent=10)
        document.ln(3.5)
    document.ln(4)
    write(record.exported, size=8.5, style="I", grey=True)
    return bytes(document.output())
