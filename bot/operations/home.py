"""The App Home for whoever opens it, and refreshing HR's dashboard when something changes."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from slack_sdk.errors import SlackClientError

from bot.blocks import home as view
from bot.i18n import Translator
from bot.services import Services
from flows.interview import WITHDRAWABLE, Status
from flows.registration import Problem
from storage import repositories as repo

log = logging.getLogger(__name__)
RECENT = timedelta(days=120)


def _display_stage(departure, interview, review) -> str:
    if departure.stage == "submitted":
        if review is None or review.decision is None:
            return "awaiting_review"
        if review.decision == "private":
            return "kept_private"
        return "published" if review.published_digest_id else "approved"
    return departure.stage


def dashboard(services: Services) -> tuple[list[view.HomeRow], view.Figures]:
    today = services.today()
    tz = services.settings.tz
    quarter_start = datetime.combine(today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1), time(0), tzinfo=tz)
    with services.db.session() as session:
        rows = []
        invited = answered = 0
        this_quarter = 0
        for departure, interview, review, reminded in repo.dashboard(session, today - RECENT):
            stage = _display_stage(departure, interview, review)
            rows.append(
                view.HomeRow(
                    departure_id=departure.id,
                    employee_id=departure.employee_id,
                    last_day=departure.last_day,
                    stage=stage,
                    review_id=review.id if review is not None else None,
                    can_remind=departure.stage == "invited" and not reminded,
                )
            )
            if departure.stage not in ("registered", "unreachable"):
                invited += 1
                answered += departure.stage == "submitted"
            if interview is not None and interview.submitted_at and interview.submitted_at >= quarter_start:
                this_quarter += 1
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
        home = view.hr_home(_, rows, figures, page)
    else:
        with services.db.session() as session:
            departure = repo.latest_departure_of(session, user_id)
            if departure is None or departure.last_day < services.today() - RECENT:
                home = view.everyone_home(_, services.settings.digest_min_interviews)
            else:
                interview = repo.interview_for_departure(session, departure.id)
                review = repo.review_for_interview(session, interview.id) if interview else None
                self_service = interview is not None and interview.mode == "self" and interview.state is not None
                status = Status(interview.status) if interview else None
                processed = departure.stage == "submitted" and review is not None and review.decision is not None
                home = view.leaver_home(
                    _,
                    stage="processed" if processed else departure.stage,
                    last_day=departure.last_day,
                    interview_id=interview.id if self_service else None,
                    paused=status == Status.PAUSED,
                    can_withdraw=self_service
                    and status in WITHDRAWABLE
                    and (review is None or review.decision is None),
                    min_group=services.settings.digest_min_interviews,
                )
    services.client.views_publish(user_id=user_id, view=home)


def refresh_leaver(services: Services, user_id: str) -> None:
    """The leaver's own status changed (HR processed the answers, they withdrew): a Home that tells
    the truth about what they can still do."""
    try:
        publish(services, user_id)
    except SlackClientError as error:
        log.warning("could not refresh the Home of %s: %s", user_id, error)


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
