"""A small Slack Web API emulator on 127.0.0.1.

It answers the methods this bot uses the way Slack does (`{"ok": true, ...}`, `{"ok": false,
"error": ...}`, HTTP 429 with Retry-After, `response_metadata` warnings), keeps a tiny workspace
(users, user groups, channels, messages, views) and records every call, so tests and the offline
shell can see what the bot really sent. Point slack_sdk at it with `base_url=emulator.api_url`.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "UBOT0EXIT"
BOT_ID = "BEXIT0001"
TEAM_ID = "T0EXAMPLE"
APP_ID = "A0EXITBOT"


@dataclass(frozen=True)
class Scope:
    """What a bot token sees: its workspace, or every workspace of its organisation (org-wide install)."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict]
    user: str = BOT_USER_ID
    thread_ts: str | None = None
    metadata: dict | None = None
    updates: int = 0


@dataclass
class Fault:
    method: str
    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    times: int = 1
    drop_connection: bool = False
    drop_after: bool = False  # do the work, then break the connection: the caller never learns


@dataclass
class Workspace:
    users: dict[str, dict] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    channels: dict[str, dict] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    ephemeral: list[dict] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    views: dict[str, dict] = field(default_factory=dict)
    home_views: dict[str, dict] = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)
    profile_fields: list[dict] = field(default_factory=list)  # team.profile.get: [{id, label, type}]
    # Workspaces besides the default one, and the Enterprise Grid organisation each belongs to.
    teams: dict[str, dict] = field(default_factory=lambda: {TEAM_ID: {"id": TEAM_ID, "name": "Example",
                                                                      "enterprise_id": None}})
    enterprises: dict[str, str] = field(default_factory=dict)  # id -> name
    # What the app reported for each workflow step it ran (functions.completeSuccess / completeError):
    # {"execution_id", "outputs"} or {"execution_id", "error"}, in order.
    function_results: list[dict] = field(default_factory=list)


class SlackEmulator:
    """Start with `start()`; stop with `stop()`. Thread-safe: the bot calls it from many threads."""

    def __init__(self, token: str = "xoxb-test-token", host: str = "127.0.0.1", port: int = 0,
                 app_token: str = "xapp-1-test-app-token"):
        self.token = token
        self.app_token = app_token
        self.socket_mode = None  # a SocketModeServer once `serve_socket_mode()` ran
        self.workspace = Workspace()
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        # Bot tokens and what each sees; the default token is the single workspace's.
        self.scopes: dict[str, Scope] = {token: Scope(TEAM_ID)}
        self.oauth_apps: dict[str, str] = {}  # client_id -> client_secret
        self._codes: dict[str, dict] = {}  # consent codes waiting for oauth.v2.access
        self._scope: Scope | None = None  # of the call being handled (under the lock)
        # Workflow step executions Slack started: their just-in-time tokens (function_executed's
        # bot_access_token), valid like the bot token while the step runs.
        self._function_tokens: dict[str, str] = {}
        self._removed: list[Scope] = []  # tokens uninstalled or revoked: what they were
        self._expired_responses: set[str] = set()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.add_user(BOT_USER_ID, name="exit-interview", is_bot=True)

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}response/{key}"

    def start(self) -> SlackEmulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.socket_mode is not None:
            self.socket_mode.stop()
        self._server.shutdown()
        self._server.server_close()

    def serve_socket_mode(self):
        """Also play Slack's Socket Mode side: apps.connections.open hands out its ws:// URLs."""
        from bot.emulator.socket_mode import SocketModeServer

        if self.socket_mode is None:
            self.socket_mode = SocketModeServer(self._server.server_address[0]).start()
        return self.socket_mode

    def function_token(self, execution_id: str) -> str:
        """The token Slack hands the app with a function_executed event for this execution."""
        with self._lock:
            for token, known in self._function_tokens.items():
                if known == execution_id:
                    return token
            token = f"xwfp-{next(self._ids)}-{execution_id}"
            self._function_tokens[token] = execution_id
            return token

    def function_results_for(self, execution_id: str) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self.workspace.function_results if r["execution_id"] == execution_id]

    def _apps_connections_open(self, token: str | None) -> dict:
        if token != self.app_token:
            return self._error("invalid_auth" if not (token or "").startswith("xapp-") else "not_allowed_token_type")
        if self.socket_mode is None:
            return self._error("socket_mode_not_enabled")
        return {"ok": True, "url": self.socket_mode.new_url()}

    # -- the workspace ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str = "",
        *,
        real_name: str | None = None,
        tz: str = "Europe/Amsterdam",
        locale: str = "nl-NL",
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
        team_id: str = TEAM_ID,
    ) -> dict:
        user = {
            "id": user_id,
            "team_id": team_id,
            "name": name or user_id.lower(),
            "real_name": real_name or name or user_id,
            "deleted": deleted,
            "is_bot": is_bot,
            "tz": tz,
            "tz_offset": 0,
            "locale": locale,
            "profile": {"real_name": real_name or name, "display_name": name, "email": email},
        }
        with self._lock:
            self.workspace.users[user_id] = user
        return user

    def set_profile(self, user_id: str, title: str | None = None, **fields: str) -> None:
        """Give a member profile fields as a workspace admin would: `fields` maps a label (Department,
        Start date, ...) to the value; labels the workspace does not have yet become custom fields."""
        with self._lock:
            profile = self.workspace.users[user_id]["profile"]
            if title is not None:
                profile["title"] = title
            values = profile.setdefault("fields", {})
            for label, value in fields.items():
                label = label.replace("_", " ")
                known = next((f for f in self.workspace.profile_fields if f["label"] == label), None)
                if known is None:
                    known = {"id": f"Xf{len(self.workspace.profile_fields) + 1:08d}", "label": label,
                             "type": "date" if "date" in label.lower() else "text"}
                    self.workspace.profile_fields.append(known)
                values[known["id"]] = {"value": value, "alt": ""}

    def add_team(self, team_id: str, name: str, *, enterprise_id: str | None = None,
                 enterprise_name: str | None = None) -> None:
        """Another workspace; with `enterprise_id`, one of an Enterprise Grid organisation's workspaces."""
        with self._lock:
            self.workspace.teams[team_id] = {"id": team_id, "name": name, "enterprise_id": enterprise_id}
            if enterprise_id:
                self.workspace.enterprises.setdefault(enterprise_id, enterprise_name or enterprise_id)

    def enterprise_of(self, team_id: str | None) -> str | None:
        return (self.workspace.teams.get(team_id or "") or {}).get("enterprise_id")

    def org_wide_install(self, enterprise_id: str | None, *, removed_too: bool = False) -> bool:
        """Is the app installed org-wide in this organisation (Slack then says so in every payload)?
        `removed_too`: or was, until a token just removed (the events about the removal still say so)."""
        scopes = [*self.scopes.values(), *(self._removed if removed_too else [])]
        return bool(enterprise_id) and any(s.org_wide and s.enterprise_id == enterprise_id for s in scopes)

    # -- OAuth -------------------------------------------------------------------------------------

    def add_oauth_app(self, client_id: str, client_secret: str) -> None:
        with self._lock:
            self.oauth_apps[client_id] = client_secret

    def consent(self, installer: str, *, team_id: str | None = None, enterprise_id: str | None = None,
                scope: str = "chat:write,commands,im:history,im:write,users:read") -> str:
        """An admin clicked Allow on Slack's consent screen: the code Slack sends to the redirect URL.
        `enterprise_id` without `team_id` is an org-wide install on Enterprise Grid."""
        with self._lock:
            code = f"code-{next(self._ids)}"
            self._codes[code] = {"installer": installer, "team_id": team_id, "enterprise_id": enterprise_id,
                                 "scope": scope}
            return code

    def _oauth_v2_access(self, params: dict) -> dict:
        client_id = params.get("client_id") or ""
        if client_id not in self.oauth_apps:
            return self._error("invalid_client_id")
        if self.oauth_apps[client_id] != params.get("client_secret"):
            return self._error("bad_client_secret")
        grant = self._codes.pop(params.get("code") or "", None)
        if grant is None:
            return self._error("invalid_code")
        team_id, enterprise_id = grant["team_id"], grant["enterprise_id"]
        org_wide = team_id is None
        if not org_wide:
            enterprise_id = self.enterprise_of(team_id)
        serial = next(self._ids)
        token = f"xoxb-{(enterprise_id if org_wide else team_id)}-{serial:06d}-installtoken"
        bot_user = f"UBOT{serial:05d}"
        self.scopes[token] = Scope(team_id, enterprise_id, org_wide, bot_user, f"BBOT{serial:05d}")
        self.add_user(bot_user, name="exit-interview", is_bot=True, team_id=team_id or TEAM_ID)
        team = self.workspace.teams.get(team_id or "")
        return {
            "ok": True, "access_token": token, "token_type": "bot", "scope": grant["scope"],
            "bot_user_id": bot_user, "app_id": APP_ID,
            "team": {"id": team_id, "name": team["name"]} if team else None,
            "enterprise": {"id": enterprise_id, "name": self.workspace.enterprises.get(enterprise_id, "")}
            if enterprise_id else None,
            "is_enterprise_install": org_wide,
            "authed_user": {"id": grant["installer"]},
        }

    def uninstall(self, token: str) -> None:
        """An admin removed the app: its token stops working (Slack then sends app_uninstalled)."""
        with self._lock:
            scope = self.scopes.pop(token, None)
            if scope is not None:
                self._removed.append(scope)

    def revoke(self, token: str) -> None:
        """The bot token was revoked (an admin, auth.revoke): it stops working (Slack then sends
        tokens_revoked naming the bot user)."""
        self.uninstall(token)

    # -- visibility ----------------------------------------------------------------------------------

    def _sees_user(self, user_id: str) -> bool:
        user = self.workspace.users.get(user_id)
        scope = self._scope
        if user is None or scope is None:
            return user is not None
        if scope.org_wide:
            return self.enterprise_of(user["team_id"]) == scope.enterprise_id
        return user["team_id"] == scope.team_id

    def _sees_channel(self, channel_id: str) -> bool:
        channel = self.workspace.channels.get(channel_id)
        scope = self._scope
        if channel is None or scope is None:
            return channel is not None
        if scope.org_wide:
            return self.enterprise_of(channel["team_id"]) == scope.enterprise_id
        return channel["team_id"] == scope.team_id

    def add_usergroup(self, group_id: str, members: list[str]) -> None:
        with self._lock:
            self.workspace.usergroups[group_id] = list(members)

    def add_channel(self, channel_id: str, name: str, members: list[str] | None = None, *,
                    team_id: str = TEAM_ID) -> None:
        with self._lock:
            self.workspace.channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "team_id": team_id,
                "members": set(members or []) | {BOT_USER_ID},
            }

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def fail(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None,
             times: int = 1, drop_connection: bool = False, drop_after: bool = False) -> None:
        """Make the next `times` calls of `method` fail like Slack would."""
        with self._lock:
            self.faults.append(Fault(method, error, status, retry_after, times, drop_connection, drop_after))

    # -- what the bot did ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def messages_in(self, channel: str) -> list[Message]:
        """Snapshots: what the channel shows now (later updates do not change them)."""
        with self._lock:
            return [copy.deepcopy(m) for m in self.workspace.messages if m.channel == channel]

    def dms_to(self, user_id: str) -> list[Message]:
        return self.messages_in(self.dm_channel(user_id))

    def message(self, channel: str, ts: str) -> Message | None:
        """A snapshot of one message as it is now."""
        with self._lock:
            return copy.deepcopy(self._live_message(channel, ts))

    def _live_message(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.workspace.messages if m.channel == channel and m.ts == ts), None)

    def wait_for(self, condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        """Block until `condition()` is truthy (re-checked on every change); return its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = condition()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self._changed.wait(min(remaining, 0.05))

    # -- the API ---------------------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, dict, dict]:
        with self._changed:
            self.calls.append(Call(method, params, token))
            self._changed.notify_all()
            fault = next((f for f in self.faults if f.method == method and f.times > 0), None)
            if fault:
                fault.times -= 1
                if fault.drop_after and token in self.scopes:
                    self._scope = self.scopes[token]
                    handler = getattr(self, "_api_" + method.replace(".", "_"), None)
                    if handler is not None:
                        handler(params)
                        self._changed.notify_all()
                    return -1, {}, {}
                if fault.drop_connection:
                    return -1, {}, {}
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                body = {"ok": False, "error": fault.error or ("ratelimited" if fault.status == 429 else "fatal_error")}
                return fault.status, headers, body
            if method == "apps.connections.open":
                return 200, {}, self._apps_connections_open(token)
            if method == "oauth.v2.access":
                return 200, {}, self._oauth_v2_access(params)
            if token not in self.scopes and token not in self._function_tokens:
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            if method.startswith("functions.") and token not in self.scopes \
                    and self._function_tokens[token] != params.get("function_execution_id"):
                return 200, {}, {"ok": False, "error": "invalid_auth"}  # another execution's token
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            if handler is None:
                return 200, {}, {"ok": False, "error": "unknown_method"}
            # A workflow step's token acts for the workspace it runs in (the default one here).
            self._scope = self.scopes.get(token) or self.scopes[self.token]
            result = handler(params)
            self._changed.notify_all()
            return 200, {}, result

    def expire_response_url(self, key: str) -> None:
        """Slack's response_urls stop working after 30 minutes: from now on this one is refused."""
        with self._lock:
            self._expired_responses.add(key)

    def response_url_expired(self, key: str) -> bool:
        with self._changed:
            self.calls.append(Call("response_url", {"key": key}, None))
            self._changed.notify_all()
            return key in self._expired_responses

    def record_response(self, key: str, payload: dict) -> None:
        with self._changed:
            self.workspace.responses.append({"key": key, **payload})
            self._changed.notify_all()

    def _error(self, error: str) -> dict:
        return {"ok": False, "error": error}

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ids):06d}"

    def _resolve_channel(self, channel: str | None) -> str | None:
        if not channel:
            return None
        if channel[0] in "UW":
            return self.dm_channel(channel) if self._sees_user(channel) else None
        if channel[0] == "D":
            user = "U" + channel[1:]
            return channel if user not in self.workspace.users or self._sees_user(user) else None
        if self._sees_channel(channel):
            return channel
        return None

    def _user_usable(self, user_id: str) -> str | None:
        user = self.workspace.users.get(user_id)
        if user is None or not self._sees_user(user_id):
            return "user_not_found"
        if user["deleted"]:
            return "user_disabled"
        if user["is_bot"]:
            return "cannot_dm_bot"
        return None

    def _ended(self, execution_id: str) -> bool:
        return any(r["execution_id"] == execution_id for r in self.workspace.function_results)

    def _api_functions_completeSuccess(self, params):
        execution_id = params.get("function_execution_id")
        outputs = _json(params.get("outputs"))
        if not execution_id or not isinstance(outputs, dict):
            return self._error("invalid_arguments")
        if self._ended(execution_id):  # a step ends once
            return self._error("execution_not_in_running_state")
        self.workspace.function_results.append({"execution_id": execution_id, "outputs": outputs})
        return {"ok": True}

    def _api_functions_completeError(self, params):
        execution_id = params.get("function_execution_id")
        error = params.get("error")
        if not execution_id or not isinstance(error, str) or not error:
            return self._error("invalid_arguments")
        if self._ended(execution_id):
            return self._error("execution_not_in_running_state")
        self.workspace.function_results.append({"execution_id": execution_id, "error": error})
        return {"ok": True}

    def _api_auth_test(self, params):
        scope = self._scope or Scope(TEAM_ID)
        team = self.workspace.teams.get(scope.team_id or "") or {}
        result = {"ok": True, "url": "https://example.slack.com/", "team": team.get("name", ""),
                  "user": "exit-interview", "team_id": scope.team_id or "", "user_id": scope.bot_user_id,
                  "bot_id": scope.bot_id, "is_enterprise_install": scope.org_wide}
        if scope.enterprise_id:
            result["enterprise_id"] = scope.enterprise_id
        return result

    def _api_users_info(self, params):
        user = self.workspace.users.get(params.get("user", ""))
        if user is None or not self._sees_user(user["id"]):
            return self._error("user_not_found")
        user = dict(user)
        if str(params.get("include_locale", "")).lower() not in ("true", "1"):
            user.pop("locale", None)
        return {"ok": True, "user": user}

    def _api_users_profile_get(self, params):
        user = self.workspace.users.get(params.get("user", ""))
        if user is None or not self._sees_user(user["id"]):
            return self._error("user_not_found")
        profile = dict(user["profile"])
        profile.setdefault("fields", {})
        return {"ok": True, "profile": profile}

    def _api_team_profile_get(self, params):
        return {"ok": True, "profile": {"fields": [dict(f) for f in self.workspace.profile_fields]}}

    def _api_conversations_history(self, params):
        channel = self._resolve_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        oldest = float(params.get("oldest") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("true", "1")
        found = [m for m in self.workspace.messages if m.channel == channel and float(m.ts) >= oldest]
        found = sorted(found, key=lambda m: float(m.ts), reverse=True)[: int(params.get("limit") or 100)]
        messages = []
        for m in found:
            item = {"type": "message", "user": m.user, "text": m.text, "ts": m.ts}
            if with_metadata and m.metadata:
                item["metadata"] = m.metadata
            messages.append(item)
        return {"ok": True, "messages": messages, "has_more": False}

    def _api_users_list(self, params):
        team = params.get("team_id")
        if self._scope is not None and self._scope.org_wide and not team:
            return self._error("missing_argument")  # an org token names the workspace to list
        members = sorted((u for u in self.workspace.users.values() if self._sees_user(u["id"])
                          and (not team or u["team_id"] == team)), key=lambda u: u["id"])
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 200)
        page = members[start:start + limit]
        next_cursor = str(start + limit) if start + limit < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _api_auth_teams_list(self, params):
        scope = self._scope or Scope(TEAM_ID)
        teams = [t for t in self.workspace.teams.values()
                 if (scope.org_wide and t["enterprise_id"] == scope.enterprise_id) or t["id"] == scope.team_id]
        return {"ok": True, "teams": [{"id": t["id"], "name": t["name"]} for t in teams],
                "response_metadata": {"next_cursor": ""}}

    def _api_users_lookupByEmail(self, params):
        email = (params.get("email") or "").lower()
        for user in self.workspace.users.values():
            if (user["profile"].get("email") or "").lower() == email and email and self._sees_user(user["id"]):
                return {"ok": True, "user": user}
        return self._error("users_not_found")

    def _api_usergroups_users_list(self, params):
        members = self.workspace.usergroups.get(params.get("usergroup", ""))
        if members is None:
            return self._error("no_such_subteam")
        return {"ok": True, "users": list(members)}

    def _api_conversations_open(self, params):
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if len(users) != 1:
            return self._error("not_enough_users" if not users else "too_many_users")
        problem = self._user_usable(users[0])
        if problem:
            return self._error(problem)
        return {"ok": True, "channel": {"id": self.dm_channel(users[0])}}

    def _api_chat_postMessage(self, params):
        channel = self._resolve_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        if channel[0] == "D":
            problem = self._user_usable("U" + channel[1:])
            if problem and problem != "user_not_found":
                return self._error(problem)
        elif BOT_USER_ID not in self.workspace.channels[channel]["members"]:
            return self._error("not_in_channel")
        invalid = self._check_message(params)
        if invalid:
            return invalid
        message = Message(channel, self._next_ts(), params.get("text") or "", _blocks(params),
                          thread_ts=params.get("thread_ts"), metadata=_json(params.get("metadata")))
        self.workspace.messages.append(message)
        result = {"ok": True, "channel": channel, "ts": message.ts,
                  "message": {"type": "message", "text": message.text, "user": BOT_USER_ID, "ts": message.ts,
                              "blocks": message.blocks}}
        if not params.get("text"):
            result["response_metadata"] = {"warnings": ["missing_text_or_fallback_or_attachments"]}
        return result

    def _api_chat_update(self, params):
        channel = self._resolve_channel(params.get("channel"))
        message = self._live_message(channel or "", params.get("ts", ""))
        if message is None:
            return self._error("message_not_found")
        invalid = self._check_message(params)
        if invalid:
            return invalid
        message.text = params.get("text") or message.text
        if "blocks" in params:
            message.blocks = _blocks(params)
        message.updates += 1
        return {"ok": True, "channel": channel, "ts": message.ts, "text": message.text}

    def _api_chat_getPermalink(self, params):
        channel = self._resolve_channel(params.get("channel"))
        message = self._live_message(channel or "", params.get("message_ts", ""))
        if message is None:
            return self._error("message_not_found")
        return {"ok": True, "channel": channel,
                "permalink": f"https://emulator.slack.test/archives/{channel}/p{message.ts.replace('.', '')}"}

    def _api_chat_postEphemeral(self, params):
        channel = self._resolve_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        invalid = self._check_message(params)
        if invalid:
            return invalid
        self.workspace.ephemeral.append({"channel": channel, "user": params.get("user"),
                                         "text": params.get("text"), "blocks": _blocks(params)})
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_views_open(self, params):
        view = _json(params.get("view"))
        if not params.get("trigger_id"):
            return self._error("invalid_trigger_id")
        if not view or view.get("type") != "modal":
            return self._error("invalid_arguments")
        if block_problem(view.get("blocks", []), VIEW_BLOCKS):
            return self._error("invalid_blocks")
        view_id = f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "hash": f"h{next(self._ids)}", "state": {"values": {}}}
        self.workspace.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _api_views_update(self, params):
        view_id = params.get("view_id")
        if view_id not in self.workspace.views:
            return self._error("not_found")
        view = _json(params.get("view"))
        if not view or block_problem(view.get("blocks", []), VIEW_BLOCKS):
            return self._error("invalid_blocks")
        self.workspace.views[view_id] = {**view, "id": view_id}
        return {"ok": True, "view": self.workspace.views[view_id]}

    def _api_views_push(self, params):
        return self._api_views_open(params)

    def _api_views_publish(self, params):
        if not self._sees_user(params.get("user_id", "")):
            return self._error("user_not_found")
        view = _json(params.get("view"))
        if not view or block_problem(view.get("blocks", []), VIEW_BLOCKS):
            return self._error("invalid_blocks")
        self.workspace.home_views[params.get("user_id", "")] = view
        return {"ok": True, "view": {**view, "id": f"V{next(self._ids):08d}"}}

    def _api_files_getUploadURLExternal(self, params):
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            return self._error("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self.workspace.files.append({"id": file_id, "filename": params["filename"], "length": int(params["length"]),
                                    "content": None, "channel": None, "title": None})
        return {"ok": True, "upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, params):
        files = _json(params.get("files")) or []
        channel = self._resolve_channel(params.get("channel_id")) if params.get("channel_id") else None
        if params.get("channel_id") and channel is None:
            return self._error("channel_not_found")
        done = []
        for item in files:
            stored = next((f for f in self.workspace.files if f["id"] == item.get("id")), None)
            if stored is None or stored["content"] is None:
                return self._error("file_not_found")
            stored["title"], stored["channel"] = item.get("title"), channel
            done.append({"id": stored["id"], "title": stored["title"], "name": stored["filename"]})
        return {"ok": True, "files": done}

    def add_file(self, name: str, content: bytes, user: str, *, mimetype: str = "text/csv") -> dict:
        """A file a person uploaded (e.g. in a form's file_input); returns the file object Slack hands out."""
        with self._lock:
            stored = {"id": f"F{next(self._ids):08d}", "filename": name, "length": len(content), "content": content,
                      "channel": None, "title": name, "user": user, "mimetype": mimetype}
            self.workspace.files.append(stored)
            return self._file_object(stored)

    def _file_object(self, stored: dict) -> dict:
        name = stored["filename"]
        base = f"{self.base_url}files-pri/{TEAM_ID}-{stored['id']}"
        return {"id": stored["id"], "name": name, "title": stored.get("title") or name, "user": stored.get("user"),
                "size": stored["length"], "mimetype": stored.get("mimetype") or "application/octet-stream",
                "filetype": name.rsplit(".", 1)[-1] if "." in name else "", "url_private": f"{base}/{name}",
                "url_private_download": f"{base}/download/{name}"}

    def _api_files_info(self, params):
        stored = next((f for f in self.workspace.files if f["id"] == params.get("file")), None)
        if stored is None or stored["content"] is None:
            return self._error("file_not_found")
        return {"ok": True, "file": self._file_object(stored)}

    def download(self, path: str, authorization: str) -> tuple[int, bytes, str]:
        """GET of a file's url_private(_download): like Slack, a login page without the bot token."""
        with self._changed:
            self.calls.append(Call("files.download", {"path": path}, authorization[len("Bearer "):] or None))
            self._changed.notify_all()
            if not authorization.startswith("Bearer ") or authorization[len("Bearer "):] not in self.scopes:
                return 200, b"<html><body>Sign in to Slack</body></html>", "text/html; charset=utf-8"
            file_id = path.split("/")[2].rsplit("-", 1)[-1] if path.count("/") >= 3 else ""
            stored = next((f for f in self.workspace.files if f["id"] == file_id), None)
            if stored is None or stored["content"] is None:
                return 404, b"not found", "text/plain"
            return 200, stored["content"], stored.get("mimetype") or "application/octet-stream"

    def record_upload(self, file_id: str, content: bytes) -> bool:
        with self._changed:
            stored = next((f for f in self.workspace.files if f["id"] == file_id), None)
            if stored is None:
                return False
            stored["content"] = content
            self._changed.notify_all()
            return True

    def _check_message(self, params) -> dict | None:
        if len(params.get("text") or "") > MESSAGE_TEXT:
            return self._error("msg_too_long")
        blocks = _blocks(params)
        if sum(_text_chars(block) for block in blocks) > MESSAGE_BLOCK_CHARS:
            return self._error("msg_blocks_too_long")
        problem = block_problem(blocks, MESSAGE_BLOCKS)
        return self._error("invalid_blocks") if problem else None


# Slack's limits (https://api.slack.com/reference/block-kit): what real Slack refuses, refused here.
MESSAGE_TEXT = 40_000
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_BLOCK_CHARS = 13_200  # Slack refuses a message with much more block text than this
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
OPTION_TEXT = 75
FIELD_TEXT = 2000
CONTEXT_TEXT = 3000


def block_problem(blocks: list, max_blocks: int) -> str | None:
    """Why Slack would refuse these blocks (None when it would take them)."""
    if not isinstance(blocks, list) or len(blocks) > max_blocks:
        return f"more than {max_blocks} blocks"
    for block in blocks:
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        if kind == "section" and len(text) > SECTION_TEXT:
            return "section text over 3000 characters"
        if kind == "header" and len(text) > HEADER_TEXT:
            return "header text over 150 characters"
        if kind == "section" and any(len(f.get("text", "")) > FIELD_TEXT for f in block.get("fields") or []):
            return "section field over 2000 characters"
        if kind == "context" and any(len(e.get("text", "")) > CONTEXT_TEXT for e in block.get("elements") or []):
            return "context text over 3000 characters"
        elements = list(block.get("elements") or []) if kind == "actions" else []
        if block.get("accessory"):
            elements.append(block["accessory"])
        if block.get("element"):
            elements.append(block["element"])
        for element in elements:
            if element.get("type") == "button" and len((element.get("text") or {}).get("text", "")) > BUTTON_TEXT:
                return "button text over 75 characters"
            for option in element.get("options") or []:
                if len((option.get("text") or {}).get("text", "")) > OPTION_TEXT:
                    return "option text over 75 characters"
    return None


def _text_chars(item: Any) -> int:
    if isinstance(item, dict):
        own = len(item["text"]) if isinstance(item.get("text"), str) else 0
        return own + sum(_text_chars(v) for k, v in item.items() if not (k == "text" and isinstance(v, str)))
    if isinstance(item, list):
        return sum(_text_chars(v) for v in item)
    return 0


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _blocks(params: dict) -> list[dict]:
    return _json(params.get("blocks")) or []


def _file_part(data: bytes, content_type: str) -> bytes:
    """The file's bytes from an upload (multipart/form-data, as slack_sdk sends it, or raw)."""
    if "multipart/form-data" not in content_type or "boundary=" not in content_type:
        return data
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    for part in data.split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            return body[:-2] if body.endswith(b"\r\n") else body  # the CRLF before the next boundary
    return data


def _handler_for(emulator: SlackEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            if not self.path.startswith("/files-pri/"):
                return self._send(404, {}, b"not found", "text/plain")
            status, body, content_type = emulator.download(self.path, self.headers.get("Authorization", ""))
            return self._send(status, {}, body, content_type)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            if self.path.startswith("/upload/"):
                body = _file_part(data, self.headers.get("Content-Type", ""))
                ok = emulator.record_upload(self.path.rsplit("/", 1)[-1], body)
                return self._send(200 if ok else 404, {}, b"OK - " + str(len(body)).encode(), "text/plain")
            raw = data.decode("utf-8")
            if self.path.startswith("/response/"):
                if emulator.response_url_expired(self.path.rsplit("/", 1)[-1]):
                    return self._send(404, {}, b"expired_url", "text/plain")
                payload = json.loads(raw or "{}")
                if block_problem(payload.get("blocks") or [], MESSAGE_BLOCKS):
                    return self._send(400, {}, b"invalid_blocks", "text/plain")
                emulator.record_response(self.path.rsplit("/", 1)[-1], payload)
                return self._send(200, {}, b"ok", "text/plain")
            if not self.path.startswith("/api/"):
                return self._send(404, {}, b"not found", "text/plain")
            method = self.path[len("/api/"):].split("?")[0]
            content_type = self.headers.get("Content-Type", "")
            if "json" in content_type:
                params = json.loads(raw or "{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):  # oauth.v2.access: the app's credentials
                client_id, _, secret = base64.b64decode(auth[len("Basic "):]).decode().partition(":")
                params.setdefault("client_id", client_id)
                params.setdefault("client_secret", secret)
            token = auth[len("Bearer "):] if auth.startswith("Bearer ") else params.pop("token", None)
            status, headers, body = emulator.handle(method, params, token)
            if status == -1:
                self.close_connection = True
                self.connection.close()
                return None
            return self._send(status, headers, json.dumps(body).encode(), "application/json; charset=utf-8")

        def _send(self, status: int, headers: dict, body: bytes, content_type: str):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
