"""Settings HR changes in Slack, and interview templates uploaded from Slack awaiting activation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`settings` holds only what HR changed (the environment gives the defaults); every change is also
written to the audit log of 0004 (action 'setting_changed'). `template_drafts` keeps an uploaded
template between its preview and HR's Activate or Discard, so a restart in between loses nothing.
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "template_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("uploaded_by", sa.String(32), nullable=False),
        sa.Column("uploaded_at", UTCDateTime, nullable=False),
        sa.Column("file_id", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("messages", sa.JSON),
    )
    op.create_index("ix_template_drafts_status", "template_drafts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_template_drafts_status", table_name="template_drafts")
    op.drop_table("template_drafts")
    op.drop_table("settings")
