"""Slack Web API access: the client with retries, and cached look-ups of people and HR membership."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.i18n import language_of
from flows.registration import Person

log = logging.getLogger(__name__)


# A broken connection can surface as a plain OSError (http.client.RemoteDisconnected) rather than
# slack_sdk's own error; both mean "Slack did not (certainly) take it".
SLACK_FAILURES = (SlackClientError, OSError)


class NoDuplicatePostRetryHandler(ConnectionErrorRetryHandler):
    """Retries broken connections, except for posting a message: when the connection broke after
    Slack took it, a retry would post it twice. Those go to reconciliation or the outbox instead."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if request.url.rstrip("/").endswith("chat.postMessage"):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class PacedWebClient(WebClient):
    """Posts about `per_second` messages per channel (Slack allows about one per second per
    channel, with short bursts): a token bucket per channel, waiting rather than being refused."""

    def __init__(self, *args, per_second: float = 1.0, burst: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        self.per_second = per_second
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._pace_lock = threading.Lock()

    def chat_postMessage(self, *, channel: str, **kwargs):
        self._wait_for_slot(channel)
        return super().chat_postMessage(channel=channel, **kwargs)

    def _wait_for_slot(self, channel: str) -> None:
        with self._pace_lock:
            now = time.monotonic()
            tokens, stamp = self._buckets.get(channel, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.per_second)
            if tokens >= 1:
                delay, tokens = 0.0, tokens - 1
            else:  # reserve the next token: later callers queue behind this one
                delay, tokens = (1 - tokens) / self.per_second, 0.0
            self._buckets[channel] = (tokens, now + delay)
        if delay:
            time.sleep(delay)


def make_client(token: str, base_url: str | None = None, timeout: int = 10, per_second: float = 1.0) -> WebClient:
    """A WebClient that honours Retry-After on 429, retries 5xx and broken connections, and paces
    posts per channel."""
    client = PacedWebClient(token=token, base_url=base_url or WebClient.BASE_URL, timeout=timeout,
                            per_second=per_second)
    client.retry_handlers = [
        NoDuplicatePostRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


@dataclass(frozen=True)
class SlackUser:
    user_id: str
    exists: bool
    is_bot: bool = False
    deleted: bool = False
    tz: str | None = None
    locale: str | None = None

    @property
    def person(self) -> Person:
        return Person(self.user_id, exists=self.exists, is_bot=self.is_bot, deleted=self.deleted)

    @property
    def language(self) -> str | None:
        return language_of(self.locale)


class Directory:
    """Who is who in the workspace, with short-lived caches (Slack's users.info is Tier 4)."""

    USER_TTL = 300.0
    HR_GROUP_TTL = 60.0

    def __init__(self, client: WebClient, settings: Settings, *, org_wide: bool = False):
        self.client = client
        self.settings = settings
        # An org-wide install (Enterprise Grid): people are listed per workspace of the organisation.
        self.org_wide = org_wide
        self._users: dict[str, tuple[float, SlackUser]] = {}
        self._hr_group: tuple[float, frozenset[str]] | None = None
        self._names: tuple[float, list[str]] | None = None
        self._lock = threading.Lock()

    def user(self, user_id: str, fresh: bool = False) -> SlackUser:
        now = time.monotonic()
        with self._lock:
            cached = self._users.get(user_id)
        if cached and not fresh and now - cached[0] < self.USER_TTL:
            return cached[1]
        try:
            info = self.client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "user_not_visible"):
                user = SlackUser(user_id, exists=False)
            else:
                raise
        else:
            user = SlackUser(
                user_id,
                exists=True,
                is_bot=bool(info.get("is_bot")) or user_id == "USLACKBOT",
                deleted=bool(info.get("deleted")),
                tz=info.get("tz"),
                locale=info.get("locale"),
            )
        with self._lock:
            self._users[user_id] = (now, user)
        return user

    def language(self, user_id: str) -> str:
        """A person's language for messages: their Slack locale, else the workspace default."""
        try:
            return self.user(user_id).language or self.settings.default_language
        except SlackApiError:
            return self.settings.default_language

    def member_names(self) -> list[str]:
        """Real and display names of the workspace's people, to scrub them from quotes (cached 1 h)."""
        now = time.monotonic()
        if self._names and now - self._names[0] < 3600:
            return self._names[1]
        names: list[str] = []
        try:
            # An org token lists people one workspace at a time (users.list needs team_id then).
            for team in self._org_teams() if self.org_wide else [None]:
                cursor = None
                while True:
                    page = self.client.users_list(limit=200, **({"team_id": team} if team else {}),
                                                  **({"cursor": cursor} if cursor else {}))
                    for member in page.get("members", []):
                        if member.get("is_bot") or member.get("id") == "USLACKBOT":
                            continue
                        profile = member.get("profile") or {}
                        names += [n for n in (member.get("real_name"), profile.get("real_name"),
                                              profile.get("display_name"), member.get("name")) if n]
                    cursor = (page.get("response_metadata") or {}).get("next_cursor")
                    if not cursor:
                        break
        except SlackApiError as error:
            log.warning("could not list members for anonymising: %s", error.response.get("error"))
            return self._names[1] if self._names else []
        unique = sorted(set(names))
        self._names = (now, unique)
        return unique

    def _org_teams(self) -> list[str]:
        """The organisation's workspaces the org-wide install was granted (auth.teams.list)."""
        teams: list[str] = []
        cursor = None
        while True:
            page = self.client.auth_teams_list(limit=100, **({"cursor": cursor} if cursor else {}))
            teams += [team["id"] for team in page.get("teams", []) if team.get("id")]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return teams

    def is_hr(self, user_id: str) -> bool:
        if user_id in self.settings.hr_user_ids:
            return True
        return user_id in self._hr_group_members()

    def hr_members(self) -> frozenset[str]:
        return self.settings.hr_user_ids | self._hr_group_members()

    def use_settings(self, settings: Settings) -> None:
        """HR changed the settings while the bot runs: who is HR follows at once."""
        with self._lock:
            if settings.hr_usergroup_id != self.settings.hr_usergroup_id:
                self._hr_group = None
            self.settings = settings

    def _hr_group_members(self) -> frozenset[str]:
        group = self.settings.hr_usergroup_id
        if not group:
            return frozenset()
        now = time.monotonic()
        if self._hr_group and now - self._hr_group[0] < self.HR_GROUP_TTL:
            return self._hr_group[1]
        try:
            members = frozenset(self.client.usergroups_users_list(usergroup=group)["users"])
        except SlackApiError as error:
            # A free plan answers plan_upgrade_required; deny rather than guess.
            log.warning("could not read HR user group %s: %s", group, error.response.get("error"))
            return self._hr_group[1] if self._hr_group else frozenset()
        self._hr_group = (now, members)
        return members


class FileRefused(Exception):
    """A file could not be fetched: `reason` is untrusted, login_page, too_big or unreachable."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def download_file(client: WebClient, url: str, limit: int, api_url: str | None = None) -> bytes:
    """A file's private download URL fetched with the bot token, at most `limit` bytes.

    The token only ever goes to Slack's own hosts (or the configured API host, e.g. an emulator),
    redirects included.
    """
    if not _trusted_file_url(url, api_url):
        raise FileRefused("untrusted")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    opener = urllib.request.build_opener(_TrustedRedirects(api_url))
    try:
        with opener.open(request, timeout=15) as response:
            if "text/html" in (response.headers.get("Content-Type") or ""):
                raise FileRefused("login_page")  # Slack answers a login page when the token may not read it
            data = response.read(limit + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        log.warning("could not download %s: %s", url, error)
        raise FileRefused("unreachable") from error
    if len(data) > limit:
        raise FileRefused("too_big")
    return data


def _trusted_file_url(url: str, api_url: str | None) -> bool:
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and f".{host}".endswith(".slack.com"):  # slack.com or a subdomain
        return True
    if api_url:
        api = urllib.parse.urlsplit(api_url)
        return bool(host) and (parts.scheme, parts.hostname, parts.port) == (api.scheme, api.hostname, api.port)
    return False


class _TrustedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another trusted address: the Authorization header goes along."""

    def __init__(self, api_url: str | None):
        self.api_url = api_url

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not _trusted_file_url(newurl, self.api_url):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)
