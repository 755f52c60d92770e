"""Plays Slack's side towards the bot: signed slash commands, clicks, modal submissions and events,
sent over real HTTP to the bot's `/slack/events`, shaped like the payloads Slack sends."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.emulator.api import APP_ID, BOT_USER_ID, TEAM_ID, Message, SlackEmulator


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackUserAgent:
    """Sends what Slack would send when people use the app."""

    def __init__(self, events_url: str, signing_secret: str, emulator: SlackEmulator):
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.emulator = emulator
        self._ids = itertools.count(1)
        # Slack's ids are unique everywhere; agents of restarted bots must not repeat each other's.
        self._run = secrets.token_hex(4)

    # -- transport -------------------------------------------------------------------------------

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        request = urllib.request.Request(
            self.events_url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature or sign(self.signing_secret, stamp, body),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def post_form(self, fields: dict[str, str], **kwargs) -> Reply:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def post_payload(self, payload: dict, **kwargs) -> Reply:
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)

    def _where(self, user_id: str, *, removed_too: bool = False) -> tuple[str, str | None, bool]:
        """(team, enterprise, is_enterprise_install) as Slack states them in a payload from this person."""
        with self.emulator._lock:
            user = self.emulator.workspace.users.get(user_id) or {}
            team = user.get("team_id") or TEAM_ID
            enterprise = self.emulator.enterprise_of(team)
            return team, enterprise, self.emulator.org_wide_install(enterprise, removed_too=removed_too)

    def _context_fields(self, user_id: str) -> dict:
        """Team, organisation and install kind in an interactive payload (only what Slack adds for them)."""
        team, enterprise, org_wide = self._where(user_id)
        fields: dict[str, Any] = {"team": {"id": team, "domain": "example"}, "is_enterprise_install": org_wide}
        if enterprise:
            fields["enterprise"] = {"id": enterprise, "name": enterprise}
        return fields

    # -- what people do --------------------------------------------------------------------------

    def slash(self, user_id: str, text: str = "", *, command: str = "/exit-interview",
              channel_id: str = "C0HRDESK1", **kwargs) -> Reply:
        key = f"cmd{self._run}.{next(self._ids)}"
        team, enterprise, org_wide = self._where(user_id)
        return self.post_form(
            {
                "token": "legacy-verification-token",
                "team_id": team,
                **({"enterprise_id": enterprise, "enterprise_name": enterprise} if enterprise else {}),
                "team_domain": "example",
                "channel_id": channel_id,
                "channel_name": "hr-desk",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": command,
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "true" if org_wide else "false",
                "response_url": self.emulator.response_url(key),
                "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
            },
            **kwargs,
        )

    def click(self, user_id: str, message: Message, action_id: str, *, value: str | None = None,
              selected: list[str] | None = None, state: dict | None = None) -> Reply:
        """Click a button (or submit a select) found in a message the bot posted: the first element with
        this action_id; `value` stands in for a button's own value (to forge one)."""
        element = _find_element(message.blocks, action_id)
        if element is None:
            raise AssertionError(f"no element {action_id!r} in message {message.ts}: {message.blocks}")
        if value is not None:
            element = {**element, "value": value}
        return self.act(user_id, element, element["_block_id"], message=message, selected=selected, state=state)

    def act(self, user_id: str, element: dict, block_id: str, *, message: Message | None = None,
            view: dict | None = None, selected: list[str] | None = None, state: dict | None = None,
            ephemeral: bool = False) -> Reply:
        """Use one interactive element as Slack reports it: a button with its own value, a menu or overflow
        with the option(s) chosen, from the message it is in (`ephemeral`: one only this person sees) or
        from a view (the App Home or a modal), with the state of the surface's menus and fields
        (`{block_id: {action_id: state}}`)."""
        if (message is None) == (view is None):
            raise ValueError("an element is either in a message or in a view")
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._context_fields(user_id),
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self._where(user_id)[0]},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
            "actions": [element_action(element, block_id, selected)],
        }
        if message is not None:
            payload |= {
                "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                              "is_ephemeral": ephemeral},
                "channel": {"id": message.channel},
                "message": {"type": "message", "ts": message.ts, "text": message.text, "blocks": message.blocks},
                "response_url": self.emulator.response_url(f"act{self._run}.{next(self._ids)}"),
                "state": {"values": state or {}},
            }
        else:
            view_id = view.get("id") or "VUNKNOWN1"
            payload |= {
                "container": {"type": "view", "view_id": view_id},
                # Slack sends a view's field and menu values inside the view, not beside it.
                "view": {**view, "id": view_id, "type": view.get("type") or "modal", "team_id": self._where(user_id)[0],
                         "app_id": APP_ID, "state": {"values": state or {}}},
            }
        return self.post_payload(payload)

    def click_in_view(self, user_id: str, view: dict, action_id: str) -> Reply:
        """Click a button in a modal the bot opened (`view` as the emulator holds it, with its id)."""
        element = _find_element(view.get("blocks", []), action_id)
        if element is None:
            raise AssertionError(f"no element {action_id!r} in view {view.get('id')}: {view.get('blocks')}")
        return self.post_payload(
            {
                "type": "block_actions",
                **self._context_fields(user_id),
                "user": {"id": user_id, "username": user_id.lower(), "team_id": self._where(user_id)[0]},
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "container": {"type": "view", "view_id": view.get("id")},
                "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
                "view": {**view, "state": {"values": {}}, "team_id": self._where(user_id)[0], "app_id": APP_ID},
                "actions": [{"action_id": action_id, "block_id": element["_block_id"], "type": element["type"],
                             "value": element.get("value", ""), "text": element.get("text"),
                             "action_ts": f"{time.time():.6f}"}],
            }
        )

    def submit_view(self, user_id: str, view: dict, values: dict[str, Any]) -> Reply:
        """Submit a modal the bot opened; `values` maps block_id to the chosen value(s)."""
        return self.post_payload(self.view_submission(user_id, view, values))

    def view_submission(self, user_id: str, view: dict, values: dict[str, Any]) -> dict:
        """The payload Slack sends when `user_id` submits `view` with these values."""
        state = view_state(view, values)
        return {
            "type": "view_submission",
            **self._context_fields(user_id),
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self._where(user_id)[0]},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
            "view": {**view, "state": {"values": state}, "team_id": self._where(user_id)[0], "app_id": APP_ID},
            "response_urls": [],
        }

    def click_view(self, user_id: str, view: dict, action_id: str, *, value: str | None = None,
                   selected: list[str] | None = None, values: dict[str, Any] | None = None) -> Reply:
        """Click a button, overflow or select inside a modal the bot opened. Slack sends the modal
        along with what its inputs hold now (`values`, as for submit_view) and no response URL."""
        element = _find_element(view.get("blocks", []), action_id)
        if element is None:
            raise AssertionError(f"no element {action_id!r} in view {view.get('id')}: {view.get('blocks')}")
        action: dict[str, Any] = {"action_id": action_id, "block_id": element["_block_id"], "type": element["type"],
                                  "action_ts": f"{time.time():.6f}"}
        if element["type"] == "button":
            action["value"] = value if value is not None else element.get("value", "")
        elif element["type"] in ("static_select", "overflow"):
            action["selected_option"] = {"value": (selected or [value])[0]}
        state = view_state(view, values or {})
        if element.get("_input"):  # a select with dispatch_action: its own choice is in the state too
            state[element["_block_id"]] = {action_id: element_state(element, action["selected_option"]["value"])}
        return self.post_payload(
            {
                "type": "block_actions",
                **self._context_fields(user_id),
                "user": {"id": user_id, "username": user_id.lower(), "team_id": self._where(user_id)[0]},
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "container": {"type": "view", "view_id": view.get("id")},
                "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
                "view": {**view, "state": {"values": state}, "team_id": self._where(user_id)[0], "app_id": APP_ID},
                "actions": [action],
            }
        )

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None,
              from_user: str | None = None) -> Reply:
        """`from_user`: whose workspace the event comes from when the event names nobody (app_uninstalled)."""
        user = from_user or (event.get("user") if isinstance(event.get("user"), str)
                             else (event.get("user") or {}).get("id", ""))
        # The events about an uninstall or a revocation still describe the installation that was.
        team, enterprise, org_wide = self._where(
            user or "", removed_too=event.get("type") in ("app_uninstalled", "tokens_revoked"))
        authorization: dict[str, Any] = {"team_id": None if org_wide else team, "user_id": BOT_USER_ID,
                                         "is_bot": True, "is_enterprise_install": org_wide}
        if enterprise:
            authorization["enterprise_id"] = enterprise
        body = {
            "token": "legacy-verification-token",
            "team_id": team,
            **({"enterprise_id": enterprise} if enterprise else {}),
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._run}{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [authorization],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(body), "application/json", headers=headers)

    def run_step(self, callback_id: str, inputs: dict, *, execution_id: str | None = None,
                 event_id: str | None = None, retry: int | None = None,
                 from_user: str | None = None) -> tuple[Reply, str]:
        """A workflow reaches the app's custom step: Slack sends `function_executed` with the step's
        inputs and a token for this execution; like Slack, no id of the workflow itself.
        `from_user`: whose workspace it runs in. Returns the reply and the execution id."""
        execution_id = execution_id or f"Fx{self._run}{next(self._ids):06d}"
        event = {
            "type": "function_executed",
            "function": {"id": f"Fn{APP_ID}", "callback_id": callback_id, "title": callback_id, "type": "app",
                         "app_id": APP_ID, "input_parameters": [], "output_parameters": [],
                         "date_created": 1_700_000_000, "date_updated": 1_700_000_000, "date_deleted": 0},
            "inputs": inputs,
            "function_execution_id": execution_id,
            "workflow_execution_id": f"Wx{execution_id[2:]}",
            "event_ts": f"{time.time():.6f}",
            "bot_access_token": self.emulator.function_token(execution_id),
        }
        return self.event(event, event_id=event_id, retry=retry, from_user=from_user), execution_id

    @staticmethod
    def user_context(user_id: str) -> dict:
        """A `slack#/types/user_context` value as Workflow Builder fills it: the person who ran it."""
        return {"id": user_id, "secret": hashlib.sha256(f"ctx:{user_id}".encode()).hexdigest()[:32]}

    def dm(self, user_id: str, text: str) -> Reply:
        return self.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": self.emulator.dm_channel(user_id),
                "user": user_id,
                "text": text,
                "ts": f"{time.time():.6f}",
                "event_ts": f"{time.time():.6f}",
            }
        )

    def open_home(self, user_id: str) -> Reply:
        return self.event({"type": "app_home_opened", "user": user_id, "channel": self.emulator.dm_channel(user_id),
                           "tab": "home", "event_ts": f"{time.time():.6f}"})


def _find_element(blocks: list[dict], action_id: str) -> dict | None:
    for block in blocks:
        elements = block.get("elements") or ([block["accessory"]] if "accessory" in block else [])
        for element in elements:
            if element.get("action_id") == action_id:
                return {**element, "_block_id": block.get("block_id", "")}
        if block.get("type") == "input" and (block.get("element") or {}).get("action_id") == action_id:
            return {**block["element"], "_block_id": block.get("block_id", ""), "_input": True}
    return None


def _option_of(element: dict, value: str) -> dict:
    options = [o for g in element.get("option_groups") or [] for o in g.get("options") or []]
    options = options or element.get("options") or []
    found = next((o for o in options if o.get("value") == value), None)
    return {"text": found["text"], "value": value} if found and found.get("text") else {"value": value}


def element_action(element: dict, block_id: str, selected: list[str] | None = None) -> dict:
    """The `actions[0]` Slack sends when a person uses this element: what it is, where, and its value."""
    kind = element["type"]
    action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block_id, "type": kind,
                              "action_ts": f"{time.time():.6f}"}
    if kind == "button":
        action["value"] = element.get("value", "")
        action["text"] = element.get("text")
    elif kind in ("static_select", "overflow", "radio_buttons", "external_select"):
        if selected:
            action["selected_option"] = _option_of(element, selected[0])
    elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        action["selected_options"] = [_option_of(element, v) for v in (selected or [])]
    elif kind == "users_select" and selected:
        action["selected_user"] = selected[0]
    elif kind == "datepicker" and selected:
        action["selected_date"] = selected[0]
    return action


def view_state(view: dict, values: dict[str, Any]) -> dict[str, dict]:
    """A modal's `state.values`: every field as the person left it; `values` maps block_id to what they
    chose or typed, the other fields keep what the form showed."""
    state: dict[str, dict] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        value = values[block_id] if block_id in values else _initial(element)
        state[block_id] = {element["action_id"]: element_state(element, value)}
    unknown = set(values) - set(state)
    if unknown:
        raise AssertionError(f"the modal has no input blocks {sorted(unknown)}")
    return state


def _initial(element: dict) -> Any:
    """What Slack submits for a field the person left as it was."""
    if "initial_users" in element:
        return list(element["initial_users"])
    if "initial_conversations" in element:
        return list(element["initial_conversations"])
    if "initial_user" in element:
        return element["initial_user"]
    if "initial_date" in element:
        return element["initial_date"]
    if "initial_time" in element:
        return element["initial_time"]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return element.get("initial_value")


def element_state(element: dict, value: Any) -> dict:
    kind = element["type"]
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": {"value": value} if value is not None else None}
    if kind in ("checkboxes", "multi_static_select"):
        return {"type": kind, "selected_options": [{"value": v} for v in (value or [])]}
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": value}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "multi_conversations_select":
        return {"type": kind, "selected_conversations": list(value or [])}
    if kind == "file_input":
        return {"type": kind, "files": list(value or [])}
    raise AssertionError(f"unsupported input element {kind}")


def menu_state(message: Message, action_id: str, values: list[str]) -> dict:
    """The `state.values` Slack sends along with a click when a menu in the message has a selection."""
    element = _find_element(message.blocks, action_id)
    if element is None:
        raise AssertionError(f"no menu {action_id!r} in message {message.ts}")
    return {element["_block_id"]: {action_id: element_state(element, values)}}


class SocketModeUserAgent(SlackUserAgent):
    """The same people doing the same things, delivered over Socket Mode instead of HTTP: each
    request becomes an envelope; the reply is the app's ack (its payload as the body)."""

    def __init__(self, server, emulator: SlackEmulator):
        super().__init__("", "", emulator)
        self.server = server

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        from bot.emulator.socket_mode import envelope_for

        kind, payload = envelope_for(content_type, body)
        retry = int((headers or {}).get("X-Slack-Retry-Num") or 0)
        ack = self.server.deliver(kind, payload, retry_attempt=retry)
        return Reply(200, json.dumps(ack["payload"]) if ack.get("payload") else "")
