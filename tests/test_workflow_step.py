"""Workflow Builder's "Start exit interview" step: an offboarding workflow registers a leaver.

Slack sends `function_executed` (with a token for the execution) through the real Bolt app over
HTTP; the bot answers with functions.completeSuccess or completeError on the fake Slack API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.emulator.client import SlackUserAgent
from bot.inbox import natural_key
from storage import inbox as store
from storage.models import Departure, InboxRequest
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER

STEP = "start_exit_interview"


def departures(harness) -> list[Departure]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(Departure).order_by(Departure.id)))


def run_step(harness, *, by=HR, **inputs):
    """HR's workflow reaches the step; returns what the bot reported for this execution."""
    reply, execution_id = harness.user.run_step(STEP, {**inputs, "registered_by": SlackUserAgent.user_context(by)})
    assert reply.status == 200, reply
    results = harness.slack.function_results_for(execution_id)
    assert len(results) == 1, results  # every execution is completed, once
    return results[0]


def test_an_offboarding_workflow_registers_the_leaver_and_outputs_the_planned_invitation(harness, slack):
    last_day = harness.in_working_days(30)
    result = run_step(harness, leaver=LEAVER_EN, last_working_day=last_day.isoformat(), manager=MANAGER,
                      language="en")

    [departure] = departures(harness)
    assert (departure.employee_id, departure.last_day, departure.manager_id) == (LEAVER_EN, last_day, MANAGER)
    assert (departure.registered_by, departure.interviewer_id, departure.language) == (HR, HR, "en")
    assert departure.stage == "registered"
    outputs = result["outputs"]
    assert outputs["status"] == "registered"
    assert outputs["invitation_time"] == int(departure.invite_at.timestamp())
    # The same confirmation the command gives, in the language of the HR member who ran the workflow.
    assert "<@ULEAVER02> is geregistreerd" in outputs["confirmation"]
    assert "gaat uit op" in outputs["confirmation"]
    jobs = dict(harness.bot.scheduler.planned_jobs())
    assert jobs[f"invitation:{departure.id}"] == departure.invite_at
    assert slack.dms_to(LEAVER_EN) == []  # ten working days before the last day, not now
    # The step's completion used the token Slack gave for this execution.
    [completion] = slack.calls_to("functions.completeSuccess")
    assert completion.token.startswith("xwfp-")


def test_little_time_left_invites_at_once_and_the_status_says_so(harness, slack):
    result = run_step(harness, leaver=LEAVER, last_working_day=harness.in_working_days(2).isoformat(),
                      interviewer=HR_2, by=HR_2)
    assert result["outputs"]["status"] == "registered_inviting_now"
    assert "goes out right now" in result["outputs"]["confirmation"]  # Bert's Slack is in English
    harness.invitation_for(LEAVER)
    assert departures(harness)[0].interviewer_id == HR_2


def test_every_refusal_of_the_command_is_the_steps_error_and_nothing_is_stored(harness, slack):
    slack.add_user("UBOTUSER1", "deploybot", is_bot=True)
    slack.add_user("UGONE0001", "gone", deleted=True)
    soon = harness.in_working_days(5).isoformat()
    yesterday = (harness.today() - timedelta(days=1)).isoformat()
    cases = [
        ({"leaver": "UNOBODY99", "last_working_day": soon}, "kent de vertrekker"),
        ({"leaver": "UBOTUSER1", "last_working_day": soon}, "is een bot"),
        ({"leaver": "UGONE0001", "last_working_day": soon}, "al gedeactiveerd"),
        ({"leaver": LEAVER, "last_working_day": yesterday}, "al voorbij"),
        ({"leaver": LEAVER, "last_working_day": "2031-01-01"}, "meer dan twee jaar"),
        ({"leaver": LEAVER, "last_working_day": "31-02-2027"}, "geen datum"),
        ({"leaver": LEAVER, "last_working_day": ""}, "geen datum"),
        ({"leaver": "jan", "last_working_day": soon}, "Ik weet niet wie `jan` is"),
        ({"last_working_day": soon}, "geen vertrekker mee"),
        ({"leaver": LEAVER, "last_working_day": soon, "manager": LEAVER}, "eigen leidinggevende"),
        ({"leaver": LEAVER, "last_working_day": soon, "interviewer": "UBOTUSER1"}, "is een bot"),
        ({"leaver": LEAVER, "last_working_day": soon, "language": "de"}, "geen taal van de bot"),
        ({"leaver": HR, "last_working_day": soon}, "eigen vertrek"),
        ({"leaver": "<!channel>", "last_working_day": soon}, "&lt;!channel&gt;"),
    ]
    for inputs, expected in cases:
        result = run_step(harness, **inputs)
        assert "outputs" not in result, inputs
        assert "Er is niets geregistreerd" in result["error"] and expected in result["error"], (inputs, result)
        assert "<!channel>" not in result["error"]
    assert departures(harness) == []
    assert slack.calls_to("functions.completeSuccess") == []

    run_step(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    again = run_step(harness, leaver=LEAVER, last_working_day=harness.in_working_days(25).isoformat())
    assert "al een lopende registratie" in again["error"]
    assert len(departures(harness)) == 1


def test_a_workflow_run_by_someone_outside_hr_fails_and_registers_nobody(harness, slack):
    result = run_step(harness, by=COLLEAGUE, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    assert "alleen HR" in result["error"]
    # Without Slack's user context (e.g. the author typed a user id in), nobody can be taken for HR.
    reply, execution_id = harness.user.run_step(
        STEP, {"leaver": LEAVER, "last_working_day": harness.in_working_days(20).isoformat(), "registered_by": HR})
    assert reply.status == 200
    [result] = slack.function_results_for(execution_id)
    assert "alleen HR" in result["error"]
    assert departures(harness) == []


def test_the_same_execution_delivered_again_registers_once_and_completes_once(harness, slack):
    inputs = {"leaver": LEAVER, "last_working_day": harness.in_working_days(20).isoformat(),
              "registered_by": SlackUserAgent.user_context(HR)}
    first, execution_id = harness.user.run_step(STEP, inputs, event_id="Ev0STEP0001")
    assert first.status == 200
    # Slack did not see the 200 in time: the same event again, and once more under another event id.
    retry, _ = harness.user.run_step(STEP, inputs, execution_id=execution_id, event_id="Ev0STEP0001", retry=1)
    other, _ = harness.user.run_step(STEP, inputs, execution_id=execution_id, event_id="Ev0STEP0002")
    assert (retry.status, other.status) == (200, 200)
    # A later, different execution is handled (so everything before it was, too).
    later = run_step(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(20).isoformat())
    assert later["outputs"]["status"] == "registered"

    assert [d.employee_id for d in departures(harness)] == [LEAVER, LEAVER_EN]
    assert len(slack.function_results_for(execution_id)) == 1
    assert "outputs" in slack.function_results_for(execution_id)[0]


def test_a_step_a_dead_process_acknowledged_is_finished_after_the_restart_once(settings, slack):
    """The process died after storing the registration and before telling Slack: the replay finds
    its own registration and completes the step with it; nobody is registered twice."""
    from tests.conftest import Harness

    harness = Harness(settings, slack).start(inbox_lease_seconds=1)
    try:
        last_day = harness.in_working_days(30)
        execution_id = "Fx0HALFDONE1"
        body = {
            "token": "legacy-verification-token", "team_id": "T0EXAMPLE", "api_app_id": "A0EXITBOT",
            "type": "event_callback", "event_id": "Ev0HALFDONE", "event_time": 1_700_000_000,
            "event": {"type": "function_executed", "function": {"callback_id": STEP, "type": "app"},
                      "inputs": {"leaver": LEAVER, "last_working_day": last_day.isoformat(),
                                 "registered_by": SlackUserAgent.user_context(HR)},
                      "function_execution_id": execution_id, "workflow_execution_id": "Wx0HALFDONE1",
                      "event_ts": "1700000000.000001", "bot_access_token": slack.function_token(execution_id)},
        }
        # What the process did before it died: the registration, by the same HR member.
        harness.register(LEAVER, last_day)
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        with harness.services.db.session() as session:
            store.accept_request(session, natural_key(body)[1], "event", body, long_ago, long_ago)
        result = slack.wait_for(lambda: slack.function_results_for(execution_id), 10, "the step completed")
        assert result[0]["outputs"]["status"] == "registered"
        with harness.services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(Departure)) == 1
            slack.wait_for(lambda: all(r.handled_at for r in session.scalars(select(InboxRequest))), 5, "handled")
    finally:
        harness.stop()
    assert len(slack.function_results_for(execution_id)) == 1


def test_a_step_is_keyed_by_its_execution_not_by_the_event_id():
    body = {"type": "event_callback", "event_id": "Ev1",
            "event": {"type": "function_executed", "function_execution_id": "Fx1"}}
    assert natural_key(body) == natural_key({**body, "event_id": "Ev2"})
    assert natural_key(body) != natural_key({**body, "event": {**body["event"], "function_execution_id": "Fx2"}})
    assert natural_key({**body, "event": {"type": "function_executed"}}) is None


def test_the_step_runs_over_socket_mode_too(settings, slack):
    """Socket Mode is the manifest's default: the step arrives as an events_api envelope."""
    from tests.test_socket_mode import SocketModeHarness

    harness = SocketModeHarness(settings, slack).start()
    try:
        result = run_step(harness, leaver=LEAVER, last_working_day=harness.in_working_days(30).isoformat())
        assert result["outputs"]["status"] == "registered"
        assert [d.employee_id for d in departures(harness)] == [LEAVER]
    finally:
        harness.stop()
