"""Nudges to HR about deactivated accounts without a registered departure.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

One open nudge per person (a partial unique index, like the open registrations of 0001): a Slack
event delivered twice, or two at once, can post the nudge only once.
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deactivation_nudges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("noticed_at", UTCDateTime, nullable=False),
        sa.Column("cards", sa.JSON),
        sa.Column("resolution", sa.String(16)),
        sa.Column("resolved_by", sa.String(32)),
        sa.Column("resolved_at", UTCDateTime),
        sa.Column("departure_id", sa.Integer, sa.ForeignKey("departures.id", ondelete="SET NULL")),
        sa.Column("reactivated_at", UTCDateTime),
    )
    op.create_index(
        "uq_deactivation_nudges_open_employee",
        "deactivation_nudges",
        ["employee_id"],
        unique=True,
        sqlite_where=sa.text("reactivated_at IS NULL"),
        postgresql_where=sa.text("reactivated_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_deactivation_nudges_open_employee", table_name="deactivation_nudges")
    op.drop_table("deactivation_nudges")
