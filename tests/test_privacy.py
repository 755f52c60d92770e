"""Privacy: the retention rules and purge (daily job and `exit-interview purge`), HR's answers to
access and erasure requests in Slack, and the audit log - on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from bot import jobs
from bot.cli import main
from bot.operations import privacy
from flows import retention
from flows.questionnaire import Questionnaire, from_json
from flows.registration import Access, Erase, Problem, parse_command
from flows.template import QuestionType, default_template
from storage import crypto
from storage import repositories as repo
from storage.db import Database
from storage.models import AuditEntry, DeactivationNudge, Departure, Digest, Interview, Review, SentMessage, Setting
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER, TEST_KEY
from tests.steps import answer_everything

SECRET = "Meer overleg met Mira Peeters graag"

ANSWERS = {
    "working_conditions": {"value": 2, "comment": "Te veel werkdruk"},
    "work_content": {"value": 4, "comment": None},
    "improvements": {"value": SECRET},
    "strengths": {"skipped": True},
    "reasons": {"values": ["pay", "other"], "other": "Een baan bij Acme"},
    "reason_main": {"value": "pay"},
    "destination": {"value": "Acme BV"},
    "recommend": {"value": 7},
    "come_back": {"value": "maybe"},
    "consent": {"value": True},
}
KEPT = {
    "working_conditions": {"value": 2, "comment": None},
    "work_content": {"value": 4, "comment": None},
    "strengths": {"skipped": True},
    "reasons": {"values": ["pay", "other"], "other": None},
    "reason_main": {"value": "pay"},
    "recommend": {"value": 7},
    "come_back": {"value": "maybe"},
    "consent": {"value": True},
}


# -- the rules (flows.retention) ------------------------------------------------------------------


def test_the_purge_date_is_the_same_day_months_later_clamped_to_the_month():
    assert retention.purge_date(date(2024, 3, 15), 24) == date(2026, 3, 15)
    assert retention.purge_date(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert retention.purge_date(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert retention.purge_date(date(2025, 12, 31), 1) == date(2026, 1, 31)
    assert not retention.purge_due(date(2024, 3, 15), date(2026, 3, 14), 24)
    assert retention.purge_due(date(2024, 3, 15), date(2026, 3, 15), 24)


@pytest.mark.parametrize("months", [1, 6, 24, 25])
def test_the_database_bound_matches_the_rule_exactly(months):
    last_days = [date(2023, 1, 1) + timedelta(days=n) for n in range(0, 1200, 1)]
    for today in (date(2026, 2, 28), date(2026, 3, 31), date(2025, 12, 31), date(2024, 2, 29), date(2026, 7, 1)):
        bound = retention.latest_due_last_day(today, months)
        for last_day in last_days:
            assert retention.purge_due(last_day, today, months) == (last_day <= bound), (today, last_day)


def test_only_ratings_scores_and_choices_stay():
    template = default_template()
    assert retention.kept_answers(template, {**ANSWERS, "not_in_template": {"value": "x"}}) == KEPT
    assert retention.free_texts(template, ANSWERS) == 4  # a comment, two text answers, an 'other'
    assert retention.kept_answers(None, ANSWERS) == {}  # no template: nothing can be told apart
    assert retention.kept_answer(QuestionType.LONG_TEXT, {"skipped": True}) == {"skipped": True}
    state = {"format": 1, "template": {"id": "standard", "version": template.version}, "phase": "submitted",
             "position": len(template.questions), "editing": False, "answers": ANSWERS}
    purged = retention.purged_state(template, state)
    assert purged == {**state, "answers": KEPT}
    assert Questionnaire(template).final_answers(from_json(purged))["recommend"] == {"value": 7}
    assert retention.purged_state(template, None) is None


def test_nothing_may_be_sent_for_a_purged_departure():
    assert retention.purged_stage("registered") == "expired"
    assert retention.purged_stage("invited") == "expired"
    assert retention.purged_stage("submitted") == "submitted"
    assert retention.purged_status("paused") == "expired"
    assert retention.purged_status("submitted") == "submitted"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("access <@ULEAVER01|jan>", Access("ULEAVER01")),
        ("inzage ULEAVER01", Access("ULEAVER01")),
        ("erase <@ULEAVER01>", Erase("ULEAVER01")),
        ("wissen <@ULEAVER01|jan>", Erase("ULEAVER01")),
        ("access", Problem("privacy.access_usage")),
        ("erase <@ULEAVER01> <@UMANAGE01>", Problem("privacy.erase_usage")),
        ("erase <!channel>", Problem("command.not_a_user", {"text": "<!channel>"})),
    ],
)
def test_the_access_and_erase_commands(command, expected):
    assert parse_command(command) == expected


# -- purge, on the database -------------------------------------------------------------------------


@pytest.fixture
def db(database_url):
    crypto.configure(TEST_KEY)
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()
    crypto.configure(TEST_KEY)


def add_departure(db: Database, employee: str, last_day: date, *, manager: str | None = MANAGER,
                  answers: dict | None = None, stage: str = "submitted") -> int:
    now = datetime.now(UTC)
    with db.session() as session:
        departure = Departure(employee_id=employee, manager_id=manager, interviewer_id=HR, registered_by=HR,
                              last_day=last_day, language="nl", offer="both", employee_tz="Europe/London",
                              stage=stage, invite_at=now, choice="answer", choice_at=now, created_at=now)
        session.add(departure)
        session.flush()
        for purpose in ("invitation", "talk_checklist"):
            session.add(SentMessage(departure_id=departure.id, purpose=purpose, channel_id="D0LEAVER", ts="1.2",
                                    claimed_at=now, sent_at=now))
        state = {"format": 1, "template": {"id": "standard", "version": 2}, "phase": "submitted", "position": 17,
                 "editing": False, "answers": answers or ANSWERS}
        interview = Interview(departure_id=departure.id, mode="self", template_key="standard", template_version=1,
                              state=state, status="submitted", channel_id="D0LEAVER", started_at=now, updated_at=now,
                              submitted_at=now, expires_at=now, excluded_quotes=["improvements"])
        session.add(interview)
        session.flush()
        session.add(Review(interview_id=interview.id, highlights=f"Hoofdpunt: {SECRET}", decision="approved",
                           decided_by=HR, decided_at=now, inform_manager=True, created_at=now,
                           cards=[["D0HRANNA", "1.3", "nl"]]))
        return departure.id


def test_a_purge_keeps_only_anonymous_aggregates_and_a_dry_run_changes_nothing(db):
    today = date(2026, 12, 1)
    old = add_departure(db, LEAVER, date(2024, 11, 29))
    also_old = add_departure(db, LEAVER_EN, date(2024, 12, 1), manager=None)
    recent = add_departure(db, COLLEAGUE, date(2024, 12, 2))
    now = datetime.now(UTC)

    dry = privacy.purge(db, today=today, months=24, now=now, actor="test", dry_run=True)
    assert (dry.departure_ids, dry.interviews, dry.free_texts, dry.highlights, dry.sent_messages) == (
        [old, also_old], 2, 8, 2, 4)
    with db.session() as session:
        assert session.get(Departure, old).employee_id == LEAVER
        assert session.scalar(select(func.count(SentMessage.id))) == 6
        assert repo.audit_entries(session) == []

    report = privacy.purge(db, today=today, months=24, now=now, actor="test")
    assert report.as_detail() == dry.as_detail()
    with db.session() as session:
        for departure_id in (old, also_old):
            departure = session.get(Departure, departure_id)
            assert (departure.employee_id, departure.manager_id, departure.interviewer_id,
                    departure.registered_by) == ("purged", None, "purged", "purged")
            assert departure.purged_at is not None and departure.closed_at is not None
            assert departure.employee_tz == "UTC"
            assert departure.last_day is not None and departure.choice == "answer"  # for trends
            interview = repo.interview_for_departure(session, departure_id)
            assert interview.state["answers"] == KEPT
            assert (interview.excluded_quotes, interview.channel_id) == (None, None)
            review = repo.review_for_interview(session, interview.id)
            assert (review.highlights, review.cards, review.decided_by, review.decision) == (
                "", None, "purged", "approved")
            assert repo.messages_of(session, departure_id) == []
        untouched = session.get(Departure, recent)
        assert untouched.employee_id == COLLEAGUE and untouched.purged_at is None
        assert len(repo.messages_of(session, recent)) == 2
        [entry] = repo.audit_entries(session)
        assert (entry.action, entry.actor, entry.subject) == ("purge", "test", "purged")
        assert entry.detail["departures"] == [old, also_old]
        # Nothing will ever be sent for them again: no manager, nothing awaiting a choice.
        assert [d.id for _r, d in repo.manager_feedback_due(session, today)] == [recent]
    with db.engine.connect() as connection:  # gone from the database, not just hidden
        assert connection.execute(text("SELECT COUNT(*) FROM departures WHERE employee_id = :e"),
                                  {"e": LEAVER}).scalar_one() == 0

    assert privacy.purge(db, today=today, months=24, now=now, actor="test").departure_ids == []  # once
    tomorrow = privacy.purge(db, today=today + timedelta(days=1), months=24, now=now, actor="test")
    assert tomorrow.departure_ids == [recent]  # 2 December 2024 + 24 months


def test_purge_on_the_command_line_lists_counts_and_ids_but_no_names(db, database_url, tmp_path, monkeypatch,
                                                                      capsys):
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    old = add_departure(db, LEAVER, retention.add_months(today, -25))
    add_departure(db, LEAVER_EN, retention.add_months(today, -23))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENCRYPTION_KEY", TEST_KEY)
    monkeypatch.setenv("TIMEZONE", "Europe/Amsterdam")
    monkeypatch.delenv("RETENTION_MONTHS", raising=False)

    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "24 months" in out and f"1 departures would go: ids {old}" in out and "free texts deleted: 4" in out
    assert "dry run: nothing was changed" in out
    assert "ULEAVER" not in out and "UMANAGE" not in out and "Mira" not in out
    with db.session() as session:
        assert session.get(Departure, old).purged_at is None

    assert main(["purge"]) == 0
    assert f"1 departures purged: ids {old}" in capsys.readouterr().out
    crypto.configure(TEST_KEY)
    with db.session() as session:
        assert session.get(Departure, old).employee_id == "purged"
        assert [e.actor for e in repo.audit_entries(session, action="purge")] == ["cli"]

    monkeypatch.setenv("RETENTION_MONTHS", "0")
    assert main(["purge"]) == 2
    assert "RETENTION_MONTHS" in capsys.readouterr().err


def test_erasure_deletes_the_leaver_and_replaces_them_elsewhere(db):
    mine = add_departure(db, LEAVER, date(2026, 1, 30))
    theirs = add_departure(db, LEAVER_EN, date(2026, 1, 30), manager=LEAVER)
    now = datetime.now(UTC)
    with db.session() as session:
        session.get(Departure, theirs).interviewer_id = LEAVER
        session.add(Digest(created_at=now, requested_by=LEAVER, interview_count=3, stats={"x": 1}, status="posted"))
        session.add(DeactivationNudge(employee_id=LEAVER, noticed_at=now))  # HR was asked about this person
        session.add(Setting(key="language", value="en", updated_by=LEAVER, updated_at=now))
    assert privacy.erasure_counts(db, LEAVER) == {"departures": 1, "interviews": 1, "reviews": 1,
                                                  "sent_messages": 2, "references": 3}
    with db.session() as session:
        counts = repo.erase_person(session, LEAVER, neutral="purged")
    assert counts == {"departures": 1, "interviews": 1, "reviews": 1, "sent_messages": 2, "nudges": 1,
                      "references": 4}
    with db.session() as session:
        assert session.get(Departure, mine) is None
        assert session.scalar(select(func.count(Interview.id))) == 1
        assert session.scalar(select(func.count(Review.id))) == 1
        assert session.scalar(select(func.count(SentMessage.id))) == 2
        other = session.get(Departure, theirs)
        assert (other.employee_id, other.manager_id, other.interviewer_id) == (LEAVER_EN, None, "purged")
        digest = session.scalars(select(Digest)).one()
        assert (digest.requested_by, digest.interview_count, digest.stats) == ("purged", 3, {"x": 1})
        assert session.scalar(select(func.count(DeactivationNudge.id))) == 0
        assert session.get(Setting, "language").updated_by == "purged"
    assert privacy.erasure_counts(db, LEAVER) == dict.fromkeys(
        ("departures", "interviews", "reviews", "sent_messages", "references"), 0)


# -- in Slack ----------------------------------------------------------------------------------------


def audit(harness, action: str) -> list[AuditEntry]:
    with harness.services.db.session() as session:
        return list(repo.audit_entries(session, action=action))


def test_the_daily_purge_is_planned_at_three_and_purges_after_the_retention_period(harness, slack):
    when = harness.bot.scheduler.next_retention().astimezone(ZoneInfo("Europe/Amsterdam"))
    assert (when.hour, when.minute) == (3, 0)

    answer_everything(harness, LEAVER, improvements=SECRET, manager=MANAGER)
    jobs.retention()  # not due yet
    assert harness.stage_of(LEAVER) == "submitted"

    harness.clock.advance(timedelta(days=2 + 24 * 31))
    jobs.retention()
    assert harness.stage_of(LEAVER) is None  # no departure of LEAVER any more
    with harness.services.db.session() as session:
        departure = session.scalars(select(Departure)).one()
        assert (departure.employee_id, departure.manager_id) == ("purged", None)
        state = repo.interview_for_departure(session, departure.id).state
        assert SECRET not in json.dumps(state) and state["answers"]["recommend"] == {"value": 7}
        assert repo.messages_of(session, departure.id) == []
    assert [e.actor for e in audit(harness, "purge")] == ["scheduler"]

    posted = len(slack.calls_to("chat.postMessage"))
    harness.bot.scheduler.run_sweep_now()
    time.sleep(1.0)
    assert len(slack.calls_to("chat.postMessage")) == posted  # nothing is sent for a purged departure


def test_hr_gets_everything_stored_about_a_person_as_a_file(harness, slack):
    answer_everything(harness, LEAVER, improvements=SECRET, manager=MANAGER)

    harness.user.slash(COLLEAGUE, "access <@ULEAVER01|jan>")
    assert "alleen HR" in harness.last_response()["text"]
    assert slack.workspace.files == []

    reply = harness.user.slash(HR, "access <@ULEAVER01|jan>")
    assert reply.status == 200
    assert "JSON" in harness.last_response()["text"] and "<@ULEAVER01>" in harness.last_response()["text"]
    [upload] = slack.workspace.files
    assert upload["channel"] == slack.dm_channel(HR) and upload["filename"].startswith("exit-interview-ULEAVER01")
    data = json.loads(upload["content"])
    assert (data["about"], data["exported_by"]) == (LEAVER, HR)
    [departure] = data["departures"]
    assert departure["manager"] == MANAGER and departure["messages_sent"]
    answers = {a["question_id"]: a for a in departure["interview"]["answers"]}
    assert answers["improvements"]["answer"] == {"value": SECRET}  # decrypted
    assert answers["improvements"]["question"].startswith("Wat")  # in the leaver's language
    assert departure["review"] is not None
    [entry] = audit(harness, "access")
    assert (entry.actor, entry.subject, entry.detail) == (HR, LEAVER, {"departures": 1})


def test_hr_erases_a_person_after_confirming(harness, slack):
    answer_everything(harness, LEAVER, improvements=SECRET, manager=MANAGER)
    cards = slack.wait_for(lambda: [m for m in slack.dms_to(HR) + slack.dms_to(HR_2) if "review:approve"
                                    in str(m.blocks)] or None, what="review cards")

    opened = len(slack.calls_to("views.open"))  # the leaver's forms
    harness.user.slash(COLLEAGUE, "erase <@ULEAVER01>")
    assert "alleen HR" in harness.last_response()["text"] and len(slack.calls_to("views.open")) == opened

    harness.user.slash(HR, "erase <@ULEAVER01|jan>")
    confirm = list(slack.workspace.views.values())[-1]
    assert (confirm["callback_id"], confirm["private_metadata"]) == ("privacy_erase", LEAVER)
    assert "<@ULEAVER01>" in str(confirm["blocks"]) and "vertrekregistraties: 1" in str(confirm["blocks"])
    assert harness.stage_of(LEAVER) == "submitted"  # nothing deleted before confirming

    # The submission is checked again: who submits, and which id comes back.
    refused = harness.user.submit_view(COLLEAGUE, confirm, {}).json()
    assert refused["response_action"] == "update" and "alleen HR" in str(refused["view"])
    forged = harness.user.submit_view(HR, {**confirm, "private_metadata": "<!channel>"}, {}).json()
    assert "geen Slack-gebruiker" in str(forged["view"])
    assert harness.stage_of(LEAVER) == "submitted"

    done = harness.user.submit_view(HR, confirm, {}).json()
    assert done["response_action"] == "update" and "is gewist" in str(done["view"])
    assert harness.stage_of(LEAVER) is None
    with harness.services.db.session() as session:
        for model in (Departure, Interview, Review, SentMessage):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
    [entry] = audit(harness, "erase")
    assert (entry.actor, entry.subject) == (HR, LEAVER)
    assert entry.detail["departures"] == 1 and entry.detail["interviews"] == 1
    for card in cards:  # the review cards in HR's DMs no longer show the interview
        shown = slack.message(card.channel, card.ts)
        assert "review:approve" not in str(shown.blocks) and ("gewist" in shown.text or "erased" in shown.text)

    harness.user.slash(HR, "erase <@ULEAVER01>")
    assert "niets over <@ULEAVER01> opgeslagen" in harness.last_response()["text"]
