"""HR registers leavers with `/exit-interview`, by text and by modal; everyone else is refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import Departure
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER


def count_departures(harness) -> int:
    with harness.services.db.session() as session:
        return session.scalar(select(func.count()).select_from(Departure))


def test_help_lists_the_commands_in_the_hr_users_language(harness, slack):
    harness.user.slash(HR, "help")
    dutch = harness.last_response()
    assert dutch["response_type"] == "ephemeral"
    assert "/exit-interview start" in dutch["blocks"][1]["text"]["text"]
    assert "registreer een vertrekker" in dutch["blocks"][1]["text"]["text"]

    harness.user.slash(HR_2, "")
    english = harness.last_response()
    assert "register a leaver" in english["blocks"][1]["text"]["text"]


def test_unknown_subcommand_gets_help_not_silence(harness):
    harness.user.slash(HR, "frobnicate <!channel>")
    reply = harness.last_response()
    first = reply["blocks"][0]["text"]["text"]
    assert "frobnicate" in first
    assert "/exit-interview start" in reply["blocks"][2]["text"]["text"]


def test_hr_registers_by_text_and_the_invitation_goes_out_within_seconds(harness, slack):
    last_day = harness.in_working_days(2)
    reply = harness.register(LEAVER, last_day, manager=MANAGER)

    assert "<@ULEAVER01> is geregistreerd" in reply["text"]
    assert "meteen" in reply["text"]  # fewer than 10 working days left: right away
    invitation = harness.invitation_for(LEAVER, timeout=5)
    assert "exitgesprek" in invitation.text
    buttons = [e["action_id"] for b in invitation.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["invitation.answer", "invitation.talk", "invitation.decline"]
    with harness.services.db.session() as session:
        departure = session.scalars(select(Departure)).one()
        assert (departure.employee_id, departure.manager_id, departure.interviewer_id) == (LEAVER, MANAGER, HR)
        assert departure.last_day == last_day


def test_registration_far_ahead_plans_the_invitation_ten_working_days_before(harness, slack):
    last_day = harness.in_working_days(30)
    reply = harness.register(LEAVER, last_day)

    planned = harness.services.calendar.working_days_before(last_day, 10)
    assert "gaat uit op" in reply["text"]
    assert f"{planned.day} " in reply["text"] and "10:00" in reply["text"]
    jobs = dict(harness.bot.scheduler.planned_jobs())
    with harness.services.db.session() as session:
        departure_id = session.scalars(select(Departure.id)).one()
    run_at = jobs[f"invitation:{departure_id}"]
    assert run_at.astimezone(harness.settings.tz).date() == planned
    assert (run_at.astimezone(harness.settings.tz).hour, run_at.minute) == (10, 0)
    assert slack.dms_to(LEAVER) == []


def test_invitation_time_follows_the_employees_own_time_zone(harness, slack):
    harness.register(LEAVER_EN, harness.in_working_days(30))
    with harness.services.db.session() as session:
        departure = session.scalars(select(Departure)).one()
    local = departure.invite_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    assert departure.employee_tz == "Europe/London"
    assert (local.hour, local.minute) == (10, 0)


def test_people_outside_hr_are_refused_and_nothing_is_stored(harness, slack):
    harness.user.slash(COLLEAGUE, f"start <@{LEAVER}> {harness.in_working_days(5).isoformat()}")
    assert "alleen HR" in harness.last_response()["text"]
    harness.user.slash(COLLEAGUE, "list")
    assert "alleen HR" in harness.last_response()["text"]
    harness.user.slash(COLLEAGUE, "start")
    assert slack.calls_to("views.open") == []
    assert count_departures(harness) == 0


def test_hr_user_group_members_are_hr(settings, slack):
    from tests.conftest import Harness

    slack.add_usergroup("SHRTEAM01", [COLLEAGUE])
    harness = Harness(settings, slack).start(hr_user_ids=frozenset(), hr_usergroup_id="SHRTEAM01")
    try:
        harness.register(LEAVER, harness.in_working_days(20), as_user=COLLEAGUE)
        assert "geregistreerd" in harness.last_response()["text"]
        harness.user.slash(HR, "list")  # HR_USER_IDS is empty now: only the group counts
        assert "alleen HR" in harness.last_response()["text"]
        harness.user.slash(MANAGER, "list")
        assert "alleen HR" in harness.last_response()["text"]
    finally:
        harness.stop()


def test_bad_input_gets_a_precise_message_and_stores_nothing(harness, slack):
    slack.add_user("UBOTUSER1", "deploybot", is_bot=True)
    slack.add_user("UGONE0001", "gone", deleted=True)
    today = harness.today()
    cases = [
        (f"start <@UNOBODY99> {harness.in_working_days(5)}", "kent de vertrekker"),
        (f"start <@UBOTUSER1> {harness.in_working_days(5)}", "is een bot"),
        (f"start <@UGONE0001> {harness.in_working_days(5)}", "al gedeactiveerd"),
        (f"start <@{LEAVER}> {(today - timedelta(days=1)).isoformat()}", "al voorbij"),
        (f"start <@{LEAVER}> 31-02-2027", "geen datum"),
        (f"start <@{LEAVER}> volgende week", "geen datum"),
        (f"start <@{LEAVER}>", "start @persoon"),
        (f"start jan {harness.in_working_days(5)}", "Ik weet niet wie `jan` is"),
        (f"start <@{LEAVER}> {harness.in_working_days(5)} <@{LEAVER}>", "eigen leidinggevende"),
        (f"start <@{HR}> {harness.in_working_days(5)}", "eigen vertrek"),
        ("start " + "x" * 600, "te lang"),
    ]
    for text, expected in cases:
        harness.user.slash(HR, text)
        reply = harness.last_response()
        assert expected in reply["text"], (text, reply["text"])
    assert count_departures(harness) == 0
    assert slack.dms_to(LEAVER) == []


def test_duplicate_active_registration_is_refused(harness):
    harness.register(LEAVER, harness.in_working_days(20))
    harness.register(LEAVER, harness.in_working_days(25))
    assert "al een lopende registratie" in harness.last_response()["text"]
    assert count_departures(harness) == 1


def test_registering_on_the_last_day_warns_hr_and_invites_at_once(harness, slack):
    harness.register(LEAVER, harness.today())
    reply = harness.last_response()
    assert "vandaag" in reply["blocks"][1]["text"]["text"]
    harness.invitation_for(LEAVER, timeout=5)


def test_mentions_in_replies_are_ours_and_user_text_is_escaped(harness):
    harness.user.slash(HR, "start <!channel> 2027-01-01")
    text = harness.last_response()["text"]
    assert "<!channel>" not in text
    assert "&lt;!channel&gt;" in text


def test_list_shows_open_departures_and_cancel_withdraws_them(harness, slack):
    harness.register(LEAVER, harness.in_working_days(30))
    harness.register(LEAVER_EN, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")

    harness.user.slash(HR, "list")
    listing = harness.last_response()
    assert listing["blocks"][0]["text"]["text"] == "Lopende vertrekken (2)"
    rows = [b["text"]["text"] for b in listing["blocks"][1:]]
    assert any("<@ULEAVER01>" in r and "Uitnodiging gepland" in r for r in rows)  # under its stage's heading
    assert any("<@ULEAVER02>" in r and "Uitgenodigd" in r for r in rows)

    harness.user.slash(HR, f"cancel <@{LEAVER}|jan>")
    assert "geannuleerd" in harness.last_response()["text"]
    harness.user.slash(HR, f"cancel <@{LEAVER_EN}>")
    # The invitation already sent loses its buttons.
    withdrawn = slack.message(invitation.channel, invitation.ts)
    assert not [b for b in withdrawn.blocks if b["type"] == "actions"]
    assert "withdrawn" in withdrawn.text
    assert f"invitation:{1}" not in dict(harness.bot.scheduler.planned_jobs())

    harness.user.slash(HR, "list")
    assert "geen lopende vertrekken" in harness.last_response()["text"]
    harness.user.slash(HR, f"cancel <@{LEAVER}>")
    assert "geen lopende registratie" in harness.last_response()["text"]
    # Cancelled means it can be registered again.
    harness.register(LEAVER, harness.in_working_days(30))
    assert "geregistreerd" in harness.last_response()["text"]


def test_bare_start_opens_the_modal_and_its_submission_registers(harness, slack):
    harness.user.slash(HR, "start")
    opened = slack.calls_to("views.open")
    assert len(opened) == 1
    view = next(iter(slack.workspace.views.values()))
    block_ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert block_ids == ["employee", "last_day", "manager", "interviewer", "language", "offer", "department", "role",
                         "started_on"]
    interviewer = next(b for b in view["blocks"] if b.get("block_id") == "interviewer")
    assert interviewer["element"]["initial_user"] == HR

    last_day = harness.in_working_days(3)
    reply = harness.user.submit_view(HR, view, {
        "employee": LEAVER_EN, "last_day": last_day.isoformat(), "manager": MANAGER,
        "interviewer": HR_2, "language": "en", "offer": "talk",
    })
    assert reply.status == 200 and reply.body in ("", None)
    confirmation = slack.wait_for(lambda: slack.dms_to(HR), what="confirmation DM to HR")
    assert "geregistreerd" in confirmation[0].text
    invitation = harness.invitation_for(LEAVER_EN)
    buttons = [e["action_id"] for b in invitation.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["invitation.talk", "invitation.decline"]  # only a talk was offered
    assert "exit interview" in invitation.text  # the leaver's Slack locale is English
    with harness.services.db.session() as session:
        departure = session.scalars(select(Departure)).one()
        assert (departure.interviewer_id, departure.language, departure.offer) == (HR_2, "en", "talk")


def test_modal_problems_are_shown_at_the_field(harness, slack):
    harness.user.slash(HR, "start")
    view = next(iter(slack.workspace.views.values()))
    past = harness.today() - timedelta(days=3)
    reply = harness.user.submit_view(HR, view, {"employee": LEAVER, "last_day": past.isoformat()})
    body = reply.json()
    assert body["response_action"] == "errors"
    assert "al voorbij" in body["errors"]["last_day"]

    reply = harness.user.submit_view(HR, view, {"employee": LEAVER, "last_day": harness.in_working_days(5).isoformat(),
                                                "offer": "forged-value"})
    assert reply.json()["errors"] == {"offer": "Kies een geldige waarde."}
    assert count_departures(harness) == 0


def test_modal_submission_by_someone_outside_hr_is_refused(harness, slack):
    harness.user.slash(HR, "start")
    view = next(iter(slack.workspace.views.values()))
    reply = harness.user.submit_view(COLLEAGUE, view, {"employee": LEAVER,
                                                       "last_day": harness.in_working_days(5).isoformat()})
    assert "alleen HR" in reply.json()["errors"]["employee"]
    assert count_departures(harness) == 0


def test_slack_outage_during_registration_is_explained_and_nothing_is_half_stored(harness, slack):
    slack.fail("users.info", "internal_error", status=503, times=20)
    harness.user.slash(HR, f"start <@{LEAVER}> {harness.in_working_days(5)}")
    assert "Slack" in harness.last_response()["text"]
    assert count_departures(harness) == 0
