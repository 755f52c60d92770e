"""The numbers store: every submitted interview's numbers and codes in plain tables, written with
the submission, HR's decision and the digest, kept in step by purge and erasure, and backfilled by
the migration - on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import func, insert, select

from bot.operations import privacy
from storage import crypto
from storage import numbers as store
from storage import repositories as repo
from storage.db import Database, alembic_config
from storage.models import AnswerNumber, Departure, Digest, Interview, InterviewNumber, Review
from tests.conftest import HR, LEAVER, LEAVER_EN, MANAGER, TEST_KEY
from tests.steps import answer_everything
from tests.test_bulk import HomeCard

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MANAGERS = "CMANAGERS"
THIRD = "ULEAVER03"
ANSWERS = {
    "working_conditions": {"value": 2, "comment": "Te veel werkdruk bij Mira"},
    "work_content": {"value": 4, "comment": None},
    "manager_support": {"skipped": True},
    "improvements": {"value": "Meer overleg graag"},
    "reasons": {"values": ["pay", "other"], "other": "Een baan bij Acme"},
    "reason_main": {"value": "pay"},
    "destination": {"value": "Acme BV"},
    "recommend": {"value": 9},
    "come_back": {"value": "maybe"},
    "consent": {"value": False},
}
EXPECTED = [("working_conditions", "working_conditions", "rating", None, 2),
            ("work_content", "work_content", "rating", None, 4),
            ("reasons", "reasons", "choice", "pay", None), ("reasons", "reasons", "choice", "other", None),
            ("reasons", "reasons", "answered", None, None),
            ("reason_main", "reasons", "choice", "pay", None), ("reason_main", "reasons", "answered", None, None),
            ("recommend", "recommendation", "score", None, 9),
            ("come_back", "return", "choice", "maybe", None), ("come_back", "return", "answered", None, None),
            ("consent", "consent", "yes_no", "no", None)]


def numbers_of(session, interview_id: int):
    row, answers = store.numbers_of_interview(session, interview_id)
    return row, [(a.question_id, a.category, a.kind, a.code, a.value) for a in answers]


def test_a_submitted_interview_leaves_its_numbers_and_they_follow_the_review_and_the_digest(harness, slack):
    slack.add_channel(MANAGERS, "managers")
    slack.add_user(THIRD, "leaver3", real_name="Piet Jansen", locale="nl-NL")
    harness.restart(manager_channel_id=MANAGERS)
    answer_everything(harness, LEAVER, improvements="Jan Bakker plande slecht.", reasons=("pay", "career"),
                      ratings=(2, 3, 4, 1, 5), recommend=3, come_back="no")
    with harness.services.db.session() as session:
        interview = session.scalars(select(Interview)).one()
        row, answers = numbers_of(session, interview.id)
        assert (row.review_state, row.digest_id, row.enps_score, row.come_back, row.main_reason, row.consent) == (
            "pending", None, 3, "no", "pay", True)
        day = interview.submitted_at.astimezone(harness.services.settings.tz).date()
        assert (row.mode, row.submitted_on, row.submitted_month) == ("self", day, f"{day:%Y-%m}")
        assert row.last_day == session.get(Departure, interview.departure_id).last_day
        assert [a for a in answers if a[2] == "rating"] == [
            ("working_conditions", "working_conditions", "rating", None, 2),
            ("work_content", "work_content", "rating", None, 3),
            ("working_relations", "working_relations", "rating", None, 4),
            ("employment_terms", "employment_terms", "rating", None, 1),
            ("manager_support", "manager", "rating", None, 5)]
        assert ("reasons", "reasons", "choice", "career", None) in answers
        # Nothing of what the leaver wrote, and no Slack ids.
        assert "Bakker" not in str(answers) and "ULEAVER" not in str(vars(row))

    card = [m for m in slack.dms_to(HR) if "beoordelen" in m.text][-1]
    harness.user.click(HR, card, "review:private")
    with harness.services.db.session() as session:
        assert session.scalars(select(InterviewNumber.review_state)).all() == ["private"]

    answer_everything(harness, LEAVER_EN)
    answer_everything(harness, THIRD)
    for card in [m for m in slack.dms_to(HR) if "beoordelen" in m.text]:
        current = slack.message(card.channel, card.ts)
        if "review:approve" in str(current.blocks):
            harness.user.click(HR, current, "review:approve")
    with harness.services.db.session() as session:
        states = session.execute(select(InterviewNumber.review_state, func.count())
                                 .group_by(InterviewNumber.review_state)).all()
        assert sorted(states) == [("approved", 2), ("private", 1)]


def test_the_digest_marks_the_numbers_it_published_and_a_discarded_digest_gives_them_back(db):
    ids = [add_interview(db, employee, approved=True) for employee in (LEAVER, LEAVER_EN, MANAGER)]
    now = datetime.now(UTC)
    with db.session() as session:
        reviews = [repo.review_for_interview(session, i).id for i in ids[:2]]
        digest = repo.create_digest(session, reviews, now, HR, {})
    with db.session() as session:
        assert {i: d for i, d in session.execute(select(InterviewNumber.interview_id, InterviewNumber.digest_id))} == {
            ids[0]: digest.id, ids[1]: digest.id, ids[2]: None}
        repo.discard_digest(session, digest.id)
    with db.session() as session:
        assert set(session.scalars(select(InterviewNumber.digest_id))) == {None}


@pytest.fixture
def db(database_url):
    crypto.configure(TEST_KEY)
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def add_interview(db: Database, employee: str, *, last_day: date = date(2026, 1, 30), approved: bool = False,
                  record: bool = True) -> int:
    from bot.operations import numbers

    now = datetime.now(UTC)
    with db.session() as session:
        # Only these columns: the backfill test writes at revision 0008, before later departure columns.
        departure_id = session.execute(insert(Departure).values(
            employee_id=employee, manager_id=MANAGER, interviewer_id=HR, registered_by=HR, last_day=last_day,
            language="nl", offer="both", employee_tz="Europe/Amsterdam", stage="submitted", invite_at=now,
            choice="answer", choice_at=now, created_at=now).returning(Departure.id)).scalar_one()
        state = {"format": 1, "template": {"id": "standard", "version": 1}, "phase": "submitted", "position": 16,
                 "editing": False, "answers": ANSWERS}
        interview = Interview(departure_id=departure_id, mode="self", template_key="standard", template_version=1,
                              state=state, status="submitted", started_at=now, updated_at=now, submitted_at=now,
                              expires_at=now)
        session.add(interview)
        session.flush()
        session.add(Review(interview_id=interview.id, highlights="Hoofdpunt", created_at=now,
                           decision="approved" if approved else None, decided_at=now if approved else None))
        session.flush()
        if record:
            numbers.record(session, db, interview)
        return interview.id


def test_numbers_hold_codes_and_numbers_only_and_survive_a_purge_unchanged(db):
    old = add_interview(db, LEAVER, last_day=date(2024, 1, 10), approved=True)
    with db.session() as session:
        before, answers = numbers_of(session, old)
        assert answers == EXPECTED  # no comments, no "other" text, nothing of a text question
        before = {c: getattr(before, c) for c in ("review_state", "enps_score", "come_back", "main_reason",
                                                 "consent", "last_day", "last_day_month")}
        assert before == {"review_state": "approved", "enps_score": 9, "come_back": "maybe", "main_reason": "pay",
                          "consent": False, "last_day": date(2024, 1, 10), "last_day_month": "2024-01"}
    report = privacy.purge(db, today=date(2026, 12, 1), months=24, now=datetime.now(UTC), actor="test")
    assert report.departure_ids != []
    with db.session() as session:
        row, answers = numbers_of(session, old)
        assert answers == EXPECTED
        assert {c: getattr(row, c) for c in before} == before


def test_erasure_takes_the_numbers_with_the_interview(db):
    mine = add_interview(db, LEAVER)
    theirs = add_interview(db, LEAVER_EN)
    with db.session() as session:
        repo.erase_person(session, LEAVER, neutral="purged")
    with db.session() as session:
        assert session.scalars(select(InterviewNumber.interview_id)).all() == [theirs]
        assert set(session.scalars(select(AnswerNumber.interview_id))) == {theirs}
        assert numbers_of(session, mine) == (None, [])


def test_the_migration_backfills_the_interviews_submitted_before_the_store(database_url):
    crypto.configure(TEST_KEY)
    config = alembic_config(database_url)
    command.upgrade(config, load_migration().down_revision)  # the schema just before the store
    database = Database(database_url)
    first = add_interview(database, LEAVER, approved=True, record=False)
    for n in range(3):
        add_interview(database, f"UOLD{n:05d}", record=False)
    with database.session() as session:
        open_one = session.get(Interview, first + 1)
        open_one.status = "in_progress"
    command.upgrade(config, "head")
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(InterviewNumber)) == 3
        row, answers = numbers_of(session, first)
        assert answers == EXPECTED
        assert (row.review_state, row.enps_score, row.main_reason, row.submitted_month) == (
            "approved", 9, "pay", f"{session.get(Interview, first).submitted_at.astimezone(AMSTERDAM):%Y-%m}")
        assert numbers_of(session, first + 1) == (None, [])
        store.forget_numbers(session, [first + 2, first + 3])

    # In batches (here of 1), and only what is missing: running it again adds nothing twice.
    migration = load_migration()
    migration.BATCH = 1
    with database.engine.begin() as connection:
        assert migration.backfill(connection) == 2
        assert migration.backfill(connection) == 0
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(InterviewNumber)) == 3
        assert numbers_of(session, first + 3)[1] == EXPECTED
    database.dispose()


def load_migration():
    import importlib.util

    from storage.db import MIGRATIONS

    spec = importlib.util.spec_from_file_location("numbers_migration", MIGRATIONS / "versions" / "0012_numbers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_text(slack) -> str:
    return "\n".join(str(r.get("blocks")) for r in slack.workspace.responses if r.get("blocks"))


def test_the_report_counts_departures_whose_last_day_is_ahead_and_shows_the_main_reason(harness, slack):
    answer_everything(harness, LEAVER, reasons=("pay", "career"), recommend=2)  # main reason: pay
    harness.register(LEAVER_EN, harness.in_working_days(3))  # invited, not answered yet
    harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")

    harness.user.slash(HR, "report")
    text = report_text(slack)
    assert "*Aangemeld*\\n2" in text and "*Uitgenodigd*\\n2" in text
    assert "*Nog open*\\n1" in text
    assert "50% (1 van 2 uitgenodigd)" in text
    assert "gebaseerd op 1 exitgesprek (" in text  # never "1 exitgesprekken"
    assert "De reden die het zwaarst woog" in text and "100% · Salaris (1)" in text


def test_sql_adds_up_what_the_interviews_hold_per_day_per_digest_and_per_set(db):
    from flows.aggregates import tallies_from_rows, tally_of, total
    from flows.numbers import numbers_of as numbers_from
    from flows.template import default_template

    one = tally_of(numbers_from(default_template(), ANSWERS))
    ids = [add_interview(db, employee, approved=True) for employee in (LEAVER, LEAVER_EN, MANAGER)]
    add_interview(db, "UPENDING1")  # not decided: in the days, not awaiting publication
    with db.session() as session:
        days = tallies_from_rows(store.daily_tally_rows(session))
        assert total(days.values()) == total([one] * 4)
        assert tallies_from_rows(store.interviews_tally_rows(session, ids)) == {None: total([one] * 3)}
        digest = repo.create_digest(session, [repo.review_for_interview(session, i).id for i in ids[:2]],
                                    datetime.now(UTC), HR, {})
        assert tallies_from_rows(store.digest_tally_rows(session, [digest.id])) == {digest.id: total([one] * 2)}
        assert tallies_from_rows(store.interviews_tally_rows(session, ids[2:])) == {None: one}


def test_a_digest_keeps_its_tally_and_figures_and_the_next_one_adds_them_up(harness, slack):
    from tests.test_digest import after_last_days, approve_all, setup_people

    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    for employee, score in ((LEAVER, 2), (LEAVER_EN, 3), ("ULEAVER03", 4)):
        answer_everything(harness, employee, ratings=(score, 3, 4, 2, 5), recommend=score)
    approve_all(harness, slack)
    after_last_days(harness)
    harness.user.slash(HR, "digest")
    assert "staat in" in harness.last_response()["text"]
    with harness.services.db.session() as session:
        digest = session.scalars(select(Digest)).one()
        assert digest.stats["tally"]["count"] == 3
        assert digest.stats["tally"]["ratings"]["working_conditions"] == [3, 9.0, 29.0]  # n, sum, squares
        assert digest.stats["categories"]["working_conditions"][:2] == [3.0, 3]  # what managers saw
        assert set(session.scalars(select(InterviewNumber.digest_id))) == {digest.id}
        first = digest.id
        digest.stats = {k: v for k, v in digest.stats.items() if k != "tally"}  # as from before the store

    # The next digest recounts the older one in SQL once, and keeps that tally with it.
    more = ["ULEAVER04", "ULEAVER05", "ULEAVER06"]
    for employee in more:
        slack.add_user(employee, employee.lower(), real_name="Piet Jansen", locale="nl-NL")
        answer_everything(harness, employee)
    approve_all(harness, slack)
    after_last_days(harness)
    harness.user.slash(HR, "digest")
    assert "staat in" in harness.last_response()["text"]
    with harness.services.db.session() as session:
        assert session.get(Digest, first).stats["tally"]["count"] == 3
        assert session.scalar(select(func.count()).select_from(Digest)) == 2


def test_a_leaver_who_withdraws_after_submitting_takes_the_numbers_back_too(harness, slack):
    answer_everything(harness, LEAVER)
    with harness.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(InterviewNumber)) == 1
    harness.user.open_home(LEAVER)
    home = slack.wait_for(lambda: slack.workspace.home_views.get(LEAVER), what="the leaver's Home")
    harness.user.click(LEAVER, HomeCard(home), "q:withdraw")
    assert harness.stage_of(LEAVER) == "withdrawn"
    with harness.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(InterviewNumber)) == 0
        assert session.scalar(select(func.count()).select_from(AnswerNumber)) == 0


def rating_sums(session, interview_id: int) -> dict:
    row = session.get(InterviewNumber, interview_id)
    return {category: (getattr(row, f"rating_{category}_n"), getattr(row, f"rating_{category}_sum"),
                       getattr(row, f"rating_{category}_squares")) for category in store.RATED_CATEGORIES
            } | {"reasons": row.reason_codes}


RATING_SUMS = {"working_conditions": (1, 2.0, 4.0), "work_content": (1, 4.0, 16.0),
               "working_relations": (None, None, None), "employment_terms": (None, None, None),
               "manager": (None, None, None),  # manager support was skipped: no rating, not a zero
               "reasons": " pay other "}  # the option ids only: "Een baan bij Acme" stays out


def test_each_interview_row_keeps_its_rating_sums_and_the_migration_backfills_them(database_url):
    crypto.configure(TEST_KEY)
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    database = Database(database_url)
    ids = [add_interview(database, f"UR{n:05d}") for n in range(3)]
    with database.session() as session:
        assert [rating_sums(session, i) for i in ids] == [RATING_SUMS] * 3
    command.downgrade(config, "0013")  # before the columns: the migration fills them from answer_numbers
    command.upgrade(config, "head")
    with database.session() as session:
        assert [rating_sums(session, i) for i in ids] == [RATING_SUMS] * 3
    database.dispose()


def test_a_breakdown_counts_ratings_from_the_interview_rows_and_other_categories_from_the_answers(db):
    from storage import breakdowns

    ids = [add_interview(db, f"UB{n:05d}") for n in range(3)]
    day = datetime.now(UTC).date()
    period = breakdowns.Period(date(day.year - 1, 1, 1), date(day.year + 1, 1, 1))
    with db.session() as session:
        sums = breakdowns.group_sums(session, breakdowns.MANAGER, period)[MANAGER]
        assert sums.count == 3
        assert sums.ratings == {"working_conditions": (3, 6.0, 12.0), "work_content": (3, 12.0, 48.0)}
        assert sums.choices == {} and sums.answered == {}  # not asked for
        with_reasons = breakdowns.group_sums_by(session, (breakdowns.MANAGER,), period,
                                                reasons_question="reasons")[(MANAGER,)]
        assert with_reasons.choices == {"reasons": {"pay": 3, "other": 3}}
        assert with_reasons.answered == {"reasons": 3}
        # A template of HR's own rates something in a category of its own: counted as well.
        session.execute(insert(AnswerNumber).values(interview_id=ids[0], submitted_on=session.get(
            InterviewNumber, ids[0]).submitted_on, question_id="tools", category="other", kind="rating", value=5))
    with db.session() as session:
        sums = breakdowns.group_sums(session, breakdowns.MANAGER, period)[MANAGER]
        assert sums.ratings["other"] == (1, 5.0, 25.0)
        assert sums.ratings["working_conditions"] == (3, 6.0, 12.0)
