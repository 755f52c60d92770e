"""Free text is encrypted at rest (interviews.state, interviews.excluded_quotes, reviews.highlights),
on SQLite and PostgreSQL: the database holds Fernet tokens, the app reads plaintext; migration 0004
encrypts what was stored before; keys rotate while the bot runs; the start-up rules for the keys."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import UTC, date, datetime

import pytest
from alembic import command
from cryptography.fernet import InvalidToken
from sqlalchemy import inspect, select, text

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.operations import privacy
from storage import crypto
from storage import repositories as repo
from storage.db import Database, alembic_config
from storage.models import AuditEntry, Departure, Interview, Review
from tests.conftest import HR, LEAVER, TEST_KEY

SECRET = "Mira plande alles op het laatste moment"
NEW_KEY = crypto.generate_key()


def state_with(answer: str) -> dict:
    return {
        "format": 1,
        "template": {"id": "standard", "version": 1},
        "phase": "submitted",
        "position": 16,
        "editing": False,
        "answers": {"working_conditions": {"value": 2, "comment": answer}, "improvements": {"value": answer}},
    }


@pytest.fixture
def keyring():
    """The test key before and after: the keyring is one per process."""
    crypto.configure(TEST_KEY)
    yield
    crypto.configure(TEST_KEY)


@pytest.fixture
def db(database_url, keyring):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def store_interview(db: Database, answer: str = SECRET, employee: str = LEAVER) -> int:
    now = datetime.now(UTC)
    with db.session() as session:
        departure = Departure(employee_id=employee, interviewer_id=HR, registered_by=HR, last_day=date(2026, 1, 30),
                              language="nl", offer="both", employee_tz="Europe/Amsterdam", stage="submitted",
                              invite_at=now, created_at=now)
        session.add(departure)
        session.flush()
        interview = Interview(departure_id=departure.id, mode="self", template_key="standard", template_version=1,
                              state=state_with(answer), status="submitted", started_at=now, updated_at=now,
                              submitted_at=now, expires_at=now, excluded_quotes=["improvements"])
        session.add(interview)
        session.flush()
        session.add(Review(interview_id=interview.id, highlights=f"Hoofdpunt: {answer}", created_at=now))
        return interview.id


def raw_values(db: Database) -> list[str | None]:
    """What the database itself holds, read past the ORM with a plain SQL query."""
    with db.engine.connect() as connection:
        values = list(connection.execute(text("SELECT state, excluded_quotes FROM interviews ORDER BY id")).one())
        values += [connection.execute(text("SELECT highlights FROM reviews")).scalar_one()]
    return values


# -- at rest ------------------------------------------------------------------------------------------


def test_the_database_holds_ciphertext_and_the_app_reads_plaintext(db):
    interview_id = store_interview(db)
    for value in raw_values(db):
        assert isinstance(value, str) and value.startswith("gAAAAA")  # a Fernet token
        assert "Mira" not in value and "improvements" not in value and "laatste" not in value

    with db.session() as session:
        interview = session.get(Interview, interview_id)
        assert interview.state == state_with(SECRET)
        assert interview.excluded_quotes == ["improvements"]
        assert repo.review_for_interview(session, interview_id).highlights == f"Hoofdpunt: {SECRET}"


def test_no_answers_is_sql_null_so_the_filters_keep_working(db):
    interview_id = store_interview(db)
    with db.session() as session:
        session.get(Interview, interview_id).state = None  # withdrawn
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT state FROM interviews")).scalar_one() is None
    with db.session() as session:
        assert repo.submitted_interviews(session) == []


def test_a_wrong_key_reads_nothing(db):
    store_interview(db)
    crypto.configure(NEW_KEY)
    with db.session() as session, pytest.raises(InvalidToken):
        session.scalars(select(Review)).one()


def test_the_columns_are_text(db):
    columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("interviews")}
    for name in ("state", "excluded_quotes"):
        assert "TEXT" in str(columns[name]).upper(), columns[name]


# -- rotation -------------------------------------------------------------------------------------


def test_rotation_reencrypts_every_token_and_the_old_key_can_go(db):
    interview_id = store_interview(db)
    before = raw_values(db)

    crypto.configure(f"{NEW_KEY},{TEST_KEY}")  # step 1: NEW first, OLD still readable
    report = privacy.rotate_keys(db, now=datetime.now(UTC), actor="test", batch=1)
    assert (report.rotated, report.current, report.unreadable, report.still_old) == (3, 0, 0, 0)
    after = raw_values(db)
    assert all(old != new for old, new in zip(before, after, strict=True))

    crypto.configure(NEW_KEY)  # step 3: the old key is gone
    with db.session() as session:
        assert session.get(Interview, interview_id).state == state_with(SECRET)
        assert repo.review_for_interview(session, interview_id).highlights == f"Hoofdpunt: {SECRET}"
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.actor, entry.subject, entry.detail["rotated"]) == ("keys_rotate", "test", None, 3)

    crypto.configure(TEST_KEY)
    with db.session() as session, pytest.raises(InvalidToken):
        session.get(Interview, interview_id)

    crypto.configure(f"{NEW_KEY},{TEST_KEY}")
    again = privacy.rotate_keys(db, now=datetime.now(UTC), actor="test")
    assert (again.rotated, again.current) == (0, 3)  # nothing left to do; running it twice is harmless


def test_rotation_leaves_a_row_the_bot_rewrote_meanwhile(db):
    store_interview(db)
    crypto.configure(f"{NEW_KEY},{TEST_KEY}")
    with db.session() as session:
        [(row_id, token)] = repo.ciphertexts(session, "reviews", "highlights", 0, 10)
        session.get(Review, row_id).highlights = "rewritten by the bot"
    with db.session() as session:
        assert not repo.replace_ciphertext(session, "reviews", "highlights", row_id, token, crypto.rotate(token))
    with db.session() as session:
        assert session.get(Review, row_id).highlights == "rewritten by the bot"


def test_keys_rotate_on_the_command_line_in_two_steps(db, database_url, tmp_path, monkeypatch, capsys):
    interview_id = store_interview(db)
    before = raw_values(db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)

    monkeypatch.setenv("ENCRYPTION_KEY", TEST_KEY)
    assert main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    new_key = next(line.strip() for line in out.splitlines() if len(line.strip()) == 44)
    crypto.parse_keys(new_key)
    assert "ENCRYPTION_KEY=NEW,OLD" in out and "keys rotate" in out and "Remove OLD" in out
    assert raw_values(db) == before  # the first step changes no data

    monkeypatch.setenv("ENCRYPTION_KEY", f"{new_key},{TEST_KEY}")
    assert main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "re-encrypted 3 stored texts" in out and "remove the old key" in out
    assert all(old != new for old, new in zip(before, raw_values(db), strict=True))

    crypto.configure(new_key)
    with db.session() as session:
        assert session.get(Interview, interview_id).state == state_with(SECRET)
        assert [e.detail.get("rotated") for e in repo.audit_entries(session, action="keys_rotate")] == [None, 3]


def test_keys_generate_prints_a_fresh_key(capsys):
    assert main(["keys", "generate"]) == 0
    key = capsys.readouterr().out.strip()
    assert crypto.parse_keys(key) == [key.encode()]


# -- migration 0004 ------------------------------------------------------------------------------


def test_migration_0004_encrypts_what_was_stored_and_the_downgrade_restores_it(database_url, keyring):
    database = Database(database_url)
    config = alembic_config(database_url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    stamp = "2026-01-05 10:00:00"
    with database.engine.begin() as connection:
        for departure_id, stage in ((1, "submitted"), (2, "withdrawn")):
            connection.execute(text(
                "INSERT INTO departures (id, employee_id, interviewer_id, registered_by, last_day, language, offer, "
                "employee_tz, stage, invite_at, created_at) VALUES (:id, :employee, 'UHRANNA01', 'UHRANNA01', "
                "'2026-01-30', 'nl', 'both', 'Europe/Amsterdam', :stage, :at, :at)"
            ), {"id": departure_id, "employee": f"ULEAVER0{departure_id}", "stage": stage, "at": stamp})
        insert = text(
            "INSERT INTO interviews (id, departure_id, mode, template_key, template_version, state, status, "
            "started_at, updated_at, expires_at, excluded_quotes) VALUES (:id, :id, 'self', 'standard', 1, :state, "
            ":status, :at, :at, :at, :quotes)"
        )
        connection.execute(insert, {"id": 1, "state": json.dumps(state_with(SECRET)), "status": "submitted",
                                    "at": stamp, "quotes": json.dumps(["improvements"])})
        connection.execute(insert, {"id": 2, "state": "null", "status": "withdrawn", "at": stamp, "quotes": None})
        connection.execute(text("INSERT INTO reviews (id, interview_id, highlights, created_at) "
                                "VALUES (1, 1, :text, :at)"), {"text": f"Hoofdpunt: {SECRET}", "at": stamp})

    database.upgrade()
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, state, excluded_quotes FROM interviews ORDER BY id")).all()
        highlights = connection.execute(text("SELECT highlights FROM reviews")).scalar_one()
    assert rows[1][1:] == (None, None)  # JSON null became SQL NULL
    for value in (rows[0][1], rows[0][2], highlights):
        assert value.startswith("gAAAAA") and "Mira" not in value and "improvements" not in value
    with database.session() as session:
        assert session.get(Interview, 1).state == state_with(SECRET)
        assert session.get(Interview, 1).excluded_quotes == ["improvements"]
        assert session.get(Interview, 2).state is None
        assert session.get(Review, 1).highlights == f"Hoofdpunt: {SECRET}"
        assert session.get(Departure, 1).purged_at is None
        assert session.scalars(select(AuditEntry)).all() == []

    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT highlights FROM reviews")).scalar_one() == f"Hoofdpunt: {SECRET}"
        state = connection.execute(text("SELECT state FROM interviews WHERE id = 1")).scalar_one()
    assert (json.loads(state) if isinstance(state, str) else state) == state_with(SECRET)
    database.dispose()


# -- where the keys come from ------------------------------------------------------------------------


def test_sqlite_without_a_key_makes_a_private_key_file_next_to_the_database(tmp_path, caplog, keyring):
    crypto.reset()
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'bot.sqlite3'}"
    with caplog.at_level(logging.WARNING, logger="storage.crypto"):
        source = crypto.configure_for(url, None)
    key_file = folder / "exit-interview.key"
    assert source == str(key_file)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert any("created a new encryption key" in r.getMessage() and str(key_file) in r.getMessage()
               for r in caplog.records)
    token = crypto.encrypt("vertrouwelijk")

    crypto.reset()
    caplog.clear()
    crypto.configure_for(url, None)  # the next start reads the same key
    assert crypto.decrypt(token) == "vertrouwelijk"
    assert not any("created" in r.getMessage() for r in caplog.records)


def test_an_in_memory_sqlite_database_keeps_its_key_file_in_the_working_folder(tmp_path, monkeypatch, keyring):
    monkeypatch.chdir(tmp_path)
    assert crypto.key_file_for("sqlite://") == tmp_path / "exit-interview.key"
    assert crypto.key_file_for("sqlite:///relative/bot.sqlite3") == tmp_path / "relative" / "exit-interview.key"


def test_postgresql_without_a_key_refuses_with_one_line(keyring):
    crypto.reset()
    with pytest.raises(crypto.KeyringError) as caught:
        crypto.configure_for("postgresql+psycopg://u@db/x", None)
    assert "\n" not in str(caught.value) and "ENCRYPTION_KEY is not set" in str(caught.value)
    assert not crypto.is_configured()


def test_the_bot_does_not_start_on_postgresql_without_a_key(tmp_path, monkeypatch, capsys, keyring):
    monkeypatch.chdir(tmp_path)
    for name in ("ENCRYPTION_KEY", "SLACK_APP_TOKEN", "HR_USERGROUP_ID", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("HR_USER_IDS", "U012AB3CD")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:1/x")
    assert main(["run"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exit-interview: configuration error: ENCRYPTION_KEY")
    assert not (tmp_path / "exit-interview.key").exists()


def test_encryption_key_and_retention_settings():
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "HR_USER_IDS": "U0123ABCD"}
    settings = load_settings(environ=base)
    assert (settings.encryption_key, settings.retention_months) == (None, 24)

    settings = load_settings(environ={**base, "ENCRYPTION_KEY": f" {NEW_KEY} , {TEST_KEY} ", "RETENTION_MONTHS": "36"})
    assert settings.retention_months == 36
    assert crypto.parse_keys(settings.encryption_key) == [NEW_KEY.encode(), TEST_KEY.encode()]
    assert NEW_KEY not in repr(settings)

    with pytest.raises(ConfigError) as caught:
        load_settings(environ={**base, "ENCRYPTION_KEY": f"{NEW_KEY},not-a-key-at-all"})
    assert "key 2 of 2 is not a Fernet key" in str(caught.value) and "not-a-key" not in str(caught.value)
    for months in ("0", "241", "two"):
        with pytest.raises(ConfigError, match="RETENTION_MONTHS"):
            load_settings(environ={**base, "RETENTION_MONTHS": months})
