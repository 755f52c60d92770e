"""Departures: a leaver's registration, the invitation and the choice they make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Departure, SentMessage
from storage.repositories.messages import INVITATION, REMINDER, release_message


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


def set_departure_stage(session: Session, departure_id: int, stage: str) -> None:
    session.execute(update(Departure).where(Departure.id == departure_id).values(stage=stage))


def latest_departure_of(session: Session, employee_id: str) -> Departure | None:
    return session.scalar(
        select(Departure).where(Departure.employee_id == employee_id, Departure.stage != "cancelled")
        .order_by(Departure.id.desc()).limit(1)
    )


def departures_of_employee(session: Session, employee_id: str) -> Sequence[Departure]:
    return session.scalars(select(Departure).where(Departure.employee_id == employee_id).order_by(Departure.id)).all()


def latest_registration_of(session: Session, employee_id: str) -> Departure | None:
    """The newest departure of this person, whatever its stage (cancelled included)."""
    return session.scalars(
        select(Departure).where(Departure.employee_id == employee_id).order_by(Departure.id.desc())
    ).first()


def unmark_invited(session: Session, departure_id: int) -> None:
    """The invitation was certainly not posted (its claim was given back): registered again, so the
    sweep sends it. Marked invited before the post, so that an instant click finds the state."""
    claimed = exists().where(SentMessage.departure_id == Departure.id, SentMessage.purpose == INVITATION)
    session.execute(
        update(Departure)
        .where(Departure.id == departure_id, Departure.stage == "invited", Departure.choice.is_(None), ~claimed)
        .values(stage="registered")
    )
