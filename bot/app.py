"""Builds the Bolt app and wires the listeners; nothing else lives here."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt import App, BoltContext

from bot.inbox import Inbox
from bot.listeners import register_listeners
from bot.server import log_safe
from bot.services import Services

if TYPE_CHECKING:
    from bot.installations import Installations

log = logging.getLogger(__name__)


def build_app(services: Services, *, process_before_response: bool = False, inbox: Inbox | None = None,
              installations: Installations | None = None) -> App:
    """`inbox`: where requests are written before they are acknowledged (one per process; the
    runtime keeps it to replay what a dead process left). A fresh one when not given.

    `installations` (OAuth mode): Bolt authorises every request against the installation store and
    serves the install pages; each request then gets its own tenant's Services. Without it, the one
    workspace of SLACK_BOT_TOKEN gets `services`."""
    settings = services.settings
    # Socket Mode has no signatures to check (the socket is trusted); Bolt still wants a value.
    signing_secret = settings.signing_secret or "unused-in-socket-mode"
    if installations is None:
        app = App(client=services.client, signing_secret=signing_secret,
                  process_before_response=process_before_response, raise_error_for_unhandled_request=False)

        @app.middleware
        def provide_services(context: BoltContext, next):
            context["services"] = services
            next()

        @app.event("app_uninstalled")
        @app.event("tokens_revoked")
        def removed(event: dict):  # the one token stops working; a restart with a new one continues
            log.warning("Slack says %s: SLACK_BOT_TOKEN no longer works", log_safe(event.get("type")))
    else:
        app = App(client=services.client, signing_secret=signing_secret,
                  oauth_settings=installations.oauth_settings(), authorize=installations.authorize(services.client),
                  user_facing_authorize_error_message=installations.unknown_installation_message(),
                  process_before_response=process_before_response, raise_error_for_unhandled_request=False)
        app.middleware(installations.middleware)
        app.event("app_uninstalled")(installations.uninstalled)
        app.event("tokens_revoked")(installations.revoked)

    # After the services and Bolt's own checks (signature, self events), before any listener.
    (inbox or Inbox(services.db, settings.inbox_lease_seconds)).install(app)
    register_listeners(app)
    return app
