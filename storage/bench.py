"""Bulk writing for `exit-interview bench-data`: many rows per INSERT, ids given by the caller (the
database is empty), sequences moved past them afterwards so the bot's own inserts continue."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, delete, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from storage.models import Base, Departure, Digest, Interview, Review

CHUNK = 2000


def holds_departures(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Departure)) > 0


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict]) -> None:
    """Insert plain rows (encrypted columns are encrypted on the way in), CHUNK per statement."""
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model.__table__), list(rows[start:start + CHUNK]))  # Core: one statement per chunk


def advance_sequences(session: Session) -> None:
    """PostgreSQL: the serial sequences continue after the ids given (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (Departure, Interview, Review, Digest):
        table = model.__tablename__
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def delete_digest(session: Session, digest_id: int) -> None:
    session.execute(delete(Digest).where(Digest.id == digest_id))


def set_digest_figures(session: Session, digest_id: int, interview_count: int, stats: dict) -> None:
    session.execute(update(Digest).where(Digest.id == digest_id).values(interview_count=interview_count,
                                                                        stats=stats))


def vacuum_analyze(engine: Engine) -> None:
    """PostgreSQL, after the bulk load: what autovacuum does to a running database soon after (and
    never where it is switched off): the planner's statistics, the visibility map and the hint bits,
    so the bot's first queries are planned and run as they would be in production. Only the bot's
    own tables (the benchmark's schema may share its database with others)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        tables = ", ".join(f'"{name}"' for name in inspect(connection).get_table_names())
        connection.execute(text(f"VACUUM ANALYZE {tables}"))
