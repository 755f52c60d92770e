"""OAuth mode: which installation's data a command works on.

With one token (SLACK_BOT_TOKEN) there is one database. In OAuth mode (SLACK_CLIENT_ID) every
installation has a data space of its own (bot.installations: a schema or a file beside the main
database), and a command that reads or changes data works on the one named by `--workspace T…`
or `--org E…` (or on all, one after another, with `--all-installations` where that makes sense).
Without it a command says which installations there are; it never falls back to the main
database, which holds the installations themselves and no organisation's data.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.cli import _common


@dataclass(frozen=True)
class Installation:
    key: str  # the enterprise id of an org-wide install, else the team id
    organisation: bool
    name: str | None
    installed: bool  # False: uninstalled, its data kept until the retention purge

    @property
    def option(self) -> str:
        return f"--org {self.key}" if self.organisation else f"--workspace {self.key}"

    def describe(self) -> str:
        kind = "organisation" if self.organisation else "workspace"
        name = f" ({self.name})" if self.name else ""
        gone = "" if self.installed else ", uninstalled: its data stays until the retention purge"
        return f"{kind} {self.key}{name}{gone}"


def add_options(parser, *, all_installations: bool = False) -> None:
    group = parser.add_argument_group("OAuth mode (SLACK_CLIENT_ID): every installation has its own data")
    choice = group.add_mutually_exclusive_group()
    choice.add_argument("--workspace", metavar="T…", help="the installation of this workspace (its team id)")
    choice.add_argument("--org", metavar="E…",
                        help="the org-wide installation of this Enterprise Grid organisation (its enterprise id)")
    if all_installations:
        choice.add_argument("--all-installations", action="store_true",
                            help="every installation (uninstalled ones' kept data too), one after another")


def client_id() -> str | None:
    """The app's client id in OAuth mode, else None (one token, one database)."""
    return _common.setting("SLACK_CLIENT_ID")


def selected(args) -> bool:
    return bool(getattr(args, "workspace", None) or getattr(args, "org", None)
                or getattr(args, "all_installations", False))


def installations(main, app: str) -> list[Installation]:
    """Every installation of the app `app` (its client id), and every data space of one that was uninstalled."""
    from bot import installation_store

    main.upgrade()
    store = installation_store.installation_store(app, main.engine)
    found: dict[str, Installation] = {}
    for key in store.tenant_keys():
        tenant = store.tenant(key)
        if tenant is not None:
            found[key] = Installation(key, tenant.is_enterprise_install, tenant.name, True)
    for key, _installed in installation_store.spaces(main.engine):
        if key not in found:  # an enterprise id starts with E, a team id with T
            found[key] = Installation(key, key.startswith("E"), None, False)
    return sorted(found.values(), key=lambda i: (not i.installed, i.key))


def listing(known: list[Installation]) -> str:
    if not known:
        return "  (none yet: an installation is made through /slack/install)"
    return "\n".join(f"  {i.option:<26} {i.name or ''}{'' if i.installed else ' (uninstalled: data kept until purged)'}"
                     for i in known)


def chosen(args, main, app: str | None = None) -> list[Installation] | None:
    """The installations the command works on; None with one token (the main database). Stops
    with a message listing the installations when none or an unknown one is named. `app`: the
    client id in OAuth mode (default: SLACK_CLIENT_ID of the environment or .env)."""
    app = app or client_id()
    if app is None:
        if selected(args):
            print("exit-interview: --workspace, --org and --all-installations are for OAuth mode "
                  "(SLACK_CLIENT_ID); this bot has one database", file=sys.stderr)
            raise _common.Stop(2)
        return None
    known = installations(main, app)
    if getattr(args, "all_installations", False):
        return known
    workspace, org = getattr(args, "workspace", None), getattr(args, "org", None)
    if not workspace and not org:
        every = ", or --all-installations" if hasattr(args, "all_installations") else ""
        print("exit-interview: this bot runs in OAuth mode, where every installation has its own data; "
              f"say which with --workspace or --org{every}:\n{listing(known)}", file=sys.stderr)
        raise _common.Stop(2)
    match = next((i for i in known if i.key == (workspace or org) and i.organisation == bool(org)), None)
    if match is None:
        named = f"workspace {workspace}" if workspace else f"organisation {org}"
        print(f"exit-interview: no installation of {named}; the installations:\n{listing(known)}", file=sys.stderr)
        raise _common.Stop(2)
    return [match]


def open_space(main, installation: Installation | None):
    """The data space of one installation, migrated (the main database with one token)."""
    if installation is None:
        main.upgrade()
        return main
    from bot import installation_store
    from bot.installations import tenant_database_url
    from storage.db import Database

    database = Database(tenant_database_url(main, installation.key))
    try:
        database.upgrade()
        if installation.installed:
            installation_store.note_space(main.engine, installation.key, datetime.now(UTC))
    except BaseException:
        database.dispose()
        raise
    return database


@contextmanager
def opened(args) -> Iterator:
    """The one database the command works on: the main one with one token, else the data space
    of the installation named (its name on stderr, so that standard output stays the data)."""
    main = _common.open_database()
    try:
        picked = chosen(args, main)
        installation = picked[0] if picked else None
        database = open_space(main, installation)
        if installation is not None:
            print(f"installation: {installation.describe()}", file=sys.stderr)
        try:
            yield database
        finally:
            if database is not main:
                database.dispose()
    finally:
        main.dispose()


def each(args, main) -> Iterator[tuple[Installation | None, object]]:
    """(installation, its database) for every data space chosen, one at a time; (None, main) with one token."""
    picked = chosen(args, main)
    for installation in picked if picked is not None else [None]:
        database = open_space(main, installation)
        try:
            yield installation, database
        finally:
            if database is not main:
                database.dispose()


@contextmanager
def slack_services(args, settings) -> Iterator:
    """The bot's Services without its server or scheduler, for commands that need Slack too: the
    one token's, or in OAuth mode those of the installation named (its token, settings and data)."""
    from bot.runtime import BotProcess

    _common.configure_encryption(settings.database_url, settings.encryption_key)
    process = BotProcess(settings)
    try:
        process.db.upgrade()
        picked = chosen(args, process.db, settings.client_id if settings.oauth else None)
        if picked is None:
            yield process.services
            return
        installation = picked[0]
        services = process.installations.services_for(installation.key)
        if services is None:
            print(f"exit-interview: {installation.describe()}; this needs an installed app (its Slack token)",
                  file=sys.stderr)
            raise _common.Stop(2)
        print(f"installation: {installation.describe()}", file=sys.stderr)
        yield services
    finally:
        if process.installations is not None:
            process.installations.close()
        process.db.dispose()
