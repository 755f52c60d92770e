"""Engines, sessions and schema upgrades.

SQLite (a file) is the embedded default, PostgreSQL the production database; both get the same
schema from the Alembic migrations shipped inside this package, so `exit-interview` works from
any folder. A Database needs the process's encryption keys (storage.crypto): the ones configured at
start, else the defaults (ENCRYPTION_KEY, or a key file for SQLite; PostgreSQL refuses without).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from storage import crypto

MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` spellings; drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Safe with WAL (no corruption; a power cut may lose the last commits, a killed process not).
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    _follow_schema(engine)
    return engine


# The execution option that names a tenant's schema (Database.in_schema): its connections come from
# the main database's pool, with the search_path set to that schema while they are used for it.
SCHEMA_OPTION = "exit_interview_schema"
_SEARCH_PATH = "exit_interview_search_path"


def _follow_schema(engine: Engine) -> None:
    """One pool for every data space on the PostgreSQL server. Each tenant owning a pool of its own
    would hold up to 20 connections: some twenty installations would exhaust max_connections (100 by
    default). Instead a connection is lent to whichever data space asks, and its search_path
    follows: the tenant's schema, or the main database's own path back. The SET is committed at
    once, so no rollback of the work that follows can undo it."""

    @event.listens_for(engine, "engine_connect")
    def _search_path(connection) -> None:
        raw = connection.connection.dbapi_connection
        info = connection.info
        state = info.get(_SEARCH_PATH)
        if state is None or state[0] != id(raw):  # a fresh DBAPI connection: its path is the main one
            with raw.cursor() as cursor:
                cursor.execute("SHOW search_path")
                base = cursor.fetchone()[0]
            raw.commit()
            state = (id(raw), base, base)
        schema = connection.get_execution_options().get(SCHEMA_OPTION)
        wanted = '"' + schema.replace('"', '""') + '"' if schema else state[1]
        if state[2] != wanted:
            with raw.cursor() as cursor:
                cursor.execute(f"SET search_path TO {wanted}")
            raw.commit()
            state = (state[0], state[1], wanted)
        info[_SEARCH_PATH] = state


class Database:
    """One engine and its session factory; `session()` is a unit of work that commits or rolls back."""

    def __init__(self, url: str, *, borrow_from: Database | None = None, schema: str | None = None):
        """`borrow_from` and `schema` (PostgreSQL): a data space in its own schema on the same server
        as `borrow_from`, served by that database's pool (see `_follow_schema`); `url` then names the
        schema too (its migrations run over a connection of their own)."""
        self.url = normalise_url(url)
        crypto.ensure_configured(self.url)
        self.schema = schema
        self._owns_engine = borrow_from is None
        if borrow_from is None:
            self.engine = make_engine(self.url)
        else:
            if not schema or borrow_from.engine.dialect.name != "postgresql":
                raise ValueError("only a schema on a PostgreSQL server borrows another database's pool")
            self.engine = borrow_from.engine.execution_options(**{SCHEMA_OPTION: schema})
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> None:
        # A borrowed pool's dialect knows the main schema as the default one, where Alembic would
        # look for (and find) the main database's version table: a schema migrates on its own engine.
        upgrade(self.url, self.engine if self._owns_engine else None)

    def is_healthy(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        if self._owns_engine:  # a borrowed pool is its owner's to close
            self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, engine: Engine | None = None) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    crypto.ensure_configured(normalise_url(url))
    config = alembic_config(url)
    if engine is None:
        command.upgrade(config, "head")
        return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
