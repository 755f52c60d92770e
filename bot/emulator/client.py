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

from bot.emulator.api import TEAM_ID, Message, SlackEmulator

APP_ID = "A0EXITBOT"


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

    # -- what people do --------------------------------------------------------------------------

    def slash(self, user_id: str, text: str = "", *, command: str = "/exit-interview",
              channel_id: str = "C0HRDESK1", **kwargs) -> Reply:
        key = f"cmd{self._run}.{next(self._ids)}"
        return self.post_form(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM_ID,
                "team_domain": "example",
                "channel_id": channel_id,
                "channel_name": "hr-desk",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": command,
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": self.emulator.response_url(key),
                "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
            },
            **kwargs,
        )

    def click(self, user_id: str, message: Message, action_id: str, *, value: str | None = None,
              selected: list[str] | None = None, state: dict | None = None) -> Reply:
        """Click a button (or submit a select) found in a message the bot posted."""
        element = _find_element(message.blocks, action_id)
        if element is None:
            raise AssertionError(f"no element {action_id!r} in message {message.ts}: {message.blocks}")
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": element["_block_id"],
            "type": element["type"],
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            action["value"] = value if value is not None else element.get("value", "")
            action["text"] = element.get("text")
        elif element["type"] == "static_select" and selected:
            action["selected_option"] = {"value": selected[0]}
        elif selected is not None:
            action["selected_options"] = [{"value": v} for v in selected]
        payload_state = {"values": state or {}}
        return self.post_payload(
            {
                "type": "block_actions",
                "team": {"id": TEAM_ID, "domain": "example"},
                "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                              "is_ephemeral": False},
                "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
                "channel": {"id": message.channel},
                "message": {"type": "message", "ts": message.ts, "text": message.text, "blocks": message.blocks},
                "response_url": self.emulator.response_url(f"act{self._run}.{next(self._ids)}"),
                "state": payload_state,
                "actions": [action],
            }
        )

    def click_in_view(self, user_id: str, view: dict, action_id: str) -> Reply:
        """Click a button in a modal the bot opened (`view` as the emulator holds it, with its id)."""
        element = _find_element(view.get("blocks", []), action_id)
        if element is None:
            raise AssertionError(f"no element {action_id!r} in view {view.get('id')}: {view.get('blocks')}")
        return self.post_payload(
            {
                "type": "block_actions",
                "team": {"id": TEAM_ID, "domain": "example"},
                "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "container": {"type": "view", "view_id": view.get("id")},
                "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
                "view": {**view, "state": {"values": {}}, "team_id": TEAM_ID, "app_id": APP_ID},
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
        state: dict[str, dict] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            block_id, element = block["block_id"], block["element"]
            value = values[block_id] if block_id in values else _initial(element)
            state[block_id] = {element["action_id"]: _element_state(element, value)}
        unknown = set(values) - set(state)
        if unknown:
            raise AssertionError(f"the modal has no input blocks {sorted(unknown)}")
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "example"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.{self._run}.trigger",
            "view": {**view, "state": {"values": state}, "team_id": TEAM_ID, "app_id": APP_ID},
            "response_urls": [],
        }

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None) -> Reply:
        body = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._run}{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT0EXIT", "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(body), "application/json", headers=headers)

    def run_step(self, callback_id: str, inputs: dict, *, execution_id: str | None = None,
                 event_id: str | None = None, retry: int | None = None) -> tuple[Reply, str]:
        """A workflow reaches the app's custom step: Slack sends `function_executed` with the step's
        inputs and a token for this execution. Returns the reply and the execution id."""
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
        return self.event(event, event_id=event_id, retry=retry), execution_id

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
    return None


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
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return element.get("initial_value")


def _element_state(element: dict, value: Any) -> dict:
    kind = element["type"]
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
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
    return {element["_block_id"]: {action_id: _element_state(element, values)}}


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
