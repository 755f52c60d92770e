"""The command line in OAuth mode (issue 15): every installation has its own data, and a command
that reads or changes data works on the installation named, never on another one.

Acme (a workspace) and Globex (an Enterprise Grid organisation, installed org-wide) install the app
through the real install flow (tests/test_installations.py); the CLI runs in this process against
the same databases, as an operator would run it beside the bot.
"""

from __future__ import annotations

import csv

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot import installation_store
from bot.cli import main
from storage import crypto
from storage import repositories as repo
from tests.conftest import SIGNING_SECRET, TEST_KEY
from tests.test_installations import (  # noqa: F401 (oauth: the fixture)
    ACME,
    ACME_HR,
    ACME_LEAVER,
    CLIENT_ID,
    CLIENT_SECRET,
    GLOBEX,
    GLOBEX_HR,
    GLOBEX_LEAVER,
    departures,
    install,
    oauth,
    tenant,
)


@pytest.fixture
def cli_env(oauth, monkeypatch, tmp_path):  # noqa: F811
    """The environment of the bot in OAuth mode, in a folder without .env."""
    folder = tmp_path / "cli"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "HR_USER_IDS", "HR_USERGROUP_ID", "TIMEZONE",
                 "RETENTION_MONTHS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "DATABASE_URL": oauth.settings.database_url,
        "ENCRYPTION_KEY": TEST_KEY,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": oauth.settings.api_url,
    }.items():
        monkeypatch.setenv(name, value)
    return folder


@pytest.fixture
def two(oauth, slack, cli_env):  # noqa: F811
    """Acme and Globex installed; in each, a leaver was invited and began the interview."""
    assert install(oauth, ACME_HR, team_id=ACME)[0] == 200
    assert install(oauth, GLOBEX_HR, enterprise_id=GLOBEX)[0] == 200
    for key, hr, leaver in ((ACME, ACME_HR, ACME_LEAVER), (GLOBEX, GLOBEX_HR, GLOBEX_LEAVER)):
        services = tenant(oauth, key)
        oauth.register(leaver, services.calendar.working_days_after(services.today(), 2), as_user=hr)
        invitation = oauth.invitation_for(leaver)
        assert oauth.user.click(leaver, invitation, "invitation.answer").status == 200
    return oauth


def exported(folder, *selection: str) -> list[dict]:
    assert main(["export", "--out", "all.csv", *selection]) == 0
    with open(folder / "all.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_without_an_installation_named_the_cli_lists_them_and_touches_nothing(two, cli_env, capsys):
    for command in (["export", "--out", "all.csv"], ["audit", "--out", "audit.csv"], ["template", "list"],
                    ["purge"], ["bench-data", "--interviews", "5"]):
        assert main(command) == 2, command
        told = capsys.readouterr().err
        assert "--workspace T0ACME001" in told and "Acme" in told, command
        assert "--org E0GLOBEX1" in told and "Globex" in told, command
    assert "--all-installations" not in told  # bench-data works on one installation; purge has it
    assert not list(cli_env.iterdir())

    # a workspace is not an organisation, and an unknown one is said to be unknown
    assert main(["export", "--out", "all.csv", "--workspace", GLOBEX]) == 2
    assert f"no installation of workspace {GLOBEX}" in capsys.readouterr().err
    assert main(["export", "--out", "all.csv", "--org", "E0NOBODY1"]) == 2
    assert "--org E0GLOBEX1" in capsys.readouterr().err


def test_an_export_for_one_installation_never_contains_the_others_data(two, cli_env, capsys):
    acme = exported(cli_env, "--workspace", ACME)
    assert [row["employee_id"] for row in acme] == [ACME_LEAVER]
    assert "workspace T0ACME001 (Acme)" in capsys.readouterr().err
    globex = exported(cli_env, "--org", GLOBEX)
    assert [row["employee_id"] for row in globex] == [GLOBEX_LEAVER]
    assert ACME_LEAVER not in (cli_env / "all.csv").read_text(encoding="utf-8")

    # standard output stays the data; which installation it is goes to stderr
    assert main(["export", "--format", "json", "--out", "-", "--org", GLOBEX]) == 0
    out = capsys.readouterr()
    assert GLOBEX_LEAVER in out.out and ACME_LEAVER not in out.out and "Globex" in out.err


def test_erase_in_one_installation_leaves_the_other_alone(two, cli_env, capsys):
    acme, globex = tenant(two, ACME), tenant(two, GLOBEX)
    # Globex's leaver named in Acme's installation: nothing of Acme's is about them, Globex's stays
    assert main(["erase", GLOBEX_LEAVER, "--workspace", ACME, "--yes"]) == 1
    assert f"nothing is stored about {GLOBEX_LEAVER}" in capsys.readouterr().out
    assert departures(globex) == [GLOBEX_LEAVER]

    # without --yes only what would go
    assert main(["erase", ACME_LEAVER, "--workspace", ACME]) == 0
    assert "would erase" in capsys.readouterr().out and departures(acme) == [ACME_LEAVER]

    assert main(["erase", ACME_LEAVER, "--workspace", ACME, "--yes"]) == 0
    assert f"erased about {ACME_LEAVER}: departures: 1, interviews: 1" in capsys.readouterr().out
    assert departures(acme) == []
    assert departures(globex) == [GLOBEX_LEAVER]
    assert [row["employee_id"] for row in exported(cli_env, "--org", GLOBEX)] == [GLOBEX_LEAVER]

    # the erasure is in Acme's audit log, as asked by Acme's HR (the installer), and not in Globex's
    assert main(["audit", "--out", "acme.csv", "--workspace", ACME]) == 0
    assert main(["audit", "--out", "globex.csv", "--org", GLOBEX]) == 0
    with open(cli_env / "acme.csv", encoding="utf-8", newline="") as handle:
        entries = [(row["actor"], row["action"], row["subject"]) for row in csv.DictReader(handle)]
    assert (ACME_HR, "erase", ACME_LEAVER) in entries
    assert "erase" not in (cli_env / "globex.csv").read_text(encoding="utf-8")

    # someone outside the installation's HR cannot ask for it
    assert main(["erase", GLOBEX_LEAVER, "--org", GLOBEX, "--as", ACME_HR, "--yes"]) == 2
    assert departures(globex) == [GLOBEX_LEAVER]


def test_an_import_registers_leavers_in_the_installation_named_only(two, cli_env, capsys):
    acme, globex = tenant(two, ACME), tenant(two, GLOBEX)
    path = cli_env / "leavers.csv"
    far = acme.calendar.working_days_after(acme.today(), 30).isoformat()
    path.write_text(f"employee,last working day\n{GLOBEX_LEAVER},{far}\n", encoding="utf-8")
    # Acme's token does not reach Globex's people: nobody is registered anywhere
    assert main(["import", str(path), "--workspace", ACME]) == 1
    assert departures(acme) == [ACME_LEAVER] and departures(globex) == [GLOBEX_LEAVER]
    capsys.readouterr()


def test_templates_are_per_organisation(two, cli_env, capsys):
    from flows.template import DEFAULT_TEMPLATE_PATH

    ours = DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
    ours = ours.replace("\nversion: ", "\nversion: 9", 1)
    (cli_env / "ours.yml").write_text(ours, encoding="utf-8")
    assert main(["template", "install", "ours.yml", "--workspace", ACME]) == 0
    capsys.readouterr()
    assert main(["template", "list", "--workspace", ACME]) == 0
    assert "installed" in capsys.readouterr().out
    assert main(["template", "list", "--org", GLOBEX]) == 0
    assert "default (built in)" in capsys.readouterr().out


def test_purge_keys_rotate_and_db_upgrade_go_through_every_installation(two, cli_env, monkeypatch, capsys):
    assert main(["purge", "--dry-run", "--all-installations"]) == 0
    out = capsys.readouterr().out
    assert "workspace T0ACME001 (Acme):" in out and "organisation E0GLOBEX1 (Globex):" in out
    assert out.count("nothing is due") == 2

    assert main(["db", "upgrade"]) == 0  # the main database; the installations are listed
    out = capsys.readouterr().out
    assert "up to date" in out and "--all-installations" in out and "--org E0GLOBEX1" in out
    assert main(["db", "upgrade", "--all-installations"]) == 0
    assert capsys.readouterr().out.count("): schema is up to date") == 2

    new = crypto.generate_key()
    monkeypatch.setenv("ENCRYPTION_KEY", f"{new},{TEST_KEY}")
    try:
        assert main(["keys", "rotate"]) == 2  # re-encrypting one organisation's data is not all of it
        assert "--all-installations" in capsys.readouterr().err
        assert main(["keys", "rotate", "--all-installations"]) == 0
        assert "every stored text is under the first key now" in capsys.readouterr().out
        # the installations' tokens in the main database...
        with two.bot.db.engine.connect() as connection:
            tokens = [value for table, column in installation_store.encrypted_columns()
                      for value in connection.execute(text(f"SELECT {column} FROM {table}")).scalars() if value]
        assert len(tokens) >= 4 and all(Fernet(new).decrypt(token.encode()) for token in tokens)
        # ...and each installation's own data are under the new key
        for key in (ACME, GLOBEX):
            services = tenant(two, key)
            with services.db.session() as session:
                stored = [token for table, column in repo.encrypted_columns()
                          for _id, token in repo.ciphertexts(session, table, column, 0, 1000) if token]
            assert stored and all(crypto.is_current(token) for token in stored)
            assert departures(services)  # still readable
    finally:
        crypto.configure(f"{TEST_KEY},{new}")  # what the bot goes on reading until its fixture ends


def test_an_uninstalled_organisations_kept_data_is_still_exported_and_purged(two, slack, cli_env, capsys):
    token = next(t for t, s in slack.scopes.items() if s.team_id == ACME)
    slack.uninstall(token)
    assert two.user.event({"type": "app_uninstalled"}, from_user=ACME_HR).status == 200

    assert main(["purge", "--dry-run"]) == 2
    assert "--workspace T0ACME001" in capsys.readouterr().err  # listed, as uninstalled
    assert main(["purge", "--dry-run", "--all-installations"]) == 0
    assert "workspace T0ACME001, uninstalled" in capsys.readouterr().out
    assert [row["employee_id"] for row in exported(cli_env, "--workspace", ACME)] == [ACME_LEAVER]
    # an erasure needs the installation's Slack token (the review cards are cleared in Slack)
    assert main(["erase", ACME_LEAVER, "--workspace", ACME, "--yes"]) == 2
    assert "needs an installed app" in capsys.readouterr().err


def test_with_one_token_erase_works_on_the_one_database(harness, monkeypatch, tmp_path, capsys):
    from tests.conftest import HR, HR_2, LEAVER, TOKEN

    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN", "HR_USERGROUP_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                        "SLACK_API_URL": harness.settings.api_url, "DATABASE_URL": harness.settings.database_url,
                        "HR_USER_IDS": f"{HR},{HR_2}", "ENCRYPTION_KEY": TEST_KEY}.items():
        monkeypatch.setenv(name, value)
    harness.register(LEAVER, harness.in_working_days(30))

    assert main(["erase", LEAVER, "--yes"]) == 2  # two HR members: say which one asks
    assert main(["erase", LEAVER, "--as", HR, "--yes", "--workspace", ACME]) == 2
    assert "for OAuth mode" in capsys.readouterr().err
    assert harness.stage_of(LEAVER) is not None
    assert main(["erase", LEAVER, "--as", HR, "--yes"]) == 0
    assert harness.stage_of(LEAVER) is None
