"""When the invitation and its reminder go out: working days, public holidays, local 10:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.timing import WorkingCalendar, invitation_moment, reminder_moment, send_moment

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="module")
def nl() -> WorkingCalendar:
    return WorkingCalendar.for_country("NL")


@pytest.fixture
def no_holidays() -> WorkingCalendar:
    return WorkingCalendar(frozenset())


# --- the working calendar ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "holiday",
    [
        date(2027, 4, 27),  # Koningsdag, a Tuesday
        date(2026, 12, 25),  # Eerste Kerstdag, a Friday
        date(2027, 1, 1),  # Nieuwjaarsdag, a Friday
        date(2027, 3, 29),  # Tweede Paasdag
        date(2027, 5, 6),  # Hemelvaartsdag
        date(2027, 5, 17),  # Tweede Pinksterdag
    ],
)
def test_dutch_public_holidays_on_weekdays_are_not_working_days(nl, holiday):
    assert holiday.weekday() < 5
    assert not nl.is_working_day(holiday)


def test_ordinary_weekdays_are_working_days_and_weekends_are_not(nl):
    week = [date(2026, 12, 7) + timedelta(days=i) for i in range(7)]  # Monday 7 to Sunday 13 December
    assert [nl.is_working_day(day) for day in week] == [True] * 5 + [False] * 2


def test_for_country_uses_that_countrys_holidays():
    # 4 July is a public holiday in the US, not in the Netherlands.
    independence_day = date(2027, 7, 5)  # observed on Monday 5 July 2027 (4 July is a Sunday)
    assert not WorkingCalendar.for_country("US").is_working_day(independence_day)
    assert WorkingCalendar.for_country("NL").is_working_day(independence_day)


def test_for_country_defaults_to_the_netherlands():
    assert not WorkingCalendar.for_country().is_working_day(date(2027, 4, 27))


def test_working_days_before_and_after_with_zero_count_stay_on_the_day(nl):
    saturday = date(2026, 12, 12)
    assert nl.working_days_before(saturday, 0) == saturday
    assert nl.working_days_after(saturday, 0) == saturday


def test_working_days_after_skips_the_christmas_weekend_and_new_year(nl):
    # Thu 24 Dec 2026 + 1 working day: Fri 25 (Kerst), Sat, Sun → Mon 28.
    assert nl.working_days_after(date(2026, 12, 24), 1) == date(2026, 12, 28)
    # Thu 31 Dec + 1: Fri 1 Jan (Nieuwjaar), Sat, Sun → Mon 4 Jan 2027.
    assert nl.working_days_after(date(2026, 12, 31), 1) == date(2027, 1, 4)


# --- invitation_moment ---------------------------------------------------------------------------


def test_ten_working_days_before_a_friday_skip_two_weekends(no_holidays):
    friday = date(2026, 12, 18)
    moment = invitation_moment(friday, 10, AMSTERDAM, no_holidays)
    # Two full working weeks back: Friday 4 December, not 8 December (10 calendar days).
    assert moment.date() == date(2026, 12, 4)
    assert moment.date().weekday() == 4


def test_ten_working_days_before_a_friday_in_the_dutch_calendar(nl):
    # No holidays between 4 and 18 December 2026, so the Dutch calendar agrees.
    assert invitation_moment(date(2026, 12, 18), 10, AMSTERDAM, nl).date() == date(2026, 12, 4)


def test_one_working_day_before_a_monday_is_the_friday(no_holidays):
    assert invitation_moment(date(2026, 12, 14), 1, AMSTERDAM, no_holidays).date() == date(2026, 12, 11)


@pytest.mark.parametrize(
    ("last_day", "count", "expected"),
    [
        # Wed 28 Apr 2027 right after Koningsdag (Tue 27 Apr) → Mon 26 Apr.
        (date(2027, 4, 28), 1, date(2027, 4, 26)),
        # Mon 28 Dec 2026 right after Christmas (Fri 25, Sat 26 + Sunday) → Thu 24 Dec.
        (date(2026, 12, 28), 1, date(2026, 12, 24)),
        # Mon 4 Jan 2027 after New Year (Fri 1 Jan): 2 working days back are Thu 31 and Wed 30 Dec.
        (date(2027, 1, 4), 2, date(2026, 12, 30)),
        # Tue 30 Mar 2027 right after Easter Monday (29 Mar) and Good Friday (26 Mar) → Thu 25 Mar.
        (date(2027, 3, 30), 1, date(2027, 3, 25)),
        # 10 working days before Fri 7 May 2027 skip Koningsdag and Hemelvaart (Thu 6 May).
        (date(2027, 5, 7), 10, date(2027, 4, 21)),
    ],
)
def test_public_holidays_are_skipped(nl, last_day, count, expected):
    moment = invitation_moment(last_day, count, AMSTERDAM, nl)
    assert moment.date() == expected
    assert nl.is_working_day(moment.date())


def test_the_same_last_day_without_holidays_would_land_on_the_holiday(no_holidays):
    # The control for the test above: only the holiday calendar moves it off 27 April.
    assert invitation_moment(date(2027, 4, 28), 1, AMSTERDAM, no_holidays).date() == date(2027, 4, 27)


def test_invitation_is_at_ten_in_the_employees_zone(nl):
    moment = invitation_moment(date(2026, 12, 18), 10, AMSTERDAM, nl)
    assert moment.tzinfo is AMSTERDAM
    assert moment.timetz().replace(tzinfo=None) == time(10, 0)
    assert moment.utcoffset() == timedelta(hours=1)
    assert moment.astimezone(UTC) == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "utc_instant"),
    [
        (AMSTERDAM, datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),  # CET, +01:00
        (NEW_YORK, datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),  # EST, -05:00
        (TOKYO, datetime(2026, 12, 4, 1, 0, tzinfo=UTC)),  # JST, +09:00
    ],
)
def test_ten_oclock_local_is_a_different_utc_instant_per_zone(nl, tz, utc_instant):
    moment = invitation_moment(date(2026, 12, 18), 10, tz, nl)
    assert (moment.hour, moment.minute) == (10, 0)
    assert moment.astimezone(UTC) == utc_instant


def test_tokyo_is_fourteen_hours_before_new_york_for_the_same_plan(nl):
    tokyo = invitation_moment(date(2026, 12, 18), 10, TOKYO, nl)
    new_york = invitation_moment(date(2026, 12, 18), 10, NEW_YORK, nl)
    assert new_york - tokyo == timedelta(hours=14)


def test_summer_time_starts_on_28_march_2027_in_amsterdam(nl):
    before = invitation_moment(date(2027, 3, 26), 1, AMSTERDAM, nl)  # Thu 25 March
    after = invitation_moment(date(2027, 4, 1), 1, AMSTERDAM, nl)  # Wed 31 March
    assert before.date() == date(2027, 3, 25)
    assert after.date() == date(2027, 3, 31)
    assert before.utcoffset() == timedelta(hours=1)
    assert after.utcoffset() == timedelta(hours=2)
    assert before.astimezone(UTC).time() == time(9, 0)
    assert after.astimezone(UTC).time() == time(8, 0)
    assert after.isoformat() == "2027-03-31T10:00:00+02:00"


def test_new_york_changes_clocks_on_a_different_date_than_amsterdam(no_holidays):
    # US DST started on 14 March 2027; Europe only on 28 March. On 17 March the gap is 5 hours, not 6.
    amsterdam = invitation_moment(date(2027, 3, 18), 1, AMSTERDAM, no_holidays)
    new_york = invitation_moment(date(2027, 3, 18), 1, NEW_YORK, no_holidays)
    assert new_york.utcoffset() == timedelta(hours=-4)
    assert new_york - amsterdam == timedelta(hours=5)


# --- send_moment ---------------------------------------------------------------------------------


def test_send_moment_in_the_past_means_now():
    planned = datetime(2026, 12, 4, 10, 0, tzinfo=AMSTERDAM)
    now = datetime(2026, 12, 10, 15, 30, tzinfo=UTC)
    assert send_moment(planned, now) == now


def test_send_moment_in_the_future_is_the_planned_moment():
    planned = datetime(2026, 12, 4, 10, 0, tzinfo=AMSTERDAM)
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    result = send_moment(planned, now)
    assert result == planned
    assert result.tzinfo is AMSTERDAM


def test_send_moment_compares_instants_not_wall_clocks():
    # 10:00 in Tokyo is 02:00 in Amsterdam: at 05:00 Amsterdam time it has passed.
    planned = datetime(2026, 12, 4, 10, 0, tzinfo=TOKYO)
    now = datetime(2026, 12, 4, 5, 0, tzinfo=AMSTERDAM)
    assert send_moment(planned, now) == now
    # One minute before it in UTC, it is still ahead.
    just_before = planned.astimezone(UTC) - timedelta(minutes=1)
    assert send_moment(planned, just_before) == planned


def test_send_moment_exactly_now():
    now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert send_moment(now, now) == now


# --- reminder_moment -----------------------------------------------------------------------------


def test_reminder_three_working_days_after_a_thursday_is_tuesday_ten_local(nl):
    invited = datetime(2026, 12, 3, 10, 0, tzinfo=AMSTERDAM)  # Thursday
    reminder = reminder_moment(invited, date(2026, 12, 18), 3, AMSTERDAM, nl)
    assert reminder == datetime(2026, 12, 8, 10, 0, tzinfo=AMSTERDAM)
    assert reminder.weekday() == 1  # Tuesday
    assert reminder.tzinfo is AMSTERDAM


def test_reminder_uses_the_employees_local_day_of_the_invitation(nl):
    # Sent Thursday 23:30 UTC = Friday 08:30 in Tokyo: counting starts on Friday → Wednesday.
    invited = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    reminder = reminder_moment(invited, date(2026, 12, 18), 3, TOKYO, nl)
    assert reminder == datetime(2026, 12, 9, 10, 0, tzinfo=TOKYO)


def test_reminder_skips_public_holidays(nl):
    # Invited Thursday 22 April 2027; Koningsdag (Tue 27) is skipped: Fri 23, Mon 26, Wed 28.
    invited = datetime(2027, 4, 22, 10, 0, tzinfo=AMSTERDAM)
    reminder = reminder_moment(invited, date(2027, 5, 14), 3, AMSTERDAM, nl)
    assert reminder == datetime(2027, 4, 28, 10, 0, tzinfo=AMSTERDAM)


def test_reminder_is_brought_forward_to_the_working_day_before_the_last_day(nl):
    # Invited Monday 7 Dec, last day Thursday 10 Dec: 3 working days would be the last day itself.
    invited = datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)
    reminder = reminder_moment(invited, date(2026, 12, 10), 3, AMSTERDAM, nl)
    assert reminder == datetime(2026, 12, 9, 10, 0, tzinfo=AMSTERDAM)


def test_reminder_brought_forward_over_a_weekend(nl):
    # Invited Tuesday 8 Dec, last day Monday 14 Dec: 3 working days = Fri 11 = the day before.
    invited = datetime(2026, 12, 8, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 14), 3, AMSTERDAM, nl) == datetime(
        2026, 12, 11, 10, 0, tzinfo=AMSTERDAM
    )
    # Invited Wednesday 9 Dec, same last day: 3 working days would be Mon 14 → brought back to Fri 11.
    invited = datetime(2026, 12, 9, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 14), 3, AMSTERDAM, nl) == datetime(
        2026, 12, 11, 10, 0, tzinfo=AMSTERDAM
    )


def test_reminder_is_not_brought_forward_when_the_last_day_is_far(nl):
    invited = datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 11), 3, AMSTERDAM, nl) == datetime(
        2026, 12, 10, 10, 0, tzinfo=AMSTERDAM
    )


def test_no_reminder_when_invited_one_working_day_before_the_last_day(nl):
    invited = datetime(2026, 12, 10, 10, 0, tzinfo=AMSTERDAM)  # Thursday, last day Friday
    assert reminder_moment(invited, date(2026, 12, 11), 3, AMSTERDAM, nl) is None


def test_no_reminder_when_invited_friday_for_a_monday_last_day(nl):
    invited = datetime(2026, 12, 11, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 14), 3, AMSTERDAM, nl) is None


def test_no_reminder_when_invited_on_the_last_day_itself(nl):
    invited = datetime(2026, 12, 11, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 11), 3, AMSTERDAM, nl) is None


def test_no_reminder_the_next_morning(nl):
    # Invited Monday, last day Wednesday: the day before the last day is Tuesday, the next morning.
    invited = datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 9), 3, AMSTERDAM, nl) is None


def test_reminder_two_working_days_after_is_still_allowed(nl):
    # Invited Monday, last day Thursday: the day before is Wednesday, two working days later.
    invited = datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 10), 3, AMSTERDAM, nl) == datetime(
        2026, 12, 9, 10, 0, tzinfo=AMSTERDAM
    )


def test_a_one_day_reminder_setting_allows_the_next_working_day(nl):
    invited = datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)
    assert reminder_moment(invited, date(2026, 12, 18), 1, AMSTERDAM, nl) == datetime(
        2026, 12, 8, 10, 0, tzinfo=AMSTERDAM
    )


def test_reminder_across_the_dst_change_is_ten_local_with_the_summer_offset(nl):
    invited = datetime(2027, 3, 24, 10, 0, tzinfo=AMSTERDAM)  # Wednesday, winter time
    reminder = reminder_moment(invited, date(2027, 4, 16), 3, AMSTERDAM, nl)
    # Thu 25, (Good Friday 26, weekend, Easter Monday 29 skipped), Tue 30, Wed 31.
    assert reminder == datetime(2027, 3, 31, 10, 0, tzinfo=AMSTERDAM)
    assert reminder.utcoffset() == timedelta(hours=2)
    assert reminder.astimezone(UTC) == datetime(2027, 3, 31, 8, 0, tzinfo=UTC)
