"""Exactly one scheduler among the processes that share a database.

APScheduler's own FAQ: several schedulers must not share one job store. Every process that may
schedule tries to become the leader; only the holder of the lock runs the scheduler, and when it
dies its lock goes with it, so a standby takes over within a few seconds.

PostgreSQL: a session-level advisory lock on a connection kept open for this purpose (the server
releases it when the connection or the process dies). SQLite: an exclusive `flock` on a file next
to the database (the kernel releases it when the process dies).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from sqlalchemy import text

from storage.db import Database

log = logging.getLogger(__name__)

LOCK_KEY = 0x45584954  # "EXIT"
# Advisory locks are server-wide: scope ours to this database and schema, so two installations
# (or test runs) sharing a PostgreSQL server do not take each other's scheduler.
SCOPED_KEY = ":key, hashtext(current_database() || '.' || current_schema())"


class Leadership:
    def __init__(self, db: Database):
        self.db = db
        self._connection = None
        self._lock_file: int | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._lock_file is not None

    def try_acquire(self) -> bool:
        if self.held:
            return self.still_held()
        if self.db.engine.dialect.name == "postgresql":
            connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                query = text(f"SELECT pg_try_advisory_lock({SCOPED_KEY})")
                got = bool(connection.execute(query, {"key": LOCK_KEY}).scalar())
            except Exception:
                connection.close()
                raise
            if got:
                self._connection = connection
            else:
                connection.close()
            return got
        return self._acquire_file_lock()

    def _acquire_file_lock(self) -> bool:
        import fcntl

        path = _lock_path(self.db)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            return False
        self._lock_file = handle
        return True

    def still_held(self) -> bool:
        """False when the lock's connection died (the server dropped it): stop scheduling at once."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the connection holding the scheduler lock")
                self.release()
                return False
        return self._lock_file is not None

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.execute(text(f"SELECT pg_advisory_unlock({SCOPED_KEY})"), {"key": LOCK_KEY})
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock_file)
            self._lock_file = None


def _lock_path(db: Database) -> Path:
    database = db.engine.url.database
    if database and database != ":memory:":
        return Path(database).with_suffix(".scheduler.lock")
    return Path.cwd() / "exit-interview.scheduler.lock"
