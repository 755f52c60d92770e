"""The durable inbox: what Slack got a 200 for is written first, handled once, finished after a crash.

(The real kill -9 of a bot process is in tests/test_crash.py; here one process in the test's own.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.emulator.client import APP_ID
from bot.inbox import natural_key
from storage import crypto
from storage import inbox as store
from storage.db import Database
from storage.models import Departure, InboxRequest
from tests.conftest import HR, LEAVER, LEAVER_EN, TEST_KEY


def bot_dms(slack, user: str) -> list[str]:
    return [m.text for m in slack.dms_to(user)]


def inbox_rows(harness) -> list[InboxRequest]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(InboxRequest).order_by(InboxRequest.id)))


def test_an_events_api_retry_of_the_same_dm_is_answered_once(harness, slack):
    # Jan writes to the bot; Slack did not see the 200 in time and sends the same event again.
    event = {"type": "message", "channel_type": "im", "channel": slack.dm_channel(LEAVER), "user": LEAVER,
             "text": "Hallo?", "ts": "1700000000.000100", "event_ts": "1700000000.000100"}
    assert harness.user.event(event, event_id="Ev0RETRY01").status == 200
    answered = slack.wait_for(lambda: bot_dms(slack, LEAVER), 5, "the bot's answer")
    assert len(answered) == 1

    for retry in (1, 2):
        assert harness.user.event(event, event_id="Ev0RETRY01", retry=retry).status == 200
    # Another DM (a new event) is answered: everything before it has been handled by then.
    assert harness.user.event({**event, "ts": "1700000001.000100", "event_ts": "1700000001.000100"},
                              event_id="Ev0OTHER01").status == 200
    slack.wait_for(lambda: len(bot_dms(slack, LEAVER)) >= 2, 5, "the answer to the second message")
    assert len(bot_dms(slack, LEAVER)) == 2, bot_dms(slack, LEAVER)


def test_a_handled_request_keeps_its_key_but_not_its_payload(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    rows = inbox_rows(harness)
    assert [(r.kind, r.outcome, r.payload) for r in rows] == [("command", store.DONE, None)]
    assert rows[0].handled_at is not None
    assert len(rows[0].key) == 64 and LEAVER not in rows[0].key  # a hash, no ids or text


def test_a_request_a_dead_process_acknowledged_is_finished_once_and_hr_told_through_its_response_url(
    settings, slack
):
    from tests.conftest import Harness

    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        last_day = harness.in_working_days(30)
        body = {
            "token": "legacy-verification-token", "team_id": "T0EXAMPLE", "team_domain": "example",
            "channel_id": "C0HRDESK1", "user_id": HR, "user_name": "hr", "command": "/exit-interview",
            "text": f"start <@{LEAVER}|jan> {last_day.isoformat()}", "api_app_id": APP_ID,
            "response_url": slack.response_url("lost-command"), "trigger_id": "99.lost.trigger",
        }
        # What a process that died right after its 200 leaves behind: written, lease run out, unhandled.
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        with harness.services.db.session() as session:
            store.accept_request(session, natural_key(body)[1], "command", body, long_ago, long_ago)

        reply = slack.wait_for(
            lambda: next((r for r in slack.workspace.responses if r["key"] == "lost-command"), None), 10,
            "HR's confirmation")
        assert "<@ULEAVER01> is geregistreerd" in reply["text"]
        harness.slack.wait_for(lambda: all(r.handled_at for r in inbox_rows(harness)), 5, "the request finished")
        assert [r.outcome for r in inbox_rows(harness)] == [store.DONE]
        assert harness.stage_of(LEAVER) == "registered"

        # Nothing more happens with it: not replayed again, by this process or after a restart.
        harness.restart(inbox_lease_seconds=1)
        assert harness.user.slash(HR, f"start <@{LEAVER_EN}|x> {last_day.isoformat()}").status == 200
        assert len([r for r in slack.workspace.responses if r["key"] == "lost-command"]) == 1
        with harness.services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(Departure)) == 2
    finally:
        harness.stop()


def test_the_same_click_delivered_twice_is_handled_once(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    block, button = next((b, e) for b in invitation.blocks if b["type"] == "actions" for e in b["elements"]
                         if e["action_id"] == "invitation.decline")
    click = {
        "type": "block_actions", "team": {"id": "T0EXAMPLE", "domain": "example"},
        "user": {"id": LEAVER, "username": "jan", "team_id": "T0EXAMPLE"}, "api_app_id": APP_ID,
        "token": "legacy-verification-token", "trigger_id": "7.same.trigger",
        "container": {"type": "message", "message_ts": invitation.ts, "channel_id": invitation.channel},
        "channel": {"id": invitation.channel},
        "message": {"type": "message", "ts": invitation.ts, "text": invitation.text, "blocks": invitation.blocks},
        "response_url": slack.response_url("same-click"), "state": {"values": {}},
        "actions": [{"action_id": "invitation.decline", "block_id": block["block_id"], "type": "button",
                     "value": button["value"], "action_ts": "1700000000.123456"}],
    }
    assert harness.user.post_payload(click).status == 200
    harness.wait_for_stage(LEAVER, "declined")
    seen = (len(slack.calls_to("chat.postMessage")), len(slack.calls_to("chat.update")), len(slack.workspace.responses))

    assert harness.user.post_payload(click).status == 200  # the same delivery again: nothing happens
    assert harness.user.slash(HR, "help").status == 200  # (handled after it)
    assert (len(slack.calls_to("chat.postMessage")), len(slack.calls_to("chat.update")),
            len(slack.workspace.responses) - 1) == seen


@pytest.fixture
def db(database_url):
    crypto.configure(TEST_KEY)
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def test_the_stored_payload_is_encrypted_and_a_known_key_is_refused(db):
    now = datetime.now(UTC)
    payload = {"event": {"text": "Mijn manager was het probleem"}}
    with db.session() as session:
        first = store.accept_request(session, "k" * 64, "event", payload, now, now + timedelta(seconds=30))
    with db.session() as session:
        again = store.accept_request(session, "k" * 64, "event", payload, now, now + timedelta(seconds=30))
        raw = session.execute(text("SELECT payload FROM inbox")).scalar_one()
    assert first is not None and again is None
    assert "manager" not in raw

    # Not yet run out: nobody claims it. Run out: one claim, and only one.
    with db.session() as session:
        assert store.claim_abandoned_requests(session, now, now + timedelta(seconds=30)) == []
    later = now + timedelta(minutes=1)
    with db.session() as session:
        claimed = store.claim_abandoned_requests(session, later, later + timedelta(seconds=30))
    with db.session() as session:
        assert store.claim_abandoned_requests(session, later, later + timedelta(seconds=30)) == []
    assert [(c.id, c.payload, c.attempts) for c in claimed] == [(first, payload, 2)]

    with db.session() as session:
        assert store.finish_request(session, first, store.DONE, later)
        assert not store.finish_request(session, first, store.DONE, later)
        assert store.forget_handled_requests(session, later) == 0
        assert store.forget_handled_requests(session, later + timedelta(seconds=1)) == 1


def test_over_socket_mode_a_redelivered_envelope_is_handled_once(harness, slack):
    """Socket Mode hands Bolt the payload as a dict (no signature): the same inbox applies."""
    from slack_bolt import BoltRequest

    body = {"token": "legacy-verification-token", "team_id": "T0EXAMPLE", "api_app_id": APP_ID,
            "type": "event_callback", "event_id": "Ev0SOCKET01", "event_time": 1700000000,
            "authorizations": [{"team_id": "T0EXAMPLE", "user_id": "UBOT0EXIT", "is_bot": True}],
            "event": {"type": "message", "channel_type": "im", "channel": slack.dm_channel(LEAVER), "user": LEAVER,
                      "text": "Hallo?", "ts": "1700000000.000200", "event_ts": "1700000000.000200"}}
    for _ in range(2):  # Slack sends the envelope again when it did not get the ack in time
        response = harness.bot.app.dispatch(BoltRequest(body=dict(body), mode="socket_mode"))
        assert response.status == 200
    slack.wait_for(lambda: bot_dms(slack, LEAVER), 5, "the bot's answer")
    harness.slack.wait_for(lambda: all(r.handled_at for r in inbox_rows(harness)), 5, "the event finished")
    assert len(bot_dms(slack, LEAVER)) == 1
    assert [r.kind for r in inbox_rows(harness)] == ["event_callback"]


@pytest.mark.parametrize("body", [
    [], "x", {}, {"type": "event_callback"}, {"type": "event_callback", "event_id": 7},
    {"type": "block_actions", "actions": "x", "user": "u"}, {"type": "block_actions", "actions": [1]},
    {"type": "block_actions", "actions": [], "user": {"id": "U1"}}, {"type": "view_submission", "view": "v"},
    {"type": "block_suggestion", "value": "a"}, {"command": "/exit-interview"},
])
def test_payloads_without_a_natural_key_are_not_kept_and_never_break_the_inbox(body):
    assert natural_key(body) is None


def test_natural_keys_tell_a_retry_from_a_new_request():
    click = {"type": "block_actions", "user": {"id": "U1"},
             "actions": [{"action_id": "a", "block_id": "b", "action_ts": "1.1"}]}
    later = {**click, "actions": [{"action_id": "a", "block_id": "b", "action_ts": "1.2"}]}
    view = {"type": "view_submission", "user": {"id": "U1"},
            "view": {"id": "V1", "hash": "h1", "state": {"values": {"t": {"v": 1}}}}}
    corrected = {**view, "view": {**view["view"], "state": {"values": {"t": {"v": 2}}}}}
    assert natural_key(click) == natural_key(dict(click)) != natural_key(later)
    assert natural_key(view) != natural_key(corrected)
    assert natural_key({"type": "event_callback", "event_id": "Ev1"})[0] == "event_callback"


def test_a_request_that_kept_killing_its_process_is_given_up_after_three_tries(settings, slack):
    from sqlalchemy import update

    from tests.conftest import Harness

    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        body = {"token": "legacy-verification-token", "team_id": "T0EXAMPLE", "user_id": HR,
                "command": "/exit-interview", "text": "help", "api_app_id": APP_ID,
                "response_url": slack.response_url("poison"), "trigger_id": "98.poison.trigger"}
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        with harness.services.db.session() as session:
            request_id = store.accept_request(session, natural_key(body)[1], "command", body, long_ago, long_ago)
            session.execute(update(InboxRequest).where(InboxRequest.id == request_id).values(attempts=3))
        harness.slack.wait_for(lambda: all(r.handled_at for r in inbox_rows(harness)), 10, "the request given up")
        assert [(r.outcome, r.payload) for r in inbox_rows(harness)] == [(store.ABANDONED, None)]
        assert not [r for r in slack.workspace.responses if r["key"] == "poison"]
    finally:
        harness.stop()


def test_a_registration_finished_again_after_a_crash_is_confirmed_not_refused(settings, slack):
    """The process died after storing the registration (e.g. while refreshing HR's Home): the
    replay finds its own registration and confirms it; nothing is registered twice."""
    from tests.conftest import Harness

    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        last_day = harness.in_working_days(30)
        body = {"token": "legacy-verification-token", "team_id": "T0EXAMPLE", "user_id": HR,
                "command": "/exit-interview", "text": f"start <@{LEAVER}|jan> {last_day.isoformat()}",
                "api_app_id": APP_ID, "response_url": slack.response_url("half-done"),
                "trigger_id": "97.half.trigger"}
        harness.register(LEAVER, last_day)  # what the process did before it died
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        with harness.services.db.session() as session:
            store.accept_request(session, natural_key(body)[1], "command", body, long_ago, long_ago)
        reply = slack.wait_for(
            lambda: next((r for r in slack.workspace.responses if r["key"] == "half-done"), None), 10, "the reply")
        assert "<@ULEAVER01> is geregistreerd" in reply["text"]
        with harness.services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(Departure)) == 1
    finally:
        harness.stop()


def test_an_events_api_retry_reaching_another_process_is_not_answered_again(harness, slack, settings):
    from bot.emulator.client import SlackUserAgent
    from bot.runtime import BotProcess
    from tests.conftest import SIGNING_SECRET

    other = BotProcess(settings, host="127.0.0.1", role="web", process_before_response=True).start()
    try:
        event = {"type": "message", "channel_type": "im", "channel": slack.dm_channel(LEAVER), "user": LEAVER,
                 "text": "Hallo?", "ts": "1700000000.000300", "event_ts": "1700000000.000300"}
        assert harness.user.event(event, event_id="Ev0ACROSS1").status == 200
        slack.wait_for(lambda: bot_dms(slack, LEAVER), 5, "the bot's answer")
        retry = SlackUserAgent(other.events_url, SIGNING_SECRET, slack).event(event, event_id="Ev0ACROSS1", retry=1)
        assert retry.status == 200
        assert len(bot_dms(slack, LEAVER)) == 1
    finally:
        other.stop()
