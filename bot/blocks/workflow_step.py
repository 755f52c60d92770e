"""The Workflow Builder step's messages to HR: the card of a run that waits for HR, the approval codes
(`/exit-interview workflows`), and a new code shown once. Pure: data in, Block Kit out."""

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
UNTRUST_ACTION = "workflow:untrust"
MAX_LISTED = 40  # a message holds 50 blocks


def workflow_named(name: str | None) -> str:
    """An approval code within a sentence, by the name HR gave it (escaped)."""
    return f"*{escape(shorten(name, 100))}*" if name else "`?`"


def run_card(_: Translator, run: WorkflowRun, tz: ZoneInfo) -> tuple[str, list[dict]]:
    """What a workflow asked, and HR's two buttons; once decided (or expired), the outcome."""
    lines = [_("workflow.card.text", employee=mention(run.employee_id), last_day=_.date(run.last_day))]
    if run.manager_id:
        lines.append(_("workflow.card.manager", user=mention(run.manager_id)))
    if run.interviewer_id:
        lines.append(_("workflow.card.interviewer", user=mention(run.interviewer_id)))
    if run.unknown_code:
        lines.append(":warning: " + _("workflow.card.unknown_code"))
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
        blocks.append(ActionsBlock(block_id=f"workflow-run-{run.id}", elements=buttons))
        note = _("workflow.card.why", moment=_.moment(run.expires_at.astimezone(tz)))
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


def trusted_message(_: Translator, rows: list[tuple[int, str, str, datetime]], waiting: int,
                    tz: ZoneInfo) -> tuple[str, list[dict]]:
    """`rows`: (trust id, the code's name, created by, since)."""
    title = _("workflow.list.header", count=len(rows))
    blocks: list = [HeaderBlock(text=shorten(title, 150))]
    if not rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("workflow.list.empty"))))
    for trust_id, name, by, since in rows[:MAX_LISTED]:
        blocks.append(SectionBlock(
            text=MarkdownTextObject(text=_("workflow.list.row", name=workflow_named(name),
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


def new_code_message(_: Translator, name: str, code: str) -> tuple[str, list[dict]]:
    """The approval code, shown once to the HR member who created it."""
    text = _("workflow.code.created", name=workflow_named(name), code=f"`{escape(code)}`")
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text)),
                        ContextBlock(elements=[MarkdownTextObject(text=_("workflow.code.once"))])])
