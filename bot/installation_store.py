"""OAuth installs in the bot's own database: slack_sdk's SQLAlchemy installation and state stores,
with every token encrypted at rest like the other secrets (storage.crypto).

The tables come from our migration (0015_installations), never from the stores' create_tables().
The token columns are typed EncryptedText on the stores' own table objects, so slack_sdk's save and
find code encrypts on the way in and decrypts on the way out without knowing it.

A tenant is what one installation serves: an Enterprise Grid organisation for an org-wide install
(keyed by enterprise_id), else one workspace (keyed by team_id).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, and_, desc, or_

from storage.crypto import EncryptedText

log = logging.getLogger(__name__)

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
STATE_EXPIRATION_SECONDS = 600  # Slack's own guidance: an install takes minutes, not hours


def tenant_key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str | None:
    """The organisation for an org-wide install, else the workspace; None when neither is known."""
    if is_enterprise_install:
        return enterprise_id or None
    return team_id or None


def _encrypt_tokens(table: Table) -> Table:
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = EncryptedText()
    return table


@dataclass(frozen=True)
class Tenant:
    """What the bot needs to serve one installation."""

    key: str
    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool
    bot_token: str
    bot_user_id: str | None
    installer_user_id: str
    name: str | None


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store; tokens go through Fernet (the process's keyring) in both directions.

    `find_bot` (what Bolt asks on every request) is remembered for `cache_seconds`: a query and a
    decryption less per request. A change in this process (install, uninstall, revocation) clears it
    at once; one made by another process is seen within `cache_seconds`."""

    cache_seconds: float = 0.0

    def __init__(self, *args, cache_seconds: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_seconds = cache_seconds
        self._bots: dict[tuple, tuple[float, Bot | None]] = {}
        self._cache_lock = threading.Lock()

    def _forget(self) -> None:
        with self._cache_lock:
            self._bots.clear()

    def find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False) -> Bot | None:
        if not self.cache_seconds:
            return super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                    is_enterprise_install=is_enterprise_install)
        key = (enterprise_id, None if is_enterprise_install else team_id, bool(is_enterprise_install))
        now = time.monotonic()
        with self._cache_lock:
            cached = self._bots.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        bot = super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                               is_enterprise_install=is_enterprise_install)
        if bot is not None:  # an unknown workspace is asked again next time (it may install any moment)
            with self._cache_lock:
                self._bots[key] = (now + self.cache_seconds, bot)
        return bot

    def save(self, installation: Installation):
        super().save(installation)
        self._forget()

    def save_bot(self, bot: Bot):
        super().save_bot(bot)
        self._forget()

    def delete_bot(self, *, enterprise_id, team_id) -> None:
        super().delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self._forget()

    def delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        super().delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        self._forget()

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _encrypt_tokens(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _encrypt_tokens(super().build_bots_table(metadata, table_name))

    def create_tables(self):  # the migration owns the schema
        raise RuntimeError("the installation tables come from the migrations (exit-interview db upgrade)")

    def tenant(self, key: str) -> Tenant | None:
        """The newest installation serving `key` (an enterprise id or a team id), or None."""
        c = self.installations.c
        query = (
            self.installations.select()
            .where(and_(c.client_id == self.client_id, c.bot_token.is_not(None),
                        or_(and_(c.is_enterprise_install.is_(True), c.enterprise_id == key),
                            and_(c.is_enterprise_install.is_(False), c.team_id == key))))
            .order_by(desc(c.installed_at), desc(c.id))
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        installation = self.build_installation_entity(row)
        return _tenant_of(installation)

    def tenant_keys(self) -> list[str]:
        """Every tenant installed for this app (the scheduler's jobs run for each)."""
        c = self.installations.c
        query = sqlalchemy.select(c.enterprise_id, c.team_id, c.is_enterprise_install).where(
            and_(c.client_id == self.client_id, c.bot_token.is_not(None))).distinct()
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return sorted({k for row in rows if (k := tenant_key(row[0], row[1], bool(row[2])))})


def _tenant_of(installation: Installation) -> Tenant | None:
    key = tenant_key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
    if key is None or not installation.bot_token:
        return None
    return Tenant(
        key=key,
        enterprise_id=installation.enterprise_id,
        team_id=None if installation.is_enterprise_install else installation.team_id,
        is_enterprise_install=bool(installation.is_enterprise_install),
        bot_token=installation.bot_token,
        bot_user_id=installation.bot_user_id,
        installer_user_id=installation.user_id,
        name=installation.enterprise_name if installation.is_enterprise_install else installation.team_name,
    )


def tenant_of(installation: Installation) -> Tenant | None:
    return _tenant_of(installation)


_spaces_metadata = MetaData()
tenant_spaces = Table(
    "tenant_spaces", _spaces_metadata,
    Column("tenant", String(32), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("uninstalled_at", DateTime(timezone=True)),
)


def note_space(engine: Engine, tenant: str, now: datetime) -> None:
    """The tenant's data space exists and is installed (again)."""
    with engine.begin() as connection:
        updated = connection.execute(tenant_spaces.update().where(tenant_spaces.c.tenant == tenant)
                                     .values(uninstalled_at=None)).rowcount
        if not updated:
            connection.execute(tenant_spaces.insert().values(tenant=tenant, created_at=now))


def note_uninstalled(engine: Engine, tenant: str, now: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(tenant_spaces.update().where(tenant_spaces.c.tenant == tenant).values(uninstalled_at=now))


def spaces(engine: Engine) -> list[tuple[str, bool]]:
    """(tenant, still installed) for every data space made, installed or not."""
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.select(tenant_spaces.c.tenant, tenant_spaces.c.uninstalled_at)
                                  .order_by(tenant_spaces.c.tenant)).all()
    return [(row[0], row[1] is None) for row in rows]


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every installation token stored encrypted: `exit-interview keys rotate`
    re-encrypts them with the other encrypted columns of the main database."""
    metadata = MetaData()
    store = EncryptedInstallationStore
    tables = (store.build_installations_table(metadata, store.default_installations_table_name),
              store.build_bots_table(metadata, store.default_bots_table_name))
    return [(table.name, name) for table in tables for name in TOKEN_COLUMNS if name in table.c]


def installation_store(client_id: str, engine: Engine, cache_seconds: float = 0.0) -> EncryptedInstallationStore:
    return EncryptedInstallationStore(client_id=client_id, engine=engine, cache_seconds=cache_seconds,
                                      logger=logging.getLogger("slack_sdk.oauth.installation_store"))


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """Single-use random states, stored server-side, expiring after ten minutes."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine,
                                     logger=logging.getLogger("slack_sdk.oauth.state_store"))
