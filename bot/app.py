"""Builds the Bolt app and wires the listeners; nothing else lives here."""

from __future__ import annotations

from slack_bolt import App, BoltContext

from bot.inbox import Inbox
from bot.listeners import register_listeners
from bot.services import Services


def build_app(services: Services, *, process_before_response: bool = False, inbox: Inbox | None = None) -> App:
    """`inbox`: where requests are written before they are acknowledged (one per process; the
    runtime keeps it to replay what a dead process left). A fresh one when not given."""
    settings = services.settings
    app = App(
        client=services.client,
        # Socket Mode has no signatures to check (the socket is trusted); Bolt still wants a value.
        signing_secret=settings.signing_secret or "unused-in-socket-mode",
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    def provide_services(context: BoltContext, next):
        context["services"] = services
        next()

    # After provide_services and Bolt's own checks (signature, self events), before any listener.
    (inbox or Inbox(services.db, settings.inbox_lease_seconds)).install(app)
    register_listeners(app)
    return app
