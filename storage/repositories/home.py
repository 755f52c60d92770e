"""The App Home: HR's dashboard of departures, and the list behind `/exit-interview list`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, exists, func, literal_column, null, select, union, union_all
from sqlalchemy.orm import Session

from storage.models import Departure, Interview, InterviewNumber, Review, SentMessage
from storage.repositories.messages import REMINDER

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
