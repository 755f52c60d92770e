"""Nobody missed: leavers imported from a CSV file (CLI and App Home), and HR nudged about a
deactivated account nobody registered."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.emulator.api import BOT_USER_ID
from bot.services import Clock
from flows import bulk as rules
from flows.registration import Problem
from storage.models import DeactivationNudge, Departure
from tests.conftest import (
    COLLEAGUE,
    HR,
    HR_2,
    LEAVER,
    LEAVER_EN,
    MANAGER,
    SIGNING_SECRET,
    TEST_KEY,
    TOKEN,
    working_morning_offset,
)

THIRD = "ULEAVER03"
SAM_EMAIL = "Sam.Smith@example.com"


# -- helpers -------------------------------------------------------------------------------------------


def departures_of(harness, employee) -> list[Departure]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(Departure).where(Departure.employee_id == employee)).all())


def count_departures(harness) -> int:
    with harness.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Departure))


def give_email(slack, user_id: str, email: str) -> None:
    with slack._lock:
        slack.workspace.users[user_id]["profile"]["email"] = email


class HomeCard:
    """The App Home is not a message; clicks in it carry its blocks."""

    def __init__(self, view: dict):
        self.channel, self.ts, self.text, self.blocks = "", "home", "", view["blocks"]


def open_import_form(harness, slack, user=HR) -> dict:
    harness.user.open_home(HR)
    before = len(slack.calls_to("views.open"))
    harness.user.click(user, HomeCard(slack.workspace.home_views[HR]), "home:import")
    if len(slack.calls_to("views.open")) == before:
        return {}
    return list(slack.workspace.views.values())[-1]


def import_results(slack, user) -> list:
    return [m for m in slack.dms_to(user) if "mport" in m.text or "mport" in str(m.blocks)]


def mixed_file(harness) -> tuple[str, object, object]:
    far, soon = harness.in_working_days(30), harness.in_working_days(2)
    yesterday = harness.today() - timedelta(days=1)
    text = (
        "\ufeffemployee;last working day;manager;department;role\n"
        f"{LEAVER};{far.isoformat()};{MANAGER};Sales;Account manager\n"
        f"{SAM_EMAIL.lower()};{soon:%d-%m-%Y};;;\n"
        f"nobody@example.com;{far.isoformat()};;;\n"
        f"{COLLEAGUE};{yesterday.isoformat()};;;\n"
        f"{THIRD};31-02-2027;;;\n"
        f"{BOT_USER_ID};{far.isoformat()};;;\n"
    )
    return text, far, soon


@pytest.fixture
def cli_env(monkeypatch, settings, tmp_path):
    """The environment `exit-interview import` reads: the emulator, the test database, the HR members."""
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_APP_TOKEN", "HR_USERGROUP_ID", "HR_CHANNEL_ID", "MANAGER_CHANNEL_ID", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": settings.api_url,
        "DATABASE_URL": settings.database_url,
        "HR_USER_IDS": f"{HR},{HR_2}",
        "DEFAULT_LANGUAGE": "nl",
        "ENCRYPTION_KEY": TEST_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    # The CLI's bot keeps the tests' time too: a working morning, when invitations may go out at once.
    monkeypatch.setattr("bot.runtime.Clock", lambda: Clock(working_morning_offset()))
    return tmp_path


# -- the CLI -------------------------------------------------------------------------------------------


def test_cli_registers_good_rows_reports_the_rest_and_a_second_run_registers_nobody_twice(
    harness, slack, cli_env, capsys
):
    give_email(slack, LEAVER_EN, SAM_EMAIL)
    text, far, soon = mixed_file(harness)
    path = cli_env / "leavers.csv"
    path.write_bytes(text.encode("utf-8"))

    assert cli.main(["import", str(path), "--as", HR_2]) == 1
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line[:1].isdigit()}
    assert "registered" in lines["2"] and "NOT" not in lines["2"]
    assert lines["3"].startswith("3") and "registered" in lines["3"] and "right away" in lines["3"]
    assert "NOT registered" in lines["4"] and "nobody@example.com" in lines["4"]
    assert "NOT registered" in lines["5"] and "already passed" in lines["5"]
    assert "NOT registered" in lines["6"] and "`31-02-2027`" not in lines["6"] and "is not a date" in lines["6"]
    assert "NOT registered" in lines["7"] and "is a bot" in lines["7"]
    assert "2 registered, 0 already registered, 4 not registered." in out
    assert "not stored" not in out

    [jan] = departures_of(harness, LEAVER)
    assert (jan.last_day, jan.manager_id, jan.registered_by, jan.interviewer_id) == (far, MANAGER, HR_2, HR_2)
    assert (jan.department, jan.role) == ("Sales", "Account manager")  # kept for HR's breakdowns
    [sam] = departures_of(harness, LEAVER_EN)
    assert sam.last_day == soon and sam.stage in ("registered", "invited")
    # No scheduler in the CLI: the running bot's sweep sends the invitation that is due.
    assert "exit interview" in harness.invitation_for(LEAVER_EN).text
    assert slack.calls_to("users.lookupByEmail")

    assert cli.main(["import", str(path), "--as", HR_2]) == 1
    again = capsys.readouterr().out
    assert "0 registered, 2 already registered, 4 not registered." in again
    assert count_departures(harness) == 2
    assert len([m for m in slack.dms_to(LEAVER_EN) if "exit interview" in m.text]) == 1


def test_cli_exits_0_when_every_row_is_registered_or_already_registered(harness, slack, cli_env, capsys):
    give_email(slack, LEAVER_EN, SAM_EMAIL)
    path = cli_env / "clean.csv"
    path.write_text(
        "Medewerker,Laatste werkdag,Leidinggevende\n"
        f"{LEAVER},{harness.in_working_days(30).isoformat()},{MANAGER}\n"
        f"{SAM_EMAIL},{harness.in_working_days(40):%d-%m-%Y},mira@example.com\n",
        encoding="utf-8",
    )
    give_email(slack, MANAGER, "mira@example.com")
    assert cli.main(["import", str(path), "--as", HR]) == 0
    out = capsys.readouterr().out
    assert "2 geregistreerd, 0 al geregistreerd, 0 niet geregistreerd." in out  # HR's language: Dutch
    assert {d.manager_id for d in departures_of(harness, LEAVER_EN)} == {MANAGER}

    assert cli.main(["import", str(path), "--as", HR]) == 0
    assert "0 geregistreerd, 2 al geregistreerd, 0 niet geregistreerd." in capsys.readouterr().out
    assert count_departures(harness) == 2


def test_cli_refuses_without_a_proper_hr_member_or_file(harness, cli_env, capsys):
    path = cli_env / "one.csv"
    path.write_text(f"employee,last day\n{LEAVER},{harness.in_working_days(30).isoformat()}\n", encoding="utf-8")
    assert cli.main(["import", str(path)]) == 2  # two HR members: say which one
    assert "--as" in capsys.readouterr().err
    assert cli.main(["import", str(path), "--as", COLLEAGUE]) == 2
    assert "not in HR" in capsys.readouterr().err
    assert cli.main(["import", str(cli_env / "missing.csv"), "--as", HR]) == 1
    assert "no such file" in capsys.readouterr().err
    (cli_env / "bad.csv").write_text("name,start\nJan,2026-01-01\n", encoding="utf-8")
    assert cli.main(["import", str(cli_env / "bad.csv"), "--as", HR_2]) == 1
    assert "lacks the columns employee, last working day" in capsys.readouterr().out
    assert count_departures(harness) == 0


# -- the App Home ----------------------------------------------------------------------------------------


def test_hr_imports_pasted_rows_from_the_app_home(harness, slack):
    form = open_import_form(harness, slack)
    assert form["callback_id"] == "bulk_import"
    kinds = {b["block_id"]: b["element"]["type"] for b in form["blocks"] if b["type"] == "input"}
    assert kinds == {"file": "file_input", "paste": "plain_text_input"}

    pasted = (
        "medewerker\tlaatste werkdag\n"  # cells copied from a spreadsheet are tab-separated
        f"{LEAVER}\t{harness.in_working_days(30):%d-%m-%Y}\n"
        f"onbekend@example.com\t{harness.in_working_days(30).isoformat()}\n"
    )
    reply = harness.user.submit_view(HR, form, {"paste": pasted})
    assert reply.status == 200 and not reply.body  # the form closes; the result comes as a DM
    result = slack.wait_for(lambda: import_results(slack, HR), what="the import result")[-1]
    assert "1 geregistreerd, 0 al geregistreerd, 1 niet geregistreerd." in result.text
    body = str(result.blocks)
    assert "Regel 2" in body and "<@ULEAVER01>" in body and "onbekend@example.com" in body
    assert harness.stage_of(LEAVER) == "registered"
    assert "<@ULEAVER01>" in str(slack.workspace.home_views[HR]["blocks"])  # the dashboard was refreshed

    harness.user.submit_view(HR, open_import_form(harness, slack), {"paste": pasted})
    again = slack.wait_for(lambda: import_results(slack, HR)[1:], what="the second result")[-1]
    assert "0 geregistreerd, 1 al geregistreerd, 1 niet geregistreerd." in again.text
    assert count_departures(harness) == 1


def test_the_import_form_says_what_is_wrong_at_the_field(harness, slack):
    form = open_import_form(harness, slack)
    nothing = harness.user.submit_view(HR, form, {}).json()
    assert nothing["response_action"] == "errors" and "plak" in nothing["errors"]["paste"]
    no_header = harness.user.submit_view(HR, form, {"paste": f"{LEAVER},2030-01-01\n"}).json()
    assert "kopregel mist" in no_header["errors"]["paste"]
    both = harness.user.submit_view(HR, form, {"paste": "x", "file": [slack.add_file("a.csv", b"x", HR)]}).json()
    assert "niet allebei" in both["errors"]["paste"]
    assert count_departures(harness) == 0


def test_hr_imports_an_uploaded_file_from_the_app_home(harness, slack):
    give_email(slack, LEAVER_EN, SAM_EMAIL)
    content = ("\ufeffemployee;last working day\n"
               f"{SAM_EMAIL};{harness.in_working_days(30).isoformat()}\n").encode()
    upload = slack.add_file("leavers.csv", content, HR_2)
    harness.user.submit_view(HR_2, open_import_form(harness, slack, HR_2), {"file": [upload]})
    result = slack.wait_for(lambda: import_results(slack, HR_2), what="the import result")[-1]
    assert "1 registered, 0 already registered, 0 not registered." in result.text
    assert harness.stage_of(LEAVER_EN) == "registered"
    assert slack.calls_to("files.info") and slack.calls_to("files.download")[-1].token == TOKEN

    slack.fail("files.info", "missing_scope")
    harness.user.submit_view(HR_2, open_import_form(harness, slack, HR_2), {"file": [upload]})
    refused = slack.wait_for(lambda: import_results(slack, HR_2)[1:], what="the refusal")[-1]
    assert "Nothing was imported" in refused.text and "files:read" in refused.text


def test_people_outside_hr_cannot_import(harness, slack):
    assert open_import_form(harness, slack, COLLEAGUE) == {}
    # (the emulated click carries a response URL, so the refusal is ephemeral; from a real Home, a DM)
    assert "alleen HR" in slack.workspace.responses[-1]["text"]
    form = open_import_form(harness, slack)
    reply = harness.user.submit_view(COLLEAGUE, form, {"paste": f"employee,last day\n{LEAVER},2030-01-01\n"}).json()
    assert reply["response_action"] == "errors"
    assert count_departures(harness) == 0


# -- deactivated accounts --------------------------------------------------------------------------------


def deactivate(harness, slack, user_id: str, *, event_id: str | None = None, times: int = 1) -> dict:
    with slack._lock:
        slack.workspace.users[user_id]["deleted"] = True
        user = dict(slack.workspace.users[user_id])
    event = {"type": "user_change", "user": user, "cache_ts": int(time.time()), "event_ts": f"{time.time():.6f}"}
    for attempt in range(times):
        reply = harness.user.event(event, event_id=event_id, retry=attempt or None)
        assert reply.status == 200
    return event


def nudges_to(slack, user_id: str) -> list:
    return [m for m in slack.dms_to(user_id) if "nudge" in str(m.blocks) or "gedeactiveerd" in m.text
            or "deactivated" in m.text]


def nudge_rows(harness) -> list[DeactivationNudge]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(DeactivationNudge)).all())


def test_a_deactivated_member_without_a_departure_gets_hr_one_nudge(harness, slack):
    event = deactivate(harness, slack, COLLEAGUE, event_id="EvDEACTIVATE", times=2)  # Slack retries
    harness.user.event(event)  # and user_change fires again for the same account
    slack.wait_for(lambda: nudges_to(slack, HR) and nudges_to(slack, HR_2), what="the nudges")
    [dutch] = nudges_to(slack, HR)
    [english] = nudges_to(slack, HR_2)
    assert "<@UCOLLEA01>" in dutch.text and "gedeactiveerd" in dutch.text
    assert "deactivated" in english.text
    buttons = [e["action_id"] for b in english.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["nudge:talk", "nudge:missed"]
    assert len(nudge_rows(harness)) == 1


def test_record_as_missed_registers_them_once_and_updates_every_copy(harness, slack):
    deactivate(harness, slack, COLLEAGUE)
    slack.wait_for(lambda: nudges_to(slack, HR) and nudges_to(slack, HR_2), what="the nudges")
    [mine], [theirs] = nudges_to(slack, HR), nudges_to(slack, HR_2)

    harness.user.click(HR, mine, "nudge:missed")
    [departure] = departures_of(harness, COLLEAGUE)
    assert departure.stage == "unreachable" and departure.last_day == harness.today()
    assert (departure.registered_by, departure.offer) == (HR, "talk")
    for copy in (mine, theirs):
        now = slack.message(copy.channel, copy.ts)
        assert not [b for b in now.blocks if b["type"] == "actions"]
        assert "<@UHRANNA01>" in now.text
    assert "gemist" in slack.message(mine.channel, mine.ts).text
    assert "missed" in slack.message(theirs.channel, theirs.ts).text
    assert not slack.dms_to(COLLEAGUE)  # nothing goes to the deactivated account

    harness.user.click(HR_2, theirs, "nudge:missed")  # a stale copy, still showing the buttons
    harness.user.click(HR, mine, "nudge:talk")
    assert len(departures_of(harness, COLLEAGUE)) == 1
    told = [r["text"] for r in slack.workspace.responses if r.get("response_type") == "ephemeral"]
    assert "This was already recorded by <@UHRANNA01>." in told  # HR_2, in English
    assert "Dit is al vastgelegd door <@UHRANNA01>." in told
    assert [n.resolution for n in nudge_rows(harness)] == ["missed"]


def test_record_for_a_talk_lets_hr_record_the_notes(harness, slack):
    deactivate(harness, slack, COLLEAGUE)
    nudge = slack.wait_for(lambda: nudges_to(slack, HR_2), what="the nudge")[0]
    harness.user.click(HR_2, nudge, "nudge:talk")
    [departure] = departures_of(harness, COLLEAGUE)
    assert (departure.stage, departure.interviewer_id) == ("unreachable", HR_2)
    updated = slack.message(nudge.channel, nudge.ts)
    assert "for a talk outside Slack" in updated.text
    harness.user.click(HR_2, updated, "talk.record_notes")
    assert slack.calls_to("views.open")  # the notes form of the template
    harness.user.open_home(HR_2)
    assert "<@UCOLLEA01>" in str(slack.workspace.home_views[HR_2]["blocks"])


def test_no_nudge_for_a_registered_leaver_or_a_bot(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    deactivate(harness, slack, LEAVER)
    slack.add_user("UAPPBOT01", "helper", is_bot=True)
    deactivate(harness, slack, "UAPPBOT01")
    harness.user.open_home(HR)  # something the bot surely handles after the events
    assert nudges_to(slack, HR) == [] and nudges_to(slack, HR_2) == []
    assert nudge_rows(harness) == []


def test_people_outside_hr_cannot_record_a_deactivated_account(harness, slack):
    deactivate(harness, slack, MANAGER)
    nudge = slack.wait_for(lambda: nudges_to(slack, HR), what="the nudge")[0]
    harness.user.click(COLLEAGUE, nudge, "nudge:missed")
    assert departures_of(harness, MANAGER) == []
    assert "HR" in slack.workspace.responses[-1]["text"]
    assert [b for b in slack.message(nudge.channel, nudge.ts).blocks if b["type"] == "actions"]


def test_a_reactivated_account_is_asked_about_again_when_deactivated_later(harness, slack):
    deactivate(harness, slack, COLLEAGUE)
    slack.wait_for(lambda: nudges_to(slack, HR), what="the first nudge")
    with slack._lock:
        slack.workspace.users[COLLEAGUE]["deleted"] = False
        user = dict(slack.workspace.users[COLLEAGUE])
    harness.user.event({"type": "user_change", "user": user, "event_ts": f"{time.time():.6f}"})
    deactivate(harness, slack, COLLEAGUE)
    slack.wait_for(lambda: len(nudges_to(slack, HR)) == 2, what="the second nudge")


def test_a_nudge_goes_to_the_hr_channel_when_there_is_one(harness, slack):
    slack.add_channel("CHRDESK01", "hr-desk")
    harness.restart(hr_channel_id="CHRDESK01")
    deactivate(harness, slack, COLLEAGUE)
    [card] = slack.wait_for(lambda: slack.messages_in("CHRDESK01"), what="the nudge in the channel")
    assert "gedeactiveerd" in card.text and nudges_to(slack, HR) == []


# -- reading the file (no Slack, no database) ----------------------------------------------------------


def test_parse_sheet_reads_headers_in_both_languages_any_separator_and_a_bom():
    sheet = rules.parse_sheet("\ufeff Laatste_Werkdag ; Medewerker ; Team ; Notes\n"
                              "2026-12-20;<@U012AB3CD>;Sales;x\n\n20.12.2026;Jan@Example.com;;\n")
    assert isinstance(sheet, rules.Sheet)
    first, second = sheet.rows
    assert (first.number, first.employee.user_id, first.department) == (2, "U012AB3CD", "Sales")
    assert (second.number, second.employee.email, second.last_day.isoformat()) == (4, "jan@example.com",
                                                                                    "2026-12-20")
    assert sheet.ignored_columns == ("Notes",)


@pytest.mark.parametrize(
    ("row", "key"),
    [
        ("U012AB3CD,next friday", "bulk.row.date_invalid"),
        ("U012AB3CD,31-02-2027", "bulk.row.date_invalid"),
        ("jan,2026-12-20", "bulk.row.employee_invalid"),
        (",2026-12-20", "bulk.row.employee_missing"),
        ("U012AB3CD,", "bulk.row.date_missing"),
        ("U012AB3CD,2026-12-20,boss", "bulk.row.manager_invalid"),
        ("U012AB3CD,2026-12-20,," + "x" * 101, "bulk.row.department_invalid"),
        ("U012AB3CD,2026-12-20,,,a\u0007b", "bulk.row.role_invalid"),
        ("U012AB3CD,2026-12-20,,,,surplus", "bulk.row.too_many_cells"),
    ],
)
def test_a_malformed_row_is_reported_with_its_number(row, key):
    sheet = rules.parse_sheet(f"employee,last day,manager,department,role\n{row}\n")
    assert sheet.rows == () and [(p.number, p.problem.key) for p in sheet.problems] == [(2, key)]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "bulk.file.empty"),
        ("employee;manager\nU012AB3CD;U012AB3CE\n", "bulk.file.missing_columns"),
        ("employee,last day,e-mail\n", "bulk.file.duplicate_column"),
        ("employee,last day\n\n", "bulk.file.no_rows"),
        ("employee,last day\n" + "U012AB3CD,2026-12-20\n" * (rules.MAX_ROWS + 1), "bulk.file.too_many_rows"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_as_a_whole(text, key):
    assert rules.parse_sheet(text).key == key


def test_decode_accepts_utf8_with_or_without_bom_only():
    assert rules.decode("\ufeffa;b".encode()) == "a;b"
    assert rules.decode("é".encode("latin-1")) == Problem("bulk.file.encoding")


def test_a_recent_or_open_departure_covers_a_deactivation():
    today = date(2026, 12, 20)
    old = rules.KnownDeparture("submitted", today - timedelta(days=61), open=False)
    recent = rules.KnownDeparture("unreachable", today - timedelta(days=59), open=False)
    cancelled = rules.KnownDeparture("cancelled", today, open=False)
    assert not rules.covered([old, cancelled], today)
    assert rules.covered([old, recent], today)
    assert rules.covered([rules.KnownDeparture("registered", today + timedelta(days=400), open=True)], today)
