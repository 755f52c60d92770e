"""Nobody missed: registering many leavers from a CSV file, and noticing deactivated accounts.

The CSV part reads the file and checks each row on its own (columns, people, dates, lengths)
before Slack is asked anything; the registration rules themselves (unknown person, bot, past
date, duplicate, ...) stay in `flows.registration.check_registration`, applied per row by the edge.

A file has a header row naming its columns, in English or Dutch, in any order; cells are separated
by commas, semicolons or tabs (what a spreadsheet's "copy" gives); UTF-8 with or without a BOM.
Rows are numbered like a spreadsheet shows them: the header is row 1.

The deactivation part decides whether a deactivated account deserves a nudge to HR: only people
(no bots) for whom no departure is open or recently registered.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from flows.registration import Problem, parse_date, parse_user

MAX_BYTES = 1_000_000
MAX_ROWS = 1000
MAX_TEXT = 100  # department and role


class Column(StrEnum):
    EMPLOYEE = "employee"
    LAST_DAY = "last_day"
    MANAGER = "manager"
    DEPARTMENT = "department"
    ROLE = "role"
    STARTED_ON = "started_on"


REQUIRED = (Column.EMPLOYEE, Column.LAST_DAY)

# Header names as people write them, normalised by `_header` (lower case, single spaces).
HEADERS: dict[str, Column] = {
    **dict.fromkeys(("employee", "leaver", "user", "slack id", "slack user", "email", "e mail", "medewerker",
                     "werknemer", "vertrekker"), Column.EMPLOYEE),
    **dict.fromkeys(("last working day", "last day", "last workday", "laatste werkdag", "laatste dag"),
                    Column.LAST_DAY),
    **dict.fromkeys(("manager", "direct manager", "leidinggevende"), Column.MANAGER),
    **dict.fromkeys(("department", "team", "afdeling"), Column.DEPARTMENT),
    **dict.fromkeys(("role", "job title", "function", "rol", "functie"), Column.ROLE),
    **dict.fromkeys(("start date", "started", "started on", "hire date", "date of hire", "startdatum",
                     "datum in dienst", "in dienst sinds", "in dienst"), Column.STARTED_ON),
}

_EMAIL = re.compile(r"^[^@\s<>|,;]+@[^@\s<>|,;]+\.[^@\s<>|,;.]+$")
_DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Who:
    """A person as a cell names them: a Slack member id or an e-mail address (resolved by the edge)."""

    user_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Row:
    number: int
    given: str  # the employee cell as written, to show back
    employee: Who
    last_day: date
    manager: Who | None = None
    department: str | None = None
    role: str | None = None
    started_on: date | None = None


@dataclass(frozen=True)
class RowProblem:
    number: int
    given: str
    problem: Problem


@dataclass(frozen=True)
class Sheet:
    rows: tuple[Row, ...]
    problems: tuple[RowProblem, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()

    @property
    def size(self) -> int:
        return len(self.rows) + len(self.problems)


def decode(data: bytes) -> str | Problem:
    """The file's text: UTF-8, a BOM dropped."""
    if len(data) > MAX_BYTES:
        return Problem("bulk.file.too_big", {"limit": str(MAX_BYTES // 1000)})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Problem("bulk.file.encoding")


def parse_sheet(text: str) -> Sheet | Problem:
    """Every data row as a Row to register or a RowProblem; a Problem when the file as a whole is unusable."""
    text = text.removeprefix("\ufeff")
    if len(text.encode("utf-8")) > MAX_BYTES:
        return Problem("bulk.file.too_big", {"limit": str(MAX_BYTES // 1000)})
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return Problem("bulk.file.empty")
    delimiter = _delimiter(lines[0])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return Problem("bulk.file.unreadable")
    header_at = next((i for i, record in enumerate(records) if any(cell.strip() for cell in record)), None)
    if header_at is None:
        return Problem("bulk.file.empty")
    header = records[header_at]
    columns: dict[Column, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        column = HEADERS.get(_header(name))
        if column is None:
            if name.strip():
                ignored.append(name.strip()[:40])
            continue
        if column in columns:
            return Problem("bulk.file.duplicate_column", {"column": name.strip()[:40]})
        columns[column] = index
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        return Problem("bulk.file.missing_columns", {"columns": ",".join(missing), "count": len(missing)})

    rows: list[Row] = []
    problems: list[RowProblem] = []
    for number, record in enumerate(records[header_at + 1:], start=header_at + 2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            return Problem("bulk.file.too_many_rows", {"limit": str(MAX_ROWS)})
        parsed = parse_row(number, record, columns, len(header))
        (rows if isinstance(parsed, Row) else problems).append(parsed)
    if not rows and not problems:
        return Problem("bulk.file.no_rows")
    return Sheet(tuple(rows), tuple(problems), tuple(ignored), tuple(columns))


def parse_row(number: int, record: list[str], columns: dict[Column, int], width: int) -> Row | RowProblem:
    def cell(column: Column) -> str:
        index = columns.get(column)
        return record[index].strip() if index is not None and index < len(record) else ""

    given = cell(Column.EMPLOYEE)

    def problem(key: str, **params: str) -> RowProblem:
        return RowProblem(number, given, Problem(key, params))

    if any(value.strip() for value in record[width:]):
        return problem("bulk.row.too_many_cells", count=len(record), columns=str(width))
    if not given:
        return problem("bulk.row.employee_missing")
    employee = parse_who(given)
    if employee is None:
        return problem("bulk.row.employee_invalid", text=_shown(given))
    raw_day = cell(Column.LAST_DAY)
    if not raw_day:
        return problem("bulk.row.date_missing")
    last_day = parse_date(raw_day)
    if last_day is None:
        return problem("bulk.row.date_invalid", text=_shown(raw_day))
    manager = None
    if raw_manager := cell(Column.MANAGER):
        manager = parse_who(raw_manager)
        if manager is None:
            return problem("bulk.row.manager_invalid", text=_shown(raw_manager))
    texts: dict[Column, str | None] = {}
    for column in (Column.DEPARTMENT, Column.ROLE):
        value = cell(column)
        if value and not valid_text(value):
            return problem(f"bulk.row.{column.value}_invalid", limit=str(MAX_TEXT))
        texts[column] = " ".join(value.split()) or None
    started_on = None
    if raw_start := cell(Column.STARTED_ON):
        started_on = parse_date(raw_start)
        if started_on is None or started_on > last_day:
            return problem("bulk.row.started_on_invalid", text=_shown(raw_start))
    return Row(number, given, employee, last_day, manager, texts[Column.DEPARTMENT], texts[Column.ROLE], started_on)


def parse_who(text: str) -> Who | None:
    """`U012AB3CD`, `<@U012AB3CD>` or an e-mail address (also `mailto:` and `<mailto:…|…>` as Slack writes it)."""
    text = text.strip()
    if user_id := parse_user(text):
        return Who(user_id=user_id)
    if text.startswith("<mailto:") and text.endswith(">"):
        text = text[len("<mailto:"):-1].split("|", 1)[0]
    text = text.removeprefix("mailto:")
    if _EMAIL.match(text) and len(text) <= 254:
        return Who(email=text.lower())
    return None


def valid_text(value: str) -> bool:
    """A department or role: one line of at most MAX_TEXT printable characters."""
    return len(value) <= MAX_TEXT and not any(unicodedata.category(ch).startswith("C") for ch in value)


def _header(name: str) -> str:
    name = name.strip().strip('"').lower().replace("_", " ").replace("-", " ")
    return " ".join(name.split())


def _delimiter(first_line: str) -> str:
    """The separator the header row uses most (outside quotes); a comma when it has none."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


# -- what the edge decides per row ----------------------------------------------------------------


class Status(StrEnum):
    REGISTERED = "registered"
    ALREADY = "already"  # an open registration exists: re-running a file registers nobody twice
    FAILED = "failed"


def status_of(problems: Iterable[Problem]) -> Status:
    """A row the registration refused: `already` when the person has an open registration."""
    return Status.ALREADY if any(p.key == "register.duplicate" for p in problems) else Status.FAILED


def all_fine(statuses: Iterable[Status]) -> bool:
    """The import succeeded when every row is registered or was registered already."""
    return all(status != Status.FAILED for status in statuses)


@dataclass(frozen=True)
class RowResult:
    """One row of an import as HR is told about it."""

    number: int
    given: str
    status: Status
    employee_id: str | None = None
    last_day: date | None = None  # for `already`: the last day of the open registration
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    invite_local: datetime | None = None
    immediate: bool = False


@dataclass
class ImportReport:
    """What an import did, row by row (what bot.blocks.bulk shows)."""

    rows: list[RowResult] = field(default_factory=list)
    problem: Problem | None = None  # the file as a whole could not be used: nothing was registered
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None and bool(self.rows) and all_fine(r.status for r in self.rows)

    def count(self, status: Status) -> int:
        return sum(1 for row in self.rows if row.status == status)


# -- deactivated accounts ---------------------------------------------------------------------------

RECENT_DEPARTURE_DAYS = 60


class Resolution(StrEnum):
    """What HR made of a nudge about a deactivated account."""

    TALK = "talk"  # a departure, to be followed by a talk outside Slack (notes in the template)
    MISSED = "missed"  # a departure without an interview: counted, not followed up
    REGISTERED = "registered"  # somebody had registered the departure meanwhile


def is_person(user: dict) -> bool:
    """Bots, Slackbot and workflow/app users are not leavers."""
    return not (user.get("is_bot") or user.get("is_app_user") or user.get("id") == "USLACKBOT")


@dataclass(frozen=True)
class KnownDeparture:
    stage: str
    last_day: date
    open: bool


def covered(departures: Iterable[KnownDeparture], today: date) -> bool:
    """A departure is registered for them: one that is open, or one recently ended (not cancelled)."""
    since = today - timedelta(days=RECENT_DEPARTURE_DAYS)
    return any(d.stage != "cancelled" and (d.open or d.last_day >= since) for d in departures)
