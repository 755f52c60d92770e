"""Small helpers listeners share: services from the context, the caller's language, HR checks."""

from __future__ import annotations

from slack_bolt import BoltContext

from bot.i18n import Translator
from bot.services import Services


def services_of(context: BoltContext) -> Services:
    return context["services"]


def translator_for(services: Services, user_id: str) -> Translator:
    return Translator(services.directory.language(user_id))


def tell(body: dict, respond, client, text: str) -> None:
    """A reply only the clicker sees: ephemeral where Slack gave a response URL (messages), else a
    DM from the bot (clicks in the App Home and in modals have no response URL)."""
    user_id = (body.get("user") or {}).get("id")
    try:
        if body.get("response_url") or body.get("response_urls"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user_id:
            client.chat_postMessage(channel=user_id, text=text)
    except Exception as error:
        import logging

        logging.getLogger(__name__).warning("could not tell %s: %s", user_id, error)
