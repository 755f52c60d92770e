"""Small helpers listeners share: services from the context, the caller's language, HR checks,
answering the clicker on any surface, and a guard for work done after the ack."""

from __future__ import annotations

import inspect
import logging

from slack_bolt import Args, BoltContext

from bot.blocks.text import MESSAGE_TEXT, escape, fit
from bot.i18n import Translator
from bot.incoming import replaying, user_of
from bot.services import Services

log = logging.getLogger(__name__)


def services_of(context: BoltContext) -> Services:
    return context["services"]


def translator_for(services: Services, user_id: str) -> Translator:
    return Translator(services.directory.language(user_id))


def tell(body: dict, respond, client, text: str, blocks: list | None = None) -> None:
    """A reply only the clicker sees: ephemeral where Slack gave a response URL (messages, commands),
    else a DM from the bot (clicks in the App Home and in modals have no response URL)."""
    user_id = user_of(body)
    extra = {"blocks": blocks} if blocks else {}
    try:
        if body.get("response_url") or body.get("response_urls"):
            respond(text=text, response_type="ephemeral", replace_original=False, **extra)
        elif user_id:
            client.chat_postMessage(channel=user_id, text=text, **extra)
    except Exception as error:
        log.warning("could not tell the user: %s", type(error).__name__)


def after_ack(handler):
    """Wraps a listener so nothing it raises after its ack reaches Bolt (which would turn the
    request into an error Slack shows, or drop the ack): the failure is logged without personal data
    and the user, where known, is told in words in their own language. Acks first if the listener
    had not yet."""
    parameters = inspect.signature(handler).parameters

    def guarded(args: Args) -> None:
        acked = []

        def once(*positional, **named):
            if not acked:
                acked.append(True)
                if named.get("response_action") == "errors" and replaying():
                    # Finished after a crash: the form is long closed, errors shown in it reach nobody.
                    _tell_lost_form_errors(body, args.context, args.client, named.get("errors"))
                return args.ack(*positional, **named)
            return None

        body = args.body if isinstance(args.body, dict) else {}
        try:
            handler(**{name: once if name == "ack" else getattr(args, name, None) for name in parameters})
        except Exception as error:
            log.warning("listener %s failed: %s", handler.__qualname__, type(error).__name__,
                        exc_info=log.isEnabledFor(logging.DEBUG))
            if not acked:
                once()
            _tell_failure(body, args.context, args.client, args.respond)
        else:
            if not acked:
                once()

    guarded.__name__, guarded.__qualname__ = handler.__name__, handler.__qualname__
    guarded.__doc__ = handler.__doc__
    return guarded


def _tell_lost_form_errors(body: dict, context, client, errors) -> None:
    """A DM saying what was wrong with the form and that nothing was saved, field by field."""
    user_id = user_of(body)
    if user_id is None or not isinstance(errors, dict) or not errors:
        return
    try:
        _ = translator_for(services_of(context), user_id)
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        labels = {block.get("block_id"): (block.get("label") or {}).get("text")
                  for block in view.get("blocks") or [] if isinstance(block, dict)}
        problems = "\n".join(f"• *{escape(str(labels.get(field) or field))}*: {text}"
                             for field, text in errors.items())
        title = escape(str((view.get("title") or {}).get("text") or ""))
        client.chat_postMessage(channel=user_id, text=fit(_("edge.form_lost", form=title, problems=problems),
                                                          MESSAGE_TEXT))
    except Exception as error:
        log.warning("could not tell the user about a form that was not saved: %s", type(error).__name__)


def _tell_failure(body, context, client, respond) -> None:
    user_id = user_of(body)
    if user_id is None:
        return
    try:
        _ = translator_for(services_of(context), user_id)
        tell(body if isinstance(body, dict) else {}, respond, client, _("edge.failed"))
    except Exception as error:
        log.warning("could not tell the user about a failure: %s", type(error).__name__)
