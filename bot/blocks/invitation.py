"""The invitation DM, its reminder, and how they look once the leaver has chosen."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks.text import dicts, mention
from bot.i18n import Translator
from flows.invitation import Choice

ACTION_PREFIX = "invitation."
BUTTON_STYLE = {Choice.ANSWER: "primary"}


def choice_buttons(_: Translator, departure_id: int, choices: list[Choice]) -> ActionsBlock:
    return ActionsBlock(
        block_id=f"invitation-choice-{departure_id}",
        elements=[
            ButtonElement(
                text=_(f"invite.button.{choice.value}"),
                action_id=ACTION_PREFIX + choice.value,
                value=str(departure_id),
                style=BUTTON_STYLE.get(choice),
            )
            for choice in choices
        ],
    )


def invitation_message(
    _: Translator, *, departure_id: int, last_day: date, choices: list[Choice], interviewer_id: str, min_group: int,
    minutes: int | None = None,
) -> tuple[str, list[dict]]:
    """`min_group`: the fewest leavers whose answers a managers' digest figure rests on; `minutes`:
    how long the questionnaire takes (`flows.template.estimated_minutes`)."""
    blocks = [
        HeaderBlock(text=_("invite.header")),
        SectionBlock(text=MarkdownTextObject(text=_("invite.intro", last_day=_.date(last_day)))),
        SectionBlock(text=MarkdownTextObject(text=_("invite.purpose"))),
        SectionBlock(text=MarkdownTextObject(text=_("invite.privacy", k=min_group))),
        SectionBlock(text=MarkdownTextObject(text=_("invite.voluntary"))),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=_("invite.duration.minutes", count=minutes) if minutes
                                   else _("invite.duration")),
                MarkdownTextObject(text=_("invite.interviewer", interviewer=mention(interviewer_id))),
            ]
        ),
        choice_buttons(_, departure_id, choices),
    ]
    return _("invite.fallback"), dicts(blocks)


def reminder_message(
    _: Translator, *, departure_id: int, last_day: date, choices: list[Choice]
) -> tuple[str, list[dict]]:
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=_("reminder.body", last_day=_.date(last_day)))),
        choice_buttons(_, departure_id, choices),
    ]
    return _("reminder.fallback"), dicts(blocks)


def chosen_message(_: Translator, choice: Choice) -> tuple[str, list[dict]]:
    """The invitation after the choice: what was chosen, no buttons left to click twice."""
    text = _(f"invite.chosen.{choice.value}")
    blocks = [
        HeaderBlock(text=_("invite.header")),
        SectionBlock(text=MarkdownTextObject(text=text)),
    ]
    return text, dicts(blocks)


def withdrawn_message(_: Translator) -> tuple[str, list[dict]]:
    text = _("invite.withdrawn")
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
