"""All interviews as one table (CSV, XLSX) and as a stable JSON document, for HR's own analysis.

The JSON document (`json_document`) is a documented interface, version 1 (docs/export-format.md):

    {
      "format": "exit-interview-export",
      "version": 1,
      "exported_at": "2026-12-01T09:30:00+00:00",
      "interviews": [
        {
          "id": 7,
          "departure": {"id": 12, "employee_id": "U…", "manager_id": "U…" | null,
                        "interviewer_id": "U…", "last_day": "2026-12-20", "stage": "submitted"},
          "template": {"id": "standard", "version": 1},
          "mode": "self" | "talk",
          "status": "submitted" | "in_progress" | "paused" | "draft" | "withdrawn" | "expired",
          "started_at": "…", "submitted_at": "…" | null, "recorded_by": "U…" | null,
          "answers": {"<question id>": <answer JSON as stored>, …},
          "review": {"id": 3, "decision": "approved" | "private" | null, "decided_by": "U…" | null,
                     "decided_at": "…" | null, "inform_manager": false} | null
        }
      ]
    }

Interviews are ordered by id; every object's keys are sorted; dates are ISO 8601 (`YYYY-MM-DD`),
moments ISO 8601 in UTC with the offset (`YYYY-MM-DDTHH:MM:SS+00:00`). Answers are only exported
for submitted interviews (`{}` otherwise: what a leaver has not sent, or withdrew, is not HR's).
An answer has the shape the questionnaire stores (flows/questionnaire.py): `{"value": 4,
"comment": "…"}` for a rating, `{"value": 7}` for a 0–10 scale, `{"value": "option_id"}` for a
single choice, `{"values": ["a", "b"], "other": "…" | null}` for a multiple choice, `{"value":
true}` for yes/no, `{"value": "…"}` for text, and `{"skipped": true}` for a question left out.
Later versions only add keys; a change that would break a reader raises `version`.

The table has one row per interview: the metadata columns `METADATA_COLUMNS` first, then per
question of the templates in use (in template order; a question new in a later version after the
ones before it) one column named after its id, plus `<id>_comment` for a rating and `<id>_other`
for a multiple choice. Cells: the rating or scale number, the option id (several joined with
";"), `yes`/`no`, or the text; empty for skipped or not answered. A question column whose name is
taken already (by metadata or another question) gets a `q_` prefix.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flows.questionnaire import Answer, is_skipped
from flows.template import QuestionType, Template

EXPORT_FORMAT = "exit-interview-export"
EXPORT_VERSION = 1
METADATA_COLUMNS = (
    "interview_id",
    "departure_id",
    "employee_id",
    "mode",
    "template_id",
    "template_version",
    "last_day",
    "submitted_at",
    "status",
    "decision",
    "decided_by",
    "decided_at",
)
MULTIPLE_SEPARATOR = ";"
# Cells a spreadsheet would take for a formula when it opens a CSV (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX cell cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


@dataclass(frozen=True)
class ExportedDeparture:
    id: int
    employee_id: str
    manager_id: str | None
    interviewer_id: str
    last_day: date
    stage: str


@dataclass(frozen=True)
class ExportedReview:
    id: int
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    inform_manager: bool


@dataclass(frozen=True)
class ExportedInterview:
    """One interview as exported; `answers` empty unless submitted. `template` (for the columns)
    is None when the interview's template version cannot be found."""

    id: int
    departure: ExportedDeparture
    template_id: str
    template_version: int
    mode: str
    status: str
    started_at: datetime
    submitted_at: datetime | None
    recorded_by: str | None
    answers: dict[str, Answer]
    review: ExportedReview | None
    template: Template | None = field(default=None, compare=False, repr=False)


def moment(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in UTC, to the second."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


# -- the table --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    question_id: str | None = None
    part: str = "value"  # value | comment | other


def columns(interviews: Sequence[ExportedInterview]) -> list[Column]:
    """The metadata columns, then each question's columns, deterministic for the same templates."""
    result = [Column(name) for name in METADATA_COLUMNS]
    taken = set(METADATA_COLUMNS)
    seen: set[str] = set()
    templates: dict[tuple[str, int], Template | None] = {}
    for interview in interviews:
        templates.setdefault((interview.template_id, interview.template_version), interview.template)
    for key in sorted(templates):
        template = templates[key]
        for question in template.questions if template is not None else ():
            if question.id in seen:
                continue
            seen.add(question.id)
            parts = ["value"]
            if question.type is QuestionType.RATING:
                parts.append("comment")
            elif question.type is QuestionType.MULTIPLE_CHOICE:
                parts.append("other")
            for part in parts:
                name = question.id if part == "value" else f"{question.id}_{part}"
                while name in taken:
                    name = f"q_{name}"
                taken.add(name)
                result.append(Column(name, question.id, part))
    # Answers to questions no template names (a template that could not be read): by shape, by id.
    for question_id in sorted({qid for interview in interviews for qid in interview.answers} - seen):
        seen.add(question_id)
        parts = sorted({_shape_part(i.answers[question_id]) for i in interviews if question_id in i.answers} - {None})
        for part in ["value", *parts]:
            name = question_id if part == "value" else f"{question_id}_{part}"
            while name in taken:
                name = f"q_{name}"
            taken.add(name)
            result.append(Column(name, question_id, part))
    return result


def _shape_part(answer: Answer) -> str | None:
    if "comment" in answer:
        return "comment"
    if "other" in answer:
        return "other"
    return None


def cell(answer: Answer | None, part: str) -> str | int | float | None:
    """One part of an answer as a table cell (by the answer's stored shape)."""
    if answer is None or is_skipped(answer):
        return None
    if part == "comment":
        return answer.get("comment") or None
    if part == "other":
        return answer.get("other") or None
    if "values" in answer:
        return MULTIPLE_SEPARATOR.join(str(v) for v in answer.get("values") or []) or None
    value = answer.get("value")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _metadata(interview: ExportedInterview) -> dict[str, Any]:
    review = interview.review
    return {
        "interview_id": interview.id,
        "departure_id": interview.departure.id,
        "employee_id": interview.departure.employee_id,
        "mode": interview.mode,
        "template_id": interview.template_id,
        "template_version": interview.template_version,
        "last_day": interview.departure.last_day.isoformat(),
        "submitted_at": moment(interview.submitted_at),
        "status": interview.status,
        "decision": review.decision if review else None,
        "decided_by": review.decided_by if review else None,
        "decided_at": moment(review.decided_at) if review else None,
    }


def table(interviews: Sequence[ExportedInterview]) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per interview (ordered by id); None for an empty cell."""
    interviews = sorted(interviews, key=lambda i: i.id)
    cols = columns(interviews)
    rows = []
    for interview in interviews:
        meta = _metadata(interview)
        rows.append([
            meta[c.name] if c.question_id is None else cell(interview.answers.get(c.question_id), c.part) for c in cols
        ])
    return [c.name for c in cols], rows


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_csv(interviews: Sequence[ExportedInterview], stream: io.TextIOBase) -> None:
    """UTF-8 CSV (the caller opens the stream with newline=""), a header row first.

    A text cell that starts with `=`, `+`, `-`, `@` or a tab gets a leading `'`, so a spreadsheet
    opening the file shows it as text instead of running it as a formula (XLSX and JSON keep the
    text exactly).
    """
    header, rows = table(interviews)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(value) for value in row])


def xlsx_bytes(interviews: Sequence[ExportedInterview], title: str = "Exit interviews") -> bytes:
    """An XLSX workbook: one sheet, a bold frozen header row, text never taken for a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    header, rows = table(interviews)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell_ in sheet[1]:
        cell_.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column_number, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = _XLSX_ILLEGAL.sub("", value)
            target = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                target.data_type = "s"  # openpyxl takes "=..." for a formula otherwise
                if "\n" in value:
                    target.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for column_number, name in enumerate(header, start=1):
        longest = max([len(name)] + [len(str(row[column_number - 1] or "")) for row in rows])
        sheet.column_dimensions[get_column_letter(column_number)].width = min(max(10, longest + 2), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- JSON -----------------------------------------------------------------------------------------------


def interview_json(interview: ExportedInterview) -> dict[str, Any]:
    departure, review = interview.departure, interview.review
    return {
        "id": interview.id,
        "departure": {
            "id": departure.id,
            "employee_id": departure.employee_id,
            "manager_id": departure.manager_id,
            "interviewer_id": departure.interviewer_id,
            "last_day": departure.last_day.isoformat(),
            "stage": departure.stage,
        },
        "template": {"id": interview.template_id, "version": interview.template_version},
        "mode": interview.mode,
        "status": interview.status,
        "started_at": moment(interview.started_at),
        "submitted_at": moment(interview.submitted_at),
        "recorded_by": interview.recorded_by,
        "answers": {key: interview.answers[key] for key in sorted(interview.answers)},
        "review": None if review is None else {
            "id": review.id,
            "decision": review.decision,
            "decided_by": review.decided_by,
            "decided_at": moment(review.decided_at),
            "inform_manager": review.inform_manager,
        },
    }


def json_document(interviews: Iterable[ExportedInterview], exported_at: datetime) -> dict[str, Any]:
    """The export as JSON-able data; `json.dump(..., sort_keys=True)` it (see `write_json`)."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": moment(exported_at),
        "interviews": [interview_json(i) for i in sorted(interviews, key=lambda i: i.id)],
    }


def write_json(interviews: Iterable[ExportedInterview], exported_at: datetime, stream: io.TextIOBase) -> None:
    import json

    json.dump(json_document(interviews, exported_at), stream, ensure_ascii=False, indent=2, sort_keys=True)
    stream.write("\n")
