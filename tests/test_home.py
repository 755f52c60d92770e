"""The App Home: HR's dashboard of every departure, a leaver's own status, a hello for others."""

from __future__ import annotations

from tests.conftest import COLLEAGUE, HR, LEAVER, LEAVER_EN
from tests.steps import answer_everything, click, invite

THIRD = "ULEAVER03"


def home_of(slack, user) -> dict:
    return slack.workspace.home_views[user]


def text_of(view) -> str:
    return str(view["blocks"])


def test_hr_sees_every_departure_grouped_by_stage_with_figures(harness, slack):
    slack.add_user(THIRD, "kim", real_name="Kim de Boer", locale="nl-NL")
    answer_everything(harness, LEAVER)  # submitted, awaiting review
    invite(harness, LEAVER_EN)  # invited, no answer yet
    harness.register(THIRD, harness.in_working_days(30))  # invitation planned

    harness.user.open_home(HR)
    view = home_of(slack, HR)
    text = text_of(view)
    assert view["type"] == "home"
    assert "Wacht op beoordeling" in text and "Uitgenodigd" in text and "Uitnodiging gepland" in text
    assert text.index("Wacht op beoordeling") < text.index("Uitgenodigd") < text.index("Uitnodiging gepland")
    assert "*Gesprekken dit kwartaal*\\n1" in text and "*Wachten op beoordeling*\\n1" in text
    assert "*Deelname*\\n50%" in text  # one of two invited answered
    assert "Volgend overzicht" in text
    actions = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"home:register", "review:view", "home:remind", "home:cancel", "talk.record_notes"} <= set(actions)


def test_the_dashboard_refreshes_when_something_changes(harness, slack):
    harness.user.open_home(HR)
    before = len(slack.calls_to("views.publish"))
    harness.register(LEAVER, harness.in_working_days(30))
    assert len(slack.calls_to("views.publish")) > before  # without opening the Home again
    assert "<@ULEAVER01>" in text_of(home_of(slack, HR))


def test_hr_acts_from_the_home(harness, slack):
    invite(harness, LEAVER)
    harness.user.open_home(HR)
    home = slack.workspace.home_views[HR]

    class Card:  # the Home view is not a message; clicks carry its blocks
        channel, ts, text, blocks = "", "home", "", home["blocks"]

    harness.user.click(HR, Card, "home:remind", value=str(1))
    reminders = slack.wait_for(lambda: [m for m in slack.dms_to(LEAVER) if "herinnering" in m.text], what="reminder")
    harness.user.click(HR, Card, "home:remind", value=str(1))  # once only
    assert len([m for m in slack.dms_to(LEAVER) if "herinnering" in m.text]) == len(reminders) == 1
    assert "maar één keer" in slack.dms_to(HR)[-1].text

    harness.user.click(COLLEAGUE, Card, "home:cancel", value=str(1))
    assert harness.stage_of(LEAVER) == "invited"
    harness.user.click(HR, Card, "home:cancel", value=str(1))
    assert harness.stage_of(LEAVER) == "cancelled"

    harness.user.click(HR, Card, "home:register")
    assert list(slack.workspace.views.values())[-1]["callback_id"] == "register_departure"


def test_a_leaver_sees_their_own_status_and_can_withdraw_or_resume(harness, slack):
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:choose:4")
    click(harness, LEAVER, "q:pause")
    harness.user.open_home(LEAVER)
    view = home_of(slack, LEAVER)
    text = text_of(view)
    assert "Je exitgesprek" in text and "Berichten" in text
    actions = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["q:resume", "q:withdraw"]
    assert "UHRANNA01" not in text and "Wacht op beoordeling" not in text  # no HR data for a leaver


def test_everyone_else_gets_a_friendly_explanation_and_no_hr_data(harness, slack):
    invite(harness, LEAVER)
    harness.user.open_home(COLLEAGUE)
    text = text_of(home_of(slack, COLLEAGUE))
    assert "exitgesprek-bot" in text and "ULEAVER01" not in text


def test_hr_exports_every_interview_from_the_home_and_others_cannot(harness, slack):
    import csv
    import io

    from openpyxl import load_workbook

    from tests.steps import answer_everything

    answer_everything(harness, LEAVER, improvements="Meer overleg.")
    harness.user.open_home(HR)

    class Home:
        channel, ts, text, blocks = "", "home", "", home_of(slack, HR)["blocks"]

    harness.user.click(COLLEAGUE, Home, "home:export_all")
    assert not [f for f in slack.workspace.files if f["content"]]
    assert "alleen HR" in slack.dms_to(COLLEAGUE)[-1].text

    harness.user.click(HR, Home, "home:export_all")
    files = {f["filename"]: f["content"] for f in slack.workspace.files if f["content"]}
    rows = list(csv.DictReader(io.StringIO(files["exit-interviews.csv"].decode("utf-8"))))
    assert len(rows) == 1 and rows[0]["improvements"] == "Meer overleg."
    sheet = load_workbook(io.BytesIO(files["exit-interviews.xlsx"])).active
    header = [cell.value for cell in sheet[1]]
    assert "improvements" in header and sheet.max_row == 2
