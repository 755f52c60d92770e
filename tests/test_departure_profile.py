"""Department, role and start date go with the departure (for HR's breakdowns per team and tenure):
typed in the registration form, given in the CSV import, else read from the Slack profile."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.operations import bulk
from storage.models import Departure
from tests.conftest import HR, LEAVER, LEAVER_EN, MANAGER


def departure_of(harness, employee: str) -> Departure:
    with harness.services.db.session() as session:
        return session.scalars(select(Departure).where(Departure.employee_id == employee)).one()


def open_form(harness, slack) -> dict:
    harness.user.slash(HR, "start")
    return next(iter(slack.workspace.views.values()))


def test_hr_gives_department_role_and_start_date_in_the_form(harness, slack):
    view = open_form(harness, slack)
    reply = harness.user.submit_view(HR, view, {
        "employee": LEAVER, "last_day": harness.in_working_days(5).isoformat(), "manager": MANAGER,
        "department": "  Customer   Support ", "role": "Team lead", "started_on": "2019-04-01",
    })
    assert reply.status == 200 and reply.body in ("", None)
    departure = departure_of(harness, LEAVER)
    assert (departure.department, departure.role, departure.started_on) == ("Customer Support", "Team lead",
                                                                            date(2019, 4, 1))


def test_a_start_date_after_the_last_day_is_shown_at_its_field_and_nothing_is_stored(harness, slack):
    view = open_form(harness, slack)
    last_day = harness.in_working_days(5)
    reply = harness.user.submit_view(HR, view, {
        "employee": LEAVER, "last_day": last_day.isoformat(), "started_on": date(last_day.year + 1, 1, 1).isoformat(),
    })
    assert "na de laatste werkdag" in reply.json()["errors"]["started_on"]
    with harness.services.db.session() as session:
        assert session.scalars(select(Departure)).all() == []


def test_what_hr_leaves_empty_comes_from_the_slack_profile_fields(harness, slack):
    slack.set_profile(LEAVER, title="Support engineer", Department="Support", **{"Start date": "2021-09-15"})
    harness.register(LEAVER, harness.in_working_days(5))
    departure = departure_of(harness, LEAVER)
    assert (departure.department, departure.role, departure.started_on) == ("Support", "Support engineer",
                                                                            date(2021, 9, 15))
    # What HR typed wins over the profile.
    slack.set_profile(LEAVER_EN, Afdeling="Sales")
    view = open_form(harness, slack)
    harness.user.submit_view(HR, view, {"employee": LEAVER_EN, "last_day": harness.in_working_days(5).isoformat(),
                                        "department": "Marketing"})
    assert departure_of(harness, LEAVER_EN).department == "Marketing"


def test_a_workspace_without_profile_fields_stores_nothing_and_registers_as_before(harness, slack):
    slack.fail("users.profile.get", "missing_scope", times=5)
    harness.register(LEAVER, harness.in_working_days(5))
    departure = departure_of(harness, LEAVER)
    assert (departure.department, departure.role, departure.started_on) == (None, None, None)


def test_the_csv_import_keeps_department_role_and_start_date(harness, slack):
    far = harness.in_working_days(30)
    text = ("employee;last working day;department;role;in dienst sinds\n"
            f"{LEAVER};{far.isoformat()};Sales;Account manager;01-03-2018\n"
            f"{LEAVER_EN};{far.isoformat()};;;2099-01-01\n")
    report = bulk.import_csv(harness.services, text, HR)
    assert [row.status for row in report.rows] == ["registered", "failed"]
    assert report.rows[1].problems[0].key == "bulk.row.started_on_invalid"
    departure = departure_of(harness, LEAVER)
    assert (departure.department, departure.role, departure.started_on) == ("Sales", "Account manager",
                                                                            date(2018, 3, 1))


def test_the_access_export_shows_it_and_the_retention_purge_keeps_only_department_and_start_month(harness):
    from bot.operations import privacy

    slack = harness.slack
    slack.set_profile(LEAVER, title="Support engineer", Department="Support", **{"Start date": "2021-09-15"})
    harness.register(LEAVER, harness.in_working_days(5))
    departure = departure_of(harness, LEAVER)
    exported = privacy.export(harness.services.db, LEAVER, now=harness.services.clock.now(), requested_by=HR)
    assert '"department": "Support"' in str(exported).replace("'", '"')
    assert "2021-09-15" in str(exported) and "Support engineer" in str(exported)

    later = departure.last_day.replace(year=departure.last_day.year + 3)
    privacy.purge(harness.services.db, today=later, months=24, now=harness.services.clock.now(), actor="test")
    with harness.services.db.session() as session:
        purged = session.get(Departure, departure.id)
        assert (purged.employee_id, purged.department, purged.role, purged.started_on) == (
            "purged", "Support", None, date(2021, 9, 1))
