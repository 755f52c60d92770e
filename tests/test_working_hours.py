"""Nothing reaches a leaver outside their working hours: 09:00-18:00 in their own Slack time zone, on
working days (the company's public holidays as the calendar has them). A late registration made at night
goes at the next 09:00 their time, or at once, with a warning to HR, when the last day leaves no time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.operations import interview, invitations
from flows.timing import (
    Delivery,
    WorkingCalendar,
    delivery_moment,
    may_deliver_now,
    next_working_moment,
    within_working_hours,
)
from tests.conftest import HR, LEAVER, LEAVER_EN
from tests.steps import click

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def nl() -> WorkingCalendar:
    return WorkingCalendar.for_country("NL")


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = AMSTERDAM) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


MONDAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 11)


# --- the rules, with a fixed clock -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (at(MONDAY, 8, 59), False),
        (at(MONDAY, 9, 0), True),
        (at(MONDAY, 17, 59), True),
        (at(MONDAY, 18, 0), False),
        (at(date(2026, 12, 12), 11), False),  # Saturday
        (at(date(2026, 12, 25), 11), False),  # Christmas Day, a Friday
        (at(date(2027, 4, 27), 11), False),  # Koningsdag
    ],
)
def test_working_hours_are_nine_to_six_on_working_days(nl, moment, inside):
    assert within_working_hours(moment, AMSTERDAM, nl) is inside


def test_working_hours_are_the_leavers_own(nl):
    # 17:30 in Amsterdam is 11:30 in New York: inside for a New Yorker; 08:30 in London is outside for a Londoner.
    assert within_working_hours(at(MONDAY, 17, 30), NEW_YORK, nl)
    assert not within_working_hours(at(MONDAY, 9, 30), LONDON, nl)  # 08:30 in London


def test_the_next_working_moment_is_nine_their_time(nl):
    assert next_working_moment(at(MONDAY, 7, 15), AMSTERDAM, nl) == at(MONDAY, 9)
    assert next_working_moment(at(MONDAY, 22, 0), AMSTERDAM, nl) == at(date(2026, 12, 8), 9)
    assert next_working_moment(at(FRIDAY, 19, 0), AMSTERDAM, nl) == at(date(2026, 12, 14), 9)  # the Monday
    # Thursday 24 December, evening: Christmas (Friday) and the weekend are skipped.
    assert next_working_moment(at(date(2026, 12, 24), 20), AMSTERDAM, nl) == at(date(2026, 12, 28), 9)
    # 20:00 in Amsterdam is 14:00 in New York: still their working day.
    assert next_working_moment(at(MONDAY, 20), NEW_YORK, nl) == at(MONDAY, 20)


def test_a_late_registration_at_night_goes_at_nine_the_next_working_morning(nl):
    planned = at(MONDAY, 10) - timedelta(days=7)  # long past
    assert delivery_moment(planned, at(FRIDAY, 23), date(2026, 12, 16), AMSTERDAM, nl) == Delivery(
        at(date(2026, 12, 14), 9))


def test_a_planned_moment_ahead_stays_and_one_within_hours_goes_now(nl):
    planned = at(FRIDAY, 10)
    assert delivery_moment(planned, at(MONDAY, 23), date(2026, 12, 23), AMSTERDAM, nl) == Delivery(planned)
    assert delivery_moment(planned, at(FRIDAY, 15), date(2026, 12, 14), AMSTERDAM, nl) == Delivery(at(FRIDAY, 15))


def test_when_the_last_day_leaves_no_time_it_goes_at_once_and_says_so(nl):
    # Friday 20:00, last day Friday: the next working morning is after it.
    assert delivery_moment(at(FRIDAY, 10), at(FRIDAY, 20), FRIDAY, AMSTERDAM, nl) == Delivery(
        at(FRIDAY, 20), outside_hours=True)
    # Thursday 23:00, last day Friday: Friday 09:00 is still on the last day, so it waits for it.
    assert delivery_moment(at(MONDAY, 10), at(date(2026, 12, 10), 23), FRIDAY, AMSTERDAM, nl) == Delivery(
        at(FRIDAY, 9))


def test_may_deliver_now(nl):
    assert may_deliver_now(at(MONDAY, 11), FRIDAY, AMSTERDAM, nl)
    assert not may_deliver_now(at(MONDAY, 23), FRIDAY, AMSTERDAM, nl)
    assert may_deliver_now(at(FRIDAY, 23), FRIDAY, AMSTERDAM, nl)  # the last evening: now or never


# --- end to end: the bot over HTTP, the clock set to the moment ---------------------------------------


def set_clock(harness, moment: datetime) -> None:
    harness.clock.advance(moment - harness.clock.now())


def monday(harness) -> date:
    """The test clock's working day (conftest: this week's first working day, 11:00 in Amsterdam)."""
    return harness.today()


def sweep(harness) -> None:
    invitations.sweep(harness.services)
    interview.sweep(harness.services)


@pytest.mark.parametrize(("leaver", "tz", "says"), [
    (LEAVER, AMSTERDAM, "om 09:00 (lokale tijd van de vertrekker)"),
    (LEAVER_EN, LONDON, "om 09:00 (lokale tijd van de vertrekker)"),  # HR reads Dutch; the moment is the leaver's 09:00
])
def test_a_registration_at_night_is_delivered_at_nine_their_time(harness, slack, leaver, tz, says):
    day = monday(harness)
    set_clock(harness, at(day, 22, 30))
    last_day = harness.services.calendar.working_days_after(day, 4)

    reply = harness.register(leaver, last_day)

    next_day = harness.services.calendar.working_days_after(day, 1)
    assert says in reply["text"] and str(next_day.day) in reply["text"]
    set_clock(harness, at(next_day, 8, 59, tz))
    sweep(harness)
    assert slack.dms_to(leaver) == []  # not at night, not before nine
    set_clock(harness, at(next_day, 9, 0, tz) + timedelta(seconds=30))
    sweep(harness)
    assert "exit" in harness.invitation_for(leaver).text.lower()


def test_registered_on_the_last_evening_it_goes_at_once_and_hr_is_warned(harness, slack):
    day = monday(harness)
    set_clock(harness, at(day, 20, 0))

    reply = harness.register(LEAVER, day)

    warnings = " ".join(b["text"]["text"] for b in reply["blocks"] if b["type"] == "section")
    assert "buiten hun werktijd" in warnings and "nu meteen" in warnings
    harness.invitation_for(LEAVER)


def test_on_the_last_day_before_nine_it_waits_for_nine_and_does_not_promise_right_now(harness, slack):
    day = monday(harness)
    set_clock(harness, at(day, 7, 30))

    reply = harness.register(LEAVER, day)

    text = " ".join(b.get("text", {}).get("text", "") for b in reply["blocks"] if b["type"] == "section")
    assert "vandaag" in text and "meteen" not in text and "om 09:00" in text
    sweep(harness)
    assert slack.dms_to(LEAVER) == []
    set_clock(harness, at(day, 9, 1))
    sweep(harness)
    harness.invitation_for(LEAVER)


def test_a_reminder_due_before_a_weekend_waits_for_monday_morning(harness, slack):
    day = monday(harness)
    harness.register(LEAVER, harness.services.calendar.working_days_after(day, 9))
    harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")

    # The reminder was due on Thursday at 10:00; the bot was down until Saturday.
    saturday = day + timedelta(days=5 - day.weekday())
    set_clock(harness, at(saturday, 12))
    sweep(harness)
    assert len(slack.dms_to(LEAVER)) == 1
    next_monday = harness.services.calendar.working_days_after(saturday, 1)
    set_clock(harness, at(next_monday, 8, 45))
    sweep(harness)
    assert len(slack.dms_to(LEAVER)) == 1
    set_clock(harness, at(next_monday, 9, 1))
    sweep(harness)
    reminder = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "herinnering" in m.text], what="reminder")
    assert len(reminder) == 1


def test_the_pause_reminder_waits_for_the_leavers_morning(harness, slack):
    day = monday(harness)
    harness.register(LEAVER, harness.services.calendar.working_days_after(day, 9))
    invitation = harness.invitation_for(LEAVER)
    harness.wait_for_stage(LEAVER, "invited")
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:choose:4")
    click(harness, LEAVER, "q:pause")

    set_clock(harness, at(day + timedelta(days=3), 23))  # three days later, at night
    sweep(harness)
    assert not [m for m in slack.dms_to(LEAVER) if "duwtje" in m.text]
    set_clock(harness, at(day + timedelta(days=4), 9, 5))
    sweep(harness)
    assert len([m for m in slack.dms_to(LEAVER) if "duwtje" in m.text]) == 1


def test_the_test_clock_starts_within_working_hours(harness):
    now = harness.clock.now()
    assert within_working_hours(now, AMSTERDAM, harness.services.calendar)
    assert within_working_hours(now, LONDON, harness.services.calendar)
    assert now.astimezone(UTC).date() == now.astimezone(AMSTERDAM).date()
    assert HR  # HR registers in every story above
