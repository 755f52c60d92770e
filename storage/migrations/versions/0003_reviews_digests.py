"""HR reviews of interviews, digests to managers, and the quotes a leaver leaves out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("posted_at", UTCDateTime),
        sa.Column("requested_by", sa.String(32)),
        sa.Column("interview_count", sa.Integer, nullable=False),
        sa.Column("stats", sa.JSON),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("messages", sa.JSON),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("interview_id", sa.Integer, sa.ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("highlights", sa.Text, nullable=False, server_default=""),
        sa.Column("decision", sa.String(16)),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("inform_manager", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("cards", sa.JSON),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_digest_id", sa.Integer, sa.ForeignKey("digests.id")),
    )
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(sa.Column("excluded_quotes", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("excluded_quotes")
    op.drop_table("reviews")
    op.drop_table("digests")
