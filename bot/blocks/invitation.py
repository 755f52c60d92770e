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
from flows.registration import Offer
from flows.template import default_template, estimated_minutes

ACTION_PREFIX = "invitation."
RECONSIDER_ACTION = "invitation.reconsider"
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
    """`min_group`: the fewest leavers whose answers a managers' digest figure rests on. `minutes`: how long the
    questionnaire takes (flows.template.estimated_minutes of the template the leaver would get).

    Every sentence fits the offer the buttons make: no time estimate for a questionnaire that is not offered,
    and the interviewer is named as the one who holds the talk (or answers questions), not as "HR contact"."""
    offer = offer_of(choices)
    if minutes is None:
        minutes = estimated_minutes(default_template())
    about = []
    if offer.questionnaire:
        about.append(MarkdownTextObject(text=_("invite.duration.questionnaire", count=minutes)))
    if offer.talk:
        about.append(MarkdownTextObject(text=_("invite.duration.talk")))
    about.append(MarkdownTextObject(text=_(f"invite.interviewer.{offer.value}", interviewer=mention(interviewer_id))))
    blocks = [
        HeaderBlock(text=_("invite.header")),
        SectionBlock(text=MarkdownTextObject(text=_("invite.intro", last_day=_.date(last_day)))),
        SectionBlock(text=MarkdownTextObject(text=_("invite.purpose"))),
        SectionBlock(text=MarkdownTextObject(text=_("invite.privacy", k=min_group))),
        SectionBlock(text=MarkdownTextObject(text=_(f"invite.voluntary.{offer.value}"))),
        ContextBlock(elements=about),
        choice_buttons(_, departure_id, choices),
    ]
    return _("invite.fallback"), dicts(blocks)


def offer_of(choices: list[Choice]) -> Offer:
    """The offer the buttons make (declining is always there)."""
    if Choice.ANSWER in choices and Choice.TALK in choices:
        return Offer.BOTH
    return Offer.TALK if Choice.TALK in choices else Offer.QUESTIONNAIRE


def reminder_message(
    _: Translator, *, departure_id: int, last_day: date, choices: list[Choice]
) -> tuple[str, list[dict]]:
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=_("reminder.body", last_day=_.date(last_day)))),
        choice_buttons(_, departure_id, choices),
    ]
    return _("reminder.fallback"), dicts(blocks)


def chosen_message(_: Translator, choice: Choice, interviewer_id: str, departure_id: int) -> tuple[str, list[dict]]:
    """The invitation after the choice: what was chosen, no buttons left to click twice; after "no thanks"
    only "Changed your mind?", which brings the offer back until the last working day."""
    text = _(f"invite.chosen.{choice.value}", interviewer=mention(interviewer_id))
    blocks = [
        HeaderBlock(text=_("invite.header")),
        SectionBlock(text=MarkdownTextObject(text=text)),
    ]
    if choice == Choice.DECLINE:
        blocks.append(reconsider_button(_, departure_id))
    return text, dicts(blocks)


def reconsider_button(_: Translator, departure_id: int) -> ActionsBlock:
    return ActionsBlock(
        block_id=f"invitation-reconsider-{departure_id}",
        elements=[ButtonElement(text=_("reconsider.button"), action_id=RECONSIDER_ACTION, value=str(departure_id))],
    )


def reopened_message(_: Translator, *, departure_id: int, choices: list[Choice]) -> tuple[str, list[dict]]:
    """The invitation again, after "Changed your mind?": the offer, to choose once more."""
    text = _("reconsider.reopened")
    blocks = [
        HeaderBlock(text=_("invite.header")),
        SectionBlock(text=MarkdownTextObject(text=text)),
        choice_buttons(_, departure_id, choices),
    ]
    return text, dicts(blocks)


def declined_for_good_message(_: Translator) -> tuple[str, list[dict]]:
    """"No thanks" after the last working day: it stands, kindly, and nothing is left to click."""
    text = _("invite.chosen.decline") + "\n" + _("reconsider.too_late")
    return text, dicts([HeaderBlock(text=_("invite.header")), SectionBlock(text=MarkdownTextObject(text=text))])


# -- the answer to a leaver who writes while no questionnaire waits for an answer ----------------------


def open_invitation_reply(_: Translator, *, departure_id: int, choices: list[Choice],
                          invitation_link: str | None) -> tuple[str, list[dict]]:
    """Point the leaver to their open invitation, with its buttons right here."""
    text = _("dm.open_invitation")
    if invitation_link:
        text += " " + _("dm.open_invitation.link", link=invitation_link)
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text)), choice_buttons(_, departure_id, choices)])


def declined_reply(_: Translator, *, departure_id: int, last_day: date) -> tuple[str, list[dict]]:
    text = _("dm.declined", last_day=_.date(last_day))
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text)), reconsider_button(_, departure_id)])


def reply(text: str) -> tuple[str, list[dict]]:
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def withdrawn_message(_: Translator) -> tuple[str, list[dict]]:
    text = _("invite.withdrawn")
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
