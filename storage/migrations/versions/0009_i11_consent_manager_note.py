"""Manager feedback only with the leaver's consent, as HR checked it; the intro message's ts.

reviews.manager_note holds the body of the named message to the direct manager that HR saw and
approved (encrypted at rest, like the highlights). interviews.intro_ts lets the bot take the
Withdraw button off the intro once withdrawing no longer works.

Revision ID: 0009_i11_consent
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_i11_consent"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("manager_note", sa.Text))
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(sa.Column("intro_ts", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("intro_ts")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("manager_note")
