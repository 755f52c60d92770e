"""Posting a claimed message in someone's DM, once (the claim is a row under a unique constraint,
taken before Slack is called): the invitation, its reminder, the manager's message after review.

A module of its own so that any operation can post a claimed message without importing another."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from storage import repositories as repo

log = logging.getLogger(__name__)

METADATA_EVENT = "exit_interview_message"


def post_claimed_dm(
    services: Services, departure_id: int, purpose: str, user_id: str, text: str, message_blocks
) -> tuple[bool, str | None]:
    """Post a claimed message in a DM. Returns (sent, Slack's error code when Slack refused it).

    The message carries metadata naming the departure and purpose, and the claim knows the channel
    before the post: when the answer is lost (the connection broke after Slack took the message,
    or the process died) the claim stays open and the sweep reconciles it by looking in the DM,
    instead of blindly posting again.
    """
    try:
        channel = services.client.conversations_open(users=user_id)["channel"]["id"]
    except SlackApiError as error:
        with services.db.session() as session:
            repo.release_message(session, departure_id, purpose)
        return False, error.response.get("error")
    except SLACK_FAILURES as error:  # nothing was posted: try again later
        log.warning("Slack unreachable opening a DM for departure %s: %s", departure_id, error)
        with services.db.session() as session:
            repo.release_message(session, departure_id, purpose)
        return False, None
    with services.db.session() as session:
        repo.record_channel(session, departure_id, purpose, channel)
    posted_at = services.clock.now()  # when it went out, not when Slack's answer came back
    try:
        response = services.client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=message_blocks,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"departure": departure_id, "purpose": purpose}},
        )
    except SlackApiError as error:  # Slack answered: certainly not posted
        with services.db.session() as session:
            repo.release_message(session, departure_id, purpose)
        return False, error.response.get("error")
    except SLACK_FAILURES as error:
        log.warning(
            "the outcome of the %s for departure %s is unknown (%s); the sweep reconciles it",
            purpose,
            departure_id,
            error,
        )
        return False, None
    with services.db.session() as session:
        repo.complete_message(session, departure_id, purpose, response["channel"], response["ts"], posted_at)
    return True, None
