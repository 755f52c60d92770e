"""Listeners grouped by Slack surface; each package's `register(app)` wires plain functions.

Every listener is registered through `_Guarded`, which wraps it in `after_ack`: it always acks, and
nothing it raises reaches Bolt (the user is told in words instead)."""

import re

from slack_bolt import Ack, App

from bot.listeners import actions, commands, events, functions, views
from bot.listeners.common import after_ack

_DECORATORS = ("action", "view", "view_submission", "view_closed", "command", "event", "message", "shortcut",
               "options", "block_action", "function")


class _Guarded:
    """The app as `register` functions see it: the same decorators, each listener wrapped."""

    def __init__(self, app: App):
        self._app = app

    def __getattr__(self, name):
        target = getattr(self._app, name)
        if name not in _DECORATORS:
            return target

        def decorator_factory(*args, **kwargs):
            register = target(*args, **kwargs)

            def decorate(function):
                register(after_ack(function))
                return function

            return decorate

        return decorator_factory


def register_listeners(app: App) -> None:
    guarded = _Guarded(app)
    commands.register(guarded)
    actions.register(guarded)
    views.register(guarded)
    events.register(guarded)
    functions.register(guarded)  # Workflow Builder steps (function_executed events)
    # Last, so they only see what nothing above took: a click on a button the bot no longer knows
    # (an old message), a link button, a submission of an old modal, an event it does not use.
    # Acknowledged, so Slack neither shows the user an error nor retries.
    anything = re.compile(".*")
    guarded.action(anything)(_acknowledge_only)
    guarded.view(anything)(_acknowledge_only)
    guarded.event(anything)(_acknowledge_only)


def _acknowledge_only(ack: Ack) -> None:
    ack()
