"""Items a scheduled job could not handle: retried with backoff, then parked (issue 12).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job", sa.String(60), nullable=False),
        sa.Column("item", sa.String(120), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(120), nullable=False),
        sa.Column("first_failed_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("parked_at", UTCDateTime),
        sa.UniqueConstraint("job", "item", name="uq_job_failures_job_item"),
    )
    op.create_index("ix_job_failures_next_attempt_at", "job_failures", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_job_failures_next_attempt_at", table_name="job_failures")
    op.drop_table("job_failures")
