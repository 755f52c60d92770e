"""Settings are validated once at start; a bad one stops the start with one line that names it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings, load_settings

MINIMAL = {
    "SLACK_BOT_TOKEN": "xoxb-123-456-abc",
    "SLACK_SIGNING_SECRET": "s3cret",
    "HR_USER_IDS": "U012AB3CD",
}

SETTINGS_NAMES = [
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL", "PORT",
    "HR_USER_IDS", "HR_USERGROUP_ID", "HR_CHANNEL_ID", "MANAGER_CHANNEL_ID", "TIMEZONE", "DEFAULT_LANGUAGE",
    "INVITE_WORKING_DAYS_BEFORE", "REMINDER_WORKING_DAYS", "HOLIDAY_COUNTRY", "LOG_LEVEL",
]


def settings_with(**changes: str | None) -> Settings:
    environ = {**MINIMAL, **changes}
    return load_settings(environ={k: v for k, v in environ.items() if v is not None})


def config_error(**changes: str | None) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_with(**changes)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- valid configurations ------------------------------------------------------------------------


def test_minimal_configuration_and_its_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ=dict(MINIMAL))
    assert settings.bot_token == "xoxb-123-456-abc"
    assert settings.signing_secret == "s3cret"
    assert settings.app_token is None
    assert settings.socket_mode is False
    assert settings.api_url is None
    assert settings.hr_user_ids == frozenset({"U012AB3CD"})
    assert settings.hr_usergroup_id is None
    assert settings.hr_channel_id is None
    assert settings.manager_channel_id is None
    assert settings.port == 3000
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.tz.key == "Europe/Amsterdam"
    assert settings.default_language == "nl"
    assert settings.invite_working_days_before == 10
    assert settings.reminder_working_days == 3
    assert settings.holiday_country == "NL"
    # The default database is a file in the working folder.
    assert settings.database_url == f"sqlite:///{tmp_path / 'exit-interview.sqlite3'}"


def test_an_explicit_environ_ignores_the_dotenv_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("PORT=4000\nDEFAULT_LANGUAGE=en\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ=dict(MINIMAL))
    assert settings.port == 3000
    assert settings.default_language == "nl"


def test_a_full_configuration_is_read():
    settings = settings_with(
        SLACK_APP_TOKEN="xapp-1-A1-xyz",
        SLACK_SIGNING_SECRET=None,
        SLACK_API_URL="http://127.0.0.1:8000/api",
        DATABASE_URL="postgresql://u@db/x",
        PORT="8080",
        HR_USER_IDS=" U012AB3CD , W0ABCDEF1 ,,",
        HR_USERGROUP_ID="S0614TZR7",
        HR_CHANNEL_ID="C012AB3CD",
        MANAGER_CHANNEL_ID="G012AB3CD",
        TIMEZONE="America/New_York",
        DEFAULT_LANGUAGE="EN",
        INVITE_WORKING_DAYS_BEFORE="5",
        REMINDER_WORKING_DAYS="2",
        HOLIDAY_COUNTRY="be",
    )
    assert settings.socket_mode is True
    assert settings.app_token == "xapp-1-A1-xyz"
    assert settings.signing_secret is None
    assert settings.api_url == "http://127.0.0.1:8000/api/"
    assert settings.database_url == "postgresql://u@db/x"
    assert settings.port == 8080
    assert settings.hr_user_ids == frozenset({"U012AB3CD", "W0ABCDEF1"})
    assert settings.hr_usergroup_id == "S0614TZR7"
    assert settings.hr_channel_id == "C012AB3CD"
    assert settings.manager_channel_id == "G012AB3CD"
    assert settings.timezone == "America/New_York"
    assert settings.default_language == "en"
    assert settings.invite_working_days_before == 5
    assert settings.reminder_working_days == 2
    assert settings.holiday_country == "BE"


def test_values_are_stripped_and_blank_values_count_as_unset():
    settings = settings_with(SLACK_BOT_TOKEN="  xoxb-1  ", PORT="  ", TIMEZONE="", HR_CHANNEL_ID=" ")
    assert settings.bot_token == "xoxb-1"
    assert settings.port == 3000
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.hr_channel_id is None


def test_the_usergroup_alone_is_enough_for_hr():
    settings = settings_with(HR_USER_IDS=None, HR_USERGROUP_ID="S0614TZR7")
    assert settings.hr_user_ids == frozenset()
    assert settings.hr_usergroup_id == "S0614TZR7"


def test_socket_mode_needs_no_signing_secret():
    settings = settings_with(SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN="xapp-1-A1-xyz")
    assert settings.socket_mode
    assert settings.signing_secret is None


def test_api_url_gets_a_trailing_slash_once():
    assert settings_with(SLACK_API_URL="http://127.0.0.1:8000/api").api_url == "http://127.0.0.1:8000/api/"
    assert settings_with(SLACK_API_URL="https://slack.example/api/").api_url == "https://slack.example/api/"


@pytest.mark.parametrize(("name", "value"), [("PORT", "1"), ("PORT", "65535"), ("INVITE_WORKING_DAYS_BEFORE", "1"),
                                             ("INVITE_WORKING_DAYS_BEFORE", "60"), ("REMINDER_WORKING_DAYS", "30")])
def test_integer_bounds_are_inclusive(name, value):
    settings = settings_with(**{name: value})
    assert getattr(settings, name.lower()) == int(value)


# --- malformed or missing settings ---------------------------------------------------------------


def test_missing_bot_token():
    message = config_error(SLACK_BOT_TOKEN=None)
    assert message.startswith("SLACK_BOT_TOKEN")
    assert "not set" in message


@pytest.mark.parametrize("token", ["xoxp-user-token", "xapp-1-A1-xyz", "abc"])
def test_bot_token_must_be_a_bot_token(token):
    message = config_error(SLACK_BOT_TOKEN=token)
    assert "SLACK_BOT_TOKEN" in message
    assert "xoxb-" in message


def test_signing_secret_is_needed_in_http_mode():
    message = config_error(SLACK_SIGNING_SECRET=None)
    assert message.startswith("SLACK_SIGNING_SECRET")
    assert "SLACK_APP_TOKEN" in message  # tells the way out


def test_app_token_must_be_an_app_level_token():
    message = config_error(SLACK_APP_TOKEN="xoxb-wrong-kind")
    assert "SLACK_APP_TOKEN" in message
    assert "xapp-" in message


@pytest.mark.parametrize("ids", ["U012AB3CD,jan", "u012ab3cd", "#hr", "C012AB3CD", "U012AB3CD;U023BC4DE"])
def test_hr_user_ids_must_be_user_ids(ids):
    message = config_error(HR_USER_IDS=ids)
    assert message.startswith("HR_USER_IDS")


def test_hr_user_ids_error_names_the_bad_id():
    assert "'jan'" in config_error(HR_USER_IDS="U012AB3CD, jan")


def test_hr_usergroup_id_must_be_a_usergroup_id():
    message = config_error(HR_USERGROUP_ID="hr-team")
    assert message.startswith("HR_USERGROUP_ID")


def test_someone_must_be_hr():
    message = config_error(HR_USER_IDS=None)
    assert "HR_USER_IDS" in message
    assert "HR_USERGROUP_ID" in message
    assert config_error(HR_USER_IDS=" , ,") == message


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "CEST+2", "../../etc/passwd", "/etc/localtime"])
def test_unknown_timezone(zone):
    message = config_error(TIMEZONE=zone)
    assert message.startswith("TIMEZONE")
    assert repr(zone) in message


@pytest.mark.parametrize("language", ["de", "fr", "nl-NL", "english"])
def test_unsupported_default_language(language):
    message = config_error(DEFAULT_LANGUAGE=language)
    assert message.startswith("DEFAULT_LANGUAGE")
    assert "nl" in message
    assert "en" in message


def test_unknown_holiday_country():
    message = config_error(HOLIDAY_COUNTRY="XX")
    assert message.startswith("HOLIDAY_COUNTRY")


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("PORT", "abc", "whole number"),
        ("PORT", "3000.5", "whole number"),
        ("PORT", "70000", "between 1 and 65535"),
        ("PORT", "0", "between 1 and 65535"),
        ("PORT", "-1", "between 1 and 65535"),
        ("INVITE_WORKING_DAYS_BEFORE", "0", "between 1 and 60"),
        ("INVITE_WORKING_DAYS_BEFORE", "61", "between 1 and 60"),
        ("INVITE_WORKING_DAYS_BEFORE", "ten", "whole number"),
        ("REMINDER_WORKING_DAYS", "0", "between 1 and 30"),
    ],
)
def test_integer_settings(name, value, fragment):
    message = config_error(**{name: value})
    assert message.startswith(name)
    assert fragment in message


@pytest.mark.parametrize("name", ["HR_CHANNEL_ID", "MANAGER_CHANNEL_ID"])
@pytest.mark.parametrize("value", ["#hr", "hr", "U012AB3CD", "c012ab3cd"])
def test_channel_ids(name, value):
    message = config_error(**{name: value})
    assert message.startswith(name)
    assert "#name" in message


@pytest.mark.parametrize("url", ["127.0.0.1:8000/api/", "slack.example/api", "ftp://slack.example/api/"])
def test_api_url_needs_an_http_scheme(url):
    message = config_error(SLACK_API_URL=url)
    assert message.startswith("SLACK_API_URL")


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def bare_environment(tmp_path, monkeypatch) -> Path:
    """No setting in the environment and no .env in the working folder."""
    for name in SETTINGS_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_run_without_a_bot_token_prints_one_line_and_exits_2(bare_environment, capsys):
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    line = _one_line(captured.err)
    assert "SLACK_BOT_TOKEN" in line
    assert line.startswith("exit-interview: configuration error:")
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_run_names_the_first_bad_setting(bare_environment, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("HR_USER_IDS", "U012AB3CD")
    monkeypatch.setenv("PORT", "70000")
    assert main(["run"]) == 2
    assert "PORT" in _one_line(capsys.readouterr().err)


def test_run_reads_the_dotenv_file_in_the_working_folder(bare_environment, capsys):
    (bare_environment / ".env").write_text("SLACK_BOT_TOKEN=xoxp-not-a-bot\n", encoding="utf-8")
    assert main(["run"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "SLACK_BOT_TOKEN" in line
    assert "xoxb-" in line  # the .env value was read and judged, not reported missing


def test_no_command_means_run(bare_environment, capsys):
    assert main([]) == 2
    assert "SLACK_BOT_TOKEN" in _one_line(capsys.readouterr().err)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(extra)
    return env


def test_python_m_bot_without_settings_exits_2_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "SLACK_BOT_TOKEN" in _one_line(result.stderr)


def test_db_upgrade_from_any_folder_creates_the_schema(tmp_path):
    database = tmp_path / "x.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env=_clean_env(DATABASE_URL=f"sqlite:///{database}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert database.exists()
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"departures", "sent_messages", "alembic_version"} <= tables
    assert len(version) == 1
    # No stray default database was made in the working folder.
    assert not (tmp_path / "exit-interview.sqlite3").exists()


def test_db_upgrade_twice_is_harmless(tmp_path):
    database = tmp_path / "x.sqlite3"
    command = [sys.executable, "-m", "bot.cli", "db", "upgrade"]
    env = _clean_env(DATABASE_URL=f"sqlite:///{database}")
    for _ in range(2):
        result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr


def test_signal_thresholds_are_configurable_and_checked():
    from bot.config import ConfigError, load_settings

    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "HR_USER_IDS": "U0123ABCD"}
    settings = load_settings({**base, "SIGNAL_DROP": "0,8", "SIGNAL_LOW_SCORE": "2.5"})
    assert (settings.signal_drop, settings.signal_low_score, settings.signal_reason_share) == (0.8, 2.5, 0.4)
    for name, value in (("SIGNAL_DROP", "lots"), ("SIGNAL_REASON_SHARE", "3"), ("DIGEST_SCHEDULE", "monthly")):
        try:
            load_settings({**base, name: value})
        except ConfigError as error:
            assert name in str(error)
        else:
            raise AssertionError(f"{name}={value} was accepted")
    assert load_settings({**base, "DIGEST_MIN_INTERVIEWS": "5"}).digest_min_interviews == 5
    try:
        load_settings({**base, "DIGEST_MIN_INTERVIEWS": "2"})
    except ConfigError as error:
        assert "DIGEST_MIN_INTERVIEWS" in str(error)
    else:
        raise AssertionError("a minimum group below 3 was accepted")
