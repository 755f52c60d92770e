"""Bad input and abuse: whatever arrives at /slack/events gets a clear answer and changes nothing
it should not. Payloads are signed properly, so they reach the listeners."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.models import Departure, Interview
from tests.conftest import COLLEAGUE, HR, LEAVER, LEAVER_EN
from tests.steps import click, invite, latest

HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def departures(harness) -> int:
    with harness.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Departure))


nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<!channel>",
            "<!here|here>",
            "<@U0ROOT|admin>",
            "*bold* _it_ ~s~ `code`",
            "\x00\x01\x1b[31m",
            "‮evil",
            "start <@UNOBODY> 2026-02-30",
            "start <@ULEAVER01> 2026-12-20 <@ULEAVER01> extra",
            "cancel",
            "x" * 40_000,
            "start\t<@ULEAVER01>\n2027-01-05",
            "report 2027-01-01 2026-01-01",
            "notes <#C123|general>",
        ]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=HEALTH)
@given(text=nasty_text)
def test_any_command_text_gets_an_answer_and_only_valid_registrations_are_stored(harness, text):
    before = departures(harness)
    responses = len(harness.slack.workspace.responses)
    reply = harness.user.slash(COLLEAGUE, text)
    assert reply.status == 200
    assert len(harness.slack.workspace.responses) == responses + 1
    answer = harness.slack.workspace.responses[-1]
    assert "alleen HR" in answer["text"] or "notes" in text.lower() or "notities" in text.lower()
    assert departures(harness) == before
    for shown in (answer["text"], json.dumps(answer.get("blocks", []))):
        assert "<!channel>" not in shown and "<!here" not in shown and "<@U0ROOT" not in shown


@settings(max_examples=30, deadline=None, suppress_health_check=HEALTH)
@given(text=nasty_text)
def test_hr_commands_with_garbage_never_fail_and_never_echo_mentions(harness, text):
    reply = harness.user.slash(HR, text)
    assert reply.status == 200
    answer = harness.slack.workspace.responses[-1]
    for shown in (answer.get("text") or "", json.dumps(answer.get("blocks", []))):
        assert "<!channel>" not in shown and "<@U0ROOT" not in shown


def test_malformed_and_partial_payloads_are_answered_without_changes(harness, slack):
    agent = harness.user
    bodies = [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("payload=" + json.dumps({"type": "block_actions"}), "application/x-www-form-urlencoded"),
        (
            "payload="
            + json.dumps({"type": "block_actions", "user": {"id": HR}, "actions": [{"action_id": "review:approve"}]}),
            "application/x-www-form-urlencoded",
        ),
        (
            "payload="
            + json.dumps(
                {
                    "type": "view_submission",
                    "user": {"id": HR},
                    "view": {
                        "type": "modal",
                        "callback_id": "register_departure",
                        "state": {"values": {"employee": {}}},
                    },
                }
            ),
            "application/x-www-form-urlencoded",
        ),
        ('{"type": "event_callback", "event": {}}', "application/json"),
        ('{"type": "event_callback", "event": {"type": "message", "channel_type": "im"}}', "application/json"),
        ("command=%2Fexit-interview", "application/x-www-form-urlencoded"),
    ]
    for body, content_type in bodies:
        reply = agent.post(body, content_type)
        assert reply.status < 500, (reply.status, body[:80])
    assert departures(harness) == 0


def test_forged_ids_cannot_touch_other_peoples_interviews(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:choose:4")
    question = latest(slack, LEAVER)
    with harness.services.db.session() as session:
        interview_id = session.scalars(select(Interview.id)).one()
        before = dict(session.get(Interview, interview_id).state["answers"])

    forged = [
        ("q:choose:1", f"{interview_id}|work_content|1"),  # someone else's interview
        ("q:next", f"{interview_id}|work_content|"),
        ("q:choose:1", "1|../../etc|1"),
        ("q:choose:1", "-1|work_content|1"),
        ("q:choose:1", f"{interview_id}|work_content|" + "9" * 5000),
    ]
    for action_id, value in forged:
        harness.user.click(LEAVER_EN, question, action_id, value=value)
        harness.user.click(LEAVER, question, action_id, value=value) if not value.startswith(
            str(interview_id)
        ) else None
    harness.user.click(LEAVER_EN, slack.dms_to(LEAVER)[1], "q:withdraw")  # the intro's Withdraw, by someone else
    with harness.services.db.session() as session:
        interview = session.get(Interview, interview_id)
        assert interview.state["answers"] == before and interview.status == "in_progress"


def test_forged_modal_metadata_is_refused(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:next")
    click(harness, LEAVER, "q:form")  # the form of the second step
    view = list(slack.workspace.views.values())[-1]
    for metadata in ("", "abc", "999|reasons", "1|consent", "1|nonexistent", "1|reasons"):
        forged = {**view, "private_metadata": metadata}
        reply = harness.user.submit_view(
            LEAVER_EN if metadata == "1|reasons" else LEAVER, forged, {"reasons_detail": "<!channel> hacked"}
        )
        assert reply.status == 200
        assert reply.json() and reply.json()["response_action"] == "errors"
    with harness.services.db.session() as session:
        assert "reasons_detail" not in session.scalars(select(Interview)).one().state["answers"]


def test_a_40_kb_answer_is_refused_kindly_and_nothing_is_lost(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    for _ in range(2):
        click(harness, LEAVER, "q:next")
    harness.user.dm(LEAVER, "lang verhaal " * 3500)
    reply = slack.dms_to(LEAVER)[-1]
    assert "inkorten" in reply.text and "chat hierboven" in reply.text
    harness.user.dm(LEAVER, "Korter: meer overleg.")
    with harness.services.db.session() as session:
        assert session.scalars(select(Interview)).one().state["answers"]["improvements"] == {
            "value": "Korter: meer overleg."
        }
