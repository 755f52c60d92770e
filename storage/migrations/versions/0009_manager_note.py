"""Manager feedback only with the leaver's consent, as HR checked it; the intro message's ts.

reviews.manager_note holds the body of the named message to the direct manager that HR saw and
approved (encrypted at rest, like the highlights). interviews.intro_ts lets the bot take the
Withdraw button off the intro once withdrawing no longer works.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reviews", sa.Column("manager_note", sa.Text))
    op.add_column("interviews", sa.Column("intro_ts", sa.String(32)))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would drop and recreate `interviews`, and with
    # foreign keys on, SQLite would cascade that drop to every review.
    op.execute("ALTER TABLE interviews DROP COLUMN intro_ts")
    op.execute("ALTER TABLE reviews DROP COLUMN manager_note")
