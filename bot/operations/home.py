"""The App Home for whoever opens it, and refreshing HR's dashboard when something changes."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackClientError

from bot.blocks import home as view
from bot.i18n import Translator
from bot.services import Services
from flows.interview import WITHDRAWABLE, Status
from flows.registration import Problem
from storage import numbers
from storage import repositories as repo

log = logging.getLogger(__name__)
RECENT = timedelta(days=120)


def _display_stage(stage: str, review_id: int | None, decision: str | None, digest_id: int | None) -> str:
    if stage == "submitted":
        if review_id is None or decision is None:
            return "awaiting_review"
        if decision == "private":
            return "kept_private"
        return "published" if digest_id else "approved"
    return stage


def dashboard(services: Services) -> tuple[list[view.HomeRow], view.Figures]:
    """The rows and figures of HR's Home from plain columns and SQL counts: nothing is decrypted."""
    today = services.today()
    tz = services.settings.tz
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    with services.db.session() as session:
        rows = []
        invited = answered = 0
        for departure_id, employee_id, last_day, stage, review_id, decision, digest_id, reminded in repo.dashboard(
                session, today - RECENT):
            rows.append(
                view.HomeRow(
                    departure_id=departure_id,
                    employee_id=employee_id,
                    last_day=last_day,
                    stage=_display_stage(stage, review_id, decision, digest_id),
                    review_id=review_id,
                    can_remind=stage == "invited" and not reminded,
                )
            )
            if stage not in ("registered", "unreachable"):
                invited += 1
                answered += stage == "submitted"
        this_quarter = numbers.submitted_since(session, quarter_start)
        pending = repo.pending_review_count(session)
    scheduler = services.scheduler
    figures = view.Figures(
        interviews_this_quarter=this_quarter,
        participation=answered / invited if invited else None,
        pending_reviews=pending,
        next_digest=scheduler.next_digest().astimezone(tz) if scheduler and scheduler.next_digest() else None,
    )
    return rows, figures


def publish(services: Services, user_id: str, page: int = 0) -> None:
    _ = Translator(services.directory.language(user_id))
    if services.directory.is_hr(user_id):
        rows, figures = dashboard(services)
        from bot.operations import breakdowns

        home = view.hr_home(_, rows, figures, page, extra=breakdowns.home_sections(services, _))
    else:
        with services.db.session() as session:
            departure = repo.latest_departure_of(session, user_id)
            if departure is None or departure.last_day < services.today() - RECENT:
                home = view.everyone_home(_)
            else:
                interview = repo.interview_for_departure(session, departure.id)
                review = repo.review_for_interview(session, interview.id) if interview else None
                self_service = interview is not None and interview.mode == "self" and interview.state is not None
                status = Status(interview.status) if interview else None
                home = view.leaver_home(
                    _,
                    stage=departure.stage,
                    last_day=departure.last_day,
                    interview_id=interview.id if self_service else None,
                    paused=status == Status.PAUSED,
                    can_withdraw=self_service
                    and status in WITHDRAWABLE
                    and (review is None or review.decision is None),
                )
    services.client.views_publish(user_id=user_id, view=home)


def hr_changed(services: Services) -> None:
    """Something HR's dashboard shows changed: bring every HR member's Home up to date."""
    for user_id in sorted(services.directory.hr_members()):
        try:
            publish(services, user_id)
        except SlackClientError as error:
            log.warning("could not refresh the Home of %s: %s", user_id, error)
        except Exception:  # a stale dashboard must never undo the change that triggered it
            log.exception("could not build the Home of %s", user_id)


def remind_now(services: Services, departure_id: int, user_id: str) -> Problem | None:
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    from bot.operations import invitations

    if not invitations.deliver_reminder(services, departure_id):
        return Problem("home.remind.not_possible")
    hr_changed(services)
    return None


def cancel(services: Services, departure_id: int, user_id: str) -> Problem | None:
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    from bot.operations import registration

    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        employee_id = departure.employee_id if departure else None
    if employee_id is None:
        return Problem("choice.unknown")
    outcome = registration.cancel(services, employee_id, user_id)
    return outcome.problem
