"""The numbers store (issue 13): plain numbers and codes of every submitted interview, the indexes
the figures need, and a backfill of the interviews submitted before it existed.

The backfill reads the submitted interviews in batches of BATCH by id (each batch decrypted, turned
into numbers through its template, written with one INSERT per table), so its memory stays flat at
any size.

Revision ID: 0009_i13_numbers
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from storage.crypto import EncryptedJSON
from storage.models import UTCDateTime

revision = "0009_i13_numbers"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.create_index("ix_interviews_submitted_at", "interviews", ["submitted_at"])
    op.create_index("ix_reviews_published_digest_id", "reviews", ["published_digest_id"])
    op.create_index("ix_departures_last_day", "departures", ["last_day"])
    op.create_table(
        "interview_numbers",
        sa.Column("interview_id", sa.Integer, sa.ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("departure_id", sa.Integer, sa.ForeignKey("departures.id", ondelete="CASCADE"), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("template_key", sa.String(40), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("submitted_month", sa.String(7), nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("last_day_month", sa.String(7), nullable=False),
        sa.Column("review_state", sa.String(16), nullable=False),
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id", ondelete="SET NULL")),
        sa.Column("enps_score", sa.Integer),
        sa.Column("come_back", sa.String(40)),
        sa.Column("main_reason", sa.String(40)),
        sa.Column("consent", sa.Boolean),
    )
    for column in ("departure_id", "submitted_at", "submitted_on", "submitted_month", "last_day", "last_day_month",
                   "review_state", "digest_id"):
        op.create_index(f"ix_interview_numbers_{column}", "interview_numbers", [column])
    op.create_table(
        "answer_numbers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("interview_id", sa.Integer, sa.ForeignKey("interview_numbers.interview_id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("question_id", sa.String(40), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(40)),
        sa.Column("value", sa.Integer),
    )
    op.create_index("ix_answer_numbers_interview_id", "answer_numbers", ["interview_id"])
    op.create_index("ix_answer_numbers_question_code", "answer_numbers", ["question_id", "code"])
    op.create_index("ix_answer_numbers_tally", "answer_numbers",
                    ["kind", "submitted_on", "question_id", "category", "code", "value"])
    backfill(op.get_bind())


def backfill(connection) -> int:
    """Numbers for every submitted interview that has none yet; returns how many were written."""
    from flows.numbers import numbers_of
    from flows.template import TemplateError, default_template, parse_template

    interviews = sa.table(
        "interviews", sa.column("id", sa.Integer), sa.column("departure_id", sa.Integer),
        sa.column("mode", sa.String), sa.column("template_key", sa.String), sa.column("template_version", sa.Integer),
        sa.column("state", EncryptedJSON), sa.column("status", sa.String), sa.column("submitted_at", UTCDateTime),
    )
    departures = sa.table("departures", sa.column("id", sa.Integer), sa.column("last_day", sa.Date))
    reviews = sa.table("reviews", sa.column("interview_id", sa.Integer), sa.column("decision", sa.String),
                       sa.column("published_digest_id", sa.Integer))
    numbers_table = sa.table(
        "interview_numbers", *(sa.column(name) for name in (
            "interview_id", "departure_id", "mode", "template_key", "template_version", "submitted_on",
            "submitted_month", "last_day", "last_day_month", "review_state", "digest_id", "enps_score", "come_back",
            "main_reason", "consent")), sa.column("submitted_at", UTCDateTime),
    )
    answers_table = sa.table("answer_numbers", *(sa.column(name) for name in (
        "interview_id", "submitted_on", "question_id", "category", "kind", "code", "value")))
    templates_table = sa.table("interview_templates", sa.column("key", sa.String), sa.column("version", sa.Integer),
                               sa.column("source", sa.Text))

    default = default_template()
    known = {(default.id, default.version): default}
    for key, version, source in connection.execute(sa.select(templates_table)):
        try:
            known[(key, version)] = parse_template(source, f"{key} v{version}")
        except TemplateError:
            continue

    def month(day) -> str:
        return f"{day.year:04d}-{day.month:02d}"

    zone = _company_zone()

    done = sa.select(numbers_table.c.interview_id).where(numbers_table.c.interview_id == interviews.c.id).exists()
    query = (
        sa.select(interviews, departures.c.last_day, reviews.c.decision, reviews.c.published_digest_id)
        .join(departures, departures.c.id == interviews.c.departure_id)
        .outerjoin(reviews, reviews.c.interview_id == interviews.c.id)
        .where(interviews.c.status == "submitted", interviews.c.submitted_at.is_not(None), ~done)
        .order_by(interviews.c.id).limit(BATCH)
    )
    written, after = 0, 0
    while True:
        rows = connection.execute(query.where(interviews.c.id > after)).all()
        if not rows:
            return written
        after = rows[-1].id
        heads, answers = [], []
        for row in rows:
            state = row.state if isinstance(row.state, dict) else {}
            given = state.get("answers") if isinstance(state.get("answers"), dict) else {}
            numbers = numbers_of(known.get((row.template_key, row.template_version)), given)
            day = row.submitted_at.astimezone(zone).date()
            heads.append({
                "interview_id": row.id, "departure_id": row.departure_id, "mode": row.mode,
                "template_key": row.template_key, "template_version": row.template_version,
                "submitted_at": row.submitted_at, "submitted_on": day, "submitted_month": month(day),
                "last_day": row.last_day, "last_day_month": month(row.last_day),
                "review_state": row.decision or "pending", "digest_id": row.published_digest_id,
                "enps_score": numbers.enps_score, "come_back": numbers.come_back,
                "main_reason": numbers.main_reason, "consent": numbers.consent,
            })
            answers.extend({"interview_id": row.id, "submitted_on": day, "question_id": a.question_id,
                            "category": a.category, "kind": a.kind, "code": a.code, "value": a.value}
                           for a in numbers.answers)
        connection.execute(sa.insert(numbers_table), heads)
        if answers:
            connection.execute(sa.insert(answers_table), answers)
        written += len(heads)


def _company_zone():
    """The company's time zone (TIMEZONE, as the bot reads it), for the day an interview counts on."""
    import os
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(os.environ.get("TIMEZONE") or "Europe/Amsterdam")
    except (ValueError, KeyError):
        return ZoneInfo("Europe/Amsterdam")


def downgrade() -> None:
    op.drop_table("answer_numbers")
    op.drop_table("interview_numbers")
    op.drop_index("ix_departures_last_day", table_name="departures")
    op.drop_index("ix_reviews_published_digest_id", table_name="reviews")
    op.drop_index("ix_interviews_submitted_at", table_name="interviews")
