"""The leaver's voluntary choice on the invitation, and the life of a departure around it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flows.registration import Offer, Problem


class Stage(StrEnum):
    """Where a departure stands. Later stages (in progress, submitted, ...) grow from `ANSWERING`."""

    REGISTERED = "registered"  # invitation planned
    INVITED = "invited"  # invitation DM sent, no choice yet
    ANSWERING = "answering"  # chose to answer the questionnaire in the DM
    TALK_REQUESTED = "talk_requested"  # prefers an in-person talk
    DECLINED = "declined"  # no thanks; that is fine
    CANCELLED = "cancelled"  # HR withdrew the registration
    UNREACHABLE = "unreachable"  # Slack cannot deliver a DM (account deactivated); HR was told
    SUBMITTED = "submitted"  # answers (or talk notes) are in, awaiting HR's review
    WITHDRAWN = "withdrawn"  # the leaver took their answers back; they were deleted
    EXPIRED = "expired"  # the questionnaire was not finished in time


class Choice(StrEnum):
    ANSWER = "answer"
    TALK = "talk"
    DECLINE = "decline"


CHOICE_STAGE = {Choice.ANSWER: Stage.ANSWERING, Choice.TALK: Stage.TALK_REQUESTED, Choice.DECLINE: Stage.DECLINED}

# A registration stays open (blocking a second one for the same person) while in these stages.
OPEN_STAGES = frozenset(
    {Stage.REGISTERED, Stage.INVITED, Stage.ANSWERING, Stage.TALK_REQUESTED, Stage.UNREACHABLE}
)


def choices_offered(offer: Offer) -> list[Choice]:
    """The buttons on the invitation, in the order shown. Declining is always possible."""
    offered = []
    if offer.questionnaire:
        offered.append(Choice.ANSWER)
    if offer.talk:
        offered.append(Choice.TALK)
    offered.append(Choice.DECLINE)
    return offered


def check_choice(
    *, stage: Stage, offer: Offer, choice: Choice, clicked_by: str, employee_id: str
) -> Problem | None:
    """Whether this click may record a choice; None means it may."""
    if clicked_by != employee_id:
        return Problem("choice.not_yours")
    if stage == Stage.CANCELLED:
        return Problem("choice.cancelled")
    if stage != Stage.INVITED:
        return Problem("choice.already_made")
    if choice not in choices_offered(offer):
        return Problem("choice.not_offered")
    return None


def can_cancel(stage: Stage) -> bool:
    return stage in OPEN_STAGES


# -- no dead ends: a "no thanks" can be undone, and a leaver who writes is told where they stand ---------


def check_reconsider(*, stage: Stage, today: date, last_day: date) -> Problem | None:
    """Whether "Changed your mind?" may bring the offer back; None means it may (or already did: a double
    click or a retry finds the invitation open again and changes nothing). `today` is the leaver's own."""
    if stage == Stage.INVITED:
        return None
    if stage != Stage.DECLINED:
        return Problem("choice.cancelled" if stage == Stage.CANCELLED else "choice.already_made")
    if today > last_day:
        return Problem("reconsider.too_late")
    return None


def reconsider_choices(offer: Offer) -> list[Choice]:
    """The offer brought back: answer here and/or talk (not a second "no thanks")."""
    return [choice for choice in choices_offered(offer) if choice != Choice.DECLINE]


class DirectMessageReply(StrEnum):
    """What the bot says to a leaver who writes to it while no questionnaire waits for an answer."""

    HELLO = "hello"  # nothing for them to do (yet): who the bot is
    OPEN_INVITATION = "open_invitation"  # invited, no choice yet: point to it, with its buttons
    DECLINED = "declined"  # said no thanks, the last day has not passed: "Changed your mind?"
    TALK = "talk"  # chose a talk: the interviewer will plan it
    TIME_OVER = "time_over"  # the questionnaire expired, or a "no thanks" after the last day


def direct_message_reply(*, stage: Stage | None, today: date, last_day: date | None) -> DirectMessageReply:
    if stage is None or last_day is None:
        return DirectMessageReply.HELLO
    if stage == Stage.INVITED:
        return DirectMessageReply.OPEN_INVITATION
    if stage == Stage.DECLINED:
        return DirectMessageReply.DECLINED if today <= last_day else DirectMessageReply.TIME_OVER
    if stage == Stage.TALK_REQUESTED:
        return DirectMessageReply.TALK
    if stage == Stage.EXPIRED:
        return DirectMessageReply.TIME_OVER
    return DirectMessageReply.HELLO
