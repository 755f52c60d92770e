"""Domain events as the seam (issue 16): an operation stores its change and the event saying what
happened in one transaction; the follow-ups (bot.subscribers) run after the commit, and a crash in
between loses none of them, a failing one never stops the others, and none runs twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import domain_events, isolation, subscribers
from bot.blocks.text import mention
from bot.domain_events import LEASE, MAX_ATTEMPTS, FollowUp
from bot.i18n import Translator
from flows.events import EVENTS, ChoiceMade, DepartureRegistered, NudgeResolved, from_json, to_json
from storage import events as store
from storage import repositories as repo
from storage.models import Departure, DomainEvent, EventDelivery
from tests.conftest import HR, HR_2, LEAVER
from tests.steps import invite


def told_hr(slack, key: str, employee: str) -> list[str]:
    """The notices with `key` about `employee` each HR member got, in their own language."""
    texts = {hr: Translator(language)(key, employee=mention(employee)) for hr, language in ((HR, "nl"), (HR_2, "en"))}
    return [hr for hr, text in texts.items() for message in slack.dms_to(hr) if message.text == text]


def departure_id_of(harness, employee: str) -> int:
    with harness.services.db.session() as session:
        return session.scalars(select(Departure.id).where(Departure.employee_id == employee)).one()


def events_named(harness, name: str) -> list[DomainEvent]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(DomainEvent).where(DomainEvent.name == name).order_by(DomainEvent.id)))


def test_every_event_reads_back_as_it_was_written():
    for name, kind in EVENTS.items():
        assert kind.name() == name
    event = DepartureRegistered(12, "2026-12-07T08:00:00+00:00", refresh_home=False)
    assert from_json("DepartureRegistered", to_json(event)) == event
    with pytest.raises(ValueError):
        from_json("SomethingElse", "{}")


def test_the_event_is_written_in_the_transaction_of_its_change(harness, slack):
    invite(harness, LEAVER)
    departure_id = departure_id_of(harness, LEAVER)
    services = harness.services

    # A change that rolls back takes its event with it: no follow-up for what did not happen.
    with pytest.raises(RuntimeError), services.db.session() as session:
        assert repo.record_choice(session, departure_id, "decline", "declined", services.clock.now())
        domain_events.record(session, ChoiceMade(departure_id, "decline"), services)
        raise RuntimeError("the process fails before the commit")
    assert harness.stage_of(LEAVER) == "invited"
    assert events_named(harness, "ChoiceMade") == []

    # The leaver declines: the choice and its event are stored together, and HR is told once.
    harness.user.click(LEAVER, slack.dms_to(LEAVER)[0], "invitation.decline")
    assert harness.stage_of(LEAVER) == "declined"
    [event] = events_named(harness, "ChoiceMade")
    assert from_json(event.name, event.payload) == ChoiceMade(departure_id, "decline")
    assert event.delivered_at is not None
    assert sorted(told_hr(slack, "hr.declined", LEAVER)) == [HR, HR_2]


def test_a_change_committed_by_a_process_that_died_before_its_follow_ups_is_followed_up_by_the_sweep(
        harness, slack):
    invite(harness, LEAVER)
    departure_id = departure_id_of(harness, LEAVER)
    services = harness.services
    # What a process that died right after its commit leaves behind: the decline and its event, leased
    # to that process, no follow-up run.
    with services.db.session() as session:
        assert repo.record_choice(session, departure_id, "decline", "declined", services.clock.now())
        domain_events.record(session, ChoiceMade(departure_id, "decline"), services)
    harness.restart()
    harness.bot.scheduler.run_sweep_now()
    assert told_hr(slack, "hr.declined", LEAVER) == []  # the lease of the process that died still runs

    harness.clock.advance(LEASE + timedelta(seconds=1))
    harness.bot.scheduler.run_sweep_now()
    slack.wait_for(lambda: len(told_hr(slack, "hr.declined", LEAVER)) == 2, what="HR told by the sweep")
    slack.wait_for(lambda: events_named(harness, "ChoiceMade")[0].delivered_at is not None, what="delivered")

    harness.clock.advance(LEASE * 3)
    for _round in range(3):
        harness.bot.scheduler.run_sweep_now()
        domain_events.sweep(harness.services)
    assert sorted(told_hr(slack, "hr.declined", LEAVER)) == [HR, HR_2]  # once each, however often it sweeps


def test_a_failing_follow_up_never_stops_the_others_and_is_parked_after_its_last_attempt(harness, slack):
    services = harness.services
    ran: list[int] = []

    def broken(_services, _event):
        raise RuntimeError("this follow-up always fails")

    domain_events.install({**subscribers.TABLE, NudgeResolved: (
        FollowUp("broken", broken),
        FollowUp("noted", lambda _services, event: ran.append(event.nudge_id)),
        subscribers.HR_HOME,
    )})
    try:
        homes_before = len(slack.calls_to("views.publish"))
        with pytest.raises(RuntimeError):  # the caller hears of it, as if it had called the follow-up itself
            domain_events.publish(services, NudgeResolved(7))
        assert ran == [7]  # after the broken one, the others ran
        assert len(slack.calls_to("views.publish")) >= homes_before + 2  # both HR members' Homes
        [event] = events_named(harness, "NudgeResolved")
        assert event.delivered_at is None  # the broken one is tried again later

        def attempts() -> int:
            with services.db.session() as session:
                return session.scalars(select(EventDelivery.attempts).where(
                    EventDelivery.event_id == event.id, EventDelivery.subscriber == "broken")).one()

        for attempt in range(2, MAX_ATTEMPTS + 1):
            harness.clock.advance(isolation.LONGEST_PAUSE + timedelta(minutes=1))
            domain_events.sweep(services)
            slack.wait_for(lambda n=attempt: attempts() >= n, what=f"attempt {attempt}")
        with services.db.session() as session:
            assert store.parked_follow_ups(session) == [(event.id, "NudgeResolved", "broken")]
            assert session.get(DomainEvent, event.id).delivered_at is not None  # nothing left to try
        assert ran == [7]  # what went through the first time never ran again
    finally:
        subscribers.install()


def test_an_event_delivered_twice_tells_hr_once(harness, slack):
    invite(harness, LEAVER)
    harness.user.click(LEAVER, slack.dms_to(LEAVER)[0], "invitation.answer")
    intro = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "q:withdraw" in str(m.blocks)], what="intro")[0]
    harness.user.click(LEAVER, intro, "q:withdraw")
    slack.wait_for(lambda: len(told_hr(slack, "hr.withdrawn", LEAVER)) == 2, what="HR told")
    [event] = events_named(harness, "InterviewWithdrawn")
    services = harness.services

    domain_events.deliver(services, [event.id])  # delivered already: nothing happens
    with services.db.session() as session:  # as if it had never been marked delivered (a crash just before)
        session.execute(update(DomainEvent).where(DomainEvent.id == event.id)
                        .values(delivered_at=None, due_at=services.clock.now() - timedelta(seconds=1)))
    domain_events.sweep(services)
    domain_events.deliver(services, [event.id])

    assert events_named(harness, "InterviewWithdrawn")[0].delivered_at is not None
    assert sorted(told_hr(slack, "hr.withdrawn", LEAVER)) == [HR, HR_2]


USE_CASES = ("home", "interview", "invitations", "registration", "review", "talks")


def test_the_use_cases_never_import_each_other_for_a_follow_up():
    """What follows a use case is in bot/subscribers.py, not in an import of another use case."""
    import ast
    from pathlib import Path

    operations = Path(__file__).parent.parent / "bot" / "operations"
    found = []
    for name in USE_CASES:
        for node in ast.walk(ast.parse((operations / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            found += [(name, module) for module in imported
                      if module.removeprefix("bot.operations.") in USE_CASES and module.startswith("bot.operations.")]
    assert found == []
