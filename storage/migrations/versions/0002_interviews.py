"""Interview templates and interviews (self-service answers and talk notes).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("installed_at", UTCDateTime, nullable=False),
        sa.Column("installed_by", sa.String(64)),
        sa.UniqueConstraint("key", "version", name="uq_interview_templates_version"),
    )
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("departure_id", sa.Integer, sa.ForeignKey("departures.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("template_key", sa.String(40), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("state", sa.JSON),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("question_ts", sa.String(32)),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("paused_at", UTCDateTime),
        sa.Column("pause_reminded_at", UTCDateTime),
        sa.Column("submitted_at", UTCDateTime),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("recorded_by", sa.String(32)),
        sa.Column("last_message_ts", sa.String(32)),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_interviews_status", "interviews", ["status"])


def downgrade() -> None:
    op.drop_index("ix_interviews_status", table_name="interviews")
    op.drop_table("interviews")
    op.drop_table("interview_templates")
