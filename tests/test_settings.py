"""HR's settings in Slack: opened from the App Home, checked per field, stored with an audit trail,
and effective at once without a restart (the invitation moment, the digest job, the reminder)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import ConfigError, load_settings
from bot.hr_settings import BY_KEY, FIELDS, INTEGER, limits
from bot.i18n import catalog
from bot.operations import invitations
from flows.timing import invitation_moment
from storage import repositories as repo
from storage.models import Departure, Setting
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class HomeView:
    """The Home tab is not a message; a click on it carries its blocks like one."""

    channel, ts, text = "", "home", ""

    def __init__(self, view: dict):
        self.blocks = view["blocks"]


def home_of(harness, user: str) -> HomeView:
    harness.user.open_home(user)
    return HomeView(harness.slack.workspace.home_views[user])


def open_settings(harness, user: str = HR) -> dict:
    before = len(harness.slack.calls_to("views.open"))
    reply = harness.user.click(user, home_of(harness, HR), "home:settings")
    assert reply.status == 200
    opened = harness.slack.calls_to("views.open")
    assert len(opened) == before + 1, "the settings modal did not open"
    view = list(harness.slack.workspace.views.values())[-1]
    assert view["callback_id"] == "settings_modal"
    return view


def submit(harness, view: dict, values: dict, user: str = HR) -> dict | None:
    reply = harness.user.submit_view(user, view, values)
    assert reply.status == 200, reply
    return reply.json()


def stored(harness) -> dict:
    with harness.services.db.session() as session:
        return {row.key: (row.value, row.updated_by) for row in session.scalars(select(Setting))}


def audit(harness) -> list[tuple[str, dict]]:
    with harness.services.db.session() as session:
        return [(e.actor, e.detail) for e in repo.audit_entries(session, action=repo.SETTING_CHANGED)]


def test_hr_changes_the_invitation_lead_time_stored_audited_and_effective_without_restart(harness, slack):
    view = open_settings(harness)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["invite_working_days_before"]["element"]["initial_value"] == "10"  # the environment's value
    assert blocks["invite_working_days_before"]["element"]["min_value"] == "1"
    assert blocks["hr_user_ids"]["element"]["initial_users"] == sorted([HR, HR_2])

    assert submit(harness, view, {"invite_working_days_before": "5"}) is None  # accepted: the modal closes

    assert stored(harness) == {"invite_working_days_before": (5, HR)}
    assert audit(harness) == [(HR, {"setting": "invite_working_days_before", "old": 10, "new": 5})]
    assert harness.services.settings.invite_working_days_before == 5
    assert harness.services.base_settings.invite_working_days_before == 10
    confirmation = slack.dms_to(HR)[-1]
    assert "Instellingen opgeslagen" in confirmation.text
    assert "van 10 naar 5" in str(confirmation.blocks)

    # A new registration's invitation follows the new lead time, in the same process.
    last_day = harness.in_working_days(30)
    harness.register(LEAVER, last_day)
    with harness.services.db.session() as session:
        invite_at = session.scalars(select(Departure.invite_at).where(Departure.employee_id == LEAVER)).one()
    expected = invitation_moment(last_day, 5, AMSTERDAM, harness.services.calendar)
    assert invite_at == expected
    assert invite_at != invitation_moment(last_day, 10, AMSTERDAM, harness.services.calendar)

    # Stored, so a restart keeps it; the modal shows it and who changed it.
    harness.restart()
    assert harness.services.settings.invite_working_days_before == 5
    view = open_settings(harness)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["invite_working_days_before"]["element"]["initial_value"] == "5"
    assert "gewijzigd door <@UHRANNA01>" in str(view["blocks"])


def next_digest_on_home(harness, user: str = HR) -> str:
    fields = next(b for b in home_of(harness, user).blocks if b.get("fields"))["fields"]
    return fields[3]["text"]


def at_amsterdam(harness, moment: datetime) -> None:
    harness.clock.advance(moment - harness.clock.now())


def test_hr_picks_the_digest_day_and_time_in_words_and_the_next_digest_follows_at_once(harness, slack):
    at_amsterdam(harness, datetime(2026, 12, 15, 12, 0, tzinfo=AMSTERDAM))
    # 1 January 2027 is a Friday and New Year's Day: the first working day is Monday the 4th.
    assert "maandag 4 januari 2027 om 09:00" in next_digest_on_home(harness)

    view = open_settings(harness)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert "digest_schedule" not in blocks  # no schedule syntax to type
    day, at = blocks["digest_day"]["element"], blocks["digest_time"]["element"]
    assert day["type"] == "static_select" and day["initial_option"]["value"] == "first-working-day"
    assert day["initial_option"]["text"]["text"] == "de eerste werkdag van de maand"
    assert "de tweede dinsdag van de maand" in [o["text"]["text"] for o in day["options"]]
    assert (at["type"], at["initial_time"], at["timezone"]) == ("timepicker", "09:00", "Europe/Amsterdam")
    assert "crontab" not in str(view) and "first-working-day 09:00" not in str(view)

    assert submit(harness, view, {"digest_day": "second-tuesday", "digest_time": "08:30"}) is None

    assert stored(harness) == {"digest_schedule": ("second-tuesday 08:30", HR)}
    assert audit(harness) == [(HR, {"setting": "digest_schedule", "old": "first-working-day 09:00",
                                    "new": "second-tuesday 08:30"})]
    confirmation = str(slack.dms_to(HR)[-1].blocks)
    assert "van de eerste werkdag van de maand om 09:00 naar de tweede dinsdag van de maand om 08:30" in confirmation
    assert "Het volgende overzicht: dinsdag 12 januari 2027 om 08:30" in confirmation
    assert "dinsdag 12 januari 2027 om 08:30" in next_digest_on_home(harness)
    moved = harness.bot.scheduler.next_digest().astimezone(AMSTERDAM)  # the job wakes at the new time
    assert (moved.hour, moved.minute) == (8, 30)

    harness.restart()
    assert harness.services.settings.digest_schedule == "second-tuesday 08:30"
    blocks = {b.get("block_id"): b for b in open_settings(harness)["blocks"]}
    assert blocks["digest_day"]["element"]["initial_option"]["value"] == "second-tuesday"
    assert blocks["digest_time"]["element"]["initial_time"] == "08:30"

    # Back to the environment's value: the stored override goes, the audit trail stays.
    assert submit(harness, open_settings(harness), {"digest_day": "first-working-day", "digest_time": "09:00"}) is None
    assert stored(harness) == {}
    assert "maandag 4 januari 2027 om 09:00" in next_digest_on_home(harness)


def test_a_crontab_schedule_from_before_keeps_working_until_hr_picks_a_day(harness, slack):
    with harness.services.db.session() as session:  # stored by an older version's typed field
        repo.put_setting(session, "digest_schedule", "0 9 1 * *", HR_2, datetime.now(UTC))
    harness.restart()
    assert harness.services.settings.digest_schedule == "0 9 1 * *"
    at_amsterdam(harness, datetime(2026, 12, 15, 12, 0, tzinfo=AMSTERDAM))
    assert "vrijdag 1 januari 2027 om 09:00" in next_digest_on_home(harness)  # run as written

    view = open_settings(harness)
    day = next(b for b in view["blocks"] if b.get("block_id") == "digest_day")
    assert day["optional"] is True and "initial_option" not in day["element"]
    assert "0 9 1 * *" in day["hint"]["text"]
    assert submit(harness, view, {"invite_working_days_before": "7"}) is None  # no day chosen: kept
    assert harness.services.settings.digest_schedule == "0 9 1 * *"

    assert submit(harness, open_settings(harness), {"digest_day": "first-monday"}) is None
    assert harness.services.settings.digest_schedule == "first-monday 09:00"
    assert "maandag 4 januari 2027 om 09:00" in next_digest_on_home(harness)


def test_minimum_group_and_reminder_days_are_choices_with_a_reason(harness, slack):
    blocks = {b.get("block_id"): b for b in open_settings(harness)["blocks"]}
    group = blocks["digest_min_interviews"]
    assert group["element"]["type"] == "static_select"
    assert [o["value"] for o in group["element"]["options"]][:3] == ["3", "4", "5"]
    assert group["element"]["initial_option"]["text"]["text"] == "3 gesprekken"
    assert "niemand herkenbaar" in group["hint"]["text"]
    days = blocks["reminder_working_days"]["element"]
    assert days["initial_option"]["text"]["text"] == "3 werkdagen"
    assert days["options"][0]["text"]["text"] == "1 werkdag"

    assert submit(harness, open_settings(harness), {"digest_min_interviews": "5", "reminder_working_days": "2",
                                                    "reminders_enabled": "true"}) is None
    assert (harness.services.settings.digest_min_interviews, harness.services.settings.reminder_working_days) == (5, 2)


def test_someone_outside_hr_can_neither_open_nor_submit_the_settings(harness, slack):
    opened = len(slack.calls_to("views.open"))
    harness.user.click(COLLEAGUE, home_of(harness, HR), "home:settings")
    assert len(slack.calls_to("views.open")) == opened
    assert "alleen HR" in slack.dms_to(COLLEAGUE)[-1].text

    view = open_settings(harness)  # HR's modal, submitted by someone else (a forged or stale payload)
    answer = submit(harness, view, {"invite_working_days_before": "2", "hr_user_ids": [COLLEAGUE]}, user=COLLEAGUE)
    assert answer["response_action"] == "errors"
    assert "alleen HR" in answer["errors"]["hr_user_ids"]
    assert stored(harness) == {} and audit(harness) == []
    assert harness.services.settings.invite_working_days_before == 10
    assert not harness.services.directory.is_hr(COLLEAGUE)


def test_invalid_values_get_precise_errors_at_their_fields_and_nothing_is_stored(harness):
    view = open_settings(harness)
    answer = submit(harness, view, {
        "invite_working_days_before": "0",
        "interview_expiry_days": "twee weken",
        "digest_day": "0 9 1 * *",  # a forged option: HR never types a crontab
        "digest_min_interviews": "2",
        "retention_months": "",
        "hr_usergroup_id": "@hr-team",
        "manager_channel_id": ["C1", "C2"],
    })
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"invite_working_days_before", "interview_expiry_days", "digest_day",
                           "digest_min_interviews", "retention_months", "hr_usergroup_id", "manager_channel_id"}
    assert errors["invite_working_days_before"] == "Vul een heel getal in van 1 tot en met 60."
    assert errors["interview_expiry_days"] == "Vul een heel getal in van 1 tot en met 365."
    assert "van 3 tot en met 1000" in errors["digest_min_interviews"]  # a digest never singles anyone out
    assert errors["digest_day"] == "Kies een dag van de maand en een tijdstip."
    assert "mag niet leeg" in errors["retention_months"]
    assert "S0614TZR7" in errors["hr_usergroup_id"]
    assert "één kanaal" in errors["manager_channel_id"]
    assert stored(harness) == {} and audit(harness) == []

    # A bad field loses nothing: the good values of the same submission are not half-saved either,
    # and the same modal saves once the field is right.
    answer = submit(harness, view, {"invite_working_days_before": "5", "digest_day": None})
    assert set(answer["errors"]) == {"digest_day"}
    assert stored(harness) == {} and harness.services.settings.invite_working_days_before == 10
    answer = submit(harness, view, {"digest_day": "last-friday", "digest_time": "half ten"})
    assert answer["errors"] == {"digest_time": "Kies een dag van de maand en een tijdstip."}
    assert submit(harness, view, {"invite_working_days_before": "5", "digest_day": "last-friday"}) is None
    assert harness.services.settings.digest_schedule == "last-friday 09:00"
    assert harness.services.settings.invite_working_days_before == 5

    # Nobody left as HR, or locking yourself out, is refused too.
    answer = submit(harness, view, {"hr_user_ids": []})
    assert "niemand" in answer["errors"]["hr_user_ids"]
    answer = submit(harness, view, {"hr_user_ids": [HR_2]})
    assert "sluit jezelf buiten" in answer["errors"]["hr_user_ids"]


def test_hr_membership_channels_and_language_change_at_once(harness, slack):
    slack.add_channel("C0HRDESK1", "hr-desk")
    view = open_settings(harness)
    assert submit(harness, view, {"hr_user_ids": [HR, COLLEAGUE], "hr_channel_id": ["C0HRDESK1"],
                                  "default_language": "en"}) is None
    services = harness.services
    assert services.directory.is_hr(COLLEAGUE)  # no restart, no cache to wait for
    assert not services.directory.is_hr(HR_2)
    assert services.settings.hr_channel_id == "C0HRDESK1"
    assert services.settings.default_language == "en"
    assert stored(harness)["hr_user_ids"] == (sorted([COLLEAGUE, HR]), HR)
    # The new HR member sees the dashboard with the buttons; the former one no longer does.
    assert "home:settings" in str(slack.workspace.home_views[COLLEAGUE]["blocks"])
    assert "home:settings" not in str(slack.workspace.home_views[HR_2]["blocks"])
    harness.user.click(COLLEAGUE, home_of(harness, COLLEAGUE), "home:settings")
    assert list(slack.workspace.views.values())[-1]["callback_id"] == "settings_modal"

    # HR notices now go to the chosen channel.
    invitations.notify_hr(services, "hr.declined", employee="<@ULEAVER01>")
    assert slack.messages_in("C0HRDESK1")

    # The channel can be emptied again (a multi-select of at most one): back to DMs.
    view = open_settings(harness)
    assert submit(harness, view, {"hr_channel_id": []}) is None
    assert services.settings.hr_channel_id is None


def test_with_the_reminder_off_no_reminder_goes_out_and_on_again_it_does(harness, slack):
    assert submit(harness, open_settings(harness), {"reminders_enabled": "false"}) is None
    assert harness.services.settings.reminders_enabled is False
    harness.register(LEAVER, harness.in_working_days(30))
    harness.advance_past_invitation(LEAVER)
    invitations.sweep(harness.services)
    harness.wait_for_stage(LEAVER, "invited")
    assert len(slack.dms_to(LEAVER)) == 1

    harness.clock.advance(timedelta(days=7))  # well past the reminder moment
    invitations.sweep(harness.services)
    assert len(slack.dms_to(LEAVER)) == 1  # no reminder

    assert submit(harness, open_settings(harness), {"reminders_enabled": "true"}) is None
    invitations.sweep(harness.services)
    messages = slack.wait_for(lambda: len(slack.dms_to(LEAVER)) == 2 and slack.dms_to(LEAVER), what="the reminder")
    assert "herinnering" in messages[1].text


def test_nothing_changed_is_said_and_not_audited(harness, slack):
    assert submit(harness, open_settings(harness), {}) is None
    assert "Niets gewijzigd" in slack.dms_to(HR)[-1].text
    assert audit(harness) == []


# -- without Slack ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_setting_has_a_label_and_a_hint(language):
    messages = catalog(language)
    for setting in FIELDS:
        assert messages.get(f"settings.field.{setting.key}"), setting.key
        assert messages.get(f"settings.hint.{setting.key}"), setting.key
        assert messages.get(f"settings.error.{setting.kind}") or setting.kind == INTEGER


def test_the_modal_accepts_exactly_what_the_environment_accepts():
    base = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-x", "HR_USER_IDS": "U0AAAA1"}
    for setting in FIELDS:
        if setting.kind != INTEGER:
            continue
        low, high = limits(setting)
        assert getattr(load_settings({**base, setting.env: str(low)}), setting.key) == low
        assert getattr(load_settings({**base, setting.env: str(high)}), setting.key) == high
        with pytest.raises(ConfigError):
            load_settings({**base, setting.env: str(high + 1)})
    assert limits(BY_KEY["digest_min_interviews"])[0] == 3


@pytest.mark.parametrize(("raw", "enabled"), [(None, True), ("off", False), ("false", False), ("0", False),
                                              ("on", True), ("TRUE", True)])
def test_reminders_enabled_from_the_environment(raw, enabled):
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-x", "HR_USER_IDS": "U0AAAA1"}
    if raw is not None:
        env["REMINDERS_ENABLED"] = raw
    assert load_settings(env).reminders_enabled is enabled


def test_a_malformed_reminders_setting_stops_the_start_naming_it():
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_APP_TOKEN": "xapp-x", "HR_USER_IDS": "U0AAAA1",
           "REMINDERS_ENABLED": "sometimes"}
    with pytest.raises(ConfigError, match="REMINDERS_ENABLED"):
        load_settings(env)


def test_the_values_the_modal_is_checked_against_start_a_bot_on_their_own():
    from bot.hr_settings import _PROBE

    load_settings(_PROBE)  # a new required setting in bot.config would make every field "invalid"


def test_the_settings_open_from_the_command_too_and_only_for_hr(harness, slack):
    at_amsterdam(harness, datetime(2026, 12, 15, 12, 0, tzinfo=AMSTERDAM))
    opened = len(slack.calls_to("views.open"))
    harness.user.slash(COLLEAGUE, "settings")
    assert "alleen HR" in harness.last_response()["text"]
    assert len(slack.calls_to("views.open")) == opened

    harness.user.slash(HR, "instellingen")
    assert len(slack.calls_to("views.open")) == opened + 1
    view = list(slack.workspace.views.values())[-1]
    assert view["callback_id"] == "settings_modal"
    assert submit(harness, view, {"digest_day": "first-friday", "digest_time": "16:00"}) is None
    # 1 January 2027 is the first Friday, and New Year's Day: the digest goes on Monday the 4th.
    assert "maandag 4 januari 2027 om 16:00" in next_digest_on_home(harness)
