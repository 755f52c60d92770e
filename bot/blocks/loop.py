""""You said, we did": HR's modal to record an action, the digest's list of actions, the report's
before/after numbers per action, and HR's view of the audit log."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.digest import category_label, decimal, packed_sections, percent, reason_label, reason_labels
from bot.blocks.text import dicts, escape, mention, shorten
from bot.i18n import Translator
from flows.loop import GENERAL
from flows.template import Template

LOOP_CALLBACK = "loop_action"
RECORD_ACTION = "loop:record"
FIELD = "value"
BLOCK_WHAT, BLOCK_WHEN, BLOCK_OWNER, BLOCK_SUBJECT = "what", "done_on", "owner", "subject"
SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def subject_label(_: Translator, template: Template | None, subject: str) -> str:
    """A signal subject as mrkdwn: "Werkinhoud", "Reden: Salaris", or "Algemeen"."""
    kind, _sep, name = subject.partition(":")
    if kind == "category":
        return category_label(_, name)
    if kind == "reason":
        labels = reason_labels(template, _.language) if template is not None else {}
        return _("loop.subject.reason", reason=reason_label(labels, name))
    return _("loop.subject.general")


def record_button(_: Translator) -> ButtonElement:
    return ButtonElement(text=_("loop.button.record"), action_id=RECORD_ACTION, value="new")


def action_modal(_: Translator, *, template: Template | None, subjects: Sequence[str], today: date,
                 owner_id: str) -> dict:
    options = [Option(value=GENERAL, text=shorten(_("loop.subject.general"), 75))]
    options += [Option(value=subject, text=shorten(_plain(subject_label(_, template, subject)), 75))
                for subject in subjects[:99]]
    return View(
        type="modal",
        callback_id=LOOP_CALLBACK,
        title=_("loop.modal.title"),
        submit=_("loop.modal.submit"),
        close=_("loop.modal.close"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=_("loop.modal.intro"))),
            InputBlock(block_id=BLOCK_WHAT, label=_("loop.field.what"),
                       element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=500)),
            InputBlock(block_id=BLOCK_WHEN, label=_("loop.field.when"),
                       element=DatePickerElement(action_id=FIELD, initial_date=today.isoformat())),
            InputBlock(block_id=BLOCK_OWNER, label=_("loop.field.owner"), hint=_("loop.hint.owner"),
                       element=UserSelectElement(action_id=FIELD, initial_user=owner_id)),
            InputBlock(block_id=BLOCK_SUBJECT, label=_("loop.field.subject"), optional=True,
                       element=StaticSelectElement(action_id=FIELD, options=options, initial_option=options[0])),
        ],
    ).to_dict()


def _plain(mrkdwn: str) -> str:
    """A label for a plain-text option: the escapes and markup undone."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("*", "")


def form_values(values: dict) -> dict[str, str | None]:
    def field(block: str) -> dict:
        return (values.get(block) or {}).get(FIELD) or {}

    option = field(BLOCK_SUBJECT).get("selected_option") or {}
    return {
        "what": field(BLOCK_WHAT).get("value"),
        "done_on": field(BLOCK_WHEN).get("selected_date"),
        "owner_id": field(BLOCK_OWNER).get("selected_user"),
        "subject": option.get("value"),
    }


# -- the digest ------------------------------------------------------------------------------------------


def said_did_blocks(_: Translator, actions: Sequence) -> list:
    """ "You said, we did": what was done and when, with its owner (never a leaver) as a mention."""
    if not actions:
        return []
    lines = []
    for action in actions:
        line = _("loop.digest.line", what=escape(action.what), date=_.date(action.done_on))
        if not action.owner_is_leaver:
            line += " · " + _("loop.digest.owner", owner=mention(action.owner_id))
        lines.append(line)
    return [DividerBlock(), *packed_sections(_("loop.digest.title"), lines)]


# -- the report ------------------------------------------------------------------------------------------


def movement_blocks(_: Translator, template: Template | None, movements: Sequence) -> list:
    """Per action with a subject: the number before and after its day, with n; the record button."""
    blocks: list = [DividerBlock()]
    if movements:
        lines = [_movement_line(_, template, movement) for movement in movements]
        blocks += packed_sections(_("loop.report.title"), lines)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("loop.report.note", minimum=3))]))
    blocks.append(ActionsBlock(block_id="loop-report", elements=[record_button(_)]))
    return blocks


def _value(_: Translator, kind: str, value: float | None) -> str:
    if value is None:
        return "–"
    return percent(_, value) if kind == "reason" else decimal(_, value)


def _movement_line(_: Translator, template: Template | None, movement) -> str:
    action = movement.action
    head = _("loop.report.action", subject=subject_label(_, template, action.subject),
             what=escape(shorten(action.what, 200)), date=_.date(action.done_on))
    if not movement.enough:
        numbers = _("loop.report.not_enough", before_n=movement.before_n, after_n=movement.after_n)
    else:
        numbers = _("loop.report.moved", before=_value(_, movement.kind, movement.before), before_n=movement.before_n,
                    after=_value(_, movement.kind, movement.after), after_n=movement.after_n)
    return f"• {head}\n    {numbers}"


# -- the audit log ---------------------------------------------------------------------------------------


# Every action the audit log records (the `action` column), each told as a sentence in both
# languages; an action this version does not know yet still reads as a sentence, naming it.
AUDIT_ACTIONS = (
    "answers_viewed", "record_exported", "interviews_exported", "review_decided", "setting_changed",
    "template_activated", "manager_view_shared", "loop_action_recorded", "access", "erase", "purge", "keys_rotate",
    "workflow_registered", "workflow_auto_registered", "workflow_refused", "workflow_expired",
    "workflow_trusted", "workflow_untrusted",
)
# Who acted, when it was not a person in Slack.
_ACTORS = {"cli": "audit.actor.cli", "scheduler": "audit.actor.scheduler", "purged": "audit.actor.purged"}


def _who(_: Translator, value: str | None) -> str:
    if not value:
        return _("audit.actor.unknown")
    if value in _ACTORS:
        return _(_ACTORS[value])
    return mention(value) if SLACK_ID.match(value) else f"`{escape(value)}`"


def audit_sentence(_: Translator, action: str, actor: str | None, subject: str | None, detail: dict | None) -> str:
    """One entry in words: who did what, about whom."""
    detail = detail if isinstance(detail, dict) else {}
    who, whom = _who(_, actor), _who(_, subject)
    if action == "review_decided":
        if detail.get("decision") == "private":
            return _("audit.review_private", who=who, subject=whom)
        if detail.get("inform_manager"):
            key = "audit.review_approved_message" if detail.get("manager_message") else "audit.review_approved_told"
            return _(key, who=who, subject=whom)
        return _("audit.review_approved", who=who, subject=whom)
    if action == "setting_changed":
        from bot.blocks.settings import show
        from bot.hr_settings import BY_KEY

        setting = BY_KEY.get(str(detail.get("setting")))
        if setting is None:
            return _("audit.setting_changed_other", who=who)
        return _("audit.setting_changed", who=who, setting=_(f"settings.field.{setting.key}"),
                 old=show(_, setting, _stored_value(detail.get("old"))),
                 new=show(_, setting, _stored_value(detail.get("new"))))
    if action == "interviews_exported":
        return _("audit.interviews_exported", who=who, count=_count(detail.get("count")))
    if action == "template_activated":
        return _("audit.template_activated", who=who, template=f"`{escape(str(detail.get('key', '')))}`",
                 version=escape(str(detail.get("version", ""))))
    if action == "manager_view_shared":
        return _("audit.manager_view_shared", who=who, subject=whom, period=_period(_, detail))
    if action == "purge":
        departures = detail.get("departures")
        count = len(departures) if isinstance(departures, list) else _count(departures)
        return _("audit.purge", who=who, count=count)
    if action in ("workflow_trusted", "workflow_untrusted"):
        from bot.blocks.workflow_step import workflow_named

        name = detail.get("name")
        return _(f"audit.{action}", who=who, workflow=workflow_named(name if isinstance(name, str) else None))
    if action == "keys_rotate":
        if detail.get("new_key_generated"):
            return _("audit.keys_new", who=who)
        return _("audit.keys_rotate", who=who, count=_count(detail.get("rotated")))
    if action in AUDIT_ACTIONS:
        return _(f"audit.{action}", who=who, subject=whom)
    return _("audit.other", who=who, action=f"`{escape(action)}`", subject=whom)


def _stored_value(value):
    """A setting's value as the audit log keeps it (JSON): a list of ids becomes a set again."""
    return frozenset(value) if isinstance(value, list) else value


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _period(_: Translator, detail: dict) -> str:
    try:
        start, end = date.fromisoformat(str(detail.get("from"))), date.fromisoformat(str(detail.get("to")))
    except ValueError:
        return "–"
    return f"{_.date(start)} – {_.date(end)}"


def audit_message(_: Translator, entries: Sequence[tuple[datetime, str, str, str | None, dict | None]],
                  tz: ZoneInfo) -> tuple[str, list[dict]]:
    """The latest entries, newest first: when, and who did what about whom, in words."""
    title = _("audit.title", count=len(entries))
    if not entries:
        return title, plain(f"{title}\n{_('audit.empty')}")
    lines = [f"• {_.moment(at.astimezone(tz))} · {audit_sentence(_, action, actor, subject, detail)}"
             for at, actor, action, subject, detail in entries]
    blocks = packed_sections(title, lines)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("audit.note"))]))
    return title, dicts(blocks)


def plain(text: str) -> list[dict]:
    return dicts([SectionBlock(text=MarkdownTextObject(text=text))])
