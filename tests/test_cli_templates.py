"""The `exit-interview template ...` commands: validate, show, install and list, on a SQLite file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot import cli
from bot.operations import templates as template_operations
from flows.template import DEFAULT_TEMPLATE_PATH

DEFAULT_TEXT = DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
NL_QUESTION = "Hoe heb je de arbeidsomstandigheden ervaren?"
EN_QUESTION = "How did you experience the working conditions?"
CHANGED_QUESTION = "Hoe waren de arbeidsomstandigheden bij Acme?"


def _custom(version: int = 2, question: str = CHANGED_QUESTION) -> str:
    text = DEFAULT_TEXT.replace("id: standard\nversion: 3\n", f"id: acme\nversion: {version}\n", 1)
    assert text != DEFAULT_TEXT
    text = text.replace(f"nl: {NL_QUESTION}", f"nl: {question}", 1)
    assert question in text
    return text


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/t.sqlite3")
    monkeypatch.setattr(template_operations, "_cache", {})  # parsed templates are cached per process
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- validate ----------------------------------------------------------------------------------


def test_validate_the_default_file(capsys):
    code, out, err = run(capsys, "template", "validate", str(DEFAULT_TEMPLATE_PATH))
    assert code == 0, err
    assert out.strip() == f"{DEFAULT_TEMPLATE_PATH}: valid template 'standard' version 3 with 18 questions"


def test_validate_a_broken_file_names_question_and_field(capsys, workspace):
    broken = DEFAULT_TEXT.replace(
        "    type: rating\n    category: working_conditions\n", "    type: rating\n    category: working_condition\n", 1
    )
    broken = broken.replace("      en: How did you experience the work itself?\n", "", 1)
    assert broken.count("\n") == DEFAULT_TEXT.count("\n") - 1
    (workspace / "broken.yml").write_text(broken, encoding="utf-8")

    code, out, err = run(capsys, "template", "validate", "broken.yml")

    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert "broken.yml: question 'working_conditions': field 'category': unknown category" in lines[0]
    assert "question 'work_content': field 'text.en': is missing" in lines[1]


def test_validate_a_missing_file(capsys):
    code, out, err = run(capsys, "template", "validate", "nowhere.yml")
    assert code == 1
    assert out == ""
    assert err.strip() == "exit-interview: nowhere.yml: no such file"


def test_validate_works_from_any_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "template", "validate", str(DEFAULT_TEMPLATE_PATH.resolve())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "valid template 'standard' version 3" in result.stdout


# -- show and list -----------------------------------------------------------------------------


def test_show_prints_the_default_in_dutch_and_english(capsys):
    code, out, err = run(capsys, "template", "show")
    assert code == 0, err
    assert out.startswith("Exitgesprek\nstandard version 3, default (built in)\n")
    assert NL_QUESTION in out
    assert EN_QUESTION not in out
    assert "1. [rating | working_conditions | optional] working_conditions" in out
    assert "[multiple_choice | reasons | optional] reasons" in out
    assert "- pay: Salaris" in out
    assert "1 Zeer slecht" in out

    code, out, err = run(capsys, "template", "show", "--lang", "en")
    assert code == 0, err
    assert out.startswith("Exit interview\n")
    assert EN_QUESTION in out
    assert NL_QUESTION not in out
    assert "- pay: Pay" in out


def test_show_yaml_prints_the_default_source(capsys):
    code, out, err = run(capsys, "template", "show", "--yaml")
    assert code == 0, err
    assert out == DEFAULT_TEXT
    assert "id: standard\nversion: 3\n" in out


def test_list_without_installs_shows_the_built_in_default(capsys):
    code, out, err = run(capsys, "template", "list")
    assert code == 0, err
    assert out.strip() == "* standard version 3  default (built in)"


# -- install -----------------------------------------------------------------------------------


def test_install_makes_the_template_the_standard(capsys, workspace):
    (workspace / "acme.yml").write_text(_custom(), encoding="utf-8")

    code, out, err = run(capsys, "template", "install", "acme.yml", "--by", "anna")
    assert code == 0, err
    assert out.strip() == "installed 'acme' version 2; new interviews use it"

    code, out, err = run(capsys, "template", "show")
    assert code == 0, err
    assert out.startswith("Exitgesprek\nacme version 2, installed\n")
    assert CHANGED_QUESTION in out
    assert NL_QUESTION not in out

    code, out, err = run(capsys, "template", "show", "--yaml")
    assert code == 0, err
    assert out == _custom()

    code, out, err = run(capsys, "template", "list")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("* acme version 2  installed ")
    assert lines[0].endswith(" by anna")


def test_install_without_by_records_cli_and_marks_only_the_newest_active(capsys, workspace):
    (workspace / "v2.yml").write_text(_custom(2), encoding="utf-8")
    (workspace / "v3.yml").write_text(_custom(3, "Versie drie, hoe waren de omstandigheden?"), encoding="utf-8")
    assert run(capsys, "template", "install", "v2.yml")[0] == 0
    assert run(capsys, "template", "install", "v3.yml")[0] == 0

    code, out, err = run(capsys, "template", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("  acme version 2  installed ") and lines[0].endswith(" by cli")
    assert lines[1].startswith("* acme version 3  installed ") and lines[1].endswith(" by cli")
    assert "Versie drie" in run(capsys, "template", "show")[1]


def test_installing_an_invalid_file_changes_nothing(capsys, workspace):
    (workspace / "acme.yml").write_text(_custom(), encoding="utf-8")
    assert run(capsys, "template", "install", "acme.yml")[0] == 0
    invalid = _custom(3).replace("category: consent", "category: consent_please", 1)
    (workspace / "bad.yml").write_text(invalid, encoding="utf-8")

    code, out, err = run(capsys, "template", "install", "bad.yml")

    assert code == 1
    assert out == ""
    assert "bad.yml: question 'consent': field 'category': unknown category 'consent_please'" in err
    assert "nothing changed" in err
    show = run(capsys, "template", "show")[1]
    assert "acme version 2, installed" in show
    assert CHANGED_QUESTION in show
    assert len(run(capsys, "template", "list")[1].strip().splitlines()) == 2  # one version and the legend


def test_installing_a_missing_file(capsys):
    code, _, err = run(capsys, "template", "install", "nowhere.yml")
    assert code == 1
    assert err.strip() == "exit-interview: nowhere.yml: no such file"
    assert run(capsys, "template", "list")[1].strip() == "* standard version 3  default (built in)"


def test_reinstalling_a_version_with_other_content_asks_to_raise_the_version(capsys, workspace):
    (workspace / "acme.yml").write_text(_custom(), encoding="utf-8")
    assert run(capsys, "template", "install", "acme.yml")[0] == 0
    (workspace / "acme.yml").write_text(_custom(2, "Een andere vraag over de omstandigheden?"), encoding="utf-8")

    code, out, err = run(capsys, "template", "install", "acme.yml")

    assert code == 1
    assert out == ""
    assert "acme v2 is already installed with different content" in err
    assert "raise `version`" in err
    assert CHANGED_QUESTION in run(capsys, "template", "show")[1]


def test_reinstalling_the_same_content_is_fine(capsys, workspace):
    (workspace / "acme.yml").write_text(_custom(), encoding="utf-8")
    assert run(capsys, "template", "install", "acme.yml")[0] == 0
    code, _, err = run(capsys, "template", "install", "acme.yml")
    assert code == 0, err
    assert len(run(capsys, "template", "list")[1].strip().splitlines()) == 2


def test_the_default_id_and_version_cannot_be_changed(capsys, workspace):
    changed = DEFAULT_TEXT.replace(f"nl: {NL_QUESTION}", f"nl: {CHANGED_QUESTION}", 1)
    (workspace / "standard.yml").write_text(changed, encoding="utf-8")
    code, _, err = run(capsys, "template", "install", "standard.yml")
    assert code == 1
    assert "version" in err
    assert NL_QUESTION in run(capsys, "template", "show")[1]
