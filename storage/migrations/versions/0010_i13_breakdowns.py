"""Department, role and start date with the departure (issue 13: breakdowns per team and tenure).

Optional and plain: what HR typed in the registration form or the CSV import, else what the leaver's
Slack profile says. The start date gives the tenure band; the department (team) and role group the
figures only when every shown group holds at least DIGEST_MIN_INTERVIEWS interviews.

Revision ID: 0010_i13_breakdowns
Revises: 0009_i13_numbers
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_i13_breakdowns"
down_revision = "0009_i13_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("departures") as batch:
        batch.add_column(sa.Column("department", sa.String(100)))
        batch.add_column(sa.Column("role", sa.String(100)))
        batch.add_column(sa.Column("started_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("departures") as batch:
        batch.drop_column("started_on")
        batch.drop_column("role")
        batch.drop_column("department")
