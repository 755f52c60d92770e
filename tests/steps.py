"""Reusable user stories for end-to-end tests: a leaver going through the whole questionnaire."""

from __future__ import annotations


def latest(slack, employee):
    """The newest message in the DM that asks something (has buttons or menus)."""
    for message in reversed(slack.dms_to(employee)):
        if any(b["type"] == "actions" or "accessory" in b for b in message.blocks):
            return message
    raise AssertionError("no interactive message in the DM")


def click(harness, employee, action_id, **kwargs):
    message = latest(harness.slack, employee)
    reply = harness.user.click(employee, message, action_id, **kwargs)
    assert reply.status == 200
    return message


def invite(harness, employee, manager=None, working_days=2):
    harness.register(employee, harness.in_working_days(working_days), manager=manager)
    invitation = harness.invitation_for(employee)
    harness.wait_for_stage(employee, "invited")
    return invitation


RATINGS = ("working_conditions", "work_content", "working_relations", "employment_terms", "manager_support")


def interview_id_of(message) -> str:
    """The interview a questionnaire message belongs to (every button value starts with it)."""
    for block in message.blocks:
        for element in block.get("elements") or ([block["accessory"]] if "accessory" in block else []):
            if str(element.get("action_id", "")).startswith("q:") and "|" in str(element.get("value", "")):
                return element["value"].split("|")[0]
    raise AssertionError("not a questionnaire message")


def choose(harness, employee, question_id: str, choice) -> object:
    """Click the button for `choice` in the row of `question_id` of the step asked now."""
    message = latest(harness.slack, employee)
    wanted = f"{interview_id_of(message)}|{question_id}|{choice}"
    reply = harness.user.click(employee, message, f"q:choose:{choice}", value=wanted)
    assert reply.status == 200
    return message


def last_view(harness):
    return list(harness.slack.workspace.views.values())[-1]


def fill_step(harness, employee, values: dict, *, action_id: str = "q:form", message=None, value=None):
    """Open the form of the step asked now (or, from the summary, `q:change` with `value`) and send it
    with `values` (block id: value; what is not named keeps its initial value)."""
    message = message or latest(harness.slack, employee)
    opened = len(harness.slack.workspace.views)
    assert harness.user.click(employee, message, action_id, value=value).status == 200
    assert len(harness.slack.workspace.views) > opened, "no form opened"
    reply = harness.user.submit_view(employee, last_view(harness), values)
    assert reply.status == 200
    return reply


def answer_everything(
    harness,
    employee,
    *,
    consent: bool = True,
    manager_consent: bool | None = None,
    improvements: str | None = None,
    ratings=(4, 3, 4, 2, 5),
    reasons=("pay",),
    recommend: int = 7,
    come_back: str = "maybe",
    manager=None,
    submit: bool = True,
    where: dict | None = None,
):
    """Invite, accept and answer the standard questionnaire; returns the summary message.

    `where`: answers to the questions about the new job (destination_type, attractions).

    `manager_consent`: the answer to the separate manager-feedback question (None skips it)."""
    invitation = invite(harness, employee, manager=manager)
    harness.user.click(employee, invitation, "invitation.answer")
    slack = harness.slack
    for question_id, score in zip(RATINGS, ratings, strict=True):  # None skips that rating
        if score is not None:
            choose(harness, employee, question_id, score)
    if None in ratings:
        click(harness, employee, "q:next")
    fill_step(harness, employee, {"reasons": list(reasons), "reason_main": reasons[0] if len(reasons) > 1 else None,
                                  **(where or {})})
    fill_step(harness, employee, {
        "improvements": improvements,
        "recommend": str(recommend),
        "come_back": come_back,
        "consent": "yes" if consent else "no",
        "manager_feedback": None if manager_consent is None else ("yes" if manager_consent else "no"),
    })
    summary = latest(slack, employee)
    if submit:
        harness.user.click(employee, summary, "q:submit")
        harness.wait_for_stage(employee, "submitted")
    return summary
