"""The Workflow Builder step's messages to HR: the card of a run that waits for HR, and the list of
trusted workflows (`/exit-interview workflows`). Pure: data in, Block Kit out."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks.text import dicts, escape, mention, shorten
from bot.i18n import Translator
from storage.models import WorkflowRun

REGISTER_ACTION = "workflow:register"
REFUSE_ACTION = "workflow:refuse"
TRUST_ACTION = "workflow:trust"
UNTRUST_ACTION = "workflow:untrust"
MAX_LISTED = 40  # a message holds 50 blocks


def workflow_named(workflow_id: str | None, name: str | None) -> str:
    """The workflow within a sentence: *name* (`id`), or `id` (the name escaped: its author chose it)."""
    if name and workflow_id:
        return f"*{escape(shorten(name, 100))}* (`{escape(workflow_id)}`)"
    return f"`{escape(workflow_id or '?')}`"


def workflow_label(_: Translator, workflow_id: str | None, name: str | None) -> str:
    """The workflow as HR reads it: its name (escaped: a workflow's author chose it) and its id."""
    if name and workflow_id:
        return _("workflow.label.named", name=escape(shorten(name, 100)), id=escape(workflow_id))
    if workflow_id:
        return _("workflow.label.id", id=escape(workflow_id))
    return _("workflow.label.unknown")


def run_card(_: Translator, run: WorkflowRun, tz: ZoneInfo) -> tuple[str, list[dict]]:
    """What a workflow asked, and HR's three buttons; once decided (or expired), the outcome."""
    workflow = workflow_label(_, run.workflow_id, run.workflow_name)
    lines = [_("workflow.card.text", workflow=workflow, employee=mention(run.employee_id),
               last_day=_.date(run.last_day))]
    if run.manager_id:
        lines.append(_("workflow.card.manager", user=mention(run.manager_id)))
    if run.interviewer_id:
        lines.append(_("workflow.card.interviewer", user=mention(run.interviewer_id)))
    blocks: list = [HeaderBlock(text=shorten(_("workflow.card.header"), 150)),
                    SectionBlock(block_id=f"workflow-run-{run.id}-asked",
                                 text=MarkdownTextObject(text="\n".join(lines)))]
    fallback = _("workflow.card.fallback", employee=mention(run.employee_id))
    if run.status == "pending":
        buttons = [
            ButtonElement(text=_("workflow.card.register"), action_id=REGISTER_ACTION, value=str(run.id),
                          style="primary"),
            ButtonElement(text=_("workflow.card.refuse"), action_id=REFUSE_ACTION, value=str(run.id), style="danger"),
        ]
        if run.workflow_id:
            buttons.append(ButtonElement(text=_("workflow.card.trust"), action_id=TRUST_ACTION, value=str(run.id)))
        blocks.append(ActionsBlock(block_id=f"workflow-run-{run.id}", elements=buttons))
        note = _("workflow.card.why", moment=_.moment(run.expires_at.astimezone(tz)))
        if not run.workflow_id:
            note += " " + _("workflow.card.no_id")
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
        return fallback, dicts(blocks)
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_outcome(_, run))))
    return fallback, dicts(blocks)


def _outcome(_: Translator, run: WorkflowRun) -> str:
    who = mention(run.decided_by)
    if run.status == "registered":
        return ":white_check_mark: " + _("workflow.card.done.registered", user=who, employee=mention(run.employee_id))
    if run.status == "expired":
        return ":hourglass: " + _("workflow.card.done.expired")
    if run.status == "refused":
        return ":no_entry_sign: " + _("workflow.card.done.refused", user=who)
    if run.status == "rejected":  # the registration's own refusal, as the step reports it
        return ":no_entry_sign: " + _("workflow.card.done.rejected", user=who) + "\n" + (run.error or "")
    return ":hourglass_flowing_sand: " + _("workflow.card.done.deciding", user=who)


def trusted_message(_: Translator, rows: list[tuple[int, str, str | None, str, datetime]], waiting: int,
                    tz: ZoneInfo) -> tuple[str, list[dict]]:
    """`rows`: (trust id, workflow id, name, trusted by, since)."""
    title = _("workflow.list.header", count=len(rows))
    blocks: list = [HeaderBlock(text=shorten(title, 150))]
    if not rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("workflow.list.empty"))))
    for trust_id, workflow_id, name, by, since in rows[:MAX_LISTED]:
        blocks.append(SectionBlock(
            text=MarkdownTextObject(text=_("workflow.list.row", workflow=workflow_label(_, workflow_id, name),
                                           user=mention(by), date=_.date(since.astimezone(tz).date()))),
            accessory=ButtonElement(text=_("workflow.list.untrust"), action_id=UNTRUST_ACTION, value=str(trust_id)),
        ))
    if len(rows) > MAX_LISTED:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=_("workflow.list.more", count=len(rows) - MAX_LISTED))]))
    notes = [_("workflow.list.waiting", count=waiting)] if waiting else []
    notes.append(_("workflow.list.footer"))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    return title, dicts(blocks)
