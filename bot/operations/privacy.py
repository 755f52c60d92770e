"""Privacy: the retention purge, HR's answers to access and erasure requests, and key rotation.

- Retention: RETENTION_MONTHS after the last working day a departure's personal data goes (ids
  replaced by a neutral value, free text deleted, message records deleted); ratings, scores and
  choices stay for trends. Daily at 03:00 (bot.jobs.retention) and `exit-interview purge`.
- Access: `/exit-interview access @person` sends HR a JSON file with everything stored about them.
- Erasure: `/exit-interview erase @person` asks HR to confirm in a modal, then deletes it all.
- Key rotation: `exit-interview keys rotate` re-encrypts every stored text with the first key.

Each of these leaves an entry in the audit log (who, when, about whom, counts; never content).
The purge and the rotation need only the database, so the CLI runs them without Slack.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.fernet import InvalidToken
from slack_sdk.errors import SlackClientError
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot import isolation
from bot.blocks.text import dicts, mention, shorten
from bot.i18n import Translator
from bot.operations import numbers, templates
from bot.services import Services
from flows import retention
from flows.registration import Problem
from flows.template import Template
from storage import crypto, workflow_trust
from storage import repositories as repo
from storage.db import Database

log = logging.getLogger(__name__)

ERASE_CALLBACK = "privacy_erase"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

# Audit log actions.
ACCESS, ERASE, PURGE, KEYS_ROTATE = "access", "erase", "purge", "keys_rotate"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _template(db: Database, key: str, version: int) -> Template | None:
    try:
        return templates.template_for(db, key, version)
    except (LookupError, ValueError):
        log.warning("template %s version %s is not available", key, version)
        return None


# -- retention --------------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    """What a purge removes (or, in a dry run, would remove): counts and departure ids, no names."""

    departure_ids: list[int] = field(default_factory=list)
    interviews: int = 0
    free_texts: int = 0
    highlights: int = 0
    sent_messages: int = 0
    failed_ids: list[int] = field(default_factory=list)  # could not be purged now (see the log)

    @property
    def departures(self) -> int:
        return len(self.departure_ids)

    def as_detail(self) -> dict[str, Any]:
        return {"departures": self.departure_ids, "interviews": self.interviews, "free_texts": self.free_texts,
                "highlights": self.highlights, "sent_messages": self.sent_messages}


def purge(db: Database, *, today: date, months: int, now: datetime, actor: str, dry_run: bool = False,
          each: Callable[[list[int], Callable[[int], object]], object] | None = None) -> PurgeReport:
    """Purge every departure whose retention period has ended (flows.retention), each in its own
    transaction; a dry run only counts. One audit entry for the whole run.

    One departure that cannot be purged never stops the others: `each(items, handle)` runs them one
    by one (the daily job passes bot.isolation's, which records, retries and parks); without it a
    failure is logged and listed in the report's `failed_ids`."""
    report = PurgeReport()
    until = retention.latest_due_last_day(today, months)
    with db.session() as session:
        due = [d.id for d in repo.departures_due_for_purge(session, until)]

    def purge_one(departure_id: int) -> None:
        _purge_departure(db, departure_id, report, today=today, months=months, now=now, dry_run=dry_run)

    if each is not None:
        each(due, purge_one)
    else:
        for departure_id in due:
            try:
                purge_one(departure_id)
            except Exception as error:
                log.error("retention purge: departure %s failed (%s); the others go on", departure_id,
                          type(error).__name__)
                report.failed_ids.append(departure_id)
    if report.departure_ids and not dry_run:
        with db.session() as session:
            repo.add_audit(session, at=now, actor=actor, action=PURGE, subject=retention.PURGED,
                           detail=report.as_detail())
        log.info("retention purge: %s departures (%s)", report.departures, report.departure_ids)
    return report


def _purge_departure(db: Database, departure_id: int, report: PurgeReport, *, today: date, months: int,
                     now: datetime, dry_run: bool) -> None:
    """One departure, in one transaction; counted in `report` only once it went through."""
    interviews = free_texts = highlights = 0
    with db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None or departure.purged_at is not None:
            return
        if not retention.purge_due(departure.last_day, today, months):
            return
        interview = repo.interview_for_departure(session, departure_id)
        state, status, template = None, None, None
        if interview is not None:
            interviews += 1
            template = _template(db, interview.template_key, interview.template_version)
            if interview.state is not None:
                free_texts += retention.free_texts(template, interview.state.get("answers") or {})
                state = retention.purged_state(template, interview.state)
            status = retention.purged_status(interview.status)
            review = repo.review_for_interview(session, interview.id)
            if review is not None and review.highlights:
                highlights += 1
        messages = len(repo.messages_of(session, departure_id))
        if dry_run:
            session.rollback()
        else:
            messages = repo.purge_departure(
                session, departure_id, neutral=retention.PURGED, stage=retention.purged_stage(departure.stage),
                interview_state=state, interview_status=status, now=now,
            )
            if interview is not None:  # what stays of the answers is what the figures count
                numbers.record(session, db, repo.interview_by_id(session, interview.id), template)
    report.departure_ids.append(departure_id)
    report.interviews += interviews
    report.free_texts += free_texts
    report.highlights += highlights
    report.sent_messages += messages


def retention_job(services: Services) -> PurgeReport:
    """The daily purge (bot.jobs.retention); a departure that fails is retried and parked, HR told
    (bot.isolation)."""
    def each(items: list[int], handle: Callable[[int], object]) -> None:
        isolation.each(services, "retention-purge", items, handle,
                       who=lambda departure_id: _employee_of(services, departure_id))

    return purge(services.db, today=services.today(), months=services.settings.retention_months,
                 now=services.clock.now(), actor="scheduler", each=each)


def _employee_of(services: Services, departure_id: int) -> str | None:
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        return departure.employee_id if departure is not None else None


# -- access -----------------------------------------------------------------------------------------


def export(db: Database, subject: str, *, now: datetime, requested_by: str) -> dict[str, Any]:
    """Everything stored about this person, decrypted, as JSON-able data."""
    items = []
    with db.session() as session:
        for departure in repo.departures_of_employee(session, subject):
            interview = repo.interview_for_departure(session, departure.id)
            review = repo.review_for_interview(session, interview.id) if interview is not None else None
            items.append((
                {
                    "id": departure.id,
                    "last_working_day": _iso(departure.last_day),
                    "registered_at": _iso(departure.created_at),
                    "registered_by": departure.registered_by,
                    "manager": departure.manager_id,
                    "department": departure.department,
                    "role": departure.role,
                    "started_on": _iso(departure.started_on),
                    "interviewer": departure.interviewer_id,
                    "language": departure.language,
                    "time_zone": departure.employee_tz,
                    "offered": departure.offer,
                    "stage": departure.stage,
                    "invitation_planned_at": _iso(departure.invite_at),
                    "choice": departure.choice,
                    "choice_at": _iso(departure.choice_at),
                    "closed_at": _iso(departure.closed_at),
                    "cancelled_by": departure.cancelled_by,
                    "messages_sent": [
                        {"purpose": m.purpose, "channel": m.channel_id, "ts": m.ts, "sent_at": _iso(m.sent_at)}
                        for m in repo.messages_of(session, departure.id)
                    ],
                },
                _interview_data(interview),
                _review_data(review),
                departure.language,
            ))
        references = repo.references_to(session, subject)
        audit = [{"at": _iso(e.at), "actor": e.actor, "action": e.action, "detail": e.detail}
                 for e in repo.audit_entries(session, subject=subject)]
    departures = []
    for data, interview, review, language in items:
        if interview is not None:
            interview["answers"] = _readable_answers(db, interview, language)
        departures.append({**data, "interview": interview, "review": review})
    return {
        "about": subject,
        "exported_at": _iso(now),
        "exported_by": requested_by,
        "what": "Everything the exit-interview bot stores about this person: their departures, the answers "
                "or talk notes (decrypted), HR's review, the messages the bot sent, where they appear in "
                "other records, and the audit log entries about them.",
        "departures": departures,
        "appears_in_other_records": {role: ids for role, ids in references.items() if ids},
        "audit_log": audit,
    }


def _interview_data(interview) -> dict[str, Any] | None:
    if interview is None:
        return None
    return {
        "id": interview.id,
        "mode": interview.mode,
        "template": {"id": interview.template_key, "version": interview.template_version},
        "status": interview.status,
        "started_at": _iso(interview.started_at),
        "submitted_at": _iso(interview.submitted_at),
        "recorded_by": interview.recorded_by,
        "state": interview.state,
        "left_out_of_highlights": interview.excluded_quotes or [],
    }


def _review_data(review) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "id": review.id,
        "highlights": review.highlights,
        "decision": review.decision,
        "decided_by": review.decided_by,
        "decided_at": _iso(review.decided_at),
        "main_points_to_manager": review.inform_manager,
        "message_to_manager": review.manager_note,
        "published_in_digest": review.published_digest_id,
    }


def _readable_answers(db: Database, interview: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The answers with the question asked, in the departure's language, in the template's order."""
    state = interview.pop("state")
    answers = (state or {}).get("answers") or {}
    template = _template(db, interview["template"]["id"], interview["template"]["version"])
    texts = {q.id: q.text.get(language) or next(iter(q.text.values()), "") for q in template.questions} \
        if template is not None else {}
    order = [q.id for q in template.questions] if template is not None else []
    ordered = [qid for qid in order if qid in answers] + [qid for qid in answers if qid not in order]
    return [{"question_id": qid, "question": texts.get(qid), "answer": answers[qid]} for qid in ordered]


@dataclass
class AccessOutcome:
    problem: Problem | None = None
    departures: int = 0


def send_access_export(services: Services, subject: str, hr_user_id: str) -> AccessOutcome:
    """Right of access: a JSON file with everything about `subject`, in the HR user's DM."""
    if not services.directory.is_hr(hr_user_id):
        return AccessOutcome(Problem("hr.only"))
    if not USER_ID.match(subject or ""):
        return AccessOutcome(Problem("privacy.not_a_user"))
    now = services.clock.now()
    data = export(services.db, subject, now=now, requested_by=hr_user_id)
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    _ = Translator(services.directory.language(hr_user_id))
    try:
        channel = services.client.conversations_open(users=hr_user_id)["channel"]["id"]
        services.client.files_upload_v2(
            channel=channel, content=content, filename=f"exit-interview-{subject}-{now:%Y%m%d}.json",
            title=_("privacy.access.title", user=subject),
            initial_comment=_("privacy.access.comment", user=mention(subject)),
        )
    except SlackClientError as error:
        log.warning("the access export could not be sent: %s", error)
        return AccessOutcome(Problem("privacy.access.failed"))
    with services.db.session() as session:
        repo.add_audit(session, at=now, actor=hr_user_id, action=ACCESS, subject=subject,
                       detail={"departures": len(data["departures"])})
    return AccessOutcome(None, len(data["departures"]))


# -- erasure ----------------------------------------------------------------------------------------


def erasure_counts(db: Database, subject: str) -> dict[str, int]:
    """What an erasure would remove: departures and what hangs on them, and other records' references."""
    with db.session() as session:
        departures = repo.departures_of_employee(session, subject)
        interviews = [i for d in departures if (i := repo.interview_for_departure(session, d.id)) is not None]
        return {
            "departures": len(departures),
            "interviews": len(interviews),
            "reviews": sum(1 for i in interviews if repo.review_for_interview(session, i.id) is not None),
            "sent_messages": sum(len(repo.messages_of(session, d.id)) for d in departures),
            "references": sum(len(ids) for ids in repo.references_to(session, subject).values()),
        }


def open_erase_confirmation(services: Services, subject: str, hr_user_id: str, trigger_id: str) -> Problem | None:
    """HR asked to erase a person: show what goes, and ask to confirm (nothing is deleted yet)."""
    if not services.directory.is_hr(hr_user_id):
        return Problem("hr.only")
    if not USER_ID.match(subject or ""):
        return Problem("privacy.not_a_user")
    counts = erasure_counts(services.db, subject)
    if not any(counts.values()):
        return Problem("privacy.erase.nothing", {"user": subject})
    _ = Translator(services.directory.language(hr_user_id))
    services.client.views_open(trigger_id=trigger_id, view=erase_modal(_, subject, counts))
    return None


@dataclass
class ErasureOutcome:
    problem: Problem | None = None
    subject: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def erase(services: Services, subject: str, hr_user_id: str) -> ErasureOutcome:
    """The confirmation was submitted. Checked again: the modal's metadata comes back from the client."""
    if not services.directory.is_hr(hr_user_id):
        return ErasureOutcome(Problem("hr.only"))
    if not USER_ID.match(subject or ""):
        return ErasureOutcome(Problem("privacy.not_a_user"))
    now = services.clock.now()
    with services.db.session() as session:
        departures = repo.departures_of_employee(session, subject)
        cards = []
        for departure in departures:
            interview = repo.interview_for_departure(session, departure.id)
            review = repo.review_for_interview(session, interview.id) if interview is not None else None
            cards += list(review.cards or []) if review is not None else []
        departure_ids = [d.id for d in departures]
        counts = repo.erase_person(session, subject, neutral=retention.PURGED)
        counts["workflow_runs"] = workflow_trust.erase_person(session, subject)
        repo.add_audit(session, at=now, actor=hr_user_id, action=ERASE, subject=subject, detail=counts)
    if services.scheduler is not None:
        for departure_id in departure_ids:
            services.scheduler.forget_invitation(departure_id)
    _clear_review_cards(services, cards)
    log.info("erased the data of a person on HR's request: %s", counts)
    return ErasureOutcome(None, subject, counts)


def _clear_review_cards(services: Services, cards: list) -> None:
    """The review cards in HR's Slack showed scores and highlights: replace them with a note."""
    for card in cards:
        channel, ts, language = [*card, services.settings.default_language][:3]
        text = Translator(language)("privacy.card_erased")
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text,
                                        blocks=dicts([SectionBlock(text=MarkdownTextObject(text=text))]))
        except SlackClientError as error:
            log.warning("could not clear review card %s: %s", ts, error)


def erase_modal(_: Translator, subject: str, counts: dict[str, int]) -> dict:
    return View(
        type="modal",
        callback_id=ERASE_CALLBACK,
        private_metadata=subject,
        title=shorten(_("privacy.erase.title"), 24),
        submit=shorten(_("privacy.erase.submit"), 24),
        close=shorten(_("privacy.erase.close"), 24),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=_("privacy.erase.confirm", user=mention(subject)))),
            SectionBlock(text=MarkdownTextObject(text=_("privacy.erase.counts", **counts))),
            ContextBlock(elements=[MarkdownTextObject(text=_("privacy.erase.audit"))]),
        ],
    ).to_dict()


def result_modal(_: Translator, text: str) -> dict:
    """What the erase modal turns into after submitting: the outcome, with only a close button."""
    return View(
        type="modal",
        title=shorten(_("privacy.erase.title"), 24),
        close=shorten(_("privacy.erase.close_done"), 24),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    ).to_dict()


# -- key rotation -------------------------------------------------------------------------------------


@dataclass
class RotationReport:
    rotated: int = 0  # re-encrypted with the first key
    current: int = 0  # under the first key already
    unreadable: int = 0  # no configured key opens it
    changed_meanwhile: int = 0  # the bot rewrote the row while rotating
    still_old: int = 0  # after the run: tokens not under the first key

    def as_detail(self) -> dict[str, int]:
        return dict(self.__dict__)


def rotate_keys(db: Database, *, now: datetime, actor: str, batch: int = 200,
                columns: list[tuple[str, str]] | None = None) -> RotationReport:
    """Re-encrypt every stored token with the first key (MultiFernet.rotate), a batch per
    transaction, so the bot keeps working meanwhile; a row the bot rewrites at the same moment is
    left to the bot (which encrypts with the first key when it runs with NEW,OLD). `columns`:
    (table, column) pairs, by default every encrypted column of the models."""
    columns = repo.encrypted_columns() if columns is None else columns
    report = RotationReport()
    for table, column in columns:
        after = 0
        while True:
            with db.session() as session:
                rows = repo.ciphertexts(session, table, column, after, batch)
                for row_id, token in rows:
                    after = row_id
                    if not token:
                        continue
                    if crypto.is_current(token):
                        report.current += 1
                        continue
                    try:
                        new = crypto.rotate(token)
                    except InvalidToken:
                        report.unreadable += 1
                        continue
                    if repo.replace_ciphertext(session, table, column, row_id, token, new):
                        report.rotated += 1
                    else:
                        report.changed_meanwhile += 1
            if len(rows) < batch:
                break
    report.still_old = _tokens_not_current(db, batch, columns)
    with db.session() as session:
        repo.add_audit(session, at=now, actor=actor, action=KEYS_ROTATE, subject=None,
                       detail={**report.as_detail(), "keys": crypto.key_count()})
    return report


def _tokens_not_current(db: Database, batch: int, columns: list[tuple[str, str]]) -> int:
    count = 0
    for table, column in columns:
        after = 0
        while True:
            with db.session() as session:
                rows = repo.ciphertexts(session, table, column, after, batch)
            count += sum(1 for _id, token in rows if token and not crypto.is_current(token))
            if len(rows) < batch:
                break
            after = rows[-1][0]
    return count


def record_new_key(db: Database, *, now: datetime, actor: str) -> None:
    """`keys rotate` with one key made a new one (printed, not stored): note that it happened."""
    with db.session() as session:
        repo.add_audit(session, at=now, actor=actor, action=KEYS_ROTATE, subject=None,
                       detail={"new_key_generated": True, "keys": crypto.key_count()})
