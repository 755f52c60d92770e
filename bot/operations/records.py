"""Records for the personnel file, and exports of all interviews.

`send_record` (also `..._for_review`, `..._for_departure`: the review card's *Export record* button
and, later, the App Home) renders one submitted interview in the HR user's language as a PDF and
a Markdown file and uploads both into that user's DM with the bot. HR only, checked here on every
call. A withdrawn or erased interview (its state is gone) has no record; that is said plainly.

`collect` reads every interview for the table and JSON exports (`exit-interview export`); it needs
only the database, no Slack.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackClientError

from bot.blocks.text import mention
from bot.i18n import Translator
from bot.operations import templates
from bot.records import document
from bot.records.export import ExportedDeparture, ExportedInterview, ExportedReview
from bot.services import Services
from flows.interview import Status
from flows.questionnaire import Questionnaire, from_json
from flows.registration import Problem
from storage import repositories as repo
from storage.db import Database
from storage.models import Interview

log = logging.getLogger(__name__)


# -- one record, to HR's DM ---------------------------------------------------------------------------


def send_record_for_review(services: Services, review_id: int, user_id: str) -> Problem | None:
    """The review card's *Export record* button (its value is the review id)."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        interview_id = review.interview_id if review is not None else None
    if interview_id is None:
        return Problem("records.unknown")
    return send_record(services, interview_id, user_id)


def send_record_for_departure(services: Services, departure_id: int, user_id: str) -> Problem | None:
    """The record of a departure's interview (for the App Home's list of departures)."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    with services.db.session() as session:
        if repo.departure_by_id(session, departure_id) is None:
            return Problem("records.unknown")
        interview = repo.interview_for_departure(session, departure_id)
        interview_id = interview.id if interview is not None else None
    if interview_id is None:
        return Problem("records.no_interview")
    return send_record(services, interview_id, user_id)


def send_record(services: Services, interview_id: int, user_id: str) -> Problem | None:
    """Render the interview's record in `user_id`'s language and upload the PDF and the Markdown
    file to their DM. None when sent; a Problem (nothing sent) otherwise. SlackClientError passes."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    tz = services.settings.tz
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        if interview is None:
            return Problem("records.unknown")
        if interview.state is None:
            return Problem("records.gone")
        if interview.status != Status.SUBMITTED:
            return Problem("records.not_submitted")
        departure = repo.departure_by_id(session, interview.departure_id)
        review = repo.review_for_interview(session, interview.id)
        state = from_json(interview.state)
        key, version = interview.template_key, interview.template_version
        mode, submitted_at, recorded_by = interview.mode, interview.submitted_at, interview.recorded_by
        employee_id, interviewer_id, last_day = departure.employee_id, departure.interviewer_id, departure.last_day
        decision = (review.decision, review.decided_by, review.decided_at, review.inform_manager) if review else None
    template = templates.template_for(services.db, key, version)
    answers = Questionnaire(template).final_answers(state)

    names = _Names(services)
    decided, decided_by, decided_at, inform_manager = decision or (None, None, None, False)
    facts = document.RecordFacts(
        interview_id=interview_id,
        employee=names.person(employee_id),
        last_day=last_day,
        mode=mode,
        submitted_at=submitted_at.astimezone(tz) if submitted_at else None,
        interviewer=names.person(interviewer_id) if interviewer_id else None,
        recorded_by=names.person(recorded_by) if mode == "talk" and recorded_by else None,
        decision=decided,
        decided_by=names.person(decided_by) if decided_by else None,
        decided_at=decided_at.astimezone(tz) if decided_at else None,
        inform_manager=bool(inform_manager),
        exported_by=names.person(user_id),
        exported_at=services.clock.now().astimezone(tz),
    )
    _ = Translator(services.directory.language(user_id))
    record = document.build_record(_, template, answers, facts)
    files = [
        {
            "content": document.pdf(record),
            "filename": document.filename(record, "pdf"),
            "title": f"{record.title}: {record.subtitle} (PDF)",
        },
        {
            "content": document.markdown(record).encode("utf-8"),
            "filename": document.filename(record, "md"),
            "title": f"{record.title}: {record.subtitle} (Markdown)",
        },
    ]
    channel = services.client.conversations_open(users=user_id)["channel"]["id"]
    services.client.files_upload_v2(
        channel=channel, file_uploads=files, initial_comment=_("records.sent", employee=mention(employee_id))
    )
    with services.db.session() as session:  # who took the record out, in the audit log
        repo.add_audit(
            session,
            at=services.clock.now(),
            actor=user_id,
            action="record_exported",
            subject=employee_id,
            detail={"interview": interview_id},
        )
    log.info("record of interview %s sent to %s", interview_id, user_id)
    return None


class _Names:
    """Real names from users.info, for print; an id alone when Slack cannot say (a left account)."""

    def __init__(self, services: Services):
        self.client = services.client
        self._known: dict[str, str | None] = {}

    def person(self, user_id: str) -> document.Person:
        if user_id not in self._known:
            self._known[user_id] = self._lookup(user_id)
        return document.Person(user_id, self._known[user_id])

    def _lookup(self, user_id: str) -> str | None:
        try:
            info = self.client.users_info(user=user_id)["user"]
        except SlackClientError:
            return None
        profile = info.get("profile") or {}
        name = info.get("real_name") or profile.get("real_name") or ""
        return name.strip() if name.strip() and name.strip() != user_id else None


# -- every interview, for the exports -------------------------------------------------------------------


def counts_on(interview: Interview, tz: ZoneInfo) -> date:
    """The day an interview counts for in a period: when it was submitted, else when it began."""
    return (interview.submitted_at or interview.started_at).astimezone(tz).date()


def collect(
    db: Database, start: date | None = None, end: date | None = None, tz: ZoneInfo | None = None
) -> list[ExportedInterview]:
    """Every interview (ordered by id) whose day (`counts_on`, in `tz`) lies in [start, end].

    Answers only for submitted interviews: what a leaver has not sent, or withdrew, stays out.
    """
    tz = tz or ZoneInfo("UTC")
    picked = []
    with db.session() as session:
        rows = repo.interviews_for_export(session)
        for interview, departure, review in rows:
            day = counts_on(interview, tz)
            if (start is not None and day < start) or (end is not None and day > end):
                continue
            state = interview.state if interview.status == Status.SUBMITTED else None
            picked.append(
                (
                    ExportedInterview(
                        id=interview.id,
                        departure=ExportedDeparture(
                            id=departure.id,
                            employee_id=departure.employee_id,
                            manager_id=departure.manager_id,
                            interviewer_id=departure.interviewer_id,
                            last_day=departure.last_day,
                            stage=departure.stage,
                        ),
                        template_id=interview.template_key,
                        template_version=interview.template_version,
                        mode=interview.mode,
                        status=interview.status,
                        started_at=interview.started_at.astimezone(UTC),
                        submitted_at=interview.submitted_at.astimezone(UTC) if interview.submitted_at else None,
                        recorded_by=interview.recorded_by,
                        answers={},
                        review=None
                        if review is None
                        else ExportedReview(
                            id=review.id,
                            decision=review.decision,
                            decided_by=review.decided_by,
                            decided_at=review.decided_at.astimezone(UTC) if review.decided_at else None,
                            inform_manager=bool(review.inform_manager),
                        ),
                    ),
                    state,
                )
            )
    found: dict[tuple[str, int], object] = {}
    exported = []
    for interview, state in picked:
        key = (interview.template_id, interview.template_version)
        if key not in found:
            found[key] = _template(db, *key)
        template = found[key]
        answers = _answers(template, state) if state is not None else {}
        exported.append(replace(interview, answers=answers, template=template))
    return exported


def _template(db: Database, key: str, version: int):
    try:
        return templates.template_for(db, key, version)
    except LookupError:
        log.warning("template %s version %s is not installed; its answers are exported by shape", key, version)
        return None


def _answers(template, state: dict) -> dict:
    """The answers as stored, plus the single-choice answer that follows from a single pick."""
    try:
        parsed = from_json(state)
        if template is None:
            return dict(parsed.answers)
        return Questionnaire(template).final_answers(parsed)
    except ValueError as error:
        log.warning("an interview's state could not be read for the export: %s", error)
        return dict(state.get("answers") or {}) if isinstance(state, dict) else {}


def send_all(services: Services, user_id: str) -> Problem | None:
    """Every interview as CSV and XLSX, into the HR user's DM (the App Home's export)."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    import io

    from bot.records import export

    interviews = collect(services.db, tz=services.settings.tz)
    text = io.StringIO(newline="")
    export.write_csv(interviews, text)
    _ = Translator(services.directory.language(user_id))
    channel = services.client.conversations_open(users=user_id)["channel"]["id"]
    services.client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {
                "content": text.getvalue().encode("utf-8"),
                "filename": "exit-interviews.csv",
                "title": "exit-interviews.csv",
            },
            {
                "content": export.xlsx_bytes(interviews),
                "filename": "exit-interviews.xlsx",
                "title": "exit-interviews.xlsx",
            },
        ],
        initial_comment=_("records.all.sent", count=len(interviews)),
    )
    with services.db.session() as session:
        repo.add_audit(
            session,
            at=services.clock.now(),
            actor=user_id,
            action="interviews_exported",
            subject=None,
            detail={"count": len(interviews)},
        )
    return None
