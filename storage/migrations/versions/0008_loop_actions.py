""""You said, we did": actions HR took on the signals (closing the loop).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loop_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("recorded_by", sa.String(32), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_loop_actions_done_on", "loop_actions", ["done_on"])
    op.create_index("ix_loop_actions_recorded_at", "loop_actions", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_loop_actions_recorded_at", table_name="loop_actions")
    op.drop_index("ix_loop_actions_done_on", table_name="loop_actions")
    op.drop_table("loop_actions")
