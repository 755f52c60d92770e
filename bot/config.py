"""Settings from the environment (and a `.env` file), validated once at start.

A bad setting stops the start with one line that names it: `ConfigError` carries that line and
the CLI prints it without a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from flows.insights import Thresholds
from flows.timing import WorkingHours

LANGUAGES = ("nl", "en")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it.

    `low` and `high` are the accepted range when the setting is a number (HR's settings modal
    words its own field errors with them)."""

    def __init__(self, message: str, *, low: float | None = None, high: float | None = None):
        super().__init__(message)
        self.low = low
        self.high = high


@dataclass(frozen=True)
class Settings:
    # Empty in OAuth mode: every installation brings its own token (bot.installations).
    bot_token: str = field(default="", repr=False)
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str | None = None
    database_url: str = "sqlite:///exit-interview.sqlite3"
    port: int = 3000
    hr_user_ids: frozenset[str] = field(default_factory=frozenset)
    hr_usergroup_id: str | None = None
    hr_channel_id: str | None = None
    manager_channel_id: str | None = None
    timezone: str = "Europe/Amsterdam"
    default_language: str = "nl"
    invite_working_days_before: int = 10
    reminder_working_days: int = 3
    interview_expiry_days: int = 14
    # How often the scheduler catches up with what is due (the database is the source of truth).
    sweep_seconds: int = 60
    # Messages per second per channel (Slack: about 1, short bursts allowed).
    messages_per_second: float = 1.0
    digest_min_interviews: int = 3
    # Signals in digests and reports (flows.insights.Thresholds holds the defaults and the rules).
    signal_drop: float = 0.5
    signal_reason_share: float = 0.4
    signal_low_score: float = 3.0
    # A day and time in words (flows.schedule: "first-working-day 09:00", "first-monday 09:00"), or,
    # set by an administrator, a crontab line such as "0 9 1 * *" (run as written)
    digest_schedule: str = "first-working-day 09:00"
    holiday_country: str = "NL"
    # Fernet keys, comma-separated, the first encrypts (storage.crypto); None: the SQLite key file.
    encryption_key: str | None = field(default=None, repr=False)
    # Months after the last working day until personal data and free text are purged.
    retention_months: int = 24
    # The one friendly reminder after an unanswered invitation (REMINDER_WORKING_DAYS later).
    reminders_enabled: bool = True
    # When messages may reach a leaver, in their own time zone on working days ("always": any moment).
    leaver_working_hours: str = "09:00-18:00"
    # How long a process may take to finish a request it acknowledged before another process (or
    # the restarted one) finishes it from the inbox; renewed while it works.
    inbox_lease_seconds: int = 30
    # OAuth mode (distribution, org-wide installs): the app's credentials from Basic Information.
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # Where Slack sends the installer back to, when it is not this server's /slack/oauth_redirect
    # as Slack derives it from the manifest (e.g. behind a proxy with another path).
    redirect_uri: str | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        """Installed through Slack's OAuth flow (one tenant per installation), not with one token."""
        return bool(self.client_id and self.client_secret)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def working_hours(self) -> WorkingHours | None:
        return WorkingHours.parse(self.leaver_working_hours)

    @property
    def thresholds(self) -> Thresholds:
        """The limits of digests, reports and breakdowns (flows.insights), from these settings."""
        return Thresholds(min_group_size=self.digest_min_interviews, drop_threshold=self.signal_drop,
                          reason_share=self.signal_reason_share, low_score=self.signal_low_score)


def load_settings(environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = None) -> Settings:
    """Read settings; `.env` in the working folder fills what the environment does not set."""
    if environ is None:
        from dotenv import dotenv_values

        file_values = dotenv_values(dotenv_path or Path.cwd() / ".env")
        environ = {**{k: v for k, v in file_values.items() if v is not None}, **os.environ}
    env = {k: v.strip() for k, v in environ.items() if v is not None and v.strip() != ""}

    client_id, client_secret = env.get("SLACK_CLIENT_ID"), env.get("SLACK_CLIENT_SECRET")
    if bool(client_id) != bool(client_secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise ConfigError(f"{missing} is not set: OAuth mode needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    oauth = bool(client_id)
    if oauth:
        if env.get("SLACK_BOT_TOKEN"):
            raise ConfigError("SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: choose one workspace with a token, "
                              "or OAuth installs (every installation brings its own token)")
        bot_token = ""
    else:
        bot_token = _required(env, "SLACK_BOT_TOKEN")
        if not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    app_token = env.get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    if oauth and app_token:
        raise ConfigError("SLACK_APP_TOKEN is set in OAuth mode: installs need HTTP (/slack/install, "
                          "/slack/oauth_redirect); leave SLACK_APP_TOKEN empty")
    signing_secret = env.get("SLACK_SIGNING_SECRET")
    if not app_token and not signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set (needed for HTTP mode; set SLACK_APP_TOKEN for Socket Mode)"
        )
    redirect_uri = env.get("SLACK_REDIRECT_URI")
    if redirect_uri and not re.match(r"^https?://", redirect_uri):
        raise ConfigError("SLACK_REDIRECT_URI must be an https URL ending in /slack/oauth_redirect")

    api_url = env.get("SLACK_API_URL")
    if api_url:
        if not re.match(r"^https?://", api_url):
            raise ConfigError("SLACK_API_URL must be an http(s) URL, e.g. http://127.0.0.1:8000/api/")
        if not api_url.endswith("/"):
            api_url += "/"

    hr_user_ids = frozenset(u.strip() for u in env.get("HR_USER_IDS", "").split(",") if u.strip())
    for user_id in hr_user_ids:
        if not _USER_ID.match(user_id):
            raise ConfigError(f"HR_USER_IDS holds {user_id!r}, which is not a Slack user id like U012AB3CD")
    hr_usergroup_id = env.get("HR_USERGROUP_ID")
    if hr_usergroup_id and not _GROUP_ID.match(hr_usergroup_id):
        raise ConfigError("HR_USERGROUP_ID must be a Slack user group id like S0614TZR7")
    # In OAuth mode HR starts as the person who installed the app, per organisation (bot.installations).
    if not hr_user_ids and not hr_usergroup_id and not oauth:
        raise ConfigError("HR_USER_IDS or HR_USERGROUP_ID must be set: nobody could register a leaver")

    timezone = env.get("TIMEZONE", "Europe/Amsterdam")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {timezone!r} is not a known time zone like Europe/Amsterdam") from None

    language = env.get("DEFAULT_LANGUAGE", "nl").lower()
    if language not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}")

    country = env.get("HOLIDAY_COUNTRY", "NL").upper()
    if country not in holidays.list_supported_countries():
        raise ConfigError(f"HOLIDAY_COUNTRY {country!r} is not a country code the holidays library knows")

    encryption_key = env.get("ENCRYPTION_KEY")
    if encryption_key:
        from storage.crypto import KeyringError, parse_keys

        try:
            parse_keys(encryption_key)
        except KeyringError as error:
            raise ConfigError(str(error)) from None

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url,
        database_url=env.get("DATABASE_URL", f"sqlite:///{Path.cwd() / 'exit-interview.sqlite3'}"),
        port=_integer(env, "PORT", 3000, 1, 65535),
        hr_user_ids=hr_user_ids,
        hr_usergroup_id=hr_usergroup_id,
        hr_channel_id=_channel(env, "HR_CHANNEL_ID"),
        manager_channel_id=_channel(env, "MANAGER_CHANNEL_ID"),
        timezone=timezone,
        default_language=language,
        invite_working_days_before=_integer(env, "INVITE_WORKING_DAYS_BEFORE", 10, 1, 60),
        reminder_working_days=_integer(env, "REMINDER_WORKING_DAYS", 3, 1, 30),
        interview_expiry_days=_integer(env, "INTERVIEW_EXPIRY_DAYS", 14, 1, 365),
        sweep_seconds=_integer(env, "SWEEP_SECONDS", 60, 1, 3600),
        messages_per_second=_number(env, "SLACK_MESSAGES_PER_SECOND", 1.0, 0.1, 1000.0),
        digest_min_interviews=_integer(env, "DIGEST_MIN_INTERVIEWS", 3, 3, 1000),
        signal_drop=_number(env, "SIGNAL_DROP", 0.5, 0.1, 4.0),
        signal_reason_share=_number(env, "SIGNAL_REASON_SHARE", 0.4, 0.05, 1.0),
        signal_low_score=_number(env, "SIGNAL_LOW_SCORE", 3.0, 1.0, 5.0),
        digest_schedule=_schedule(env.get("DIGEST_SCHEDULE", "first-working-day 09:00")),
        holiday_country=country,
        encryption_key=encryption_key,
        retention_months=_integer(env, "RETENTION_MONTHS", 24, 1, 240),
        reminders_enabled=_boolean(env, "REMINDERS_ENABLED", True),
        inbox_lease_seconds=_integer(env, "INBOX_LEASE_SECONDS", 30, 1, 3600),
        leaver_working_hours=_working_hours(env.get("LEAVER_WORKING_HOURS", "09:00-18:00")),
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
    )


def _working_hours(raw: str) -> str:
    try:
        WorkingHours.parse(raw)
    except ValueError:
        raise ConfigError(f"LEAVER_WORKING_HOURS must look like 09:00-18:00 (or be 'always'), not {raw!r}") from None
    return raw


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if not value:
        raise ConfigError(f"{name} is not set (see .env.example)")
    return value


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}", low=low, high=high) from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}", low=low, high=high)
    return value


_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _schedule(value: str) -> str:
    """A schedule in words (flows.schedule: 'first-working-day HH:MM', 'first-monday HH:MM', ...) or,
    as older versions accepted, a five-field crontab line; checked here so the start fails early."""
    from flows.schedule import parse

    if parse(value) is not None:
        return value
    try:
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(value)
    except ValueError:
        raise ConfigError(
            f"DIGEST_SCHEDULE {value!r} is neither a day and time like 'first-working-day 09:00' or "
            "'first-monday 09:00' nor a crontab line like '0 9 1 * *'"
        ) from None
    return value


def _channel(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value and not _CHANNEL_ID.match(value):
        raise ConfigError(f"{name} must be a Slack channel id like C012AB3CD (not a #name)")
    return value
