"""Interviews: the questionnaire a leaver answers (or HR records), and the sweeps over them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Departure, Interview, Review


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


def interviews_for_export(session: Session) -> Sequence[tuple[Interview, Departure, Review | None]]:
    return session.execute(
        select(Interview, Departure, Review)
        .join(Departure, Departure.id == Interview.departure_id)
        .outerjoin(Review, Review.interview_id == Interview.id)
        .order_by(Interview.id)
    ).all()
