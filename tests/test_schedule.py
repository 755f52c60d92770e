"""The digest's day in words: always a working day, also over a year boundary and around holidays."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.scheduling import next_digest_moment
from flows.schedule import DAYS, digest_day, is_digest_day, next_digest, parse
from flows.timing import WorkingCalendar

NL = WorkingCalendar.for_country("NL")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(("schedule", "now", "expected"), [
    # New Year's Day 2027 is a Friday: the first working day is Monday 4 January.
    ("first-working-day 09:00", at(2026, 12, 15, 12), at(2027, 1, 4, 9)),
    ("first-working-day 09:00", at(2027, 1, 4, 8, 59), at(2027, 1, 4, 9)),
    ("first-working-day 09:00", at(2027, 1, 4, 9), at(2027, 2, 1, 9)),
    # 1 January 2029 is a Monday and a holiday: the first Monday's digest goes on Tuesday the 2nd.
    ("first-monday 10:30", at(2028, 12, 20, 12), at(2029, 1, 2, 10, 30)),
    # Christmas 2026 is the last Friday of December: the next working day is Monday the 28th.
    ("last-friday 16:00", at(2026, 12, 1, 12), at(2026, 12, 28, 16)),
    ("second-tuesday 08:30", at(2026, 12, 15, 12), at(2027, 1, 12, 8, 30)),
])
def test_the_next_digest_is_a_working_day(schedule, now, expected):
    moment = next_digest(parse(schedule), now, AMSTERDAM, NL)
    assert moment == expected
    assert NL.is_working_day(moment.date())
    assert next_digest_moment(schedule, now, AMSTERDAM, NL) == expected


def test_every_day_hr_can_choose_is_a_working_day_every_month_for_years():
    for day in DAYS:
        schedule = parse(f"{day} 09:00")
        days = [digest_day(schedule, year, month, NL) for year in (2026, 2027, 2028, 2029) for month in range(1, 13)]
        assert all(NL.is_working_day(d) for d in days), day
        assert all(is_digest_day(schedule, d, NL) for d in days), day
        assert len(set(days)) == 48


def test_only_the_digest_day_is_one():
    schedule = parse("first-working-day 09:00")
    assert not is_digest_day(schedule, date(2027, 1, 1), NL)
    assert is_digest_day(schedule, date(2027, 1, 4), NL)
    assert not is_digest_day(schedule, date(2027, 1, 5), NL)


def test_a_crontab_line_is_not_a_schedule_in_words_but_still_runs_as_written():
    assert parse("0 9 1 * *") is None and parse("monthly") is None and parse("first-sunday 09:00") is None
    assert next_digest_moment("0 9 1 * *", at(2026, 12, 15, 12), AMSTERDAM, NL) == at(2027, 1, 1, 9)


@pytest.mark.parametrize("value", ["first-working-day 09:00", "first-monday 09:00", "last-friday 16:30", "0 9 1 * *"])
def test_the_environment_takes_a_schedule_in_words_or_a_crontab_line(value):
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-x", "HR_USER_IDS": "U0AAAA1"}
    assert load_settings({**env, "DIGEST_SCHEDULE": value}).digest_schedule == value
    with pytest.raises(ConfigError, match="first-monday"):
        load_settings({**env, "DIGEST_SCHEDULE": "monthly"})
