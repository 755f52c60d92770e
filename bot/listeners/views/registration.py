"""The registration modal's submission: check, store and confirm, or show errors at the fields."""

from __future__ import annotations

import logging
from datetime import date

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import registration as view
from bot.i18n import LANGUAGES
from bot.listeners.common import services_of, translator_for
from bot.operations import home, registration
from flows.registration import Offer

log = logging.getLogger(__name__)


def handle_registration_submission(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    services = services_of(context)
    user_id = body["user"]["id"]
    try:
        _ = translator_for(services, user_id)
        if not services.directory.is_hr(user_id):
            ack(response_action="errors", errors={"employee": _("hr.only")})
            return
        fields = _read(body.get("view", {}).get("state", {}).get("values", {}))
        if isinstance(fields, str):
            missing_date = fields == "last_day" and not _picked_date(body)
            ack(response_action="errors",
                errors={fields: _("register.last_day_missing" if missing_date else "register.field_invalid")})
            return
        outcome = registration.register(
            services, registration.RegistrationRequest(registered_by=user_id, **fields), refresh_home=False
        )
    except SlackClientError as error:
        log.warning("Slack failed during a registration: %s", error)
        ack(response_action="errors", errors={"employee": _("slack.unavailable")})
        return
    if not outcome.accepted:
        ack(response_action="errors", errors={
            block: view.problems_text(_, [problem]) for block, problem in outcome.fields.items()
        })
        return
    ack()
    home.hr_changed(services)  # after the ack: publishing every HR member's Home takes a while
    text, blocks = view.registered_message(
        _, employee_id=fields["employee_id"], last_day=fields["last_day"], invite_local=outcome.invite_local,
        immediate=outcome.immediate, warnings=outcome.warnings,
    )
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackClientError as error:
        log.warning("could not confirm a registration to %s: %s", user_id, error)


def _picked_date(body: dict) -> str | None:
    values = body.get("view", {}).get("state", {}).get("values", {})
    return ((values.get("last_day") or {}).get(view.FIELD) or {}).get("selected_date") or None


def _read(values: dict) -> dict | str:
    """The modal's fields as plain values, or the block id of the first field that is not valid."""

    def field(block: str) -> dict:
        return (values.get(block) or {}).get(view.FIELD) or {}

    employee = field("employee").get("selected_user")
    if not isinstance(employee, str) or not employee:
        return "employee"
    try:
        last_day = date.fromisoformat(field("last_day").get("selected_date") or "")
    except (TypeError, ValueError):
        return "last_day"
    manager = field("manager").get("selected_user") or None
    interviewer = field("interviewer").get("selected_user") or None
    language = (field("language").get("selected_option") or {}).get("value")
    if language not in LANGUAGES:
        return "language"
    try:
        offer = Offer((field("offer").get("selected_option") or {}).get("value"))
    except ValueError:
        return "offer"
    started_on = None
    if picked := field("started_on").get("selected_date"):
        try:
            started_on = date.fromisoformat(picked)
        except (TypeError, ValueError):
            return "started_on"
    return {"employee_id": employee, "last_day": last_day, "manager_id": manager, "interviewer_id": interviewer,
            "language": language, "offer": offer, "department": field("department").get("value") or None,
            "role": field("role").get("value") or None, "started_on": started_on}
