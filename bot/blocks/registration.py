"""HR's side of registering a departure: the modal, the confirmation, help and the list."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.digest import packed_sections
from bot.blocks.text import dicts, escape, mention
from bot.i18n import LANGUAGES, Translator
from flows.open_departures import GROUPS
from flows.registration import MAX_PROFILE_TEXT, Offer, Problem

REGISTER_CALLBACK = "register_departure"
MAX_LIST_ROWS = 100  # well within a message's ~13k characters; the rest is counted under the list
FIELD = "value"  # the action_id of every input in the modal


def registration_modal(_: Translator, *, hr_user_id: str, default_language: str) -> dict:
    """The last working day has no default: a default of today registered "last day is today" unnoticed."""
    languages = [Option(value=code, text=_(f"language.{code}")) for code in LANGUAGES]
    offers = [Option(value=offer.value, text=_(f"offer.{offer.value}")) for offer in Offer]
    return View(
        type="modal",
        callback_id=REGISTER_CALLBACK,
        title=_("register.modal.title"),
        submit=_("register.modal.submit"),
        close=_("register.modal.close"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=_("register.modal.intro"))),
            InputBlock(block_id="employee", label=_("register.field.employee"),
                       element=UserSelectElement(action_id=FIELD, placeholder=_("register.placeholder.person"))),
            InputBlock(block_id="last_day", label=_("register.field.last_day"),
                       hint=_("register.hint.last_day"),
                       element=DatePickerElement(action_id=FIELD, placeholder=_("register.placeholder.last_day"))),
            InputBlock(block_id="manager", label=_("register.field.manager"), optional=True,
                       element=UserSelectElement(action_id=FIELD, placeholder=_("register.placeholder.person"))),
            InputBlock(block_id="interviewer", label=_("register.field.interviewer"),
                       element=UserSelectElement(action_id=FIELD, initial_user=hr_user_id)),
            InputBlock(block_id="language", label=_("register.field.language"),
                       hint=_("register.hint.language"),
                       element=StaticSelectElement(action_id=FIELD, options=languages,
                                                   initial_option=languages[LANGUAGES.index(default_language)])),
            InputBlock(block_id="offer", label=_("register.field.offer"),
                       element=RadioButtonsElement(action_id=FIELD, options=offers, initial_option=offers[0])),
            *profile_inputs(_),
        ],
    ).to_dict()


def profile_inputs(_: Translator) -> list[InputBlock]:
    """Optional: department, role and start date, for HR's breakdowns (else from the Slack profile)."""
    return [
        InputBlock(block_id="department", label=_("register.field.department"), optional=True,
                   hint=_("register.hint.profile"),
                   element=PlainTextInputElement(action_id=FIELD, max_length=MAX_PROFILE_TEXT)),
        InputBlock(block_id="role", label=_("register.field.role"), optional=True,
                   element=PlainTextInputElement(action_id=FIELD, max_length=MAX_PROFILE_TEXT)),
        InputBlock(block_id="started_on", label=_("register.field.started_on"), optional=True,
                   element=DatePickerElement(action_id=FIELD)),
    ]


def problems_text(_: Translator, problems: tuple[Problem, ...] | list[Problem]) -> str:
    return "\n".join(f"• {_(p.key, **_params(_, p.params))}" for p in problems)


DATE_PARAMS = ("date", "start", "end")


def _params(_: Translator, params: dict[str, object]) -> dict[str, object]:
    """Problem parameters made safe for mrkdwn; ISO dates written the reader's way; counts stay numbers
    (they choose a plural form)."""
    shown: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, int):
            shown[key] = value
            continue
        if key in DATE_PARAMS:
            with contextlib.suppress(ValueError, TypeError):
                value = _.date(date.fromisoformat(value))
        shown[key] = escape(str(value))
    return shown


def refused_message(_: Translator, problems: tuple[Problem, ...] | list[Problem]) -> tuple[str, list[dict]]:
    text = _("register.refused") + "\n" + problems_text(_, problems)
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def registered_message(
    _: Translator, *, employee_id: str, last_day: date, invite_local: datetime, immediate: bool,
    warnings: tuple[Problem, ...],
) -> tuple[str, list[dict]]:
    key = "register.done.now" if immediate else "register.done.planned"
    text = _(key, employee=mention(employee_id), last_day=_.date(last_day), moment=_.moment(invite_local))
    blocks = [SectionBlock(text=MarkdownTextObject(text=text))]
    if warnings:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=":warning: " + problems_text(_, warnings))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("register.done.next"))]))
    return text, dicts(blocks)


def help_message(_: Translator, unknown: str | None = None) -> tuple[str, list[dict]]:
    blocks = []
    if unknown:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("help.unknown", command=escape(unknown)))))
    blocks += [
        HeaderBlock(text=_("help.header")),
        SectionBlock(text=MarkdownTextObject(text=_("help.commands"))),
        ContextBlock(elements=[MarkdownTextObject(text=_("help.footer"))]),
    ]
    return _("help.header"), dicts(blocks)


def departures_message(_: Translator, rows: list[dict]) -> tuple[str, list[dict]]:
    """`rows`: employee_id, last_day, stage (as HR reads it), invite_local (a local datetime); shown
    under a heading per stage, in the order HR acts on them (flows.open_departures.GROUPS)."""
    if not rows:
        text = _("list.empty")
        return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
    title = _("list.header", count=len(rows))
    blocks: list = [HeaderBlock(text=title)]
    shown = 0
    for stage in GROUPS:
        group = [row for row in rows if row["stage"] == stage]
        room = MAX_LIST_ROWS - shown
        if not group or room <= 0:
            continue
        lines = [_("home.row", employee=mention(row["employee_id"]), last_day=_.date(row["last_day"]),
                   next=_next_step(_, row)) for row in group[:room]]
        shown += len(lines)
        heading = _("list.group", stage=_(f"home.stage.{stage}"), count=len(group))
        blocks += packed_sections(heading, lines)
    if len(rows) > shown:
        blocks.append(DividerBlock())
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("list.more", count=len(rows) - shown))]))
    return title, dicts(blocks[:50])


def _next_step(_: Translator, row: dict) -> str:
    if row["stage"] == "registered":
        return _("list.next.registered", moment=_.moment(row["invite_local"]))
    if row["stage"] == "invited":
        return _("list.next.invited", moment=_.moment(row["invite_local"]))
    return _(f"home.next.{row['stage']}")


def cancelled_message(_: Translator, outcome) -> tuple[str, list[dict]]:
    """HR's confirmation of a cancellation, saying what happened to the invitation
    (`outcome`: bot.operations.registration.CancelOutcome)."""
    employee = mention(outcome.employee_id)
    if outcome.answers_deleted:
        detail = _("cancel.what.answering", employee=employee)
    elif outcome.stage == "talk_requested":
        detail = _("cancel.what.talk", employee=employee, interviewer=mention(outcome.interviewer_id or ""))
    elif outcome.invitation_sent:
        detail = _("cancel.what.sent", employee=employee)
    elif outcome.stage == "unreachable":
        detail = _("cancel.what.unreachable", employee=employee)
    else:
        detail = _("cancel.what.planned", employee=employee, moment=_.moment(outcome.invite_local))
    text = _("cancel.done", employee=employee)
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=f"{text}\n{detail}"))])


def plain(text: str) -> tuple[str, list[dict]]:
    """A one-section message of already-translated, already-safe text."""
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
