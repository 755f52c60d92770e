"""Small look-ups about leavers that several operations (and the follow-ups in bot.subscribers)
need: the language to write to them in, whose departure an id is, and what to answer when they
write to the bot with no questionnaire waiting. No use case's side effects live here."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackClientError

from bot.blocks import invitation as blocks
from bot.blocks.text import mention
from bot.i18n import Translator
from bot.services import Services
from flows.invitation import DirectMessageReply, Stage, choices_offered, direct_message_reply
from flows.registration import Offer
from storage import repositories as repo

log = logging.getLogger(__name__)


def employee_language(services: Services, employee_id: str, registered_language: str | None) -> str:
    """The leaver's Slack locale, else the registration's language, else the default."""
    try:
        language = services.directory.user(employee_id).language
    except SlackClientError:
        language = None
    return language or registered_language or services.settings.default_language



def employee_of_departure(services: Services, departure_id: int | None) -> str | None:
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id) if departure_id is not None else None
        return departure.employee_id if departure is not None else None


def employee_of_interview(services: Services, interview_id: int | None) -> str | None:
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id) if interview_id is not None else None
        departure = repo.departure_by_id(session, interview.departure_id) if interview is not None else None
        return departure.employee_id if departure is not None else None


def reply_without_questionnaire(services: Services, user_id: str) -> tuple[str, list[dict]]:
    """A leaver writes to the bot while no questionnaire waits for an answer: where they stand, and what
    they can still do (their open invitation, "Changed your mind?"), never a dead end."""
    with services.db.session() as session:
        departure = repo.latest_departure_of(session, user_id)
        if departure is None:
            found = None
        else:
            invitation = repo.sent_message(session, departure.id, repo.INVITATION)
            found = (departure.id, departure.employee_id, departure.interviewer_id, departure.last_day,
                     departure.language, Offer(departure.offer), departure.employee_tz, Stage(departure.stage),
                     (invitation.channel_id, invitation.ts) if invitation is not None and invitation.ts else None)
    if found is None:
        return blocks.reply(Translator(services.directory.language(user_id))("q.hello"))
    departure_id, employee_id, interviewer_id, last_day, language, offer, tz, stage, invitation_at = found
    _ = Translator(employee_language(services, employee_id, language))
    today = services.clock.now().astimezone(ZoneInfo(tz)).date()
    answer = direct_message_reply(stage=stage, today=today, last_day=last_day)
    if answer is DirectMessageReply.OPEN_INVITATION:
        return blocks.open_invitation_reply(_, departure_id=departure_id, choices=choices_offered(offer),
                                            invitation_link=_permalink(services, invitation_at))
    if answer is DirectMessageReply.DECLINED:
        return blocks.declined_reply(_, departure_id=departure_id, last_day=last_day)
    if answer is DirectMessageReply.TALK:
        return blocks.reply(_("dm.talk", interviewer=mention(interviewer_id)))
    if answer is DirectMessageReply.TIME_OVER:
        return blocks.reply(_("dm.time_over"))
    return blocks.reply(_("q.hello"))


def _permalink(services: Services, message: tuple[str, str] | None) -> str | None:
    """A link to the invitation message, when Slack gives one (the buttons come along anyway)."""
    if message is None:
        return None
    try:
        return services.client.chat_getPermalink(channel=message[0], message_ts=message[1]).get("permalink")
    except SlackClientError as error:
        log.info("no link to the invitation: %s", error)
        return None


