"""The settings modal's submission: errors at the fields, or stored, effective at once, confirmed."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import settings as view
from bot.listeners.common import services_of, translator_for
from bot.operations import home
from bot.operations import settings as operation

log = logging.getLogger(__name__)


def handle_settings_submission(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    before = services.settings
    values = body.get("view", {}).get("state", {}).get("values", {})
    try:
        outcome = operation.save(services, user_id, view.form_values(values))
    except SlackClientError as error:  # the HR check asks Slack about a user group
        log.warning("Slack failed while saving settings: %s", error)
        ack(response_action="errors", errors={operation.FIELDS[0].key: _("slack.unavailable")})
        return
    if not outcome.saved:
        ack(response_action="errors", errors={
            view.error_block(key, values): _(problem.key, **problem.params) for key, problem in outcome.errors.items()
        })
        return
    ack()
    after = services.settings
    next_digest = home.next_digest(services)
    text, blocks = view.saved_message(_, outcome.changes, _.moment(next_digest) if next_digest else None)
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackClientError as error:
        log.warning("could not confirm the settings to %s: %s", user_id, error)
    if outcome.changes:
        home.hr_changed(services)
        # Whoever is no longer HR must not keep a dashboard full of HR data on their Home.
        for former in sorted(before.hr_user_ids - after.hr_user_ids):
            if not services.directory.is_hr(former):
                try:
                    home.publish(services, former)
                except SlackClientError as error:
                    log.warning("could not refresh the Home of %s: %s", former, error)
