"""Production mode (HTTP, listeners after the ack): Slack gets its 200 as soon as the request is in
the durable inbox, whatever the bot's work after it is waiting for; every request is still handled
once, and a clean stop finishes what was acknowledged.

The other end-to-end tests run with process_before_response=True for determinism; these run the bot
as `exit-interview run` does, and wait for what Slack receives."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from bot.runtime import BotProcess
from storage import inbox as store
from storage.db import Database
from storage.models import InboxRequest
from tests.conftest import HR, LEAVER, SIGNING_SECRET, Harness


class ProductionHarness(Harness):
    def start(self, **overrides) -> Harness:
        from bot.emulator import SlackUserAgent

        self.bot = BotProcess(self.settings, host="127.0.0.1", clock=self.clock, sweep_seconds=0.5).start()
        self.user = SlackUserAgent(self.bot.events_url, SIGNING_SECRET, self.slack)
        return self


class SlowReplies:
    """While closed, the bot's replies through a response_url wait at Slack (then arrive)."""

    def __init__(self, slack):
        self._original = slack.record_response
        self._open = threading.Event()
        self._open.set()
        slack.record_response = self._record

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def _record(self, key, payload):
        self._open.wait(30)
        return self._original(key, payload)


@pytest.fixture
def production(settings, slack):
    h = ProductionHarness(settings, slack).start()
    yield h
    h.stop()


def replies(slack) -> list[dict]:
    """The bot's answers to slash commands (through their response_url)."""
    return [r for r in slack.workspace.responses if r["key"].startswith("cmd")]


def rows(database_url: str) -> list[InboxRequest]:
    db = Database(database_url)
    try:
        with db.session() as session:
            return list(session.scalars(select(InboxRequest).order_by(InboxRequest.id)))
    finally:
        db.dispose()


def test_while_slack_is_slow_to_take_the_replies_every_command_still_gets_its_200(production, slack):
    # Twelve commands while every reply hangs at Slack: more than Bolt's listener threads, which
    # would otherwise all wait on a reply and leave new requests unacknowledged (a 404 after 3 s).
    slow = SlowReplies(slack)
    slow.close()
    try:
        statuses = [production.user.slash(HR, "help").status for _ in range(12)]
    finally:
        slow.open()
    assert statuses == [200] * 12
    slack.wait_for(lambda: len(replies(slack)) == 12, 20, "every reply once Slack takes them")
    production.slack.wait_for(lambda: all(r.handled_at for r in rows(production.settings.database_url)), 10,
                              "every request finished")
    assert len({r["key"] for r in replies(slack)}) == 12  # each command answered, once
    assert {r.outcome for r in rows(production.settings.database_url)} == {store.DONE}


def test_an_events_api_retry_answered_at_the_edge_is_handled_once(production, slack):
    event = {"type": "message", "channel_type": "im", "channel": slack.dm_channel(LEAVER), "user": LEAVER,
             "text": "Hallo?", "ts": "1700000000.000100", "event_ts": "1700000000.000100"}
    assert production.user.event(event, event_id="Ev0FIRST01").status == 200
    slack.wait_for(lambda: len(slack.dms_to(LEAVER)) == 1, 10, "the answer to the first DM")

    later = {**event, "ts": "1700000002.000100", "event_ts": "1700000002.000100"}
    for retry in (None, 1, 2):  # Slack did not see the first 200 in time and sends it again
        assert production.user.event(later, event_id="Ev0RETRY02", retry=retry).status == 200
    slack.wait_for(lambda: len(slack.dms_to(LEAVER)) >= 2, 10, "the answer to the second DM")
    production.slack.wait_for(lambda: all(r.handled_at for r in rows(production.settings.database_url)), 10,
                              "every request finished")
    assert len(slack.dms_to(LEAVER)) == 2
    assert len(rows(production.settings.database_url)) == 2


def test_a_clean_stop_finishes_what_was_acknowledged(settings, slack):
    harness = ProductionHarness(settings, slack).start()
    slow = SlowReplies(slack)
    slow.close()
    try:
        for _ in range(6):
            assert harness.user.slash(HR, "help").status == 200
    finally:
        slow.open()
        harness.stop()  # SIGTERM's path: no new requests, then what was acknowledged is finished
    assert len(replies(slack)) == 6 and len({r["key"] for r in replies(slack)}) == 6
    assert all(r.handled_at for r in rows(settings.database_url))


def test_fuzzed_signed_payloads_answered_at_the_edge_get_no_error_and_change_nothing(production, slack):
    """tests/test_edge.py's fuzz, in production mode: what the edge answers itself is answered 200
    (never 5xx or 404) and what the workers then do with it changes nothing either."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    from tests.test_edge import fuzzed, registered, snapshot

    assert production.user.slash(HR, f"start <@{LEAVER}|x> {production.in_working_days(30)}").status == 200
    production.wait_for_stage(LEAVER, "registered")
    assert production.bot.ack_first.drain(10)
    routes = registered()
    before = snapshot(production)
    with production.services.db.session() as session:
        departure_ids = list(session.scalars(text("SELECT id FROM departures")))
    rng = random.Random(21)
    kinds = ["command", "action", "action", "action", "view", "event"]
    requests = [fuzzed(rng, rng.choice(kinds), routes, departure_ids, slack.response_url(f"fuzz{n}"))
                for n in range(600)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda request: production.user.post(*request).status, requests))
    assert [s for s in statuses if s >= 500 or s == 404] == []
    assert production.bot.ack_first.drain(60), "the work after the acks did not finish"
    assert snapshot(production) == before


def test_requests_that_arrive_together_are_each_written_once_and_a_bad_one_fails_alone(database_url):
    """The inbox's group commit: many threads at once, some with a key seen before, one with a body
    that cannot be stored; every caller gets its own answer."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.inbox import Inbox
    from storage import crypto
    from tests.conftest import TEST_KEY

    crypto.configure(TEST_KEY)
    db = Database(database_url)
    db.upgrade()
    inbox = Inbox(db)
    bodies = [{"type": "event_callback", "event_id": f"Ev{n % 30:04d}", "n": n} for n in range(60)]
    bodies[7] = {**bodies[7], "event_id": "Ev0BAD", "n": object()}  # not JSON: cannot be written

    def accept(body):
        try:
            return inbox.accept(body, ("event", body["event_id"]))
        except Exception:  # the database layer's wrapping of the TypeError
            return "refused"

    try:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(accept, bodies))
        assert answers[7] == "refused"
        written = [a for a in answers if isinstance(a, int)]
        assert len(written) == len(set(written)) == 30  # each key once; a key again gets None
        assert answers.count(None) == 29
        assert len(rows(database_url)) == 30
    finally:
        db.dispose()


def test_a_write_that_could_not_start_in_time_is_dropped_and_one_under_way_is_waited_for(tmp_path):
    """The caller of a write that never started goes on as if the database had failed (the
    request is then handled without the inbox): that row must never appear later, or the request
    would be replayed and handled twice. A write under way is waited for instead."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.inbox import Inbox
    from storage import crypto
    from tests.conftest import TEST_KEY

    crypto.configure(TEST_KEY)
    url = f"sqlite:///{tmp_path / 'inbox.sqlite3'}"
    db = Database(url)
    db.upgrade()
    inbox = Inbox(db)
    inbox._writer.WAIT_SECONDS = 0.05
    under_way = threading.Event()
    commit = inbox._writer._commit

    def noted(batch):
        under_way.set()
        return commit(batch)

    inbox._writer._commit = noted
    body = {"type": "event_callback", "event_id": "Ev1"}
    try:
        with ThreadPoolExecutor(2) as pool:
            with inbox._one_writer:  # the database is busy: the writer waits in its first transaction
                first = pool.submit(inbox.accept, body, ("event", "Ev1"))
                assert under_way.wait(10), "the first write under way"
                second = pool.submit(inbox.accept, {**body, "event_id": "Ev2"}, ("event", "Ev2"))
                with pytest.raises(TimeoutError):
                    second.result(timeout=10)
            assert isinstance(first.result(timeout=10), int)  # waited for, though past the wait
            assert inbox.accept({**body, "event_id": "Ev3"}, ("event", "Ev3")) is not None
        assert [r.key for r in rows(url)] == ["Ev1", "Ev3"]  # Ev2 never written
    finally:
        db.dispose()

