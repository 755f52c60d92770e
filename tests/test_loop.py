""""You said, we did" (issue 5): HR records actions on the signals, the next digest lists them, the
report shows whether the numbers moved; the audit log for HR in Slack and as CSV from the CLI."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from sqlalchemy import select

import bot.cli
from storage.models import LoopAction
from tests.conftest import COLLEAGUE, HR, LEAVER, LEAVER_EN, MANAGER
from tests.steps import answer_everything
from tests.test_digest import EXTRA, MANAGERS, after_last_days, approve_all, digest_text, setup_people


class HomeView:
    """The Home tab is not a message; a click on it carries its blocks like one."""

    channel, ts, text = "", "home", ""

    def __init__(self, view: dict):
        self.blocks = view["blocks"]


def home_of(harness, user: str = HR) -> HomeView:
    harness.user.open_home(user)
    return HomeView(harness.slack.workspace.home_views[user])


def open_action_form(harness, user: str = HR) -> dict | None:
    before = len(harness.slack.calls_to("views.open"))
    assert harness.user.click(user, home_of(harness, HR), "loop:record").status == 200
    if len(harness.slack.calls_to("views.open")) == before:
        return None
    view = list(harness.slack.workspace.views.values())[-1]
    assert view["callback_id"] == "loop_action"
    return view


def submit(harness, view: dict, values: dict, user: str = HR) -> dict | None:
    reply = harness.user.submit_view(user, view, values)
    assert reply.status == 200, reply
    return reply.json()


def stored_actions(harness) -> list[LoopAction]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(LoopAction).order_by(LoopAction.id)))


def three_approved(harness, slack, people=(LEAVER, LEAVER_EN, EXTRA[0])):
    for person in people:
        answer_everything(harness, person, reasons=("pay",), ratings=(1, 1, 1, 1, 1), recommend=3)
    approve_all(harness, slack)


def test_hr_records_an_action_from_the_home_and_others_cannot(harness, slack):
    view = open_action_form(harness)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["done_on"]["element"]["initial_date"] == harness.today().isoformat()
    assert blocks["owner"]["element"]["type"] == "users_select"
    assert [o["value"] for o in blocks["subject"]["element"]["options"]] == ["general"]  # no signals yet

    answer = submit(harness, view, {"what": "", "owner": MANAGER})
    assert answer["response_action"] == "errors" and "what" in answer["errors"]
    answer = submit(harness, view, {"what": "x" * 501, "owner": MANAGER})
    assert "500" in answer["errors"]["what"]
    answer = submit(harness, view, {"what": "Later", "owner": MANAGER,
                                    "done_on": (harness.today() + timedelta(days=3)).isoformat()})
    assert "done_on" in answer["errors"]
    assert stored_actions(harness) == []

    assert submit(harness, view, {"what": "Nieuwe werkplekken", "owner": MANAGER}) is None
    [action] = stored_actions(harness)
    assert (action.what, action.owner_id, action.subject, action.recorded_by, action.done_on) == (
        "Nieuwe werkplekken", MANAGER, "general", HR, harness.today())
    assert "Vastgelegd" in slack.dms_to(HR)[-1].text

    # Someone outside HR: no modal, and a forged submission is refused at the field.
    assert open_action_form(harness, user=COLLEAGUE) is None
    assert "alleen HR" in harness.last_response()["text"]
    answer = submit(harness, view, {"what": "Sneaky", "owner": COLLEAGUE}, user=COLLEAGUE)
    assert answer["response_action"] == "errors" and "alleen HR" in answer["errors"]["what"]
    assert len(stored_actions(harness)) == 1


def test_a_leaver_is_never_the_owner(harness, slack):
    harness.register(LEAVER, harness.in_working_days(20))
    view = open_action_form(harness)
    answer = submit(harness, view, {"what": "Iets gedaan", "owner": LEAVER})
    assert "vertrekker" in answer["errors"]["owner"]
    assert stored_actions(harness) == []


def test_the_next_digest_lists_the_action_and_the_report_shows_the_numbers(harness, slack):
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    three_approved(harness, slack)

    view = open_action_form(harness)
    subjects = [o["value"] for o in next(b for b in view["blocks"] if b.get("block_id") == "subject")
                ["element"]["options"]]
    assert "reason:pay" in subjects and "category:working_conditions" in subjects  # the report's signals
    assert submit(harness, view, {"what": "Salarisschalen herzien", "owner": MANAGER, "subject": "reason:pay"}) is None
    assert submit(harness, view, {"what": "Betere stoelen", "owner": MANAGER,
                                  "subject": "category:working_conditions"}) is None

    harness.user.slash(HR, "report")
    report = str([r for r in slack.workspace.responses if r.get("blocks")][-3:])
    assert "Salarisschalen herzien" in report and "Reden: Salaris" in report
    assert "nog niet genoeg gegevens" in report and "na n=0" in report
    assert "loop:record" in report  # the button under the signals

    after_last_days(harness)
    harness.user.slash(HR, "digest")
    text = digest_text(slack)
    assert "Jullie zeiden, wij deden" in text
    assert "Salarisschalen herzien" in text and "Betere stoelen" in text
    assert f"<@{MANAGER}>" in text  # the owner, an employee, is named
    for leaver in (LEAVER, LEAVER_EN, EXTRA[0]):
        assert leaver not in text

    # Later interviews: the report compares before and after the action's day.
    harness.clock.advance(timedelta(days=7))
    for person in EXTRA[1:]:
        answer_everything(harness, person, reasons=("career",), ratings=(4, 4, 4, 4, 4), recommend=8)
    slack.add_user("ULEAVER06", "leaver6", real_name="Piet Jansen6", locale="nl-NL")
    answer_everything(harness, "ULEAVER06", reasons=("career",), ratings=(5, 4, 4, 4, 4), recommend=9)
    harness.user.slash(HR, "report")
    report = str([r for r in slack.workspace.responses if r.get("blocks")][-3:])
    assert "voor 100% (n=3) → na 0% (n=3)" in report  # the share naming pay
    assert "voor 1,0 (n=3) → na 4,3 (n=3)" in report  # working conditions

    # The digest after that lists only what was recorded since the previous digest.
    approve_all(harness, slack)
    after_last_days(harness)
    posted = len(slack.messages_in(MANAGERS))
    harness.user.slash(HR, "digest")
    later = "\n".join(str(m.blocks) for m in slack.messages_in(MANAGERS)[posted:])
    assert later and "Salarisschalen herzien" not in later and "Jullie zeiden" not in later


def test_the_home_offers_the_record_export_per_reviewed_row(harness, slack):
    answer_everything(harness, LEAVER)
    home = home_of(harness)
    buttons = [e for b in home.blocks if b["type"] == "actions" for e in b["elements"]]
    export = [e for e in buttons if e["action_id"] == "records:export"]
    assert len(export) == 1 and export[0]["value"].isdigit()
    assert "loop:record" in [e["action_id"] for e in buttons]
    harness.user.click(HR, home, "records:export", value=export[0]["value"])
    slack.wait_for(lambda: [f for f in slack.workspace.files if f.get("filename", "").endswith(".pdf")] or None,
                   what="the record")
    from storage import repositories as repo

    with harness.services.db.session() as session:
        assert [e.subject for e in repo.audit_entries(session, action="record_exported")] == [LEAVER]


def test_hr_reads_the_audit_log_and_others_cannot(harness, slack):
    answer_everything(harness, LEAVER)
    card = slack.wait_for(lambda: [m for m in slack.dms_to(HR) if "review:approve" in str(m.blocks)] or None,
                          what="review card")[-1]
    harness.user.click(HR, card, "review:view")  # the full answers: logged
    harness.user.click(HR, home_of(harness), "home:settings")
    settings_view = list(slack.workspace.views.values())[-1]
    assert submit(harness, settings_view, {"invite_working_days_before": "5"}) is None
    harness.user.slash(HR, "erase <@ULEAVER01>")
    confirm = list(slack.workspace.views.values())[-1]
    harness.user.submit_view(HR, confirm, {})

    harness.user.slash(COLLEAGUE, "audit")
    assert "alleen HR" in harness.last_response()["text"]
    harness.user.slash(HR, "audit")
    shown = str(harness.last_response()["blocks"])
    said = ("<@UHRANNA01> las de volledige antwoorden van <@ULEAVER01>",
            "<@UHRANNA01> wijzigde de instelling ‘Uitnodiging vooraf (werkdagen)’ van 10 naar 5",
            "<@UHRANNA01> wiste alles wat over <@ULEAVER01> was opgeslagen")
    for sentence in said:
        assert sentence in shown, sentence
    assert "answers_viewed" not in shown and "setting_changed" not in shown and "`erase`" not in shown
    assert shown.index(said[2]) < shown.index(said[0])  # newest first


@pytest.fixture
def cli_env(harness, monkeypatch, tmp_path):
    folder = tmp_path / "cli"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DATABASE_URL", harness.settings.database_url)
    key = getattr(harness.settings, "encryption_key", None)
    if key:
        monkeypatch.setenv("ENCRYPTION_KEY", key)
    return folder


def test_the_cli_exports_the_audit_log_as_csv(harness, slack, cli_env, capsys):
    from storage import repositories as repo

    now = harness.clock.now()
    with harness.services.db.session() as session:
        repo.add_audit(session, at=now, actor=HR, action="erase", subject=LEAVER, detail={"departures": 1})
        repo.add_audit(session, at=now, actor="cli", action="keys_rotate", subject=None, detail=None)
        repo.add_audit(session, at=now, actor=HR, action="setting_changed", subject="=cmd|' /C calc'!A0")
    assert bot.cli.main(["audit", "--out", "audit.csv"]) == 0
    assert "exported 3 audit entries" in capsys.readouterr().out
    with open(cli_env / "audit.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "at", "actor", "action", "subject", "detail"]
    assert [(r["actor"], r["action"], r["subject"]) for r in rows] == [
        (HR, "erase", LEAVER), ("cli", "keys_rotate", ""), (HR, "setting_changed", "'=cmd|' /C calc'!A0")]
    assert rows[0]["detail"] == '{"departures": 1}' and rows[0]["at"].startswith(now.date().isoformat()[:4])
