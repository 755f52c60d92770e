"""The App Home for whoever opens it, and refreshing HR's dashboard when something changes."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackClientError

from bot.blocks import home as view
from bot.i18n import Translator
from bot.services import Services
from flows.interview import WITHDRAWABLE, Status
from storage import numbers
from storage import repositories as repo

log = logging.getLogger(__name__)
RECENT = timedelta(days=120)
SUBMITTED_AS = dict.fromkeys(("awaiting_review", "kept_private", "published", "approved"), "submitted")


def dashboard(services: Services, page: int = 0) -> tuple[list[view.HomeRow], view.Figures, int]:
    """One page of HR's dashboard, its figures and how many departures it holds: ordered, paged and
    counted in SQL from plain columns, nothing decrypted, whatever the history."""
    today = services.today()
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    since = today - RECENT
    with services.db.session() as session:
        page = max(page, 0)
        found, shown_counts = repo.dashboard(session, since, view.STAGE_ORDER, page * view.PAGE_SIZE, view.PAGE_SIZE)
        total = sum(shown_counts.values())
        pages = max(1, -(-total // view.PAGE_SIZE))
        if page > pages - 1:  # the list got shorter since this page was shown: its last page
            page = pages - 1
            found, shown_counts = repo.dashboard(session, since, view.STAGE_ORDER, page * view.PAGE_SIZE,
                                                 view.PAGE_SIZE)
        rows = [
            view.HomeRow(departure_id=departure_id, employee_id=employee_id, last_day=last_day, stage=shown,
                         review_id=review_id, can_remind=stage == "invited" and not reminded)
            for departure_id, employee_id, last_day, shown, review_id, stage, reminded in found
        ]
        # A submitted interview is shown as one of four stages; every other stage as itself.
        counts = {SUBMITTED_AS.get(stage, stage): 0 for stage in shown_counts}
        for stage, count in shown_counts.items():
            counts[SUBMITTED_AS.get(stage, stage)] += count
        invited = sum(count for stage, count in counts.items() if stage not in ("registered", "unreachable"))
        answered = counts.get("submitted", 0)
        this_quarter = numbers.submitted_since(session, quarter_start)
        pending = repo.pending_review_count(session)
    figures = view.Figures(
        interviews_this_quarter=this_quarter,
        participation=answered / invited if invited else None,
        pending_reviews=pending,
        next_digest=next_digest(services),
    )
    return rows, figures, total


def next_digest(services: Services):
    """The next scheduled digest as HR should read it: a working day, from the schedule and the
    holiday calendar (not the moment the job next wakes to check)."""
    from bot.scheduling import next_digest_moment

    settings = services.settings
    return next_digest_moment(settings.digest_schedule, services.clock.now(), settings.tz, services.calendar)


def publish(services: Services, user_id: str, page: int = 0) -> None:
    _ = Translator(services.directory.language(user_id))
    if services.directory.is_hr(user_id):
        rows, figures, total = dashboard(services, page)
        from bot.operations import breakdowns

        home = view.hr_home(_, rows, figures, page, total=total, extra=breakdowns.home_sections(services, _))
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
