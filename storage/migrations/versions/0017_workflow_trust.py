"""Approval codes HR trusts (stored as SHA-256 only), and the step's runs waiting for HR
(issue 15: HRIS webhooks, schedules).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trusted_workflows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("trusted_by", sa.String(32), nullable=False),
        sa.Column("trusted_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "workflow_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("execution_id", sa.String(64), nullable=False, unique=True),
        sa.Column("workflow_execution_id", sa.String(64)),
        sa.Column("unknown_code", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("employee_id", sa.String(32), nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("manager_id", sa.String(32)),
        sa.Column("interviewer_id", sa.String(32)),
        sa.Column("language", sa.String(8)),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cards", sa.JSON),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("departure_id", sa.Integer, sa.ForeignKey("departures.id", ondelete="SET NULL")),
        sa.Column("outputs", sa.JSON),
        sa.Column("error", sa.Text),
        sa.Column("completed_at", UTCDateTime),
    )
    op.create_index("ix_workflow_runs_employee_id", "workflow_runs", ["employee_id"])
    op.create_index("ix_workflow_runs_expires_at", "workflow_runs", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_workflow_runs_expires_at", table_name="workflow_runs")
    op.drop_index("ix_workflow_runs_employee_id", table_name="workflow_runs")
    op.drop_table("workflow_runs")
    op.drop_table("trusted_workflows")
