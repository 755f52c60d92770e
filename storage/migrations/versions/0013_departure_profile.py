"""Department, role and start date with the departure (issue 13: breakdowns per team and tenure).

Optional and plain: what HR typed in the registration form or the CSV import, else what the leaver's
Slack profile says. The start date gives the tenure band; the department (team) and role group the
figures only when every shown group holds at least DIGEST_MIN_INTERVIEWS interviews.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has DROP COLUMN since 3.35): a batch copy of the table
# would drop and recreate `departures`, and on SQLite with foreign keys on that cascades into the
# interviews and reviews.


def upgrade() -> None:
    op.add_column("departures", sa.Column("department", sa.String(100)))
    op.add_column("departures", sa.Column("role", sa.String(100)))
    op.add_column("departures", sa.Column("started_on", sa.Date))


def downgrade() -> None:
    op.drop_column("departures", "started_on")
    op.drop_column("departures", "role")
    op.drop_column("departures", "department")
