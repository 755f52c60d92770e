"""The invitation sweep, the reminder sweep and the retention purge handle their items one by one:
a poisoned item is recorded, retried with growing pauses and parked after MAX_ATTEMPTS with one
notice to HR, while every other item goes through (issue 12)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bot import isolation, jobs
from storage import job_failures
from storage import repositories as repo
from storage.models import Departure, Interview
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN


class DmsFailFor:
    """Slack answers conversations.open for this person with something the bot cannot read: every
    attempt to send them anything fails between the claim and the post, until `heal()`."""

    def __init__(self, slack, user: str):
        self._original = slack.handle
        self.user = user
        slack.handle = self._handle

    def heal(self) -> None:
        self.user = None

    def _handle(self, method, params, token):
        if method == "conversations.open" and self.user and params.get("users") == self.user:
            return 200, {}, {"ok": True}  # no channel in it
        return self._original(method, params, token)


def failures_of(harness, job: str):
    with harness.services.db.session() as session:
        return [(f.item, f.attempts, f.parked_at is not None) for f in job_failures.failures(session, job)]


def attempts(harness, job: str) -> int:
    found = failures_of(harness, job)
    return found[0][1] if found else 0


def hr_notices(harness, user: str, job: str):
    return [m for m in harness.slack.dms_to(user) if f"`{job}`" in m.text]


def retry_until_parked(harness, job: str, run=None) -> None:
    """Move the clock past each pause; the sweep (or `run`) tries again until the item is parked."""
    harness.slack.wait_for(lambda: attempts(harness, job) >= 1, what=f"the first failure of {job}")
    for attempt in range(2, isolation.MAX_ATTEMPTS + 1):
        harness.clock.advance(isolation.FIRST_PAUSE * 2 ** (attempt - 2))
        if run is not None:
            run()
        harness.slack.wait_for(lambda a=attempt: attempts(harness, job) == a, what=f"attempt {attempt} of {job}")
    assert failures_of(harness, job)[0][2], "parked"


def assert_told_once(harness, job: str, employee: str) -> None:
    for hr in (HR, HR_2):
        notices = harness.slack.wait_for(lambda h=hr: hr_notices(harness, h, job), what=f"{hr} told about {job}")
        assert len(notices) == 1 and f"<@{employee}>" in notices[0].text


def claim(harness, employee: str, purpose: str):
    with harness.services.db.session() as session:
        departure_id = session.scalars(select(Departure.id).where(Departure.employee_id == employee)).one()
        return repo.sent_message(session, departure_id, purpose)


def test_an_invitation_that_keeps_failing_is_parked_while_the_others_go_out_and_is_sent_once_later(harness, slack):
    poisoned = DmsFailFor(slack, LEAVER)
    for employee in (LEAVER, LEAVER_EN, COLLEAGUE):
        harness.register(employee, harness.in_working_days(2))
    for employee in (LEAVER_EN, COLLEAGUE):  # due at once: the others are invited regardless
        harness.invitation_for(employee)
        harness.wait_for_stage(employee, "invited")

    retry_until_parked(harness, "invitation")
    assert_told_once(harness, "invitation", LEAVER)
    # Each failure gave the claim back: no half-sent invitation stands in the way of a later one.
    assert harness.stage_of(LEAVER) == "registered" and claim(harness, LEAVER, repo.INVITATION) is None
    assert slack.dms_to(LEAVER) == []

    harness.clock.advance(timedelta(hours=3))  # parked: no more attempts, HR is not told again
    for _ in range(3):
        jobs.sweep()
    assert attempts(harness, "invitation") == isolation.MAX_ATTEMPTS
    assert len(hr_notices(harness, HR, "invitation")) == 1

    # The cause is fixed and the row deleted (README): the leaver gets exactly one invitation.
    poisoned.heal()
    with harness.services.db.session() as session:
        item = job_failures.failures(session, "invitation")[0].item
        job_failures.clear_failure(session, "invitation", item)
    harness.wait_for_stage(LEAVER, "invited")
    harness.invitation_for(LEAVER)
    for _ in range(3):
        jobs.sweep()
    assert len(slack.dms_to(LEAVER)) == 1
    assert [len(slack.dms_to(e)) for e in (LEAVER_EN, COLLEAGUE)] == [1, 1]


def test_a_reminder_that_keeps_failing_is_parked_while_the_others_are_reminded(harness, slack):
    for employee in (LEAVER, LEAVER_EN):
        harness.register(employee, harness.in_working_days(8))  # invited at once, reminded before the last day
        harness.invitation_for(employee)
        harness.wait_for_stage(employee, "invited")
    DmsFailFor(slack, LEAVER)

    # Past 10:00 three working days later, on a working morning (reminders keep to working hours).
    services = harness.services
    morning = datetime.combine(services.calendar.working_days_after(harness.today(), 4), time(11),
                               tzinfo=services.settings.tz)
    harness.clock.advance(morning - harness.clock.now())
    harness.slack.wait_for(lambda: len(slack.dms_to(LEAVER_EN)) == 2, what="the reminder to the other leaver")
    retry_until_parked(harness, "invitation-reminder")
    assert_told_once(harness, "invitation-reminder", LEAVER)
    assert claim(harness, LEAVER, repo.REMINDER) is None  # given back each time: sent once it can be
    assert len(slack.dms_to(LEAVER)) == 1 and harness.stage_of(LEAVER) == "invited"
    assert len(slack.dms_to(LEAVER_EN)) == 2


def test_one_departure_the_purge_cannot_handle_never_stops_the_purge_of_the_others(harness, slack):
    from tests.test_privacy import add_departure

    long_ago = harness.today() - timedelta(days=2 * 366 + 31)
    db = harness.services.db
    bad, good, also_good = (add_departure(db, employee, long_ago) for employee in (LEAVER, LEAVER_EN, COLLEAGUE))
    with db.session() as session:  # a stored state the purge chokes on
        interview = session.scalars(select(Interview).where(Interview.departure_id == bad)).one()
        interview.state = {**interview.state, "answers": ["not", "a", "mapping"]}

    jobs.retention()
    with db.session() as session:
        employees = {d.id: d.employee_id for d in session.scalars(select(Departure))}
    assert (employees[good], employees[also_good], employees[bad]) == ("purged", "purged", LEAVER)

    retry_until_parked(harness, "retention-purge", run=jobs.retention)
    assert_told_once(harness, "retention-purge", LEAVER)
    assert failures_of(harness, "retention-purge")[0][0] == str(bad)  # the id, no personal data


def test_the_purge_on_the_command_line_reports_a_departure_it_could_not_purge_and_purges_the_rest(harness):
    from bot.operations import privacy
    from tests.test_privacy import add_departure

    db = harness.services.db
    bad, good = (add_departure(db, employee, date(2020, 1, 6)) for employee in (LEAVER, LEAVER_EN))
    with db.session() as session:
        interview = session.scalars(select(Interview).where(Interview.departure_id == bad)).one()
        interview.state = {**interview.state, "answers": ["not", "a", "mapping"]}
    report = privacy.purge(db, today=harness.today(), months=24, now=harness.clock.now(), actor="cli")
    assert (report.departure_ids, report.failed_ids) == ([good], [bad])
