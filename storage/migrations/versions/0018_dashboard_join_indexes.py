"""Indexes that let HR's dashboard join departures to their interview and review without reading
those tables (issue 13: the App Home at scale), on PostgreSQL.

The dashboard joins every departure it lists (some 24,000 at 100,000 interviews) to its interview
and review. PostgreSQL reads an interview's id, or a review's decision, from their unique indexes
only with a visit to the table row, which holds the encrypted answers or highlights (about 140 MB
and 30 MB at 100,000 interviews): its planner then reads the whole tables. With the columns the
join needs in the index (a few MB each) it reads the indexes alone. SQLite is left as it is: its
indexes hold the row id already, and it reads the few columns from the rows it finds.

Revision ID: 0018
Revises: 0015 (for now: 0016 and 0017 are on their way on other branches)
Create Date: 2026-12-04
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_interviews_departure_id_id", "interviews", ["departure_id", "id"])
        op.create_index("ix_reviews_interview_id_stage", "reviews", ["interview_id"],
                        postgresql_include=["id", "decision", "published_digest_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_reviews_interview_id_stage", table_name="reviews")
        op.drop_index("ix_interviews_departure_id_id", table_name="interviews")
