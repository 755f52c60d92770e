"""Reusable user stories for end-to-end tests: a leaver going through the whole questionnaire."""

from __future__ import annotations

from bot.emulator.client import menu_state


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
):
    """Invite, accept and answer the standard questionnaire; returns the summary message.

    `manager_consent`: the answer to the separate manager-feedback question (None skips it)."""
    invitation = invite(harness, employee, manager=manager)
    harness.user.click(employee, invitation, "invitation.answer")
    slack = harness.slack
    for score in ratings:  # None skips that rating
        click(harness, employee, f"q:choose:{score}" if score is not None else "q:skip")
    if improvements:
        harness.user.dm(employee, improvements)
    else:
        click(harness, employee, "q:skip")
    click(harness, employee, "q:skip")  # strengths
    message = latest(slack, employee)
    harness.user.click(employee, message, "q:confirm", state=menu_state(message, "q:multi", list(reasons)))
    click(harness, employee, "q:skip")  # reasons_detail
    if len(reasons) > 1:
        click(harness, employee, f"q:choose:{reasons[0]}")
    click(harness, employee, "q:skip")  # destination
    click(harness, employee, "q:skip")  # competitor_offer
    click(harness, employee, f"q:choose:{recommend}")
    click(harness, employee, f"q:choose:{come_back}")
    click(harness, employee, "q:skip")  # anything_else
    click(harness, employee, "q:choose:yes" if consent else "q:choose:no")
    if manager_consent is None:
        click(harness, employee, "q:skip")  # manager_feedback
    else:
        click(harness, employee, "q:choose:yes" if manager_consent else "q:choose:no")
    summary = latest(slack, employee)
    if submit:
        harness.user.click(employee, summary, "q:submit")
        harness.wait_for_stage(employee, "submitted")
    return summary
