"""Intention-revealing queries and changes. Callers pass a Session from `Database.session()`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, Text, case, delete, exists, func, literal_column, null, select, union, union_all, update
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import numbers
from storage.crypto import EncryptedJSON, EncryptedText
from storage.models import (
    AuditEntry,
    Base,
    DeactivationNudge,
    Departure,
    Digest,
    Interview,
    InterviewNumber,
    InterviewTemplate,
    OutboxMessage,
    Review,
    SentMessage,
    Setting,
    TemplateDraft,
)

INVITATION = "invitation"
REMINDER = "reminder"


class DuplicateRegistration(Exception):
    """Another open registration for the same person won the race."""


def open_registration(session: Session, employee_id: str) -> Departure | None:
    return session.scalar(
        select(Departure).where(Departure.employee_id == employee_id, Departure.closed_at.is_(None))
    )


def close_registration(session: Session, departure: Departure, now: datetime) -> None:
    departure.closed_at = now
    session.flush()


def add_departure(session: Session, departure: Departure) -> Departure:
    """Store a new registration; the open-registration index refuses a second one for the person."""
    try:
        with session.begin_nested():
            session.add(departure)
            session.flush()
    except IntegrityError as error:
        raise DuplicateRegistration(departure.employee_id) from error
    return departure


def departure_by_id(session: Session, departure_id: int) -> Departure | None:
    return session.get(Departure, departure_id)


def open_departures(session: Session) -> Sequence[Departure]:
    return session.scalars(
        select(Departure).where(Departure.closed_at.is_(None)).order_by(Departure.last_day, Departure.id)
    ).all()


def cancel_departure(session: Session, departure: Departure, cancelled_by: str, now: datetime) -> None:
    departure.stage = "cancelled"
    departure.cancelled_by = cancelled_by
    departure.closed_at = now
    session.flush()


def departures_due_for_invitation(session: Session, now: datetime) -> Sequence[int]:
    """Registered departures whose invitation moment has come and which hold no invitation yet."""
    already = exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == INVITATION)
    return session.scalars(
        select(Departure.id)
        .where(Departure.stage == "registered", Departure.invite_at <= now, ~already)
        .order_by(Departure.invite_at)
    ).all()


def planned_invitations(session: Session, start: datetime, end: datetime) -> Sequence[datetime]:
    """When the invitations still to be sent are due, between two moments."""
    return session.scalars(
        select(Departure.invite_at)
        .where(Departure.stage == "registered", Departure.invite_at > start, Departure.invite_at <= end)
        .order_by(Departure.invite_at)
    ).all()


def departures_awaiting_choice(session: Session) -> Sequence[Departure]:
    """Invited, no choice yet, and no reminder sent: the candidates for the one reminder."""
    reminded = exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == REMINDER)
    return session.scalars(select(Departure).where(Departure.stage == "invited", ~reminded)).all()


def claim_message(session: Session, departure_id: int, purpose: str, now: datetime) -> bool:
    """Reserve the right to send this message; False when it is (being) sent already."""
    try:
        with session.begin_nested():
            session.add(SentMessage(departure_id=departure_id, purpose=purpose, claimed_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def complete_message(
    session: Session, departure_id: int, purpose: str, channel_id: str, ts: str, now: datetime
) -> None:
    session.execute(
        update(SentMessage)
        .where(SentMessage.departure_id == departure_id, SentMessage.purpose == purpose)
        .values(channel_id=channel_id, ts=ts, sent_at=now)
    )


def release_message(session: Session, departure_id: int, purpose: str) -> None:
    """The send failed for sure: give the claim back so a later sweep tries again."""
    session.execute(
        delete(SentMessage).where(
            SentMessage.departure_id == departure_id, SentMessage.purpose == purpose, SentMessage.ts.is_(None)
        )
    )


def sent_message(session: Session, departure_id: int, purpose: str) -> SentMessage | None:
    return session.scalar(
        select(SentMessage).where(SentMessage.departure_id == departure_id, SentMessage.purpose == purpose)
    )


def delivered_messages(session: Session, departure_id: int) -> Sequence[SentMessage]:
    return session.scalars(
        select(SentMessage)
        .where(SentMessage.departure_id == departure_id, SentMessage.ts.is_not(None))
        .order_by(SentMessage.id)
    ).all()


def mark_invited(session: Session, departure_id: int) -> None:
    session.execute(
        update(Departure).where(Departure.id == departure_id, Departure.stage == "registered").values(stage="invited")
    )


def mark_unreachable(session: Session, departure_id: int) -> bool:
    result = session.execute(
        update(Departure)
        .where(Departure.id == departure_id, Departure.stage.in_(("registered", "invited")),
               Departure.choice.is_(None))
        .values(stage="unreachable")
    )
    return result.rowcount == 1


def record_choice(session: Session, departure_id: int, choice: str, stage: str, now: datetime) -> bool:
    """Store the leaver's choice once; False when a choice was already made (double click, race)."""
    result = session.execute(
        update(Departure)
        .where(Departure.id == departure_id, Departure.stage == "invited", Departure.choice.is_(None))
        .values(choice=choice, choice_at=now, stage=stage)
    )
    return result.rowcount == 1


def reopen_declined(session: Session, departure_id: int, now: datetime) -> bool:
    """The leaver changed their mind about "no thanks": invited again, no choice. Once (a double click finds
    it open); `choice_at` keeps the moment, so no reminder follows (they have just seen the offer), and the
    claim on HR's notice of a choice is given back, so HR hears of the next one (a talk, say)."""
    result = session.execute(
        update(Departure)
        .where(Departure.id == departure_id, Departure.stage == "declined")
        .values(choice=None, choice_at=now, stage="invited")
    )
    if result.rowcount != 1:
        return False
    release_message(session, departure_id, "choice_notice")
    return True


def close_past_registrations(session: Session, employee_id: str, today: date, now: datetime) -> None:
    """An open registration whose last day has passed no longer blocks a new one (a returning leaver)."""
    session.execute(
        update(Departure)
        .where(Departure.employee_id == employee_id, Departure.closed_at.is_(None), Departure.last_day < today)
        .values(closed_at=now)
    )


# -- templates ---------------------------------------------------------------------------------


class TemplateVersionTaken(Exception):
    """This key and version are installed already, with other content: raise the version."""


def active_template(session: Session) -> InterviewTemplate | None:
    return session.scalar(select(InterviewTemplate).where(InterviewTemplate.active.is_(True)))


def template_version(session: Session, key: str, version: int) -> InterviewTemplate | None:
    return session.scalar(
        select(InterviewTemplate).where(InterviewTemplate.key == key, InterviewTemplate.version == version)
    )


def template_versions(session: Session) -> Sequence[InterviewTemplate]:
    return session.scalars(select(InterviewTemplate).order_by(InterviewTemplate.installed_at)).all()


def install_template(
    session: Session, key: str, version: int, source: str, installed_by: str | None, now: datetime
) -> InterviewTemplate:
    """Make this version the standard for new interviews; older versions stay for their interviews."""
    existing = template_version(session, key, version)
    if existing is not None and existing.source != source:
        raise TemplateVersionTaken(f"{key} v{version}")
    session.execute(update(InterviewTemplate).values(active=False))
    if existing is None:
        existing = InterviewTemplate(key=key, version=version, source=source, installed_at=now,
                                     installed_by=installed_by)
        session.add(existing)
    existing.active = True
    session.flush()
    return existing


# -- interviews --------------------------------------------------------------------------------


def interview_for_departure(session: Session, departure_id: int) -> Interview | None:
    return session.scalar(select(Interview).where(Interview.departure_id == departure_id))


def interview_by_id(session: Session, interview_id: int) -> Interview | None:
    return session.get(Interview, interview_id)


def add_interview(session: Session, interview: Interview) -> Interview | None:
    """Store a new interview; None when the departure already has one (a double click)."""
    try:
        with session.begin_nested():
            session.add(interview)
            session.flush()
    except IntegrityError:
        return None
    return interview


def open_interview_of(session: Session, employee_id: str) -> Interview | None:
    """The leaver's self-service interview that a DM could be about (newest first)."""
    return session.scalar(
        select(Interview)
        .join(Departure, Departure.id == Interview.departure_id)
        .where(Departure.employee_id == employee_id, Interview.mode == "self")
        .order_by(Interview.id.desc())
        .limit(1)
    )


def paused_interviews(session: Session) -> Sequence[Interview]:
    return session.scalars(
        select(Interview).where(Interview.status == "paused", Interview.pause_reminded_at.is_(None))
    ).all()


def expired_interviews(session: Session, now: datetime) -> Sequence[Interview]:
    return session.scalars(
        select(Interview).where(Interview.status.in_(("in_progress", "paused", "draft")), Interview.expires_at <= now)
    ).all()


def set_departure_stage(session: Session, departure_id: int, stage: str) -> None:
    session.execute(update(Departure).where(Departure.id == departure_id).values(stage=stage))


# -- reviews and digests -------------------------------------------------------------------------


def add_review(session: Session, interview_id: int, highlights: str, now: datetime) -> Review | None:
    """One review per interview; None when it exists already (submitted twice in a race)."""
    try:
        with session.begin_nested():
            review = Review(interview_id=interview_id, highlights=highlights, created_at=now)
            session.add(review)
            session.flush()
    except IntegrityError:
        return None
    return review


def review_by_id(session: Session, review_id: int) -> Review | None:
    return session.get(Review, review_id)


def review_for_interview(session: Session, interview_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.interview_id == interview_id))


def decide_review(
    session: Session, review_id: int, decision: str, decided_by: str, now: datetime, inform_manager: bool,
    manager_note: str | None = None,
) -> bool:
    """Record HR's decision once; False when it was decided already (a double click, two HR users)."""
    result = session.execute(
        update(Review)
        .where(Review.id == review_id, Review.decision.is_(None))
        .values(decision=decision, decided_by=decided_by, decided_at=now, inform_manager=inform_manager,
                manager_note=manager_note)
    )
    if result.rowcount == 1:
        numbers.set_review_state(session, review_id, decision)
    return result.rowcount == 1


def reviews_awaiting_publication(session: Session) -> Sequence[Review]:
    return session.scalars(
        select(Review)
        .join(Interview, Interview.id == Review.interview_id)
        .where(Review.decision == "approved", Review.published_digest_id.is_(None), Interview.state.is_not(None))
        .order_by(Review.id)
    ).all()


def create_digest(
    session: Session, review_ids: Sequence[int], now: datetime, requested_by: str | None, stats: dict
) -> Digest | None:
    """A digest that claims these reviews; None when another digest took one of them first."""
    digest = Digest(created_at=now, requested_by=requested_by, interview_count=len(review_ids), stats=stats,
                    status="posting")
    session.add(digest)
    session.flush()
    claimed = session.execute(
        update(Review)
        .where(Review.id.in_(review_ids), Review.published_digest_id.is_(None))
        .values(published_digest_id=digest.id)
    ).rowcount
    if claimed != len(review_ids):
        session.rollback()
        return None
    numbers.mark_published(session, digest.id)
    return digest


def latest_posted_digest(session: Session, before_id: int | None = None) -> Digest | None:
    query = select(Digest).where(Digest.status == "posted")
    if before_id is not None:
        query = query.where(Digest.id < before_id)
    return session.scalar(query.order_by(Digest.id.desc()).limit(1))


def digests_unfinished(session: Session) -> Sequence[Digest]:
    return session.scalars(select(Digest).where(Digest.status == "posting")).all()


def manager_feedback_due(session: Session, today: date) -> Sequence[tuple[Review, Departure]]:
    """Approved reviews whose manager message (or notice) is due: the last working day has passed and
    it was not sent (or claimed) yet."""
    return session.execute(
        select(Review, Departure)
        .join(Interview, Interview.id == Review.interview_id)
        .join(Departure, Departure.id == Interview.departure_id)
        .where(Review.decision == "approved", Review.inform_manager.is_(True), Departure.manager_id.is_not(None),
               Departure.last_day < today, Interview.state.is_not(None),
               ~exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == "manager_points"))
    ).all()


def submitted_interviews(session: Session, start: datetime | None = None, end: datetime | None = None,
                         only_ids: Sequence[int] | None = None) -> Sequence[Interview]:
    query = select(Interview).where(Interview.status == "submitted", Interview.state.is_not(None))
    if start is not None:
        query = query.where(Interview.submitted_at >= start)
    if end is not None:
        query = query.where(Interview.submitted_at < end)
    if only_ids is not None:
        query = query.where(Interview.id.in_(only_ids))
    return session.scalars(query.order_by(Interview.submitted_at)).all()


def discard_digest(session: Session, digest_id: int) -> None:
    """Nothing of this digest reached Slack: its interviews wait for the next one."""
    numbers.unmark_published(session, digest_id)
    session.execute(update(Review).where(Review.published_digest_id == digest_id).values(published_digest_id=None))
    session.execute(delete(Digest).where(Digest.id == digest_id))


def finish_digest(session: Session, digest_id: int, channel_id: str, message_ts: list[str], now: datetime) -> None:
    session.execute(
        update(Digest).where(Digest.id == digest_id)
        .values(status="posted", channel_id=channel_id, messages=message_ts, posted_at=now)
    )


# -- the App Home ------------------------------------------------------------------------------------


DASHBOARD_OPEN_STAGES = ("registered", "invited", "answering", "talk_requested")


def _dashboard_query(since: date, *columns):
    """Departures whose last day is on or after `since`, and older ones still waiting for something
    (an answer, a talk, HR's review), with their review."""
    # Three index lookups instead of a scan of every departure ever registered.
    shown = union(
        select(Departure.id).where(Departure.last_day >= since),
        select(Departure.id).where(Departure.closed_at.is_(None), Departure.stage.in_(DASHBOARD_OPEN_STAGES)),
        select(InterviewNumber.departure_id).where(InterviewNumber.review_state == "pending"),
    )
    return (select(*columns).select_from(Departure)
            .outerjoin(Interview, Interview.departure_id == Departure.id)
            .outerjoin(Review, Review.interview_id == Interview.id)
            .where(Departure.stage != "cancelled", Departure.id.in_(shown)))


def _dashboard_stage():
    """The stage HR reads: a submitted interview is awaiting review, kept private, approved or published."""
    return case(
        (Departure.stage != "submitted", Departure.stage),
        (Review.id.is_(None) | Review.decision.is_(None), "awaiting_review"),
        (Review.decision == "private", "kept_private"),
        (Review.published_digest_id.is_not(None), "published"),
        else_="approved",
    )


def dashboard(session: Session, since: date, order: Sequence[str], offset: int, limit: int
              ) -> tuple[Sequence[tuple], dict[str, int]]:
    """One page of HR's dashboard as plain columns (nothing decrypted), in `order` of the shown stage,
    then last day: departure id, employee id, last day, shown stage, review id, stage, whether the
    reminder went out; and how many departures the dashboard holds per shown stage.

    One statement, one pass: the departures and their reviews are joined once (a CTE read twice is
    materialised by PostgreSQL and SQLite alike) for the page and for the counts; the reminders are
    looked up for the page only."""
    shown = _dashboard_stage().label("shown")
    listed = _dashboard_query(since, Departure.id.label("id"), Departure.employee_id.label("employee_id"),
                              Departure.last_day.label("last_day"), shown, Review.id.label("review_id"),
                              Departure.stage.label("stage")).cte("listed")
    rank = case(*((listed.c.shown == stage, index) for index, stage in enumerate(order)), else_=len(order))
    page = select(listed).order_by(rank, listed.c.last_day, listed.c.id).offset(offset).limit(limit).subquery("page")
    reminded = exists().where(SentMessage.departure_id == page.c.id, SentMessage.purpose == REMINDER)
    rows = select(literal_column("0").label("part"), page.c.id, page.c.employee_id, page.c.last_day, page.c.shown,
                  page.c.review_id, page.c.stage, reminded.label("reminded"))
    counts = select(literal_column("1"), func.count(), null(), null(), listed.c.shown, null(), null(), null()
                    ).group_by(listed.c.shown)
    result = session.execute(union_all(rows, counts)).all()
    page_rows = sorted((row for row in result if row[0] == 0),
                       key=lambda row: (_rank_of(row[4], order), row[3], row[1]))
    return ([tuple(row[1:]) for row in page_rows],
            {row[4]: int(row[1]) for row in result if row[0] == 1})


def _rank_of(stage: str, order: Sequence[str]) -> int:
    return order.index(stage) if stage in order else len(order)


def departures_for_list(session: Session, since: date) -> Sequence[tuple]:
    """The candidates for `/exit-interview list` (flows.open_departures decides): departure id,
    employee id, last day, the stage HR reads, invitation moment, the leaver's time zone."""
    return session.execute(
        _dashboard_query(since, Departure.id, Departure.employee_id, Departure.last_day, _dashboard_stage(),
                         Departure.invite_at, Departure.employee_tz)
        .order_by(Departure.last_day, Departure.id)
    ).all()


def latest_departure_of(session: Session, employee_id: str) -> Departure | None:
    return session.scalar(
        select(Departure).where(Departure.employee_id == employee_id, Departure.stage != "cancelled")
        .order_by(Departure.id.desc()).limit(1)
    )


def pending_review_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(
        select(func.count()).select_from(Review).join(Interview, Interview.id == Review.interview_id)
        .where(Review.decision.is_(None), Interview.state.is_not(None))
    ) or 0


# -- privacy: retention, access, erasure, key rotation --------------------------------------------


def departures_due_for_purge(session: Session, last_day_until: date) -> Sequence[Departure]:
    """Not yet purged, last working day on or before `last_day_until` (flows.retention decides the day)."""
    return session.scalars(
        select(Departure)
        .where(Departure.purged_at.is_(None), Departure.last_day <= last_day_until)
        .order_by(Departure.last_day, Departure.id)
    ).all()


def departures_of_employee(session: Session, employee_id: str) -> Sequence[Departure]:
    return session.scalars(select(Departure).where(Departure.employee_id == employee_id).order_by(Departure.id)).all()


def messages_of(session: Session, departure_id: int) -> Sequence[SentMessage]:
    """Every message record of a departure, claimed-only ones included."""
    return session.scalars(
        select(SentMessage).where(SentMessage.departure_id == departure_id).order_by(SentMessage.id)
    ).all()


def purge_departure(
    session: Session, departure_id: int, *, neutral: str, stage: str, interview_state: dict | None,
    interview_status: str | None, now: datetime,
) -> int:
    """Remove a departure's personal data and free text, keep what trends need; returns the message
    records deleted. The caller computes what stays of the answers (flows.retention)."""
    session.execute(
        update(Departure).where(Departure.id == departure_id).values(
            employee_id=neutral, manager_id=None, interviewer_id=neutral, registered_by=neutral,
            cancelled_by=case((Departure.cancelled_by.is_(None), None), else_=neutral), employee_tz="UTC",
            stage=stage, closed_at=func.coalesce(Departure.closed_at, now), purged_at=now,
        )
    )
    _coarsen_profile(session, departure_id)
    interview = interview_for_departure(session, departure_id)
    if interview is not None:
        session.execute(
            update(Interview).where(Interview.id == interview.id).values(
                state=interview_state, excluded_quotes=None, channel_id=None, question_ts=None, intro_ts=None,
                last_message_ts=None, status=interview_status or interview.status,
                recorded_by=case((Interview.recorded_by.is_(None), None), else_=neutral),
                revision=Interview.revision + 1,  # a click holding the old revision is now stale
            ).execution_options(synchronize_session=False)
        )
        session.execute(
            update(Review).where(Review.interview_id == interview.id).values(
                highlights="", manager_note=None, cards=None,
                decided_by=case((Review.decided_by.is_(None), None), else_=neutral),
            )
        )
    deleted = session.execute(delete(SentMessage).where(SentMessage.departure_id == departure_id)).rowcount
    session.execute(delete(DeactivationNudge).where(DeactivationNudge.departure_id == departure_id))
    session.expire_all()
    return deleted


def references_to(session: Session, user_id: str) -> dict[str, list[int]]:
    """Where a person appears in other people's records (not as the leaver): ids per role."""
    def ids(query) -> list[int]:
        return list(session.scalars(query).all())

    return {
        "manager_of_departures": ids(select(Departure.id).where(Departure.manager_id == user_id)),
        "interviewer_of_departures": ids(select(Departure.id).where(Departure.interviewer_id == user_id,
                                                                    Departure.employee_id != user_id)),
        "registered_departures": ids(select(Departure.id).where(Departure.registered_by == user_id,
                                                                Departure.employee_id != user_id)),
        "cancelled_departures": ids(select(Departure.id).where(Departure.cancelled_by == user_id,
                                                               Departure.employee_id != user_id)),
        "recorded_interviews": ids(select(Interview.id).join(Departure, Departure.id == Interview.departure_id)
                                   .where(Interview.recorded_by == user_id, Departure.employee_id != user_id)),
        "decided_reviews": ids(select(Review.id).join(Interview, Interview.id == Review.interview_id)
                               .join(Departure, Departure.id == Interview.departure_id)
                               .where(Review.decided_by == user_id, Departure.employee_id != user_id)),
        "requested_digests": ids(select(Digest.id).where(Digest.requested_by == user_id)),
        "installed_templates": ids(select(InterviewTemplate.id).where(InterviewTemplate.installed_by == user_id)),
    }


def erase_person(session: Session, user_id: str, *, neutral: str) -> dict[str, int]:
    """Delete every departure of this leaver (interviews, reviews and message records go with it),
    and replace the person's id wherever it appears in someone else's records. Digests keep their
    aggregate numbers. Returns what was removed, as counts."""
    departure_ids = [d.id for d in departures_of_employee(session, user_id)]
    interview_ids = list(session.scalars(select(Interview.id).where(Interview.departure_id.in_(departure_ids))))
    counts = {
        "departures": len(departure_ids),
        "interviews": len(interview_ids),
        "reviews": session.scalar(select(func.count(Review.id)).where(Review.interview_id.in_(interview_ids))) or 0,
        "sent_messages": session.scalar(
            select(func.count(SentMessage.id)).where(SentMessage.departure_id.in_(departure_ids))
        ) or 0,
    }
    # Explicitly child first: the same on every database, whatever its foreign-key settings.
    numbers.forget_numbers(session, interview_ids)
    session.execute(delete(Review).where(Review.interview_id.in_(interview_ids)))
    session.execute(delete(Interview).where(Interview.id.in_(interview_ids)))
    session.execute(delete(SentMessage).where(SentMessage.departure_id.in_(departure_ids)))
    session.execute(delete(Departure).where(Departure.id.in_(departure_ids)))
    # HR's nudges about this person's deactivated account are about them too.
    counts["nudges"] = session.execute(
        delete(DeactivationNudge).where(DeactivationNudge.employee_id == user_id)
    ).rowcount
    references = 0
    changes = [
        (Departure, Departure.manager_id, None),
        (Departure, Departure.interviewer_id, neutral),
        (Departure, Departure.registered_by, neutral),
        (Departure, Departure.cancelled_by, neutral),
        (Interview, Interview.recorded_by, neutral),
        (Review, Review.decided_by, neutral),
        (Digest, Digest.requested_by, neutral),
        (InterviewTemplate, InterviewTemplate.installed_by, neutral),
        (DeactivationNudge, DeactivationNudge.resolved_by, neutral),
        (Setting, Setting.updated_by, neutral),
        (TemplateDraft, TemplateDraft.uploaded_by, neutral),
        (TemplateDraft, TemplateDraft.decided_by, neutral),
    ]
    for model, column, value in changes:
        references += session.execute(
            update(model).where(column == user_id).values({column.key: value})
            .execution_options(synchronize_session=False)
        ).rowcount
    counts["references"] = references
    session.expire_all()
    return counts


def add_audit(
    session: Session, *, at: datetime, actor: str, action: str, subject: str | None, detail: dict | None = None
) -> AuditEntry:
    entry = AuditEntry(at=at, actor=actor, action=action, subject=subject, detail=detail)
    session.add(entry)
    session.flush()
    return entry


def audit_entries(session: Session, subject: str | None = None, action: str | None = None) -> Sequence[AuditEntry]:
    query = select(AuditEntry)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return session.scalars(query.order_by(AuditEntry.id)).all()


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every column stored encrypted, from the models."""
    return [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedJSON)
    ]


def _raw(table: str, column: str):
    return sa_table(table, sa_column("id", Integer), sa_column(column, Text))


def ciphertexts(session: Session, table: str, column: str, after_id: int, limit: int) -> list[tuple[int, str]]:
    """The stored tokens as they are (not decrypted), by id, `limit` at a time."""
    raw = _raw(table, column)
    rows = session.execute(
        select(raw.c.id, raw.c[column]).where(raw.c.id > after_id, raw.c[column].is_not(None))
        .order_by(raw.c.id).limit(limit)
    ).all()
    return [(row_id, value) for row_id, value in rows]


def replace_ciphertext(session: Session, table: str, column: str, row_id: int, old: str, new: str) -> bool:
    """Swap a token for its re-encryption unless the row changed meanwhile (the bot wrote it anew)."""
    raw = _raw(table, column)
    result = session.execute(update(raw).where(raw.c.id == row_id, raw.c[column] == old).values({column: new}))
    return result.rowcount == 1


# -- deactivated accounts ------------------------------------------------------------------------------


def claim_nudge(session: Session, employee_id: str, now: datetime) -> int | None:
    """Reserve the one open nudge for this person; None when it exists already (a redelivered event)."""
    nudge = DeactivationNudge(employee_id=employee_id, noticed_at=now)
    try:
        with session.begin_nested():
            session.add(nudge)
            session.flush()
    except IntegrityError:
        return None
    return nudge.id


def release_nudge(session: Session, nudge_id: int) -> None:
    """Nothing reached HR: give the claim back so a later event tries again."""
    session.execute(delete(DeactivationNudge).where(DeactivationNudge.id == nudge_id,
                                                    DeactivationNudge.resolution.is_(None)))


def nudge_by_id(session: Session, nudge_id: int) -> DeactivationNudge | None:
    return session.get(DeactivationNudge, nudge_id)


def set_nudge_cards(session: Session, nudge_id: int, cards: list) -> None:
    session.execute(update(DeactivationNudge).where(DeactivationNudge.id == nudge_id).values(cards=cards))


def resolve_nudge(session: Session, nudge_id: int, resolution: str, resolved_by: str, now: datetime) -> bool:
    """Record what HR decided, once; False when it was decided already (a double click, two HR users)."""
    result = session.execute(
        update(DeactivationNudge)
        .where(DeactivationNudge.id == nudge_id, DeactivationNudge.resolution.is_(None))
        .values(resolution=resolution, resolved_by=resolved_by, resolved_at=now)
    )
    return result.rowcount == 1


def link_nudge(session: Session, nudge_id: int, departure_id: int, resolution: str | None = None) -> None:
    values: dict = {"departure_id": departure_id}
    if resolution is not None:
        values["resolution"] = resolution
    session.execute(update(DeactivationNudge).where(DeactivationNudge.id == nudge_id).values(**values))


def close_nudges_of(session: Session, employee_id: str, now: datetime) -> int:
    """The account is active again: its open nudge no longer blocks one for a later deactivation."""
    result = session.execute(
        update(DeactivationNudge)
        .where(DeactivationNudge.employee_id == employee_id, DeactivationNudge.reactivated_at.is_(None))
        .values(reactivated_at=now)
    )
    return result.rowcount


# -- settings HR changed in Slack ----------------------------------------------------------------

SETTING_CHANGED = "setting_changed"  # audit log action: detail {"setting", "old", "new"}


def setting_overrides(session: Session) -> dict[str, object]:
    """The settings HR changed, by key (the environment gives every other value)."""
    return {row.key: row.value for row in session.scalars(select(Setting))}


def setting_rows(session: Session) -> Sequence[Setting]:
    return session.scalars(select(Setting).order_by(Setting.key)).all()


def put_setting(session: Session, key: str, value: object, updated_by: str, now: datetime) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_by=updated_by, updated_at=now))
    else:
        row.value, row.updated_by, row.updated_at = value, updated_by, now
    session.flush()


def remove_setting(session: Session, key: str) -> None:
    """Back to the environment's value."""
    session.execute(delete(Setting).where(Setting.key == key))


def setting_changes(session: Session, limit: int = 20) -> Sequence[AuditEntry]:
    """The newest changes to settings first."""
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == SETTING_CHANGED).order_by(AuditEntry.id.desc()).limit(limit)
    ).all()


# -- templates uploaded from Slack ----------------------------------------------------------------

DRAFT_PENDING, DRAFT_ACTIVATED, DRAFT_DISCARDED, DRAFT_REFUSED = "pending", "activated", "discarded", "refused"


def add_template_draft(
    session: Session, *, key: str, version: int, source: str, uploaded_by: str, now: datetime,
    file_id: str | None = None, status: str = DRAFT_PENDING,
) -> TemplateDraft:
    draft = TemplateDraft(key=key, version=version, source=source, uploaded_by=uploaded_by, uploaded_at=now,
                          file_id=file_id, status=status)
    session.add(draft)
    session.flush()
    return draft


def template_draft(session: Session, draft_id: int) -> TemplateDraft | None:
    return session.get(TemplateDraft, draft_id)


def template_draft_from_file(session: Session, file_id: str) -> TemplateDraft | None:
    return session.scalar(select(TemplateDraft).where(TemplateDraft.file_id == file_id).limit(1))


# HR's working copy in the question editor: a draft that is being edited, not yet previewed or
# installed; it moves once to activated (saved as a new version) or discarded (started over).
DRAFT_EDITING = "editing"


def editing_draft(session: Session, user_id: str) -> TemplateDraft | None:
    """The working copy this HR member left in the question editor, newest first."""
    return session.scalar(
        select(TemplateDraft)
        .where(TemplateDraft.uploaded_by == user_id, TemplateDraft.status == DRAFT_EDITING)
        .order_by(TemplateDraft.id.desc())
        .limit(1)
    )


def set_draft_source(session: Session, draft_id: int, source: str, *, expected: str) -> bool:
    """Keep an edit of the working copy made from `expected`; False when it was saved, discarded or
    changed by another click meanwhile (that edit is not lost: this one is refused)."""
    result = session.execute(
        update(TemplateDraft)
        .where(TemplateDraft.id == draft_id, TemplateDraft.status == DRAFT_EDITING,
               TemplateDraft.source == expected)
        .values(source=source)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def set_draft_messages(session: Session, draft_id: int, messages: list[list[str]]) -> None:
    session.execute(update(TemplateDraft).where(TemplateDraft.id == draft_id).values(messages=messages))


def decide_template_draft(
    session: Session, draft_id: int, status: str, decided_by: str, now: datetime, *, from_status: str = DRAFT_PENDING
) -> bool:
    """Move a draft on once: True for the one call that did (a double click changes nothing)."""
    result = session.execute(
        update(TemplateDraft)
        .where(TemplateDraft.id == draft_id, TemplateDraft.status == from_status)
        .values(status=status, decided_by=decided_by, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# -- sending under uncertainty -------------------------------------------------------------------------


def record_channel(session: Session, departure_id: int, purpose: str, channel_id: str) -> None:
    """Where a claimed message is about to be posted: what reconciling looks at if the outcome is lost."""
    session.execute(
        update(SentMessage)
        .where(SentMessage.departure_id == departure_id, SentMessage.purpose == purpose, SentMessage.ts.is_(None))
        .values(channel_id=channel_id)
    )


def unfinished_claims(session: Session, claimed_before: datetime) -> Sequence[SentMessage]:
    """Claims without a message ts for a while: the post failed silently, or the process died."""
    return session.scalars(
        select(SentMessage).where(SentMessage.ts.is_(None), SentMessage.claimed_at < claimed_before,
                                  SentMessage.purpose.in_((INVITATION, REMINDER, "manager_points")))
    ).all()


def add_to_outbox(session: Session, channel: str, text: str, blocks: list | None, now: datetime, error: str) -> None:
    session.add(OutboxMessage(channel=channel, text=text, blocks=blocks, created_at=now, attempts=1,
                              next_attempt_at=now + timedelta(minutes=1), last_error=error[:200]))


def outbox_due(session: Session, now: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()


def outbox_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


# -- "you said, we did": actions HR took on the signals -------------------------------------------------


def add_loop_action(
    session: Session, *, what: str, done_on: date, owner_id: str, subject: str, recorded_by: str, recorded_at: datetime
):
    from storage.models import LoopAction

    action = LoopAction(what=what, done_on=done_on, owner_id=owner_id, subject=subject, recorded_by=recorded_by,
                        recorded_at=recorded_at)
    session.add(action)
    session.flush()
    return action


def loop_actions(session: Session, recorded_after: datetime | None = None) -> Sequence:
    """Every recorded action (oldest first), or those recorded after a moment (the previous digest)."""
    from storage.models import LoopAction

    query = select(LoopAction)
    if recorded_after is not None:
        query = query.where(LoopAction.recorded_at > recorded_after)
    return session.scalars(query.order_by(LoopAction.done_on, LoopAction.id)).all()


def latest_audit_entries(session: Session, limit: int = 20) -> Sequence[AuditEntry]:
    """The newest entries first."""
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()


def set_question_ts(session: Session, interview_id: int, ts: str) -> None:
    """Which message shows the current step; a plain UPDATE, so the revision (and with it any
    click already under way) is left alone."""
    session.execute(update(Interview).where(Interview.id == interview_id).values(question_ts=ts)
                    .execution_options(synchronize_session=False))


def interviews_not_shown(session: Session, before: datetime) -> Sequence[int]:
    return session.scalars(
        select(Interview.id).where(Interview.status == "in_progress", Interview.mode == "self",
                                   Interview.question_ts.is_(None), Interview.updated_at < before)
    ).all()


def interviews_without_review(session: Session, before: datetime) -> Sequence[int]:
    reviewed = exists().where(Review.interview_id == Interview.id)
    return session.scalars(
        select(Interview.id).where(Interview.status == "submitted", Interview.state.is_not(None), ~reviewed,
                                   Interview.submitted_at < before)
    ).all()


def reviews_without_cards(session: Session, before: datetime) -> Sequence[int]:
    return session.scalars(
        select(Review.id).where(Review.cards.is_(None), Review.created_at < before)
    ).all()


def record_digest_parts(session: Session, digest_id: int, channel_id: str, message_ts: list[str]) -> None:
    session.execute(update(Digest).where(Digest.id == digest_id).values(channel_id=channel_id,
                                                                        messages=list(message_ts)))


def interviews_for_export(session: Session) -> Sequence[tuple[Interview, Departure, Review | None]]:
    return session.execute(
        select(Interview, Departure, Review)
        .join(Departure, Departure.id == Interview.departure_id)
        .outerjoin(Review, Review.interview_id == Interview.id)
        .order_by(Interview.id)
    ).all()


def latest_registration_of(session: Session, employee_id: str) -> Departure | None:
    """The newest departure of this person, whatever its stage (cancelled included)."""
    return session.scalars(
        select(Departure).where(Departure.employee_id == employee_id).order_by(Departure.id.desc())
    ).first()


def all_reviews(session: Session) -> Sequence[Review]:
    return session.scalars(select(Review).order_by(Review.id)).all()


# -- digests: the last-day gate (issue 11) ---------------------------------------------------------


def _approved_unpublished():
    return (
        select(Review)
        .join(Interview, Interview.id == Review.interview_id)
        .join(Departure, Departure.id == Interview.departure_id)
        .where(Review.decision == "approved", Review.published_digest_id.is_(None), Interview.state.is_not(None))
    )


def reviews_ready_for_digest(session: Session, today: date) -> Sequence[Review]:
    """Approved, unpublished reviews whose leaver's last working day has passed (before `today`):
    nothing of someone still in the team reaches the managers' digest."""
    return session.scalars(_approved_unpublished().where(Departure.last_day < today).order_by(Review.id)).all()


def reviews_waiting_for_last_day(session: Session, today: date) -> int:
    """How many approved, unpublished reviews wait because the leaver's last day has not passed."""
    query = _approved_unpublished().where(Departure.last_day >= today).with_only_columns(func.count(Review.id))
    return session.scalar(query) or 0


def recent_posted_digests(session: Session, limit: int, before_id: int | None = None) -> Sequence[Digest]:
    """The latest posted digests (before `before_id` when given), oldest first."""
    query = select(Digest).where(Digest.status == "posted")
    if before_id is not None:
        query = query.where(Digest.id < before_id)
    rows = session.scalars(query.order_by(Digest.id.desc()).limit(limit)).all()
    return list(reversed(rows))


def unmark_invited(session: Session, departure_id: int) -> None:
    """The invitation was certainly not posted (its claim was given back): registered again, so the
    sweep sends it. Marked invited before the post, so that an instant click finds the state."""
    claimed = exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == INVITATION)
    session.execute(
        update(Departure)
        .where(Departure.id == departure_id, Departure.stage == "invited", Departure.choice.is_(None), ~claimed)
        .values(stage="registered")
    )


def _coarsen_profile(session: Session, departure_id: int) -> None:
    """At the end of retention the role goes and the start date keeps only its month: the tenure
    band and the department still count in the breakdowns, no exact profile stays behind."""
    departure = session.get(Departure, departure_id)
    if departure is None:
        return
    departure.role = None
    if departure.started_on is not None:
        departure.started_on = departure.started_on.replace(day=1)
