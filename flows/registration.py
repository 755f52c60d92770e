"""HR registers a departure: the `/exit-interview` command language and the rules a registration
must pass before anything is stored.

Problems are returned as `Problem(key, params)`: the key names a catalog message, so the edge can
say it in the HR user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

MAX_COMMAND_LENGTH = 500

_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_BARE_ID = re.compile(r"^@?([UW][A-Z0-9]{6,})$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DUTCH_DATE = re.compile(r"^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$")


class Offer(StrEnum):
    """What the leaver is offered: answer the questionnaire in the DM, an in-person talk, or both."""

    BOTH = "both"
    QUESTIONNAIRE = "questionnaire"
    TALK = "talk"

    @property
    def questionnaire(self) -> bool:
        return self in (Offer.BOTH, Offer.QUESTIONNAIRE)

    @property
    def talk(self) -> bool:
        return self in (Offer.BOTH, Offer.TALK)


@dataclass(frozen=True)
class Problem:
    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Help:
    unknown: str | None = None


@dataclass(frozen=True)
class OpenRegistrationForm:
    pass


@dataclass(frozen=True)
class Register:
    employee_id: str
    last_day: date
    manager_id: str | None = None


@dataclass(frozen=True)
class ListDepartures:
    pass


@dataclass(frozen=True)
class Cancel:
    employee_id: str


@dataclass(frozen=True)
class Notes:
    """Open the form for the notes of an in-person talk with this leaver."""

    employee_id: str


@dataclass(frozen=True)
class PostDigest:
    """Post the managers' digest now (when enough approved interviews wait)."""


@dataclass(frozen=True)
class Report:
    """HR's statistics over a period; open ends default to the last twelve months."""

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Access:
    """Right of access: send HR everything stored about this person."""

    employee_id: str


@dataclass(frozen=True)
class Erase:
    """Right to erasure: delete everything stored about this person (after HR confirms)."""

    employee_id: str


@dataclass(frozen=True)
class Audit:
    """HR's view of the audit log: the latest entries."""


@dataclass(frozen=True)
class OpenSettings:
    """HR's settings, in a form."""


@dataclass(frozen=True)
class ManagerView:
    """HR's view of one manager's leavers against the rest of the company, over a period."""

    manager_id: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class EditTemplate:
    """HR's question editor for the interview template, in a modal."""


@dataclass(frozen=True)
class Workflows:
    """The approval codes HR trusts for workflows nobody in HR runs (Workflow Builder step)."""


@dataclass(frozen=True)
class NewWorkflowCode:
    """`/exit-interview workflows new NAME`: a new approval code, named NAME."""

    name: str


Command = (
    Help | OpenRegistrationForm | Register | ListDepartures | Cancel | Notes | PostDigest | Report | Access | Erase
    | Audit | ManagerView | OpenSettings | EditTemplate | Workflows | NewWorkflowCode
)


def parse_command(text: str) -> Command | Problem:
    """Turn the text after `/exit-interview` into a command, or a problem to show HR."""
    text = (text or "").strip()
    if len(text) > MAX_COMMAND_LENGTH:
        return Problem("command.too_long", {"limit": str(MAX_COMMAND_LENGTH)})
    words = text.split()
    if not words:
        return Help()
    verb, args = words[0].lower(), words[1:]
    if verb in ("help", "hulp", "?"):
        return Help()
    if verb in ("list", "lijst"):
        return ListDepartures()
    if verb in ("digest", "overzicht"):
        return PostDigest()
    if verb in ("audit", "auditlog"):
        return Audit()
    if verb in ("settings", "instellingen"):
        return OpenSettings()
    if verb in ("template", "templates", "vragen"):
        return EditTemplate()
    if verb in ("workflows", "workflow"):
        if args and args[0].lower() in ("new", "nieuw"):
            return NewWorkflowCode(" ".join(args[1:]))
        return Workflows()
    if verb in ("report", "rapport"):
        return _parse_report(args)
    if verb in ("manager", "leidinggevende"):
        return _parse_manager(args)
    if verb in ("start", "register", "registreer"):
        return _parse_start(args)
    if verb in ("cancel", "annuleer"):
        if len(args) != 1:
            return Problem("command.cancel_usage")
        user_id = parse_user(args[0])
        return Cancel(user_id) if user_id else Problem("command.not_a_user", {"text": args[0]})
    if verb in ("notes", "notities"):
        if len(args) != 1:
            return Problem("notes.usage")
        user_id = parse_user(args[0])
        return Notes(user_id) if user_id else Problem("command.not_a_user", {"text": args[0]})
    if verb in ("access", "inzage"):
        return _parse_person(args, Access, "privacy.access_usage")
    if verb in ("erase", "wissen", "wis"):
        return _parse_person(args, Erase, "privacy.erase_usage")
    return Help(unknown=words[0][:40])


def _parse_person(args: list[str], command: type[Access] | type[Erase], usage: str) -> Command | Problem:
    if len(args) != 1:
        return Problem(usage)
    user_id = parse_user(args[0])
    return command(user_id) if user_id else Problem("command.not_a_user", {"text": args[0]})


def _parse_start(args: list[str]) -> Command | Problem:
    if not args:
        return OpenRegistrationForm()
    if len(args) not in (2, 3):
        return Problem("command.start_usage")
    employee_id = parse_user(args[0])
    if employee_id is None:
        return Problem("command.not_a_user", {"text": args[0]})
    last_day = parse_date(args[1])
    if last_day is None:
        return Problem("command.not_a_date", {"text": args[1]})
    manager_id = None
    if len(args) == 3:
        manager_id = parse_user(args[2])
        if manager_id is None:
            return Problem("command.not_a_user", {"text": args[2]})
    return Register(employee_id, last_day, manager_id)


def _parse_report(args: list[str]) -> Command | Problem:
    if len(args) > 2:
        return Problem("command.report_usage")
    days = [parse_date(arg) for arg in args]
    for arg, day in zip(args, days, strict=True):
        if day is None:
            return Problem("command.not_a_date", {"text": arg})
    start, end = ([*days, None, None])[:2]
    if start and end and start > end:
        return Problem("command.report_order", {"start": start.isoformat(), "end": end.isoformat()})
    return Report(start, end)


def _parse_manager(args: list[str]) -> Command | Problem:
    if not 1 <= len(args) <= 3:
        return Problem("breakdown.manager.usage")
    manager_id = parse_user(args[0])
    if manager_id is None:
        return Problem("command.not_a_user", {"text": args[0]})
    period = _parse_report(args[1:])
    if isinstance(period, Problem):
        return period
    return ManagerView(manager_id, period.start, period.end)


def parse_user(text: str) -> str | None:
    """A user as Slack escapes it in commands (`<@U123|name>`, `<@U123>`), or a bare id."""
    match = _MENTION.match(text) or _BARE_ID.match(text)
    return match.group(1) if match else None


def parse_date(text: str) -> date | None:
    """2026-12-20 or 20-12-2026 (also with / or . between day, month and year)."""
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DUTCH_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Person:
    """What the rules need to know of a Slack user; `exists` is False when Slack does not know them."""

    user_id: str
    exists: bool = True
    is_bot: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class Verdict:
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems


def check_registration(
    *,
    employee: Person,
    last_day: date,
    today: date,
    manager: Person | None = None,
    interviewer: Person | None = None,
    registered_by: str,
    open_registration_last_day: date | None = None,
) -> Verdict:
    """Decide whether a departure may be registered; warnings go with an accepted registration."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    problems += _person_problems(employee, "employee")
    if manager is not None:
        problems += _person_problems(manager, "manager")
        if manager.user_id == employee.user_id:
            problems.append(Problem("register.manager_is_employee"))
    if interviewer is not None:
        problems += _person_problems(interviewer, "interviewer")
        if interviewer.user_id == employee.user_id:
            problems.append(Problem("register.interviewer_is_employee"))
    if employee.user_id == registered_by:
        problems.append(Problem("register.self"))
    if last_day < today:
        problems.append(Problem("register.last_day_past", {"date": last_day.isoformat()}))
    elif last_day == today:
        warnings.append(Problem("register.last_day_today"))
    if (today.year + 2, today.month, today.day) < (last_day.year, last_day.month, last_day.day):
        problems.append(Problem("register.last_day_far", {"date": last_day.isoformat()}))
    if open_registration_last_day is not None:
        problems.append(Problem("register.duplicate", {"date": open_registration_last_day.isoformat()}))
    return Verdict(tuple(problems), tuple(warnings))


def _person_problems(person: Person, role: str) -> list[Problem]:
    if not person.exists:
        return [Problem(f"register.{role}_unknown", {"user": person.user_id})]
    if person.is_bot:
        return [Problem(f"register.{role}_bot", {"user": person.user_id})]
    if person.deleted:
        return [Problem(f"register.{role}_deactivated", {"user": person.user_id})]
    return []


# -- what HR may add about the leaver, for the breakdowns -----------------------------------------

MAX_PROFILE_TEXT = 100  # department and role
EARLIEST_START = date(1950, 1, 1)


def clean_profile_text(value: str | None) -> str | None:
    """A department or role as stored: one line, spaces collapsed, None when empty."""
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def check_profile(
    *, department: str | None, role: str | None, started_on: date | None, last_day: date
) -> list[tuple[str, Problem]]:
    """Problems with the optional department, role and start date, each with the field it belongs to."""
    problems: list[tuple[str, Problem]] = []
    for name, value in (("department", department), ("role", role)):
        if value is not None and (len(value) > MAX_PROFILE_TEXT or not value.isprintable()):
            problems.append((name, Problem(f"register.{name}_invalid", {"limit": str(MAX_PROFILE_TEXT)})))
    if started_on is not None and not EARLIEST_START <= started_on <= last_day:
        problems.append(("started_on", Problem("register.started_on_invalid", {"date": started_on.isoformat()})))
    return problems


def tenure_years(started_on: date | None, last_day: date) -> float | None:
    """Years from the start date to the last working day (None when the start is unknown or after it)."""
    if started_on is None or started_on > last_day:
        return None
    return (last_day - started_on).days / 365.25


# Labels of Slack profile fields (users.profile.get / team.profile.get) that say the same, lower case.
DEPARTMENT_LABELS = frozenset({"department", "team", "afdeling", "division", "unit"})
START_LABELS = frozenset({"start date", "started", "started on", "hire date", "date of hire", "joined", "startdatum",
                          "datum in dienst", "in dienst sinds", "in dienst", "indiensttreding"})
ROLE_LABELS = frozenset({"role", "job title", "title", "function", "functie", "rol"})


@dataclass(frozen=True)
class ProfileFacts:
    department: str | None = None
    role: str | None = None
    started_on: date | None = None


def profile_facts(labels: dict[str, str], values: dict[str, str], title: str | None = None) -> ProfileFacts:
    """Department, role and start date from a Slack profile: custom fields (field id → label, and
    field id → value) matched by label, the standard title as the role. Unusable values are left out."""
    found: dict[str, str] = {}
    for field_id, label in labels.items():
        name = " ".join(str(label).lower().replace("_", " ").split())
        value = clean_profile_text(values.get(field_id))
        if not value:
            continue
        for kind, known in (("department", DEPARTMENT_LABELS), ("started_on", START_LABELS), ("role", ROLE_LABELS)):
            if name in known:
                found.setdefault(kind, value)
    department = found.get("department")
    role = found.get("role") or clean_profile_text(title)
    started_on = parse_date(found["started_on"]) if "started_on" in found else None
    checked = {name for name, _problem in check_profile(department=department, role=role, started_on=started_on,
                                                        last_day=date.max)}
    return ProfileFacts(
        department=None if "department" in checked else department,
        role=None if "role" in checked else role,
        started_on=None if "started_on" in checked else started_on,
    )
