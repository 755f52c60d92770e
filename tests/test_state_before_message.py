"""State before message: a message that offers an action is posted only once the state it refers to
is committed, so a click that arrives within milliseconds of the post works."""

from __future__ import annotations

import threading

from storage.models import Departure
from tests.conftest import LEAVER


def click_as_soon_as_posted(slack, harness, employee: str, action_id: str, marker: str):
    """The moment Slack has taken the message carrying `marker` (before the bot even has Slack's
    answer), the person clicks `action_id` on it. Returns a dict that gets the click's reply."""
    original = slack.handle
    outcome: dict = {}
    started, done = threading.Event(), threading.Event()

    def handle(method, params, token):
        result = original(method, params, token)
        if method == "chat.postMessage" and marker in str(params.get("blocks")) and not started.is_set():
            started.set()
            message = slack.dms_to(employee)[-1]
            outcome["reply"] = harness.user.click(employee, message, action_id)
            done.set()
        return result

    slack.handle = handle
    return outcome, done


def test_answer_here_clicked_the_instant_the_invitation_arrives_starts_the_questionnaire(harness, slack):
    outcome, clicked = click_as_soon_as_posted(slack, harness, LEAVER, "invitation.answer", "invitation.answer")
    harness.register(LEAVER, harness.in_working_days(2))
    assert clicked.wait(10), "the invitation never came"

    assert outcome["reply"].status == 200
    harness.wait_for_stage(LEAVER, "answering")
    with harness.services.db.session() as session:
        departure = session.query(Departure).one()
        assert departure.choice == "answer"
    assert not [r for r in slack.workspace.responses if "keuze al gemaakt" in str(r.get("text"))]
    slack.wait_for(lambda: any("*Stap 1 van 3*" in str(m.blocks) for m in slack.dms_to(LEAVER)), 10,
                   "the first question")


def test_a_question_answered_the_instant_it_arrives_is_recorded_and_the_next_one_follows(harness, slack):
    harness.register(LEAVER, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER)
    outcome, clicked = click_as_soon_as_posted(slack, harness, LEAVER, "q:choose:4", "*Stap 1 van 3*")
    assert harness.user.click(LEAVER, invitation, "invitation.answer").status == 200
    assert clicked.wait(10), "the first question never came"

    assert outcome["reply"].status == 200
    slack.wait_for(lambda: any(":white_check_mark: 4 · Goed" in str(m.blocks) for m in slack.dms_to(LEAVER)), 10,
                   "the rating shown in the step")
    from tests.test_crash import stored

    _status, answers = stored(harness.settings.database_url)
    assert answers == {"working_conditions": {"value": 4, "comment": None}}
    assert not [r for r in slack.workspace.responses if "eerdere stap" in str(r.get("text"))]
