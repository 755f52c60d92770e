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
