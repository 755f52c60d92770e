"""One bad item never stops a scheduled job for the others: it is retried with growing pauses,
then parked, and HR is told once (issue 12)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import isolation
from bot.operations import interview
from storage import job_failures
from storage.models import Departure, Interview
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN
from tests.steps import invite

JOB = "interview-show-again"


def start(harness, employee):
    invitation = invite(harness, employee)
    harness.user.click(employee, invitation, "invitation.answer")
    harness.slack.wait_for(lambda: len(harness.slack.dms_to(employee)) >= 2, what=f"the first question to {employee}")


def interview_of(session, employee) -> Interview:
    departure = session.scalars(select(Departure).where(Departure.employee_id == employee)).one()
    return session.scalars(select(Interview).where(Interview.departure_id == departure.id)).one()


def lose_the_posted_question(harness, employee, *, poison: bool = False):
    """As if the process died between saving the state and posting its message."""
    with harness.services.db.session() as session:
        interview = interview_of(session, employee)
        interview.question_ts = None
        if poison:
            interview.state = {"this": "is not a questionnaire state"}


def attempts(harness) -> int:
    with harness.services.db.session() as session:
        found = job_failures.failures(session, JOB)
        return found[0].attempts if found else 0


def parked(harness) -> bool:
    with harness.services.db.session() as session:
        return any(f.parked_at is not None for f in job_failures.failures(session, JOB))


def hr_notices(harness, user):
    return [m for m in harness.slack.dms_to(user) if "`interview-show-again`" in m.text]


def test_a_poisoned_item_is_retried_then_parked_and_the_others_go_on(harness):
    for employee in (LEAVER, LEAVER_EN, COLLEAGUE):
        start(harness, employee)
    shown_before = {e: len(harness.slack.dms_to(e)) for e in (LEAVER_EN, COLLEAGUE)}
    lose_the_posted_question(harness, LEAVER, poison=True)
    lose_the_posted_question(harness, LEAVER_EN)
    lose_the_posted_question(harness, COLLEAGUE)

    harness.clock.advance(timedelta(minutes=2))
    # the good ones get their question again, whatever the order of the items
    for employee in (LEAVER_EN, COLLEAGUE):
        harness.slack.wait_for(lambda e=employee: len(harness.slack.dms_to(e)) > shown_before[e],
                               what=f"the question shown again to {employee}")
    harness.slack.wait_for(lambda: attempts(harness) == 1, what="the first failure recorded")
    with harness.services.db.session() as session:
        failure = job_failures.failures(session, JOB)[0]
        assert failure.last_error == "ValueError"  # the class only: no answer text in the table
        assert failure.item == str(interview_of(session, LEAVER).id)
        first_retry = failure.next_attempt_at - harness.clock.now()
    assert timedelta(0) < first_retry <= isolation.FIRST_PAUSE

    # retried with growing pauses until it is parked
    for attempt in range(2, isolation.MAX_ATTEMPTS + 1):
        harness.clock.advance(isolation.FIRST_PAUSE * 2 ** (attempt - 2))
        harness.slack.wait_for(lambda a=attempt: attempts(harness) == a, what=f"attempt {attempt}")
    harness.slack.wait_for(lambda: parked(harness), what="the item parked")
    for hr in (HR, HR_2):
        notices = harness.slack.wait_for(lambda h=hr: hr_notices(harness, h), what=f"{hr} told")
        assert f"<@{LEAVER}>" in notices[0].text

    # parked: no more attempts, HR is not told again
    harness.clock.advance(timedelta(hours=3))
    for _ in range(3):
        interview.sweep(harness.services)  # what the minute sweep runs
    assert attempts(harness) == isolation.MAX_ATTEMPTS
    assert len(hr_notices(harness, HR)) == 1
    assert len(hr_notices(harness, HR_2)) == 1


def test_pauses_double_and_good_items_are_never_held_back(harness):
    handled = []

    def handle(item):
        if item == "bad":
            raise RuntimeError("an answer the builder chokes on")
        handled.append(item)

    pauses = []
    for _ in range(isolation.MAX_ATTEMPTS):
        with harness.services.db.session() as session:
            due = {f.item: f.next_attempt_at for f in job_failures.failures(session, "test-job")}
        if "bad" in due:
            harness.clock.advance(due["bad"] - harness.clock.now())
        isolation.each(harness.services, "test-job", ["one", "bad", "two"], handle)
        with harness.services.db.session() as session:
            failure = job_failures.failures(session, "test-job")[0]
            pauses.append(failure.next_attempt_at - harness.clock.now())
            assert failure.last_error == "RuntimeError"  # the class, never the message
    minutes = [round(pause / timedelta(minutes=1)) for pause in pauses]  # the clock ticks on meanwhile
    assert minutes == [1, 2, 4, 8, 16]
    assert handled == ["one", "two"] * isolation.MAX_ATTEMPTS
    notices = harness.slack.wait_for(lambda: [m for m in harness.slack.dms_to(HR) if "`test-job`" in m.text])
    assert "`bad`" in notices[0].text and "chokes" not in notices[0].text

    # an item that goes through again is forgotten
    with harness.services.db.session() as session:
        job_failures.clear_failure(session, "test-job", "bad")
    isolation.each(harness.services, "test-job", ["bad"], lambda item: handled.append(item))
    assert handled[-1] == "bad"
