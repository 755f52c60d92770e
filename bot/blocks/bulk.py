"""Nobody missed: the CSV import form, its result (a message, or a table for the terminal), and
the nudge to HR about a deactivated account."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.notes import RECORD_NOTES_ACTION
from bot.blocks.questionnaire import split_blocks
from bot.blocks.text import dicts, escape, mention, shorten
from bot.i18n import Translator
from flows.bulk import ImportReport, Resolution, RowResult, Status
from flows.registration import Problem

IMPORT_CALLBACK = "bulk_import"
FILE_BLOCK = "file"
PASTE_BLOCK = "paste"
FIELD = "value"  # the action_id of both inputs
PASTE_LIMIT = 3000  # Slack's maximum for a text input
SECTION_LIMIT = 2900  # Slack refuses section texts over 3000 characters

TALK_ACTION = "nudge:talk"
MISSED_ACTION = "nudge:missed"


# -- the import form -------------------------------------------------------------------------------


def import_modal(_: Translator) -> dict:
    """A file to upload or rows to paste (one of the two), with the columns explained."""
    modal = View(
        type="modal",
        callback_id=IMPORT_CALLBACK,
        title=_("bulk.modal.title"),
        submit=_("bulk.modal.submit"),
        close=_("bulk.modal.close"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=_("bulk.modal.intro"))),
            SectionBlock(text=MarkdownTextObject(text=_("bulk.modal.example"))),
            InputBlock(
                block_id=PASTE_BLOCK, label=_("bulk.modal.paste"), hint=_("bulk.modal.paste_hint"), optional=True,
                element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=PASTE_LIMIT,
                                              placeholder=_("bulk.modal.paste_placeholder")),
            ),
        ],
    ).to_dict()
    # slack_sdk has no model for file_input yet: the block as Slack documents it.
    modal["blocks"].insert(2, {
        "type": "input",
        "block_id": FILE_BLOCK,
        "optional": True,
        "label": {"type": "plain_text", "text": _("bulk.modal.file")},
        "hint": {"type": "plain_text", "text": _("bulk.modal.file_hint")},
        "element": {"type": "file_input", "action_id": FIELD, "filetypes": ["csv", "txt"], "max_files": 1},
    })
    return modal


# -- the result --------------------------------------------------------------------------------------


def problem_text(_: Translator, problem: Problem) -> str:
    """A problem in the reader's language, its parameters made safe for mrkdwn."""
    params = {}
    for key, value in problem.params.items():
        if key == "date":
            with contextlib.suppress(ValueError):
                value = _.date(date.fromisoformat(value))
        elif key == "columns":
            value = ", ".join(_("bulk.column." + column) for column in value.split(",") if column)
        params[key] = value if isinstance(value, int) else escape(str(value))  # a count picks a plural
    return _(problem.key, **params)


def report_messages(_: Translator, report: ImportReport) -> list[tuple[str, list[dict]]]:
    """The result for HR in Slack: a summary, a line per row, split over messages when long."""
    if report.problem is not None:
        text = _("bulk.refused") + "\n" + problem_text(_, report.problem)
        return [(text, dicts([SectionBlock(text=MarkdownTextObject(text=text))]))]
    summary = _summary(_, report)
    blocks: list = [HeaderBlock(text=_("bulk.header")), SectionBlock(text=MarkdownTextObject(text=summary))]
    chunk = ""
    for row in report.rows:
        line = row_line(_, row)
        if chunk and len(chunk) + 1 + len(line) > SECTION_LIMIT:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else shorten(line, SECTION_LIMIT)
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    notes = _notes(_, report)
    if report.count(Status.FAILED):
        notes.append(_("bulk.footer.failed"))
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="\n".join(notes))]))
    parts = split_blocks(dicts(blocks))
    return [(summary if index == 0 else _("bulk.continued"), part) for index, part in enumerate(parts)]


def row_line(_: Translator, row: RowResult) -> str:
    if row.status == Status.REGISTERED:
        line = _("bulk.line.registered", row=row.number, employee=mention(row.employee_id),
                 last_day=_.date(row.last_day), invitation=_invitation(_, row))
        return line + "".join(f"\n      :warning: {problem_text(_, warning)}" for warning in row.warnings)
    if row.status == Status.ALREADY:
        return _("bulk.line.already", row=row.number, employee=mention(row.employee_id),
                 last_day=_.date(row.last_day) if row.last_day else "–")
    return _("bulk.line.failed", row=row.number, given=escape(shorten(row.given or "–", 60)),
             reason=" ".join(problem_text(_, problem) for problem in row.problems))


def _invitation(_: Translator, row: RowResult) -> str:
    if row.immediate or row.invite_local is None:
        return _("bulk.invite.now")
    return _("bulk.invite.planned", moment=_.moment(row.invite_local))


def _summary(_: Translator, report: ImportReport) -> str:
    return _("bulk.summary", registered=report.count(Status.REGISTERED), already=report.count(Status.ALREADY),
             failed=report.count(Status.FAILED))


def _notes(_: Translator, report: ImportReport) -> list[str]:
    notes = []
    if report.ignored_columns:
        notes.append(_("bulk.ignored_columns", columns=", ".join(escape(c) for c in report.ignored_columns)))
    return notes


# -- the result in a terminal ------------------------------------------------------------------------


def summary_table(_: Translator, report: ImportReport) -> str:
    """`exit-interview import`: a table with a row per CSV row, then the totals."""
    if report.problem is not None:
        return terminal(_("bulk.refused") + " " + problem_text(_, report.problem))
    heading = [_("bulk.cli.row"), _("bulk.cli.employee"), _("bulk.cli.last_day"), _("bulk.cli.result"),
               _("bulk.cli.details")]
    table = [heading]
    for row in report.rows:
        if row.status == Status.REGISTERED:
            details = " ".join([_invitation(_, row), *(problem_text(_, w) for w in row.warnings)])
        elif row.status == Status.ALREADY:
            details = ""
        else:
            details = " ".join(problem_text(_, problem) for problem in row.problems)
        table.append([str(row.number), shorten(row.given, 40), row.last_day.isoformat() if row.last_day else "",
                      _(f"bulk.status.{row.status.value}"), terminal(details)])
    lines = _columns(table)
    lines += ["", terminal(_summary(_, report))]
    lines += [terminal(note) for note in _notes(_, report)]
    return "\n".join(lines)


def _columns(table: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    return ["  ".join([*(cell.ljust(width) for cell, width in zip(line, widths, strict=False)), line[-1]]).rstrip()
            for line in table]


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def terminal(text: str) -> str:
    """mrkdwn as plain text: mentions as @U123, no emphasis markers, entities decoded."""
    text = _MENTION.sub(r"@\1", text).replace("*", "").replace("`", "")
    return html.unescape(text)


# -- the nudge about a deactivated account ------------------------------------------------------------


def nudge_card(
    _: Translator,
    *,
    nudge_id: int,
    employee_id: str,
    resolution: Resolution | None = None,
    resolved_by: str | None = None,
    departure_id: int | None = None,
    last_day: date | None = None,
) -> tuple[str, list[dict]]:
    """The question to HR with its two buttons; once decided, the decision (and Record notes for a talk)."""
    employee = mention(employee_id)
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_("nudge.text", employee=employee)))]
    if resolution is None:
        blocks += [
            ActionsBlock(block_id=f"nudge-{nudge_id}", elements=[
                ButtonElement(text=_("nudge.button.talk"), action_id=TALK_ACTION, value=str(nudge_id),
                              style="primary"),
                ButtonElement(text=_("nudge.button.missed"), action_id=MISSED_ACTION, value=str(nudge_id)),
            ]),
            ContextBlock(elements=[MarkdownTextObject(text=_("nudge.footer"))]),
        ]
        return _("nudge.fallback", employee=employee), dicts(blocks)
    done = _("nudge.done." + resolution.value, user=mention(resolved_by), employee=employee,
             last_day=_.date(last_day) if last_day else "–")
    blocks.append(SectionBlock(text=MarkdownTextObject(text=":white_check_mark: " + done)))
    if resolution == Resolution.TALK and departure_id is not None:
        blocks.append(ActionsBlock(block_id=f"nudge-notes-{departure_id}", elements=[
            ButtonElement(text=_("talk.record_notes"), action_id=RECORD_NOTES_ACTION, value=str(departure_id)),
        ]))
    return done, dicts(blocks)
