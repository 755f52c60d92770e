"""Records for the personnel file (PDF + Markdown to HR's DM) and exports of all interviews (CLI)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import bot.cli
from bot.i18n import Translator
from bot.records import document, export
from flows.template import default_template
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER
from tests.steps import answer_everything, latest

IMPROVEMENT = "Meer overleg over de planning, en een vaste dag voor thuiswerken."


def card_for(slack, hr_user):
    return slack.wait_for(
        lambda: [m for m in slack.dms_to(hr_user) if "beoordelen" in m.text or "to review" in m.text],
        what="review card",
    )[-1]


def uploads_to(slack, user_id) -> list[dict]:
    channel = slack.dm_channel(user_id)
    return [f for f in slack.workspace.files if f["channel"] == channel and f["content"] is not None]


def record_files(slack, user_id, count: int = 2) -> dict[str, dict]:
    """The newest record upload to this user's DM, by extension ('pdf', 'md')."""
    files = slack.wait_for(lambda: uploads_to(slack, user_id)[-count:] if len(uploads_to(slack, user_id)) >= count
                           else None, what=f"record files in the DM of {user_id}")
    return {f["filename"].rsplit(".", 1)[1]: f for f in files}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


# -- the record, from the review card --------------------------------------------------------------


def test_hr_exports_the_record_of_an_approved_interview_to_their_dm(harness, slack):
    answer_everything(harness, LEAVER, improvements=IMPROVEMENT, manager=MANAGER)
    card = card_for(slack, HR)
    assert "records:export" in str(card.blocks)  # offered before the decision too
    harness.user.click(HR, card, "review:approve")
    decided = slack.message(card.channel, card.ts)
    assert "records:export" in str(decided.blocks) and "review:approve" not in str(decided.blocks)

    # Not HR: refused, nothing uploaded.
    harness.user.click(COLLEAGUE, decided, "records:export")
    assert "alleen HR" in slack.workspace.responses[-1]["text"]
    assert slack.workspace.files == []

    harness.user.click(HR, decided, "records:export")
    assert "privéberichten" in slack.workspace.responses[-1]["text"]
    files = record_files(slack, HR)
    assert set(files) == {"pdf", "md"}
    assert files["pdf"]["filename"].startswith("exit-interview-jan-bakker-")
    assert files["pdf"]["content"].startswith(b"%PDF-")
    assert slack.workspace.files == uploads_to(slack, HR)  # nowhere else

    text = pdf_text(files["pdf"]["content"])
    markdown = flat(files["md"]["content"].decode("utf-8"))
    template = default_template()
    for shown in (text, markdown):
        assert "Verslag van het exitgesprek" in shown
        assert "Jan Bakker (ULEAVER01)" in shown  # the leaver's real name from users.info, and the id
        for question in template.questions:  # every question, in Dutch
            assert flat(question.text["nl"]) in shown, question.id
        assert IMPROVEMENT in shown  # an answer in the leaver's words
        assert "4 · Goed" in shown  # a rating with its label
        assert "Salaris" in shown  # a reason, by its text
        assert "Laatste werkdag" in shown and "Gespreksvoerder" in shown
        assert "Zelf ingevuld" in shown
        assert "Goedgekeurd" in shown  # HR's decision ...
        assert "Besloten door Anna de Vries (UHRANNA01)" in shown.replace("**", "").replace(":", "")  # ... and who
    assert "Pagina 1 van" in text  # page numbers
    assert markdown.startswith("# Verslag van het exitgesprek")


def test_dutch_and_english_hr_each_get_the_record_in_their_own_language(harness, slack):
    answer_everything(harness, LEAVER_EN, improvements="More say in planning & fewer <late> changes.")
    english_card = card_for(slack, HR_2)
    harness.user.click(HR_2, english_card, "records:export")  # before any decision
    assert "direct messages" in slack.workspace.responses[-1]["text"]
    english = record_files(slack, HR_2)

    dutch_card = card_for(slack, HR)
    harness.user.click(HR, dutch_card, "records:export")
    dutch = record_files(slack, HR)

    template = default_template()
    english_pdf, dutch_pdf = pdf_text(english["pdf"]["content"]), pdf_text(dutch["pdf"]["content"])
    english_md, dutch_md = (flat(f["md"]["content"].decode("utf-8")) for f in (english, dutch))
    for shown in (english_pdf, english_md):
        assert "Exit interview record" in shown and "Last working day" in shown and "HR's decision" in shown
        assert "Not decided yet" in shown and "Page 1 of" not in english_md
        assert flat(template.questions[0].text["en"]) in shown
        assert "Sam Smith (ULEAVER02)" in shown
    assert "Page 1 of" in english_pdf
    assert "More say in planning & fewer <late> changes." in english_pdf
    assert r"More say in planning \& fewer \<late\> changes." in english_md  # inert in Markdown
    for shown in (dutch_pdf, dutch_md):
        assert "Verslag van het exitgesprek" in shown and "Laatste werkdag" in shown and "Besluit van HR" in shown
        assert "Nog geen besluit" in shown
        assert flat(template.questions[0].text["nl"]) in shown
        assert "Last working day" not in shown


def test_a_withdrawn_interview_has_no_record(harness, slack):
    answer_everything(harness, LEAVER, improvements=IMPROVEMENT)
    card = card_for(slack, HR)
    harness.user.click(LEAVER, latest(slack, LEAVER), "q:withdraw")
    harness.wait_for_stage(LEAVER, "withdrawn")

    harness.user.click(HR, card, "records:export")  # the card as it was before the withdrawal
    assert "ingetrokken of gewist" in slack.workspace.responses[-1]["text"]
    assert slack.workspace.files == []
    assert "records:export" not in str(slack.message(card.channel, card.ts).blocks)  # the card says withdrawn


def test_the_record_operation_works_by_departure_for_the_app_home(harness, slack):
    from bot.operations import records
    from storage.models import Departure

    answer_everything(harness, LEAVER, improvements=IMPROVEMENT)
    slack.fail("files.getUploadURLExternal", "fatal_error")  # Slack refuses the upload once
    harness.user.click(HR, card_for(slack, HR), "records:export")
    assert "Slack gaf net geen antwoord" in slack.workspace.responses[-1]["text"]
    assert slack.workspace.files == []

    with harness.services.db.session() as session:
        departure_id = session.query(Departure.id).filter(Departure.employee_id == LEAVER).scalar()
    assert records.send_record_for_departure(harness.services, departure_id, COLLEAGUE).key == "hr.only"
    assert records.send_record_for_departure(harness.services, departure_id + 100, HR).key == "records.unknown"
    assert records.send_record_for_departure(harness.services, departure_id, HR) is None
    assert IMPROVEMENT in pdf_text(record_files(slack, HR)["pdf"]["content"])


# -- the exports, from the command line --------------------------------------------------------------


@pytest.fixture
def cli_env(harness, monkeypatch, tmp_path):
    """The CLI in this process, against the harness's database, from a folder without .env."""
    folder = tmp_path / "cli"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DATABASE_URL", harness.settings.database_url)
    key = getattr(harness.settings, "encryption_key", None)
    if key:
        monkeypatch.setenv("ENCRYPTION_KEY", key)
    monkeypatch.delenv("TIMEZONE", raising=False)
    return folder


def two_interviews(harness, slack) -> tuple[date, date]:
    """Jan's (approved by Anna) and, a week later, Sam's (not decided); their submission days."""
    answer_everything(harness, LEAVER, improvements=IMPROVEMENT, ratings=(4, 3, 4, 2, 5))
    harness.user.click(HR, card_for(slack, HR), "review:approve")
    first = harness.today()
    harness.clock.advance(timedelta(days=7))
    answer_everything(harness, LEAVER_EN, improvements="=HYPERLINK(\"http://x\")", ratings=(2, 2, 3, 1, 4),
                      reasons=("career", "pay"), recommend=3, consent=False)
    return first, harness.today()


def run_cli(*args: str) -> int:
    return bot.cli.main(["export", *args])


def test_cli_exports_every_interview_as_csv_xlsx_and_json(harness, slack, cli_env, capsys):
    first, second = two_interviews(harness, slack)

    assert run_cli("--format", "csv", "--out", "all.csv") == 0
    assert "exported 2 interview(s)" in capsys.readouterr().out
    with open(cli_env / "all.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header[: len(export.METADATA_COLUMNS)] == list(export.METADATA_COLUMNS)
    assert header.index("working_conditions") < header.index("working_conditions_comment") < header.index("consent")
    assert "reasons_other" in header
    jan, sam = rows
    assert (jan["employee_id"], sam["employee_id"]) == (LEAVER, LEAVER_EN)
    assert jan["working_conditions"] == "4" and sam["working_conditions"] == "2"
    assert jan["improvements"] == IMPROVEMENT
    assert sam["improvements"] == "'=HYPERLINK(\"http://x\")"  # no formula when a spreadsheet opens the CSV
    assert jan["reasons"] == "pay" and jan["reason_main"] == "pay"
    assert sam["reasons"] == "pay;career" and sam["reason_main"] == "career"  # in template order
    assert (jan["consent"], sam["consent"], jan["strengths"]) == ("yes", "no", "")
    assert (jan["recommend"], sam["recommend"]) == ("7", "3")
    assert (jan["mode"], jan["status"], jan["template_id"], jan["template_version"]) == (
        "self", "submitted", "standard", "3")
    assert (jan["decision"], jan["decided_by"]) == ("approved", HR)
    assert (sam["decision"], sam["decided_by"], sam["decided_at"]) == ("", "", "")
    assert date.fromisoformat(jan["last_day"]) > first
    assert datetime.fromisoformat(jan["submitted_at"]).tzinfo is not None
    assert datetime.fromisoformat(jan["decided_at"]).utcoffset() == timedelta(0)

    assert run_cli("--out", "all.xlsx") == 0  # the format from the suffix
    sheet = load_workbook(cli_env / "all.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header  # the same columns
    by_name = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert by_name[0]["working_conditions"] == 4 and by_name[1]["recommend"] == 3  # numbers stay numbers
    assert by_name[1]["improvements"] == "=HYPERLINK(\"http://x\")"  # the exact text, stored as text
    assert sheet["A2"].data_type == "n" and all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

    assert run_cli("--format", "json", "--out", "all.json") == 0
    with open(cli_env / "all.json", encoding="utf-8") as handle:
        data = json.load(handle)
    assert (data["format"], data["version"]) == ("exit-interview-export", 1)
    assert datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    assert [i["departure"]["employee_id"] for i in data["interviews"]] == [LEAVER, LEAVER_EN]
    jan_json = data["interviews"][0]
    assert set(jan_json) == {"id", "departure", "template", "mode", "status", "started_at", "submitted_at",
                             "recorded_by", "answers", "review"}
    assert jan_json["template"] == {"id": "standard", "version": 3}
    assert jan_json["departure"]["last_day"] == jan["last_day"]
    assert jan_json["answers"]["working_conditions"]["value"] == 4
    assert jan_json["answers"]["improvements"] == {"value": IMPROVEMENT}
    assert jan_json["answers"]["reasons"]["values"] == ["pay"]
    assert jan_json["answers"]["strengths"] == {"skipped": True}
    assert jan_json["answers"]["consent"] == {"value": True}
    assert list(jan_json["answers"]) == sorted(jan_json["answers"])
    assert jan_json["review"]["decision"] == "approved" and jan_json["review"]["decided_by"] == HR
    assert data["interviews"][1]["review"]["decision"] is None

    # --from / --to: by the day each interview was submitted (company time zone), both ends included.
    assert run_cli("--format", "json", "--out", "late.json", "--from", second.isoformat()) == 0
    late = json.loads((cli_env / "late.json").read_text(encoding="utf-8"))
    assert [i["departure"]["employee_id"] for i in late["interviews"]] == [LEAVER_EN]
    assert run_cli("--out", "early.csv", "--from", first.isoformat(), "--to", first.isoformat()) == 0
    with open(cli_env / "early.csv", encoding="utf-8", newline="") as handle:
        assert [row["employee_id"] for row in csv.DictReader(handle)] == [LEAVER]
    assert run_cli("--out", "none.xlsx", "--to", (first - timedelta(days=1)).isoformat()) == 0
    assert next(load_workbook(cli_env / "none.xlsx").active.iter_rows(values_only=True))[0] == "interview_id"


def test_cli_export_refuses_unclear_arguments(harness, cli_env, capsys):
    assert run_cli("--out", "export.txt") == 2
    assert "--format" in capsys.readouterr().err
    assert run_cli("--out", "x.csv", "--from", "2026-12-31", "--to", "2026-01-01") == 2
    with pytest.raises(SystemExit):
        run_cli("--out", "x.csv", "--from", "31-12-2026")
    assert not (cli_env / "x.csv").exists()


# -- the pure parts --------------------------------------------------------------------------------------


def _interview(answers: dict, **overrides) -> export.ExportedInterview:
    template = default_template()
    values = dict(
        id=1,
        departure=export.ExportedDeparture(1, "U1", None, "UHR", date(2026, 12, 20), "submitted"),
        template_id=template.id, template_version=template.version, mode="talk", status="submitted",
        started_at=datetime(2026, 12, 1, 9, tzinfo=UTC), submitted_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
        recorded_by="UHR", answers=answers, review=None, template=template,
    )
    values.update(overrides)
    return export.ExportedInterview(**values)


def test_the_table_flattens_every_answer_shape():
    answers = {
        "working_conditions": {"value": 2, "comment": "te warm"},
        "reasons": {"values": ["pay", "other"], "other": "verhuizing"},
        "recommend": {"value": 0},
        "consent": {"value": False},
        "competitor_offer": {"value": "+31 een concurrent"},
        "strengths": {"skipped": True},
    }
    header, rows = export.table([_interview(answers)])
    row = dict(zip(header, rows[0], strict=True))
    assert row["working_conditions"] == 2 and row["working_conditions_comment"] == "te warm"
    assert row["reasons"] == "pay;other" and row["reasons_other"] == "verhuizing"
    assert (row["recommend"], row["consent"], row["strengths"], row["work_content"]) == (0, "no", None, None)
    assert row["mode"] == "talk" and row["submitted_at"] == "2026-12-01T10:00:00+00:00"
    text = io.StringIO(newline="")
    export.write_csv([_interview(answers)], text)
    assert ",'+31 een concurrent," in text.getvalue()


def test_a_question_id_that_clashes_with_a_metadata_column_gets_a_prefix():
    from flows.template import parse_template

    source = default_template_source().replace("- id: destination", "- id: status")
    template = parse_template(source)
    interview = _interview({"status": {"value": "elders"}}, template=template)
    header, rows = export.table([interview])
    assert header.count("status") == 1 and "q_status" in header
    row = dict(zip(header, rows[0], strict=True))
    assert (row["status"], row["q_status"]) == ("submitted", "elders")


def default_template_source() -> str:
    from flows.template import DEFAULT_TEMPLATE_PATH

    return DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")


def test_a_talk_record_names_who_recorded_it_and_prints_long_text_on_more_pages():
    tz_moment = datetime(2026, 12, 1, 10, tzinfo=UTC)
    anna = document.Person("UHRANNA01", "Anna de Vries")
    facts = document.RecordFacts(
        interview_id=9, employee=document.Person("ULEAVER01"), last_day=date(2026, 12, 20), mode="talk",
        submitted_at=tz_moment, interviewer=anna, recorded_by=anna, decision="private", decided_by=anna,
        decided_at=tz_moment, inform_manager=False, exported_by=anna, exported_at=tz_moment,
    )
    long_text = "\n\n".join(f"Alinea {n}: " + "zeer lange notities over het gesprek " * 40 for n in range(12))
    record = document.build_record(Translator("en"), default_template(), {"improvements": {"value": long_text}}, facts)
    text = pdf_text(document.pdf(record))
    assert "Notes of the talk" in text and "Recorded by Anna de Vries (UHRANNA01)" in text
    assert "Kept private" in text and "ULEAVER01" in text
    assert "Page 3 of" in text or "Page 4 of" in text
    assert "Alinea 11:" in text
    assert document.filename(record, "md") == "exit-interview-uleaver01-2026-12-20.md"
