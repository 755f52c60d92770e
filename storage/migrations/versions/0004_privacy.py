"""Privacy: free text encrypted at rest, retention (departures.purged_at) and an audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Free text was stored in plaintext: interviews.state and interviews.excluded_quotes (JSON) and
reviews.highlights (text). Each JSON column is replaced by a TEXT column of Fernet tokens: a new
column is added, every row read, encrypted and written, the old column dropped and the new one
renamed. These are plain ALTER TABLE statements on both databases (SQLite 3.35 or newer): a SQLite
table rebuild would drop `interviews`, and with foreign keys on that deletes every review through
ON DELETE CASCADE. `highlights` is already TEXT and is encrypted in place.

Like the bot itself, this needs the process's keys (storage.crypto), so data survives: the
downgrade decrypts everything back to plaintext with the same keys.
"""

import json

import sqlalchemy as sa
from alembic import op

from storage import crypto
from storage.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON_COLUMNS = ("state", "excluded_quotes")


def upgrade() -> None:
    for column in JSON_COLUMNS:
        _replace_column("interviews", column, sa.JSON, sa.Text, _encrypt_json)
    _rewrite_in_place("reviews", "highlights", _encrypt_text)
    op.add_column("departures", sa.Column("purged_at", UTCDateTime))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(32)),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.execute("ALTER TABLE departures DROP COLUMN purged_at")
    _rewrite_in_place("reviews", "highlights", _decrypt_text)
    for column in JSON_COLUMNS:
        _replace_column("interviews", column, sa.Text, sa.JSON, _decrypt_json)


def _replace_column(table: str, column: str, old_type, new_type, convert) -> None:
    """Add `<column>_new`, fill it with convert(old value), drop the old column, rename the new one."""
    bind = op.get_bind()
    temporary = f"{column}_new"
    op.add_column(table, sa.Column(temporary, new_type))
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, old_type))
    target = sa.table(table, sa.column("id", sa.Integer), sa.column(temporary, new_type))
    for row_id, value in bind.execute(sa.select(rows.c.id, rows.c[column])).all():
        converted = convert(value)
        if converted is not None:
            bind.execute(sa.update(target).where(target.c.id == row_id).values({temporary: converted}))
    op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.execute(f"ALTER TABLE {table} RENAME COLUMN {temporary} TO {column}")


def _rewrite_in_place(table: str, column: str, convert) -> None:
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.Text))
    for row_id, value in bind.execute(sa.select(rows.c.id, rows.c[column])).all():
        if value is not None:
            bind.execute(sa.update(rows).where(rows.c.id == row_id).values({column: convert(value)}))


def _encrypt_json(value):
    """A JSON value (SQLAlchemy's JSON type has decoded it) as a token; JSON null becomes SQL NULL."""
    if value is None:
        return None
    return crypto.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _decrypt_json(value):
    return None if not value else json.loads(crypto.decrypt(value))


def _encrypt_text(value: str) -> str:
    return value if value and crypto.readable(value) else crypto.encrypt(value)


def _decrypt_text(value: str) -> str:
    return crypto.decrypt(value) if value else ""
