"""Small helpers listeners share: services from the context, the caller's language, HR checks."""

from __future__ import annotations

from slack_bolt import BoltContext

from bot.i18n import Translator
from bot.services import Services


def services_of(context: BoltContext) -> Services:
    return context["services"]


def translator_for(services: Services, user_id: str) -> Translator:
    return Translator(services.directory.language(user_id))
