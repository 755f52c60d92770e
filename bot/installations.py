"""OAuth mode: installs through Slack's OAuth flow, and one tenant per installation.

A tenant is an Enterprise Grid organisation for an org-wide install (keyed by enterprise_id), else
one workspace (keyed by team_id). Isolation is by construction: every tenant gets its own Services,
with its own Slack client (the installation's token, so an org-wide install reaches every
workspace of the organisation), its own settings (HR starts as the person who installed the app;
HR changes the rest in Slack) and its own data space: a schema of its own on PostgreSQL (its
search_path), a database file of its own beside the main one on SQLite, migrated on first use.
The main database keeps what is the process's: the installations (tokens encrypted), the OAuth
states, the inbox, the scheduler's job store and its lock.

A Bolt middleware hands every request the Services of the tenant Bolt authorised it for; the
scheduler's jobs carry the tenant's key, and its sweeps work through the tenants one by one.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import installation_store as spaces_store
from bot.config import Settings
from bot.i18n import t
from bot.installation_store import Tenant, installation_store, state_store, tenant_key, tenant_of
from bot.services import Clock, Services
from bot.slack_api import Directory, make_client
from storage.db import Database

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of manifest.yml (tests/test_installations.py keeps the two the same).
SCOPES = ("chat:write", "im:write", "im:history", "commands", "users:read", "users:read.email",
          "usergroups:read", "files:write", "files:read", "users.profile:read")
_SAFE = re.compile(r"[^a-z0-9]")
# How long this process trusts what it read about an installation (another process's uninstall or
# reinstall is seen within this time; this process's own at once).
BOT_CACHE_SECONDS = 30.0


def tenant_database_url(main: Database, key: str) -> str:
    """The tenant's own data space next to the main database: a schema (PostgreSQL) or a file (SQLite)."""
    return _tenant_space(main, key)[0]


def tenant_database(main: Database, key: str) -> Database:
    """The tenant's data space. On PostgreSQL its schema is served by the main database's pool
    (one pool for every installation, whatever their number); a SQLite file has its own engine."""
    url, schema = _tenant_space(main, key)
    return Database(url, borrow_from=main, schema=schema) if schema else Database(url)


def _tenant_space(main: Database, key: str) -> tuple[str, str | None]:
    suffix = _SAFE.sub("", key.lower())
    if not suffix:
        raise ValueError("an installation without a usable id")
    url = make_url(main.url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise ValueError("OAuth mode needs a SQLite database file (or PostgreSQL), not an in-memory one")
        path = Path(database)
        return url.set(database=str(path.with_name(f"{path.stem}.tenant-{suffix}{path.suffix}"))) \
            .render_as_string(hide_password=False), None
    with main.engine.connect() as connection:
        base = connection.execute(text("SELECT current_schema()")).scalar() or "public"
    schema = f"{base}_{suffix}"[:63]
    with main.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    options = re.sub(r"-c\s*search_path=\S+", "", str(url.query.get("options") or "")).strip()
    options = f"{options} -csearch_path={schema}".strip()
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False), schema


def tenant_settings(settings: Settings, tenant: Tenant, database_url: str) -> Settings:
    """The environment's settings for one installation. HR's people and channels are the
    organisation's own: the installer is HR until HR changes that in Slack (App Home → Settings);
    HR_* values of the environment name one workspace's people and do not apply here."""
    return replace(settings, bot_token=tenant.bot_token, database_url=database_url,
                   hr_user_ids=frozenset({tenant.installer_user_id}), hr_usergroup_id=None,
                   hr_channel_id=None, manager_channel_id=None)


class Installations:
    """The installation and state stores (main database), the OAuth settings for Bolt, and one
    Services per tenant, built on first use."""

    def __init__(self, settings: Settings, db: Database, clock: Clock):
        assert settings.client_id and settings.client_secret
        self.settings = settings
        self.db = db
        self.clock = clock
        self.store = installation_store(settings.client_id, db.engine, cache_seconds=BOT_CACHE_SECONDS)
        self.states = state_store(db.engine)
        self.scheduler = None  # the process's Scheduler while it leads (bot.runtime)
        self._tenants: dict[str, Services] = {}
        self._building: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # -- Bolt --------------------------------------------------------------------------------------

    def oauth_settings(self) -> OAuthSettings:
        return OAuthSettings(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            scopes=list(SCOPES),
            redirect_uri=self.settings.redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            install_page_rendering_enabled=False,  # straight to Slack's consent screen
            installation_store=self.store,
            installation_store_bot_only=True,  # bot tokens only: the app asks for no user scopes
            state_store=self.states,
            callback_options=CallbackOptions(success=self._installed, failure=self._not_installed),
        )

    def unknown_installation_message(self) -> str:
        """What Bolt tells someone in a workspace without an installation (it cannot know their language)."""
        return t("nl", "install.missing") + "\n" + t("en", "install.missing")

    def authorize(self, client: WebClient) -> InstallationStoreAuthorize:
        """Bolt's own installation-store authorisation for bot tokens, with auth.test answers
        cached per token (one call per token and process, not one per request)."""
        return InstallationStoreAuthorize(installation_store=self.store, client_id=self.settings.client_id,
                                          client_secret=self.settings.client_secret, client=client,
                                          bot_only=True, cache_enabled=True,
                                          logger=logging.getLogger("slack_bolt.authorize"))

    def middleware(self, context: BoltContext, next):
        """Every request gets the Services of the tenant Bolt authorised it for, and nothing else."""
        key = tenant_key(context.enterprise_id, context.team_id, context.is_enterprise_install)
        services = self.services_for(key) if key else None
        if services is None:
            log.warning("a request for an installation this bot does not know was acknowledged and dropped")
            return BoltResponse(status=200, body="")
        token = context.bot_token
        if token and services.client.token != token:  # reinstalled (or rotated) since it was built
            services.client.token = token
        context["services"] = services
        return next()

    def uninstalled(self, context: BoltContext) -> None:
        """app_uninstalled: the installation (and its tokens) is deleted; the tenant's data space
        stays, so a reinstall finds HR's records again, and the retention purge is HR's to run."""
        self._remove(context, "app uninstalled")

    def revoked(self, event: dict, context: BoltContext) -> None:
        """tokens_revoked. A revoked bot token ends the installation as an uninstall does: its jobs
        stop (the sweeps and the digest serve installed tenants only), its data space stays.

        Revoked user tokens change nothing: installs are bot-only, the app holds no user token.
        (Bolt's default listener deletes the installation rows of those users here, and the row of
        the admin who installed the app holds the bot token this tenant still works with.)"""
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        if tokens.get("bot"):
            self._remove(context, "bot token revoked")
        elif tokens.get("oauth"):
            log.info("user tokens revoked; this app holds none, the installation stays")

    def _remove(self, context: BoltContext, why: str) -> None:
        key = tenant_key(context.enterprise_id, context.team_id, context.is_enterprise_install)
        if context.is_enterprise_install:
            self.store.delete_all(enterprise_id=context.enterprise_id, team_id=None)
        else:
            self.store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        services = self._tenants.pop(key, None) if key else None
        if services is not None:
            services.removed = True
        if key:
            spaces_store.note_uninstalled(self.db.engine, key, self.clock.now())
        if services is not None:
            if services.scheduler is not None:
                services.scheduler.reschedule_digest(None)
            services.db.dispose()
        log.info("installation %s removed (%s)", key, why)

    # -- tenants -----------------------------------------------------------------------------------

    def services_for(self, key: str | None) -> Services | None:
        """The tenant's Services (built and its data space migrated on first use); None when no
        installation serves `key`."""
        if not key:
            return None
        services = self._tenants.get(key)
        if services is not None:
            return services
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one build per tenant; other tenants are not held up
            if key in self._tenants:
                return self._tenants[key]
            tenant = self.store.tenant(key)
            if tenant is None:
                return None
            services = self._build(tenant)
            self._tenants[key] = services
        return services

    def _build(self, tenant: Tenant) -> Services:
        db = tenant_database(self.db, tenant.key)
        db.upgrade()
        spaces_store.note_space(self.db.engine, tenant.key, self.clock.now())
        settings = tenant_settings(self.settings, tenant, db.url)
        client = make_client(tenant.bot_token, settings.api_url, per_second=settings.messages_per_second)
        directory = Directory(client, settings, org_wide=tenant.is_enterprise_install)
        services = Services(settings=settings, db=db, client=client, directory=directory, clock=self.clock,
                            tenant=tenant.key)
        if self.scheduler is not None:
            self._schedule(services)
        log.info("serving installation %s (%s)", tenant.key, "organisation" if tenant.is_enterprise_install
                 else "workspace")
        return services

    def keys(self) -> list[str]:
        return self.store.tenant_keys()

    def all(self) -> list[Services]:
        """Every installed tenant's Services; one that cannot be opened now is skipped (logged).
        A tenant another process saw uninstalled (or its token revoked) is forgotten here too, its
        digest stopped: the sweeps call this, so within a sweep no job of it runs any more."""
        found = []
        installed = self.keys()
        for key in [key for key in list(self._tenants) if key not in installed]:
            services = self._tenants.pop(key, None)
            if services is not None:
                services.removed = True
            if services is not None and services.scheduler is not None:
                services.scheduler.reschedule_digest(None)
            log.info("installation %s is gone (removed by another process)", key)
        for key in installed:
            try:
                services = self.services_for(key)
            except Exception as error:
                log.warning("installation %s could not be opened: %s", key, type(error).__name__)
                continue
            if services is not None:
                found.append(services)
        return found

    def for_retention(self) -> Iterator[Services]:
        """Every tenant data space ever made, installed or not: an organisation that uninstalled
        keeps its records only until the retention period ends, like everyone else's. An
        uninstalled one gets Services without a Slack token (the purge needs none)."""
        for key, installed in spaces_store.spaces(self.db.engine):
            services = None
            try:
                services = self.services_for(key) if installed else None
                if services is not None:
                    yield services
                    continue
                db = tenant_database(self.db, key)
                db.upgrade()
                settings = replace(self.settings, database_url=db.url, hr_user_ids=frozenset(),
                                   hr_usergroup_id=None, hr_channel_id=None, manager_channel_id=None)
                client = make_client(None, settings.api_url)
                services = Services(settings=settings, db=db, client=client, directory=Directory(client, settings),
                                    clock=self.clock, tenant=key)
            except Exception as error:
                log.warning("the data space of installation %s could not be opened: %s", key,
                            type(error).__name__)
                continue
            try:
                yield services
            finally:
                db.dispose()

    # -- the scheduler -----------------------------------------------------------------------------

    def lead(self, scheduler) -> None:
        """This process runs the scheduler: every tenant's jobs with it (its digest at its own schedule)."""
        self.scheduler = scheduler
        for services in self.all():
            self._schedule(services)

    def follow(self) -> None:
        self.scheduler = None
        for services in list(self._tenants.values()):
            services.scheduler = None

    def _schedule(self, services: Services) -> None:
        from bot.scheduling import TenantScheduler

        services.scheduler = TenantScheduler(self.scheduler, services.tenant)
        services.scheduler.reschedule_digest(services.settings.digest_schedule)

    def close(self) -> None:
        for services in list(self._tenants.values()):
            services.db.dispose()
        self._tenants.clear()

    # -- the install's last page -------------------------------------------------------------------

    def _installed(self, args: SuccessArgs) -> BoltResponse:
        tenant = tenant_of(args.installation)
        if tenant is not None:
            try:  # its data space is made now, not during the first slash command's three seconds
                self.services_for(tenant.key)
            except Exception as error:
                log.warning("installation %s stored; its data space will be made on first use (%s)",
                            tenant.key, type(error).__name__)
        language = page_language(",".join(args.request.headers.get("accept-language") or []),
                                 self.settings.default_language)
        name = tenant.name if tenant and tenant.name else ""
        return _page(200, t(language, "install.done.title"), t(language, "install.done.body", name=name), language)

    def _not_installed(self, args: FailureArgs) -> BoltResponse:
        language = page_language(",".join(args.request.headers.get("accept-language") or []),
                                 self.settings.default_language)
        log.warning("an install did not complete: %s", args.reason)
        status = args.suggested_status_code
        status = 503 if status >= 500 else status  # our side (storage): try again later
        key = "install.failed.cancelled" if args.reason == "access_denied" else "install.failed.body"
        return _page(status, t(language, "install.failed.title"), t(language, key, install=INSTALL_PATH), language)


def page_language(accepted: str, default: str = "en") -> str:
    """nl or en, whichever the browser's Accept-Language names first."""
    for part in accepted.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("nl", "en"):
            return code
    return default


def page_html(title: str, body: str, language: str) -> str:
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p></body></html>")


def unavailable_page(accept_language: str) -> str:
    """Our side failed during an install step (the database is away): try again shortly."""
    language = page_language(accept_language)
    return page_html(t(language, "install.failed.title"), t(language, "install.unavailable"), language)


def _page(status: int, title: str, body: str, language: str) -> BoltResponse:
    return BoltResponse(status=status, body=page_html(title, body, language),
                        headers={"Content-Type": "text/html; charset=utf-8"})
