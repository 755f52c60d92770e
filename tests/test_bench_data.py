"""`exit-interview bench-data`: a synthetic history in an empty database, stored as the bot stores it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.cli import main
from storage import crypto
from storage.db import Database
from storage.models import Departure, Digest, Interview, InterviewNumber, Review
from tests.conftest import TEST_KEY


def test_bench_data_fills_an_empty_database_once(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENCRYPTION_KEY", TEST_KEY)

    assert main(["bench-data", "--interviews", "60", "--months", "6", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "60 submitted interviews" in out and "monthly digests" in out and "waiting for HR's review" in out

    crypto.configure(TEST_KEY)
    db = Database(database_url)
    try:
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Interview)) == 60
            assert session.scalar(select(func.count()).select_from(Departure)) == 75  # and 15 without interview
            assert session.scalar(select(func.count()).select_from(InterviewNumber)) == 60
            decisions = dict(session.execute(select(Review.decision, func.count()).group_by(Review.decision)).all())
            published = session.scalar(select(func.count()).select_from(Review)
                                       .where(Review.published_digest_id.is_not(None)))
            assert published > 30 and decisions["approved"] > published and decisions.get(None, 0) >= 1
            assert session.scalar(select(func.count()).select_from(Digest)) >= 5
            # Encrypted as usual: read back through the model, answers of the standard template.
            interview = session.scalars(select(Interview).limit(1)).one()
            assert interview.state["answers"]["recommend"]["value"] in range(11)
            # A profile for HR's breakdowns per team, role and tenure band: most departures have one,
            # a manager always leads the same team, and people joined before they left.
            profiled = session.execute(select(Departure.manager_id, Departure.department, Departure.role,
                                              Departure.started_on, Departure.last_day)
                                       .where(Departure.department.is_not(None))).all()
            assert 0.75 * 75 <= len(profiled) < 75
            teams: dict[str, set[str]] = {}
            for manager_id, department, _role, started_on, last_day in profiled:
                teams.setdefault(manager_id, set()).add(department)
                assert started_on is not None and started_on < last_day
            assert all(len(departments) == 1 for departments in teams.values())
            assert len({department for _m, department, *_ in profiled}) >= 4
            assert any(role for _m, _d, role, *_ in profiled)
            tenures = {(last_day - started_on).days // 365 for *_, started_on, last_day in profiled}
            assert min(tenures) == 0 and max(tenures) >= 6
            oldest = session.scalar(select(func.min(Departure.last_day)))
            assert (date.today() - oldest).days <= 7 * 31
            # The bot's own inserts continue after the bench ids (PostgreSQL sequences).
            now = datetime.now(UTC)
            session.add(Departure(employee_id="UNEW00001", interviewer_id="UHR", registered_by="UHR",
                                  last_day=date.today(), language="nl", offer="both", employee_tz="UTC",
                                  stage="registered", invite_at=now, created_at=now))
            session.flush()

        assert main(["bench-data", "--interviews", "5"]) == 1
        assert "already holds departures" in capsys.readouterr().err
    finally:
        db.dispose()
