"""HR's settings in Slack: opened from the App Home, checked per field, stored with an audit trail,
and effective at once without a restart (the invitation moment, the digest job, the reminder)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import ConfigError, load_settings
from bot.i18n import catalog
from bot.operations import invitations
from bot.operations.settings import BY_KEY, FIELDS, INTEGER, limits
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


def test_a_changed_digest_schedule_moves_the_scheduled_job_at_once_and_after_a_restart(harness, slack):
    scheduler = harness.bot.scheduler
    before = scheduler.next_digest()
    assert before is not None and before.astimezone(AMSTERDAM).day <= 7  # first working day of a month

    assert submit(harness, open_settings(harness), {"digest_schedule": "30 8 * * *"}) is None

    moved = scheduler.next_digest().astimezone(AMSTERDAM)
    assert (moved.hour, moved.minute) == (8, 30)
    assert moved != before
    assert moved - datetime.now(UTC) <= timedelta(days=1, minutes=1)  # daily now
    assert harness.services.settings.digest_schedule == "30 8 * * *"
    assert "Het volgende overzicht" in str(slack.dms_to(HR)[-1].blocks)

    harness.restart()
    again = harness.bot.scheduler.next_digest().astimezone(AMSTERDAM)
    assert (again.hour, again.minute) == (8, 30)

    # Back to the environment's value: the stored override goes, the audit trail stays.
    assert submit(harness, open_settings(harness), {"digest_schedule": "first-working-day 09:00"}) is None
    assert stored(harness) == {}
    assert [detail["new"] for _, detail in audit(harness)] == ["30 8 * * *", "first-working-day 09:00"]
    back = harness.bot.scheduler.next_digest().astimezone(AMSTERDAM)
    assert (back.hour, back.minute, back.day <= 7) == (9, 0, True)


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
        "digest_schedule": "monthly",
        "digest_min_interviews": "2",
        "retention_months": "",
        "hr_usergroup_id": "@hr-team",
        "manager_channel_id": ["C1", "C2"],
    })
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"invite_working_days_before", "interview_expiry_days", "digest_schedule",
                           "digest_min_interviews", "retention_months", "hr_usergroup_id", "manager_channel_id"}
    assert errors["invite_working_days_before"] == "Vul een heel getal in van 1 tot en met 60."
    assert errors["interview_expiry_days"] == "Vul een heel getal in van 1 tot en met 365."
    assert "van 3 tot en met 1000" in errors["digest_min_interviews"]  # a digest never singles anyone out
    assert "first-working-day" in errors["digest_schedule"] and "crontab" in errors["digest_schedule"]
    assert "mag niet leeg" in errors["retention_months"]
    assert "S0614TZR7" in errors["hr_usergroup_id"]
    assert "één kanaal" in errors["manager_channel_id"]
    assert stored(harness) == {} and audit(harness) == []

    # Nobody left as HR, or locking yourself out, is refused too.
    answer = submit(harness, view, {"hr_user_ids": []})
    assert "niemand" in answer["errors"]["hr_user_ids"]
    answer = submit(harness, view, {"hr_user_ids": [HR_2]})
    assert "sluit jezelf buiten" in answer["errors"]["hr_user_ids"]
    assert stored(harness) == {}


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
    from bot.operations.settings import _PROBE

    load_settings(_PROBE)  # a new required setting in bot.config would make every field "invalid"
