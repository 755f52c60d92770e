"""The rating sums per standard category and the reasons picked, on each interview's numbers row
(issue 13: breakdowns at scale).

The breakdowns per manager, team, role and tenure band join every interview to its departure. With
the ratings only in answer_numbers that join ran once per rating answer (five per interview: half a
million look-ups at 100,000 interviews); with their count, sum and sum of squares on the interview's
own row it runs once per interview. The same for the reasons for leaving (option ids between spaces).
Plain numbers and codes only, like the rest of the numbers store. Backfilled from answer_numbers in
batches, in SQL; which question holds the reasons comes from each interview's template.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CATEGORIES = ("working_conditions", "work_content", "working_relations", "employment_terms", "manager")
BATCH = 5000


def upgrade() -> None:
    op.add_column("interview_numbers", sa.Column("reason_codes", sa.Text))
    for category in CATEGORIES:
        op.add_column("interview_numbers", sa.Column(f"rating_{category}_n", sa.Integer))
        op.add_column("interview_numbers", sa.Column(f"rating_{category}_sum", sa.Float))
        op.add_column("interview_numbers", sa.Column(f"rating_{category}_squares", sa.Float))

    connection = op.get_bind()
    numbers = sa.table("interview_numbers", sa.column("interview_id", sa.Integer),
                       *(sa.column(f"rating_{c}_{part}") for c in CATEGORIES for part in ("n", "sum", "squares")))
    answers = sa.table("answer_numbers", sa.column("interview_id", sa.Integer), sa.column("kind", sa.String),
                       sa.column("category", sa.String), sa.column("value", sa.Integer))
    highest = connection.scalar(sa.select(sa.func.max(numbers.c.interview_id))) or 0
    for low in range(0, highest + 1, BATCH):
        for category in CATEGORIES:
            def of(aggregate, category=category):
                return (sa.select(aggregate).where(answers.c.interview_id == numbers.c.interview_id,
                                                   answers.c.kind == "rating", answers.c.category == category,
                                                   answers.c.value.is_not(None))
                        .scalar_subquery())

            value = sa.cast(answers.c.value, sa.Float)
            given = (sa.select(answers.c.interview_id).where(
                answers.c.interview_id == numbers.c.interview_id, answers.c.kind == "rating",
                answers.c.category == category, answers.c.value.is_not(None)).exists())
            connection.execute(
                numbers.update()
                .where(numbers.c.interview_id >= low, numbers.c.interview_id < low + BATCH, given)
                .values({f"rating_{category}_n": of(sa.func.count()),
                         f"rating_{category}_sum": of(sa.func.sum(value)),
                         f"rating_{category}_squares": of(sa.func.sum(value * value))})
            )
    backfill_reasons(connection)


def backfill_reasons(connection) -> None:
    """reason_codes from the answer rows of each template's reasons question (multiple choice)."""
    from flows.template import Category, QuestionType, TemplateError, parse_template, shipped_template

    numbers = sa.table("interview_numbers", sa.column("interview_id", sa.Integer), sa.column("template_key"),
                       sa.column("template_version"), sa.column("reason_codes"))
    answers = sa.table("answer_numbers", sa.column("id", sa.Integer), sa.column("interview_id", sa.Integer),
                       sa.column("question_id", sa.String), sa.column("kind", sa.String), sa.column("code", sa.String))
    stored = sa.table("interview_templates", sa.column("key", sa.String), sa.column("version", sa.Integer),
                      sa.column("source", sa.Text))
    sources = {(key, version): source for key, version, source in connection.execute(sa.select(stored))}
    used = connection.execute(sa.select(numbers.c.template_key, numbers.c.template_version).distinct()).all()
    for key, version in used:
        template = shipped_template(key, version)
        if template is None and (key, version) in sources:
            try:
                template = parse_template(sources[(key, version)], f"{key} v{version}")
            except TemplateError:
                template = None
        question = next((q.id for q in template.questions if q.type is QuestionType.MULTIPLE_CHOICE
                         and q.category is Category.REASONS), None) if template is not None else None
        if question is None:
            continue
        picked = sa.select(answers.c.interview_id, answers.c.code).where(
            answers.c.question_id == question, answers.c.kind == "choice",
            answers.c.interview_id.in_(sa.select(numbers.c.interview_id).where(
                numbers.c.template_key == key, numbers.c.template_version == version))
        ).order_by(answers.c.interview_id, answers.c.id)
        codes: dict[int, list[str]] = {}
        for interview_id, code in connection.execute(picked):
            codes.setdefault(interview_id, []).append(code)
        rows = [{"id": interview_id, "codes": f" {' '.join(picks)} "} for interview_id, picks in codes.items()]
        for start in range(0, len(rows), BATCH):
            connection.execute(numbers.update().where(numbers.c.interview_id == sa.bindparam("id"))
                               .values(reason_codes=sa.bindparam("codes")), rows[start:start + BATCH])


def downgrade() -> None:
    for category in reversed(CATEGORIES):
        for part in ("squares", "sum", "n"):
            op.drop_column("interview_numbers", f"rating_{category}_{part}")
    op.drop_column("interview_numbers", "reason_codes")
