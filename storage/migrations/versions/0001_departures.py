"""Departures and the messages sent for them.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("manager_id", sa.String(32)),
        sa.Column("interviewer_id", sa.String(32), nullable=False),
        sa.Column("registered_by", sa.String(32), nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("offer", sa.String(16), nullable=False),
        sa.Column("employee_tz", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(24), nullable=False),
        sa.Column("invite_at", UTCDateTime, nullable=False),
        sa.Column("choice", sa.String(16)),
        sa.Column("choice_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("cancelled_by", sa.String(32)),
    )
    op.create_index("ix_departures_stage", "departures", ["stage"])
    op.create_index(
        "uq_departures_open_employee",
        "departures",
        ["employee_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("departure_id", sa.Integer, sa.ForeignKey("departures.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("ts", sa.String(32)),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.UniqueConstraint("departure_id", "purpose", name="uq_sent_messages_purpose"),
    )


def downgrade() -> None:
    op.drop_table("sent_messages")
    op.drop_index("uq_departures_open_employee", table_name="departures")
    op.drop_index("ix_departures_stage", table_name="departures")
    op.drop_table("departures")
