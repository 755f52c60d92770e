"""A request finished after a crash still reaches the person, even when its response_url is dead.

Slack keeps a command's response_url 30 minutes. A bot down longer (or a response_url Slack refuses)
used to answer into nothing: HR never learned whether the leaver was registered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.emulator.client import APP_ID
from bot.inbox import natural_key
from storage import inbox as store
from storage.models import InboxRequest
from tests.conftest import HR, LEAVER, Harness


def lost_command(slack, key: str, text: str) -> dict:
    return {"token": "legacy-verification-token", "team_id": "T0EXAMPLE", "team_domain": "example",
            "channel_id": "C0HRDESK1", "user_id": HR, "user_name": "anna", "command": "/exit-interview",
            "text": text, "api_app_id": APP_ID, "response_url": slack.response_url(key),
            "trigger_id": f"96.{key}.trigger"}


def left_by_a_dead_process(harness, body: dict, minutes_ago: float) -> None:
    """Written (acknowledged) that long ago, its lease run out, never handled."""
    then = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    with harness.services.db.session() as session:
        store.accept_request(session, natural_key(body)[1], "command", body, then, then)


def finished(harness) -> bool:
    with harness.services.db.session() as session:
        return all(r.handled_at for r in session.scalars(select(InboxRequest)))


def test_after_more_than_25_minutes_hr_is_answered_by_dm_not_through_the_dead_response_url(settings, slack):
    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        body = lost_command(slack, "old-command", f"start <@{LEAVER}|jan> {harness.in_working_days(30).isoformat()}")
        slack.expire_response_url("old-command")  # as Slack does after 30 minutes
        left_by_a_dead_process(harness, body, minutes_ago=40)

        [dm] = slack.wait_for(lambda: slack.dms_to(HR), 10, "HR's confirmation by DM")
        assert "<@ULEAVER01> is geregistreerd" in dm.text
        slack.wait_for(lambda: finished(harness), 5, "the request finished")
        assert harness.stage_of(LEAVER) == "registered"
        assert slack.calls_to("response_url") == []  # not even tried: it was too old
        assert len(slack.dms_to(HR)) == 1
    finally:
        harness.stop()


def test_a_response_url_slack_refuses_falls_back_to_a_dm(settings, slack):
    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        body = lost_command(slack, "refused-command", "list")
        slack.expire_response_url("refused-command")
        left_by_a_dead_process(harness, body, minutes_ago=5)

        [dm] = slack.wait_for(lambda: slack.dms_to(HR), 10, "the answer by DM")
        assert "geen lopende vertrekken" in dm.text
        assert len(slack.calls_to("response_url")) == 1  # tried first: young enough
        assert not [r for r in slack.workspace.responses if r["key"] == "refused-command"]
    finally:
        harness.stop()


def test_a_young_replay_still_answers_through_its_response_url(settings, slack):
    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        left_by_a_dead_process(harness, lost_command(slack, "young-command", "list"), minutes_ago=5)
        reply = slack.wait_for(
            lambda: next((r for r in slack.workspace.responses if r["key"] == "young-command"), None), 10, "the reply")
        assert "geen lopende vertrekken" in reply["text"]
        assert slack.dms_to(HR) == []
    finally:
        harness.stop()


def test_a_replayed_form_with_errors_tells_the_person_by_dm_that_nothing_was_saved(settings, slack):
    """HR sent the registration form with a last day in the past just before the bot died: the
    errors would have shown in the form, but after the restart it is long closed."""
    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        harness.user.slash(HR, "start")
        form = next(iter(slack.workspace.views.values()))
        past = (harness.today() - timedelta(days=3)).isoformat()
        body = harness.user.view_submission(HR, form, {"employee": LEAVER, "last_day": past})
        then = datetime.now(UTC) - timedelta(minutes=2)
        with harness.services.db.session() as session:
            store.accept_request(session, natural_key(body)[1], "view_submission", body, then, then)

        [dm] = slack.wait_for(lambda: slack.dms_to(HR), 10, "the DM about the form")
        assert "niet opgeslagen" in dm.text and "Er is niets opgeslagen" in dm.text
        assert "*Laatste werkdag*" in dm.text and "al voorbij" in dm.text  # the field, in words, and why
        assert harness.stage_of(LEAVER) is None
        slack.wait_for(lambda: finished(harness), 5, "the request finished")
    finally:
        harness.stop()


def test_a_form_with_errors_sent_live_shows_them_in_the_form_and_sends_no_dm(harness, slack):
    harness.user.slash(HR, "start")
    form = next(iter(slack.workspace.views.values()))
    past = (harness.today() - timedelta(days=3)).isoformat()
    reply = harness.user.submit_view(HR, form, {"employee": LEAVER, "last_day": past})
    assert "al voorbij" in reply.json()["errors"]["last_day"]
    assert slack.dms_to(HR) == []
