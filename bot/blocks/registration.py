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

from bot.blocks.text import dicts, escape, mention
from bot.i18n import LANGUAGES, Translator
from flows.registration import MAX_PROFILE_TEXT, Offer, Problem

REGISTER_CALLBACK = "register_departure"
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


def _params(_: Translator, params: dict[str, str]) -> dict[str, str]:
    """Problem parameters made safe for mrkdwn; ISO dates written the reader's way."""
    shown = {}
    for key, value in params.items():
        if key == "date":
            with contextlib.suppress(ValueError):
                value = _.date(date.fromisoformat(value))
        shown[key] = escape(value)
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
    """`rows`: employee_id, last_day, stage, invite_local (a local datetime), offer."""
    if not rows:
        text = _("list.empty")
        return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
    blocks = [HeaderBlock(text=_("list.header", count=len(rows)))]
    shown = rows[:45]
    for row in shown:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_(
            "list.row",
            employee=mention(row["employee_id"]),
            last_day=_.date(row["last_day"]),
            stage=_(f"stage.{row['stage']}"),
            invitation=_.moment(row["invite_local"]),
        ))))
    if len(rows) > len(shown):
        blocks.append(DividerBlock())
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("list.more", count=len(rows) - len(shown)))]))
    return _("list.header", count=len(rows)), dicts(blocks)


def plain(text: str) -> tuple[str, list[dict]]:
    """A one-section message of already-translated, already-safe text."""
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
