"""An index that lets HR's dashboard find each departure's interview id without reading the
interviews table (issue 13: the App Home at scale).

The dashboard joins every departure it lists (some 24,000 at 100,000 interviews) to its interview
and review. PostgreSQL reads an interview's id from the unique index on departure_id only with a
visit to the table row, which holds the encrypted answers (about 140 MB at 100,000 interviews): its
planner then prefers reading the whole table. With (departure_id, id) in one index the join reads
the index alone. SQLite needs nothing: its index on departure_id holds the row id already.

Revision ID: 0018
Revises: 0015 (for now: 0016 and 0017 are on their way on other branches)
Create Date: 2026-12-04
"""

from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None

NAME = "ix_interviews_departure_id_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(NAME, "interviews", ["departure_id", "id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(NAME, table_name="interviews")
