"""Nobody missed: registering leavers from a CSV file, and asking HR about deactivated accounts.

Import: every row goes through `registration.register`, so every rule of a single registration
applies (unknown person, bot, deactivated, past date, duplicate, ...); e-mail addresses are
resolved with users.lookupByEmail first. A row is registered, already registered (an open
registration exists: running the same file again registers nobody twice), or refused with its
reasons. The database is the source of truth for invitations: without a scheduler in this
process (the CLI), the running bot's sweep sends them when they are due.

Deactivation: a `user_change` with `deleted: true` for a person without an open or recent
departure gets HR one nudge, claimed in `deactivation_nudges` before posting, so a redelivered
event or `user_change` firing again posts nothing twice. HR records the departure (for a talk
outside Slack, or as missed) with one click, once.
"""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError, SlackClientError

from bot import domain_events
from bot.blocks import bulk as view
from bot.i18n import Translator
from bot.operations import registration
from bot.services import Services
from bot.slack_api import FileRefused, download_file
from flows import bulk as rules
from flows.bulk import ImportReport, RowResult
from flows.events import DeparturesImported, NudgeResolved
from flows.invitation import Stage
from flows.registration import Offer, Problem
from storage import repositories as repo
from storage.models import Departure

log = logging.getLogger(__name__)


# -- import -------------------------------------------------------------------------------------------


def import_csv(services: Services, data: bytes | str, hr_user_id: str, *, refresh_home: bool = True) -> ImportReport:
    """Register every row of a CSV file (bytes as read, or text as pasted) on behalf of an HR member."""
    if not services.directory.is_hr(hr_user_id):
        return ImportReport(problem=Problem("hr.only"))
    text = rules.decode(data) if isinstance(data, bytes) else data
    if isinstance(text, Problem):
        return ImportReport(problem=text)
    sheet = rules.parse_sheet(text)
    if isinstance(sheet, Problem):
        return ImportReport(problem=sheet)
    return import_sheet(services, sheet, hr_user_id, refresh_home=refresh_home)


def import_sheet(services: Services, sheet: rules.Sheet, hr_user_id: str, *, refresh_home: bool = True) -> ImportReport:
    items: list[rules.Row | rules.RowProblem] = sorted([*sheet.rows, *sheet.problems], key=lambda r: r.number)
    emails: dict[str, str | None] = {}
    seen: dict[str, int] = {}
    results = []
    for item in items:
        if isinstance(item, rules.RowProblem):
            results.append(RowResult(item.number, item.given, rules.Status.FAILED, problems=(item.problem,)))
            continue
        try:
            results.append(_import_row(services, item, hr_user_id, emails, seen))
        except SlackClientError as error:
            code = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
            log.warning("Slack failed on row %s of an import: %s", item.number, code)
            results.append(RowResult(item.number, item.given, rules.Status.FAILED,
                                     problems=(Problem("bulk.row.slack_error", {"error": str(code)}),)))
    report = ImportReport(results, ignored_columns=sheet.ignored_columns)
    registered = report.count(rules.Status.REGISTERED)
    log.info("import by %s: %s rows, %s registered, %s already, %s refused", hr_user_id, len(results), registered,
             report.count(rules.Status.ALREADY), report.count(rules.Status.FAILED))
    if registered and refresh_home:
        domain_events.publish(services, DeparturesImported(registered))
    return report


def _import_row(services: Services, row: rules.Row, hr_user_id: str, emails: dict[str, str | None],
                seen: dict[str, int]) -> RowResult:
    def refused(*problems: Problem, employee_id: str | None = None) -> RowResult:
        return RowResult(row.number, row.given, rules.Status.FAILED, employee_id=employee_id, last_day=row.last_day,
                         problems=problems)

    employee_id = _resolve(services, row.employee, emails)
    if employee_id is None:
        return refused(Problem("bulk.row.email_unknown", {"email": row.employee.email or ""}))
    manager_id = None
    if row.manager is not None:
        manager_id = _resolve(services, row.manager, emails)
        if manager_id is None:
            return refused(Problem("bulk.row.manager_email_unknown", {"email": row.manager.email or ""}),
                           employee_id=employee_id)
    if employee_id in seen:
        return refused(Problem("bulk.row.repeated", {"row": str(seen[employee_id])}), employee_id=employee_id)
    seen[employee_id] = row.number

    outcome = registration.register(
        services,
        registration.RegistrationRequest(employee_id=employee_id, last_day=row.last_day, registered_by=hr_user_id,
                                         manager_id=manager_id, department=row.department, role=row.role,
                                         started_on=row.started_on),
        refresh_home=False,
    )
    if outcome.accepted:
        return RowResult(row.number, row.given, rules.Status.REGISTERED, employee_id=employee_id,
                         last_day=row.last_day, warnings=outcome.warnings, invite_local=outcome.invite_local,
                         immediate=outcome.immediate)
    if rules.status_of(outcome.problems) == rules.Status.ALREADY:
        existing = next(p for p in outcome.problems if p.key == "register.duplicate").params.get("date")
        return RowResult(row.number, row.given, rules.Status.ALREADY, employee_id=employee_id,
                         last_day=_iso_date(existing) or row.last_day)
    return refused(*outcome.problems, employee_id=employee_id)


def _resolve(services: Services, who: rules.Who, emails: dict[str, str | None]) -> str | None:
    """The member id of a cell: as written, or looked up by e-mail (None: Slack knows no such address)."""
    if who.user_id:
        return who.user_id
    email = who.email or ""
    if email not in emails:
        try:
            emails[email] = services.client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") not in ("users_not_found", "user_not_found"):
                raise
            emails[email] = None
    return emails[email]


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- an uploaded file ---------------------------------------------------------------------------------


def import_upload(services: Services, file_id: str, hr_user_id: str) -> ImportReport:
    """Import a file HR uploaded in the import form (file_input: needs the files:read scope)."""
    if not services.directory.is_hr(hr_user_id):
        return ImportReport(problem=Problem("hr.only"))
    data = read_upload(services, file_id, hr_user_id)
    if isinstance(data, Problem):
        return ImportReport(problem=data)
    return import_csv(services, data, hr_user_id)


def read_upload(services: Services, file_id: str, user_id: str) -> bytes | Problem:
    """The bytes of an uploaded file, fetched by id (never from a URL the client sent)."""
    try:
        info = services.client.files_info(file=file_id)["file"]
    except SlackApiError as error:
        code = error.response.get("error")
        if code in ("missing_scope", "no_permission", "not_allowed_token_type", "access_denied"):
            return Problem("bulk.file.no_access")
        if code in ("file_not_found", "file_deleted"):
            return Problem("bulk.file.gone")
        raise
    if info.get("user") and info["user"] != user_id:
        return Problem("bulk.file.gone")
    if int(info.get("size") or 0) > rules.MAX_BYTES:
        return Problem("bulk.file.too_big", {"limit": str(rules.MAX_BYTES // 1000)})
    url = info.get("url_private_download") or info.get("url_private") or ""
    try:
        return download_file(services.client, url, rules.MAX_BYTES, services.settings.api_url)
    except FileRefused as refused:
        if refused.reason == "untrusted":
            log.warning("refusing to fetch file %s from an unexpected address", file_id)
        return Problem({"untrusted": "bulk.file.gone", "login_page": "bulk.file.no_access",
                        "unreachable": "bulk.file.download"}.get(refused.reason, "bulk.file.too_big"),
                       {"limit": str(rules.MAX_BYTES // 1000)} if refused.reason == "too_big" else {})


# -- deactivated accounts ------------------------------------------------------------------------------


def on_user_change(services: Services, user: dict) -> bool:
    """A member's profile changed; True when this call nudged HR about a deactivation."""
    user_id = user.get("id")
    if not isinstance(user_id, str) or not user_id:
        return False
    now = services.clock.now()
    if not user.get("deleted"):
        with services.db.session() as session:
            if repo.close_nudges_of(session, user_id, now):
                log.info("account %s is active again; a later deactivation asks HR again", user_id)
        return False
    if not rules.is_person(user):
        return False
    if _covered(services, user_id):
        return False
    # Events can arrive late or out of order: ask Slack how the account is now.
    current = services.directory.user(user_id, fresh=True)
    if not current.exists or not current.deleted or current.is_bot:
        return False
    with services.db.session() as session:
        nudge_id = repo.claim_nudge(session, user_id, now)
    if nudge_id is None:
        return False
    cards = []
    for channel, language in _audience(services):
        text, blocks = view.nudge_card(Translator(language), nudge_id=nudge_id, employee_id=user_id)
        try:
            response = services.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            cards.append([response["channel"], response["ts"], language])
        except SlackClientError as error:
            log.warning("could not post the deactivation nudge for %s to %s: %s", user_id, channel, error)
    with services.db.session() as session:
        if cards:
            repo.set_nudge_cards(session, nudge_id, cards)
        else:
            repo.release_nudge(session, nudge_id)
    if cards:
        log.info("asked HR about the deactivated account %s (nudge %s)", user_id, nudge_id)
    return bool(cards)


def _covered(services: Services, user_id: str) -> bool:
    with services.db.session() as session:
        known = [rules.KnownDeparture(d.stage, d.last_day, d.closed_at is None)
                 for d in repo.departures_of_employee(session, user_id)]
    return rules.covered(known, services.today())


def _audience(services: Services) -> list[tuple[str, str]]:
    """HR_CHANNEL_ID in the default language, else each HR member in their own."""
    if services.settings.hr_channel_id:
        return [(services.settings.hr_channel_id, services.settings.default_language)]
    return [(user, services.directory.language(user)) for user in sorted(services.directory.hr_members())]


def resolve_nudge(services: Services, nudge_id: int, user_id: str, resolution: rules.Resolution) -> Problem | None:
    """HR clicked *Record departure for a talk* or *Record as missed*: record the departure, once."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    now = services.clock.now()
    today = services.today()
    with services.db.session() as session:
        nudge = repo.nudge_by_id(session, nudge_id)
        if nudge is None:
            return Problem("nudge.unknown")
        if nudge.resolution is not None:
            return Problem("nudge.already", {"user": nudge.resolved_by or "?"})
        employee_id = nudge.employee_id
    employee = services.directory.user(employee_id)
    with services.db.session() as session:
        if not repo.resolve_nudge(session, nudge_id, resolution.value, user_id, now):
            resolved_by = repo.nudge_by_id(session, nudge_id).resolved_by
            return Problem("nudge.already", {"user": resolved_by or "?"})
        existing = repo.open_registration(session, employee_id)
        if existing is None:
            departure = Departure(
                employee_id=employee_id,
                manager_id=None,
                interviewer_id=user_id,
                registered_by=user_id,
                last_day=today,
                language=employee.language or services.settings.default_language,
                offer=Offer.TALK.value,
                employee_tz=_zone_name(employee.tz, services.settings.timezone),
                # The account cannot get a DM: no invitation, and HR can record the notes of a talk.
                stage=Stage.UNREACHABLE.value,
                invite_at=now,
                created_at=now,
            )
            try:
                repo.add_departure(session, departure)
                repo.link_nudge(session, nudge_id, departure.id)
            except repo.DuplicateRegistration:
                existing = repo.open_registration(session, employee_id)
        if existing is not None:  # registered meanwhile (or in a race): that departure counts
            repo.link_nudge(session, nudge_id, existing.id, rules.Resolution.REGISTERED.value)
    log.info("nudge %s resolved by %s as %s", nudge_id, user_id, resolution.value)
    refresh_nudge_cards(services, nudge_id)
    domain_events.publish(services, NudgeResolved(nudge_id))
    return None


def refresh_nudge_cards(services: Services, nudge_id: int) -> None:
    """Show the decision on every copy of the nudge; the buttons go."""
    with services.db.session() as session:
        nudge = repo.nudge_by_id(session, nudge_id)
        if nudge is None:
            return
        departure = repo.departure_by_id(session, nudge.departure_id) if nudge.departure_id else None
        snapshot = (nudge.employee_id, nudge.resolution, nudge.resolved_by, list(nudge.cards or []),
                    departure.id if departure else None, departure.last_day if departure else None)
    employee_id, resolution, resolved_by, cards, departure_id, last_day = snapshot
    for channel, ts, language in cards:
        text, blocks = view.nudge_card(
            Translator(language), nudge_id=nudge_id, employee_id=employee_id,
            resolution=rules.Resolution(resolution) if resolution else None, resolved_by=resolved_by,
            departure_id=departure_id, last_day=last_day,
        )
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackClientError as error:
            log.warning("could not update the nudge %s in %s: %s", ts, channel, error)


def _zone_name(name: str | None, fallback: str) -> str:
    if not name:
        return fallback
    try:
        return ZoneInfo(name).key
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
