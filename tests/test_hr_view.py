"""HR's view that is always true: `/exit-interview list` shows what is open by stage, and cancelling
a registration says what happened to the invitation, for the leaver and for HR."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from storage.models import Departure, Interview
from tests.conftest import HR, HR_2, LEAVER, LEAVER_EN
from tests.steps import answer_everything, click, invite, latest
from tests.test_bulk import HomeCard
from tests.test_digest import EXTRA, approve_all, setup_people


def listing(harness, user: str = HR) -> str:
    harness.user.slash(user, "list")
    return "\n".join(b["text"]["text"] for b in harness.last_response()["blocks"] if b.get("text"))


def departure_id(harness, employee: str) -> int:
    with harness.services.db.session() as session:
        return session.scalars(select(Departure.id).where(Departure.employee_id == employee)
                               .order_by(Departure.id.desc())).first()


def test_the_list_shows_what_is_open_by_stage_and_what_is_done_leaves_it(harness, slack):
    setup_people(slack)
    answer_everything(harness, EXTRA[0])
    approve_all(harness, slack)  # approved: waits for the digest, nothing open for HR
    answer_everything(harness, LEAVER)  # waits for HR's review
    declined = invite(harness, EXTRA[1])
    harness.user.click(EXTRA[1], declined, "invitation.decline")
    invite(harness, LEAVER_EN)
    planned_day = harness.in_working_days(30)
    harness.register(EXTRA[2], planned_day)

    shown = listing(harness)
    assert shown.startswith("Lopende vertrekken (4)")
    headings = ["*Wacht op beoordeling* · 1 vertrek", "*Uitgenodigd* · 1 vertrek", "*Uitnodiging gepland* · 1 vertrek",
                "*Afgezien* · 1 vertrek"]
    assert [shown.index(h) for h in headings] == sorted(shown.index(h) for h in headings)  # what HR acts on first
    review = shown[shown.index(headings[0]):shown.index(headings[1])]
    assert "<@ULEAVER01>" in review and "beoordeel de antwoorden" in review
    assert "<@ULEAVER02>" in shown[shown.index(headings[1]):shown.index(headings[2])]
    planned = shown[shown.index(headings[2]):shown.index(headings[3])]
    assert f"<@{EXTRA[2]}>" in planned and "de uitnodiging gaat uit op" in planned and "om 10:00" in planned
    assert f"<@{EXTRA[0]}>" not in shown  # approved leaves the list
    assert "Uitnodiging gepland" not in shown.split("\n")[1]  # a heading per stage, not a stage per row

    english = listing(harness, HR_2)
    assert english.startswith("Open departures (4)") and "*Waiting for your review* · 1 departure" in english

    # After their last working day the one who declined is done; HR's review still waits.
    last_day = harness.in_working_days(2)
    harness.clock.advance(datetime.combine(last_day + timedelta(days=1), time(12), tzinfo=harness.settings.tz)
                          - harness.clock.now())
    shown = listing(harness)
    assert f"<@{EXTRA[1]}>" not in shown and "Afgezien" not in shown
    assert "<@ULEAVER01>" in shown and "<@ULEAVER02>" in shown

    approve_all(harness, slack)
    shown = listing(harness)
    assert "<@ULEAVER01>" not in shown and shown.startswith("Lopende vertrekken (2)")


def test_cancelling_a_planned_invitation_says_it_will_not_go_out(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    harness.user.slash(HR, f"cancel <@{LEAVER}>")
    text = str(harness.last_response()["blocks"])
    assert "De registratie van <@ULEAVER01> is geannuleerd." in text
    assert "gepland stond voor" in text and "om 10:00 gaat niet uit" in text
    assert slack.dms_to(LEAVER) == []


def test_cancelling_a_sent_invitation_from_the_home_rewrites_it_and_tells_hr(harness, slack):
    invitation = invite(harness, LEAVER_EN)
    harness.user.open_home(HR_2)
    home = HomeCard(slack.workspace.home_views[HR_2])
    harness.user.click(HR_2, home, "home:cancel", value=str(departure_id(harness, LEAVER_EN)))

    rewritten = slack.message(invitation.channel, invitation.ts)
    assert not [b for b in rewritten.blocks if b["type"] == "actions"]
    assert "withdrawn by HR" in rewritten.text
    told = slack.dms_to(HR_2)[-1]
    assert "The registration of <@ULEAVER02> is cancelled." in str(told.blocks)
    assert "already had the invitation: it now says that HR withdrew it, and its buttons are gone" in str(told.blocks)
    assert harness.stage_of(LEAVER_EN) == "cancelled"


def test_cancelling_while_the_leaver_answers_closes_the_question_and_deletes_the_answers(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:choose:4")
    question = latest(slack, LEAVER)

    harness.user.slash(HR, f"cancel <@{LEAVER}>")
    text = str(harness.last_response()["blocks"])
    assert "was de vragenlijst aan het invullen: de antwoorden tot nu toe zijn verwijderd" in text

    closed = slack.message(question.channel, question.ts)
    assert not [b for b in closed.blocks if b["type"] == "actions"]
    assert "HR heeft dit exitgesprek ingetrokken" in closed.text
    assert "ingetrokken" in slack.message(invitation.channel, invitation.ts).text
    with harness.services.db.session() as session:
        interview = session.scalars(select(Interview)).one()
        assert (interview.state, interview.status) == (None, "withdrawn")
    assert "<@ULEAVER01>" not in listing(harness)


# -- the audit log in words ---------------------------------------------------------------------------

# One entry of every kind the bot writes, with the detail it writes (see repo.add_audit callers).
AUDIT_SAMPLES = [
    ("answers_viewed", HR, LEAVER, {"review": 1}),
    ("record_exported", HR, LEAVER, {"interview": 1}),
    ("interviews_exported", HR, None, {"count": 2}),
    ("review_decided", HR, LEAVER, {"review": 1, "decision": "approved", "inform_manager": False,
                                    "manager_message": False}),
    ("review_decided", HR, LEAVER, {"review": 1, "decision": "approved", "inform_manager": True,
                                    "manager_message": True}),
    ("review_decided", HR, LEAVER, {"review": 1, "decision": "approved", "inform_manager": True,
                                    "manager_message": False}),
    ("review_decided", HR, LEAVER, {"review": 1, "decision": "private", "inform_manager": False}),
    ("setting_changed", HR, None, {"setting": "digest_schedule", "old": "first-working-day 09:00",
                                   "new": "first-monday 08:30"}),
    ("setting_changed", HR, None, {"setting": "hr_user_ids", "old": [HR], "new": [HR, HR_2]}),
    ("setting_changed", HR, None, {"setting": "reminders_enabled", "old": True, "new": False}),
    ("template_activated", HR, None, {"key": "standard", "version": 3, "draft": 1}),
    ("manager_view_shared", HR, "UMANAGE01", {"from": "2026-01-01", "to": "2026-12-31"}),
    ("loop_action_recorded", HR, None, {"loop_action": 1, "signal": "reason:pay"}),
    ("access", HR, LEAVER, {"departures": 1}),
    ("erase", HR, LEAVER, {"departures": 1}),
    ("purge", "scheduler", "purged", {"departures": [1, 2], "interviews": 2}),
    ("purge", "cli", "purged", {"departures": [1]}),
    ("keys_rotate", "cli", None, {"rotated": 1, "current": 0, "keys": 2}),
    ("keys_rotate", "cli", None, {"new_key_generated": True, "keys": 1}),
    ("workflow_registered", HR, LEAVER, {"workflow": "Wf0HRIS01", "departure": 1, "problems": []}),
    ("workflow_auto_registered", HR, LEAVER, {"workflow": "Wf0HRIS01", "departure": 2}),
    ("workflow_refused", HR, LEAVER, {"workflow": "Wf0HRIS01"}),
    ("workflow_expired", "scheduler", LEAVER, {"workflow": None}),
    ("workflow_trusted", HR, None, {"workflow": "Wf0HRIS01", "name": "HRIS <offboarding>"}),
    ("workflow_untrusted", HR, None, {"workflow": "Wf0HRIS01", "name": None}),
]


def test_every_audit_action_reads_as_a_sentence_in_both_languages():
    import re

    from bot.blocks.loop import AUDIT_ACTIONS, audit_sentence
    from bot.i18n import Translator

    assert {action for action, *_ in AUDIT_SAMPLES} == set(AUDIT_ACTIONS)
    for language in ("nl", "en"):
        _ = Translator(language)
        sentences = set()
        for action, actor, subject, detail in AUDIT_SAMPLES:
            sentence = audit_sentence(_, action, actor, subject, detail)
            assert f"`{action}`" not in sentence and "audit." not in sentence, sentence  # words, not codes or keys
            assert "_" not in action or action not in sentence, sentence
            assert not re.search(r"\{\w*\}", sentence), sentence  # no unresolved placeholder
            assert actor not in ("cli", "scheduler") or f"`{actor}`" not in sentence
            if actor == HR:
                assert f"<@{HR}>" in sentence, sentence  # who
            if subject and subject != "purged":
                assert f"<@{subject}>" in sentence, sentence  # about whom
            assert sentence.endswith("."), sentence
            sentences.add(sentence)
        assert len(sentences) == len(AUDIT_SAMPLES)  # each kind says something of its own
    assert "1 vertrek waarvan" in audit_sentence(Translator("nl"), "purge", "cli", "purged", {"departures": [1]})
    assert "2 departures whose" in audit_sentence(Translator("en"), "purge", "scheduler", "purged",
                                                  {"departures": [1, 2]})
    # An action a later version adds still reads as a sentence, naming it.
    assert "<@UHRANNA01> did something the log calls `oauth_installed`" in audit_sentence(
        Translator("en"), "oauth_installed", HR, None, None)


def test_hr_reads_every_kind_of_entry_in_words_with_when(harness, slack):
    from storage import repositories as repo

    now = harness.clock.now()
    with harness.services.db.session() as session:
        for action, actor, subject, detail in AUDIT_SAMPLES:
            repo.add_audit(session, at=now, actor=actor, action=action, subject=subject, detail=detail)
    harness.user.slash(HR_2, "audit")
    shown = "\n".join(b["text"]["text"] for b in harness.last_response()["blocks"] if b.get("text"))
    lines = [line for line in shown.splitlines() if line.startswith("• ")]
    assert len(lines) == min(len(AUDIT_SAMPLES), 20)  # the latest twenty
    when = harness.clock.now().astimezone(harness.settings.tz)
    assert all(f"{when:%B} {when.day}, {when.year} at {when:%H:%M}" in line for line in lines)  # when, in English
    assert "the bot (daily job) deleted the personal data of 2 departures" in shown
    assert "<@UHRANNA01> changed the setting “Digest schedule” from the first working day of the month at 09:00 " \
           "to the first Monday of the month at 08:30." in shown
    assert not any(action in shown for action in ("review_decided", "setting_changed", "keys_rotate"))


# -- every new text in both languages -------------------------------------------------------------------


def _rendered(blocks) -> str:
    import json

    return json.dumps(blocks, ensure_ascii=False)


def _assert_words(text: str) -> None:
    import re

    assert not re.search(r"\b(?:settings|list|cancel|audit|home)\.[a-z_]", text), text  # no raw key
    assert not re.search(r"\{\w*\}", text), text


def test_the_settings_form_the_list_and_cancel_read_as_words_in_both_languages():
    from datetime import date
    from zoneinfo import ZoneInfo

    from bot.blocks.registration import cancelled_message, departures_message
    from bot.blocks.settings import settings_modal
    from bot.config import Settings
    from bot.i18n import Translator
    from bot.operations.registration import CancelOutcome
    from flows.open_departures import GROUPS

    moment = datetime(2027, 1, 4, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    for language in ("nl", "en"):
        _ = Translator(language)
        for schedule in ("first-working-day 09:00", "last-friday 16:30", "0 9 1 * *"):
            settings = Settings(bot_token="xoxb-x", hr_user_ids=frozenset({HR}), digest_schedule=schedule,
                                digest_min_interviews=60)
            modal = settings_modal(_, settings, [])
            _assert_words(_rendered(modal))
            options = next(b for b in modal["blocks"] if b.get("block_id") == "digest_day")["element"]["options"]
            assert len(options) == 26 and all(len(o["text"]["text"]) <= 75 for o in options)
            group = next(b for b in modal["blocks"] if b.get("block_id") == "digest_min_interviews")["element"]
            assert group["initial_option"]["value"] == "60"  # a value set outside the choices is kept
        rows = [{"employee_id": f"U0ROW{index:04d}", "last_day": date(2027, 1, 15), "stage": stage,
                 "invite_local": moment} for index, stage in enumerate(GROUPS)]
        text, blocks = departures_message(_, rows)
        _assert_words(text + _rendered(blocks))
        assert all(f"U0ROW{index:04d}" in _rendered(blocks) for index in range(len(GROUPS)))
        for stage, sent, deleted in (("registered", False, False), ("invited", True, False),
                                     ("answering", True, True), ("talk_requested", True, False),
                                     ("unreachable", False, False)):
            outcome = CancelOutcome(True, employee_id=LEAVER, stage=stage, invitation_sent=sent,
                                    invite_local=moment, answers_deleted=deleted, interviewer_id=HR)
            text, blocks = cancelled_message(_, outcome)
            _assert_words(_rendered(blocks))
            assert "<@ULEAVER01>" in text


def test_a_long_list_stays_within_one_message():
    from datetime import date

    from bot.blocks.registration import MAX_LIST_ROWS, departures_message
    from bot.i18n import Translator

    rows = [{"employee_id": f"U0LONG{index:04d}", "last_day": date(2027, 1, 15), "stage": "invited",
             "invite_local": datetime(2027, 1, 4, 10, 0)} for index in range(300)]
    _text, blocks = departures_message(Translator("nl"), rows)
    assert len(blocks) <= 50
    assert sum(len(b["text"]["text"]) for b in blocks if b.get("text")) < 12000
    assert f"…en nog {300 - MAX_LIST_ROWS}." in _rendered(blocks)
