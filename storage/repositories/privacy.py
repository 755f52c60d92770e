"""Privacy: retention (purge), a person's references, erasure, and encryption key rotation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Integer, Text, case, delete, func, select, update
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.orm import Session

from storage import numbers
from storage.crypto import EncryptedJSON, EncryptedText
from storage.models import (
    Base,
    DeactivationNudge,
    Departure,
    Digest,
    Interview,
    InterviewTemplate,
    Review,
    SentMessage,
    Setting,
    TemplateDraft,
)
from storage.repositories.departures import departures_of_employee
from storage.repositories.interviews import interview_for_departure


def departures_due_for_purge(session: Session, last_day_until: date) -> Sequence[Departure]:
    """Not yet purged, last working day on or before `last_day_until` (flows.retention decides the day)."""
    return session.scalars(
        select(Departure)
        .where(Departure.purged_at.is_(None), Departure.last_day <= last_day_until)
        .order_by(Departure.last_day, Departure.id)
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


def _coarsen_profile(session: Session, departure_id: int) -> None:
    """At the end of retention the role goes and the start date keeps only its month: the tenure
    band and the department still count in the breakdowns, no exact profile stays behind."""
    departure = session.get(Departure, departure_id)
    if departure is None:
        return
    departure.role = None
    if departure.started_on is not None:
        departure.started_on = departure.started_on.replace(day=1)


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
