"""HR's template buttons: the Templates modal from the App Home, downloads, pasting a new template,
and Activate / Discard under a preview. The preview's own buttons do nothing."""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import template_admin as view
from bot.listeners.common import services_of, tell, translator_for
from bot.operations import template_admin
from bot.services import Services

log = logging.getLogger(__name__)


def _dm(client: WebClient, user_id: str, text: str) -> None:
    """Clicks in the App Home and in modals have no response URL: an answer comes as a DM."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackClientError as error:
        log.warning("could not tell %s: %s", user_id, error)


def _refuse_non_hr(services: Services, body: dict, client: WebClient) -> bool:
    user_id = body["user"]["id"]
    if services.directory.is_hr(user_id):
        return False
    _dm(client, user_id, translator_for(services, user_id)("hr.only"))
    return True


def handle_open_templates(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    if _refuse_non_hr(services, body, client):
        return
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    try:
        client.views_open(trigger_id=body["trigger_id"],
                          view=view.templates_modal(_, template_admin.versions(services, _.language)))
    except SlackClientError as error:
        log.warning("could not open the templates for %s: %s", user_id, error)


def handle_download(ack: Ack, action: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    user_id = body["user"]["id"]
    _ = translator_for(services, user_id)
    problem = template_admin.send_yaml(services, user_id, str(action.get("value") or "active"))
    notice = _(problem.key) if problem is not None else _("tpl.download.sent")
    modal = body.get("view") or {}
    if (problem is not None and problem.key == "hr.only") or not modal.get("id"):
        if problem is not None:
            _dm(client, user_id, notice)
        return
    try:
        client.views_update(view_id=modal["id"], hash=modal.get("hash"),
                            view=view.templates_modal(_, template_admin.versions(services, _.language), notice))
    except SlackClientError as error:  # e.g. the modal was closed meanwhile: the file is in the DM anyway
        log.info("could not update the templates modal: %s", error)


def handle_paste(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    services = services_of(context)
    if _refuse_non_hr(services, body, client):
        return
    _ = translator_for(services, body["user"]["id"])
    try:
        if (body.get("view") or {}).get("id"):
            client.views_push(trigger_id=body["trigger_id"], view=view.paste_modal(_))
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view.paste_modal(_))
    except SlackClientError as error:
        log.warning("could not open the paste form: %s", error)


def _decide(body: dict, action: dict, respond: Respond, client: WebClient, context: BoltContext, decide) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    raw = str(action.get("value") or "")
    _ = translator_for(services, user_id)
    if not raw.isdigit():
        tell(body, respond, client, _("tpl.draft.unknown"))
        return
    outcome = decide(services, int(raw), user_id)
    if outcome.problem is not None:
        tell(body, respond, client, _(outcome.problem.key, **outcome.problem.params))


def handle_activate(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                    context: BoltContext) -> None:
    ack()
    _decide(body, action, respond, client, context, template_admin.activate)


def handle_discard(ack: Ack, action: dict, body: dict, respond: Respond, client: WebClient,
                    context: BoltContext) -> None:
    ack()
    _decide(body, action, respond, client, context, template_admin.discard)


def handle_inert(ack: Ack) -> None:
    """A button in a template preview: it only shows what a leaver would see."""
    ack()
