"""HR's App Home over a long history: old departures that wait for nothing leave the dashboard,
those still waiting for HR stay, and the figures come from SQL counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.operations import numbers
from storage.models import Departure, Interview, Review
from tests.conftest import HR
from tests.test_bulk import HomeCard

OLD_DONE, OLD_WAITING = "UOLDDONE1", "UOLDWAIT1"


def add_old(harness, employee: str, decision: str | None) -> None:
    now = datetime.now(UTC)
    last_day = harness.today() - timedelta(days=400)
    with harness.services.db.session() as session:
        departure = Departure(employee_id=employee, interviewer_id=HR, registered_by=HR, last_day=last_day,
                              language="nl", offer="both", employee_tz="Europe/Amsterdam", stage="submitted",
                              invite_at=now, choice="answer", choice_at=now, created_at=now - timedelta(days=410))
        session.add(departure)
        session.flush()
        interview = Interview(departure_id=departure.id, mode="self", template_key="standard", template_version=1,
                              state={"answers": {}}, status="submitted", started_at=now, updated_at=now,
                              submitted_at=now - timedelta(days=401), expires_at=now)
        session.add(interview)
        session.flush()
        session.add(Review(interview_id=interview.id, highlights="", created_at=now, decision=decision))
        session.flush()
        numbers.record(session, harness.services.db, interview)  # as every submission does


def test_old_departures_leave_the_dashboard_unless_hr_still_has_to_review_them(harness, slack):
    slack.add_user(OLD_DONE, "done", real_name="Oud Klaar", locale="nl-NL")
    slack.add_user(OLD_WAITING, "wait", real_name="Oud Wacht", locale="nl-NL")
    add_old(harness, OLD_DONE, "approved")
    add_old(harness, OLD_WAITING, None)

    harness.user.open_home(HR)
    text = str(slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="HR's Home")["blocks"])
    assert OLD_WAITING in text and "Wacht op beoordeling" in text
    assert OLD_DONE not in text
    assert "*Gesprekken dit kwartaal*\\n0" in text  # submitted more than a year ago


def test_a_long_dashboard_is_paged_in_order(harness, slack):
    for number in range(35):
        add_old(harness, f"UPAGE{number:04d}", None)  # all waiting for HR's review
    harness.user.open_home(HR)
    first = slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="HR's Home")
    text = str(first["blocks"])
    assert "1 van 2" in text and "UPAGE0000" in text and "UPAGE0029" in text and "UPAGE0030" not in text
    slack.workspace.home_views.pop(HR)
    harness.user.click(HR, HomeCard(first), "home:page", value="1")
    second = str(slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="page 2")["blocks"])
    assert "2 van 2" in second and "UPAGE0030" in second and "UPAGE0034" in second and "UPAGE0029" not in second
    assert "*Wachten op beoordeling*\\n35" in second


def test_a_page_that_no_longer_exists_shows_the_last_one(harness, slack):
    for number in range(35):
        add_old(harness, f"UPAGE{number:04d}", None)
    harness.user.open_home(HR)
    first = slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="HR's Home")
    slack.workspace.home_views.pop(HR)
    harness.user.click(HR, HomeCard(first), "home:page", value="5")  # the list was longer when this was shown
    last = str(slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="the last page")["blocks"])
    assert "2 van 2" in last and "UPAGE0030" in last and "UPAGE0034" in last and "UPAGE0029" not in last
