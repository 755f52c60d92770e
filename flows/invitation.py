"""The leaver's voluntary choice on the invitation, and the life of a departure around it."""

from __future__ import annotations

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
