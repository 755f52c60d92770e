"""Domain events and their deliveries (issue 16): follow-ups run after the commit, none lost.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime),
    )
    op.create_index("ix_domain_events_undelivered", "domain_events", ["delivered_at", "due_at"])
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("domain_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subscriber", sa.String(60), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(120)),
        sa.Column("done_at", UTCDateTime),
        sa.Column("parked_at", UTCDateTime),
        sa.UniqueConstraint("event_id", "subscriber", name="uq_event_deliveries_event_subscriber"),
    )


def downgrade() -> None:
    op.drop_table("event_deliveries")
    op.drop_index("ix_domain_events_undelivered", table_name="domain_events")
    op.drop_table("domain_events")
