"""A file shared in the DM with the bot: from HR, a .yml file is read as a new interview template.
Files from anyone else are left alone (the questionnaire takes typed answers only)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk.errors import SlackClientError

from bot.listeners.common import services_of
from bot.operations import template_admin

log = logging.getLogger(__name__)


def handle_file_share(ack: Ack, event: dict, context: BoltContext) -> None:
    ack()
    if event.get("channel_type") != "im" or event.get("bot_id"):
        return
    user_id, files = event.get("user"), event.get("files")
    if not isinstance(user_id, str) or not isinstance(files, list) or not files or not isinstance(files[0], dict):
        return
    services = services_of(context)
    try:
        if services.directory.is_hr(user_id):
            template_admin.receive_file(services, user_id, files[0])
    except SlackClientError as error:
        log.warning("Slack failed while reading a shared template: %s", error)
