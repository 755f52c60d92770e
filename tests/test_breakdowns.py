"""HR sees the figures per manager, department, tenure band and main reason (report and App Home),
one manager against the rest of the company, and where leavers go; a group only from k interviews,
with the small ones merged so none can be worked out from the rest. Counted in SQL from the
numbers store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

from bot.emulator.api import Message
from bot.operations import numbers as numbers_ops
from flows import highlights
from flows.questionnaire import STATE_FORMAT
from flows.template import default_template
from storage import breakdowns as store
from storage import repositories as repo
from storage.models import Departure, Interview, Review
from tests.conftest import COLLEAGUE, HR, MANAGER

TEMPLATE = default_template()
MANAGER_2 = "UMANAGE02"
_ids = count(1)


def leaver(harness, *, manager=MANAGER, department=None, started_on=None, manager_support=3, relations=3,
           reasons=("pay",), main=None, recommend=7, consent=True, decision="approved", offer_text=None,
           days_ago=20, highlight_offer=True, destination=None, attractions=()) -> int:
    """One leaver whose interview was submitted `days_ago`, stored as the bot stores it (encrypted
    answers, the numbers store written in the same transaction)."""
    number = next(_ids)
    now = datetime.now(UTC)
    submitted = now - timedelta(days=days_ago)
    last_day = submitted.date()
    answers = {
        "working_conditions": {"value": 3}, "work_content": {"value": 3}, "working_relations": {"value": relations},
        "employment_terms": {"value": 3}, "manager_support": {"value": manager_support},
        "reasons": {"values": list(reasons)}, "recommend": {"value": recommend}, "come_back": {"value": "maybe"},
        "consent": {"value": consent},
    }
    if main:
        answers["reason_main"] = {"value": main}
    if offer_text:
        answers["competitor_offer"] = {"value": offer_text}
    if destination:
        answers["destination_type"] = {"value": destination}
    if attractions:
        answers["attractions"] = {"values": list(attractions), "other": None}
    with harness.services.db.session() as session:
        departure = Departure(
            employee_id=f"UGONE{number:04d}", manager_id=manager, interviewer_id=HR, registered_by=HR,
            last_day=last_day, language="nl", offer="both", employee_tz="Europe/Amsterdam", stage="submitted",
            invite_at=submitted - timedelta(days=3), created_at=submitted - timedelta(days=9), closed_at=submitted,
            department=department, started_on=started_on,
        )
        session.add(departure)
        session.flush()
        interview = Interview(
            departure_id=departure.id, mode="self", template_key=TEMPLATE.id, template_version=TEMPLATE.version,
            state={"format": STATE_FORMAT, "template": {"id": TEMPLATE.id, "version": TEMPLATE.version},
                   "phase": "submitted", "position": len(TEMPLATE.questions), "editing": False, "answers": answers},
            status="submitted", started_at=submitted - timedelta(hours=1), updated_at=submitted,
            submitted_at=submitted, expires_at=submitted + timedelta(days=14),
        )
        session.add(interview)
        session.flush()
        quotes = highlights.shared_quotes(TEMPLATE, answers) if highlight_offer else []
        session.add(Review(interview_id=interview.id, highlights=highlights.draft(quotes), decision=decision,
                           decided_by=HR if decision else None, decided_at=now if decision else None,
                           created_at=submitted, cards=[["CHRCARDS", "1.000001"]]))  # HR has its card
        session.flush()
        assert numbers_ops.record(session, harness.services.db, interview, TEMPLATE)
        return interview.id


def report(harness, text="report") -> list[dict]:
    before = len(harness.slack.workspace.responses)
    reply = harness.user.slash(HR, text)
    assert reply.status == 200
    return harness.slack.workspace.responses[before:]


def breakdown_text(responses) -> str:
    part = next(r for r in responses if "Uitsplitsing" in r["text"])
    return "\n".join(b["text"]["text"] for b in part["blocks"] if b.get("text") and b["type"] != "header") + \
        "\n".join(e.get("text", "") for b in part["blocks"] if b["type"] == "context" for e in b["elements"])


def section_of(text: str, title: str) -> str:
    """The lines under a bold title, up to the next title."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"*{title}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("*Per ")
                or lines[i].startswith("*Waar")), len(lines))
    return "\n".join(lines[start:end])


def test_the_report_breaks_figures_down_and_merges_small_groups_so_none_can_be_recovered(harness, slack):
    for support in (2, 2, 1, 2):
        leaver(harness, manager=MANAGER, department="Support", manager_support=support,
               started_on=date.today() - timedelta(days=200))
    for support in (4, 5, 4):
        leaver(harness, manager=MANAGER_2, department="Sales", manager_support=support, started_on=date(2015, 1, 1))
    leaver(harness, manager=COLLEAGUE, department="Legal", manager_support=5, started_on=date(2022, 1, 1))
    leaver(harness, manager=COLLEAGUE, department="Legal", manager_support=5, started_on=date(2022, 1, 1))

    text = breakdown_text(report(harness))

    managers = section_of(text, "Per leidinggevende")
    assert f"<@{MANAGER}>* · 4 gesprekken · Steun van de leidinggevende 1,8" in managers
    # COLLEAGUE's two leavers are below k=3: merged with the smallest shown group (MANAGER_2's 3),
    # so total (9) minus the shown cells never gives the two away.
    assert f"<@{COLLEAGUE}>" not in managers and f"<@{MANAGER_2}>" not in managers
    assert "overige (2 groepen samen)* · 5 gesprekken" in managers
    departments = section_of(text, "Per afdeling")
    assert "*Support* · 4 gesprekken" in departments and "Legal" not in departments
    assert "overige (2 groepen samen)* · 5 gesprekken" in departments
    tenure = section_of(text, "Per diensttijd")
    assert "*0–1 jaar* · 4 gesprekken" in tenure  # started 200 days ago, left three weeks ago
    assert "*5+ jaar* · 3 gesprekken" not in tenure  # Sales (3) had to join "other" with 2–5 (2)
    assert "overige (2 groepen samen)* · 5 gesprekken" in tenure
    assert "vanaf 3 gesprekken" in text


def test_nothing_is_broken_down_below_k_interviews_in_the_period(harness, slack):
    leaver(harness, department="Support")
    leaver(harness, department="Support")
    leaver(harness, department="Support", days_ago=500)  # outside the last twelve months

    text = breakdown_text(report(harness))
    assert "Niet getoond: minder dan 3 gesprekken" in section_of(text, "Per afdeling")
    assert "Support" not in text


def test_the_threshold_follows_digest_min_interviews(harness, slack):
    harness.restart(digest_min_interviews=5)
    for _ in range(4):
        leaver(harness, department="Support")
    text = breakdown_text(report(harness))
    assert "Niet getoond: minder dan 5 gesprekken" in section_of(text, "Per afdeling")


def test_per_main_reason_and_the_report_period(harness, slack):
    for _ in range(3):
        leaver(harness, reasons=("pay", "career"), main="pay", days_ago=40)
    for _ in range(3):
        leaver(harness, reasons=("workload",), days_ago=40)  # a single pick is the main reason
    text = breakdown_text(report(harness))
    reasons = section_of(text, "Per zwaarstwegende reden")
    assert "*Salaris* · 3 gesprekken" in reasons
    assert reasons.count("3 gesprekken") == 2
    since = (date.today() - timedelta(days=10)).isoformat()
    later = breakdown_text(report(harness, f"report {since}"))
    assert "Niet getoond: minder dan 3 gesprekken" in section_of(later, "Per zwaarstwegende reden")


def test_hr_compares_one_manager_with_the_rest_of_the_company_with_intervals(harness, slack):
    for support, relations in ((1, 2), (2, 2), (2, 3)):
        leaver(harness, manager=MANAGER, manager_support=support, relations=relations, reasons=("leadership",))
    for _ in range(4):
        leaver(harness, manager=MANAGER_2, manager_support=4, relations=4, reasons=("pay",))

    harness.user.slash(HR, f"manager <@{MANAGER}|mara>")
    reply = harness.last_response()
    assert reply["response_type"] == "ephemeral"
    text = "\n".join(b["text"]["text"] for b in reply["blocks"] if b.get("text") and b["type"] == "section")
    assert f"<@{MANAGER}>" in text
    assert "Gesprekken: 3 bij deze leidinggevende, 4 in de rest van het bedrijf" in text
    assert "*Steun van de leidinggevende:* 1,7 (" in text and ", n=3) tegen 4,0 (" in text  # with its interval
    assert "*Werkrelaties:* 2,3 (" in text
    assert "100%" in text  # every one of these leavers named leadership; the rest: –
    # Nothing went to the manager.
    assert slack.dms_to(MANAGER) == []


def test_hr_may_share_the_manager_view_with_that_manager_and_it_is_logged(harness, slack):
    for _ in range(3):
        leaver(harness, manager=MANAGER, manager_support=2)
    for _ in range(3):
        leaver(harness, manager=MANAGER_2, manager_support=4)
    harness.user.slash(HR, f"manager <@{MANAGER}>")
    view = harness.last_response()
    message = Message(channel=slack.dm_channel(HR), ts="1.000001", text=view["text"], blocks=view["blocks"])
    assert slack.dms_to(MANAGER) == []

    assert harness.user.click(HR, message, "breakdown:share_manager").status == 200
    [shared] = slack.wait_for(lambda: slack.dms_to(MANAGER), what="the manager's copy")
    text = str(shared.blocks)
    assert "Gesprekken: 3 bij deze leidinggevende, 3 in de rest van het bedrijf" in text
    assert f"met je gedeeld door <@{HR}>" in text and "breakdown:share_manager" not in text
    with harness.services.db.session() as session:
        [entry] = repo.audit_entries(session, subject=MANAGER, action="manager_view_shared")
        assert entry.actor == HR
    # Someone outside HR clicking a copy of the button shares nothing.
    assert harness.user.click(COLLEAGUE, message, "breakdown:share_manager").status == 200
    assert len(slack.dms_to(MANAGER)) == 1


def test_the_manager_view_is_withheld_when_the_rest_would_give_a_small_group_away(harness, slack):
    for _ in range(3):
        leaver(harness, manager=MANAGER)
    leaver(harness, manager=MANAGER_2)
    leaver(harness, manager=MANAGER_2)
    harness.user.slash(HR, f"manager <@{MANAGER}>")
    text = str(harness.last_response()["blocks"])
    assert "minder dan 3 gesprekken" in text and "Gesprekken:" not in text


def test_people_outside_hr_get_no_breakdown_not_even_a_manager_about_themselves(harness, slack):
    for _ in range(3):
        leaver(harness, manager=MANAGER)
    for _ in range(3):
        leaver(harness, manager=MANAGER_2)
    harness.user.slash(MANAGER, f"manager <@{MANAGER}>")
    assert "alleen" in harness.last_response()["text"].lower()
    assert "Gesprekken" not in str(harness.last_response())


def test_where_they_go_shows_only_quotes_hr_approved_with_consent(harness, slack):
    leaver(harness, offer_text="Een auto van de zaak en meer thuiswerken.")
    leaver(harness, offer_text="Betere doorgroeimogelijkheden in een groter team.")
    leaver(harness, offer_text="Dit mag niet gedeeld worden.", consent=False)
    leaver(harness, offer_text="HR hield dit privé.", decision="private")
    leaver(harness, offer_text="HR haalde dit uit de highlights.", highlight_offer=False)
    text = breakdown_text(report(harness))
    where = text[text.index("*Waar vertrekkers"):]
    assert "Een auto van de zaak en meer thuiswerken." in where
    assert "Betere doorgroeimogelijkheden" in where
    for hidden in ("Dit mag niet", "HR hield", "HR haalde"):
        assert hidden not in where


def test_where_they_go_counts_the_destination_types_and_attractions_of_the_standard_template(harness, slack):
    assert TEMPLATE.version == 3
    for _ in range(3):
        leaver(harness, destination="competitor", attractions=("career", "technology"))
    for _ in range(3):
        leaver(harness, destination="own_business", attractions=("flexibility", "technology"))
    leaver(harness)  # skipped both: counts nowhere
    text = breakdown_text(report(harness))
    where = text[text.index("*Waar vertrekkers"):]
    assert "Waar ga je naartoe?" in where and "Een bedrijf in onze branche" in where
    assert "Wat trekt je daar vooral aan?" in where and "De technologie waarmee ik werk" in where
    with harness.services.db.session() as session:
        from sqlalchemy import func, select

        from storage.models import AnswerNumber
        rows = dict(session.execute(
            select(AnswerNumber.code, func.count()).where(AnswerNumber.question_id ==
                                                                   "destination_type",
                                                                   AnswerNumber.code.is_not(None))
            .group_by(AnswerNumber.code)).all())
    assert rows == {"competitor": 3, "own_business": 3}


def test_hr_home_shows_the_breakdown_of_the_last_twelve_months(harness, slack):
    for _ in range(3):
        leaver(harness, department="Support", started_on=date(2020, 1, 1))
    for _ in range(3):
        leaver(harness, department="Sales", started_on=date(2020, 1, 1))
    harness.user.open_home(HR)
    home = slack.wait_for(lambda: slack.workspace.home_views.get(HR), what="HR's Home")
    text = str(home["blocks"])
    assert "Uitsplitsing, afgelopen twaalf maanden" in text
    assert "*Sales* · 3 gesprekken" in text and "*Support* · 3 gesprekken" in text
    assert "*5+ jaar* · 6 gesprekken" in text
    assert len(home["blocks"]) <= 100


def test_the_report_sends_hr_the_breakdown_chart_beside_the_text(harness, slack):
    for _ in range(3):
        leaver(harness, department="Support", reasons=("pay",))
    report(harness)
    [chart] = [f for f in slack.workspace.files if f["filename"] == "exit-interview-breakdowns.png"]
    assert chart["content"].startswith(b"\x89PNG") and chart["title"] == "Uitsplitsing exitgesprekken"
    assert chart["channel"] == slack.dm_channel(HR)  # HR's own DM, nowhere else


def test_the_sums_per_group_come_from_sql_on_both_databases(harness):
    leaver(harness, department="Support", manager_support=2, recommend=9, started_on=date(2024, 1, 1))
    leaver(harness, department="Support", manager_support=4, recommend=3, started_on=date(2019, 1, 1))
    leaver(harness, department=None, manager_support=5, recommend=8)
    now = datetime.now(UTC)
    period = store.Period(now - timedelta(days=365), now)
    with harness.services.db.session() as session:
        per_department = store.group_sums(session, store.DEPARTMENT, period, choice_questions=["reasons"])
        per_tenure = store.group_sums(session, store.TENURE, period, tenure_bands=[(1, "0-1"), (2, "1-2"), (5, "2-5")],
                                      last_band="5+")
    support = per_department["Support"]
    assert (support.count, support.promoters, support.passives, support.detractors) == (2, 1, 0, 1)
    assert support.ratings["manager"] == (2, 6.0, 20.0)
    assert support.choices["reasons"] == {"pay": 2} and support.answered["reasons"] == 2
    assert per_department[None].count == 1
    # Left about three weeks ago: nearly three years after 2024-01-01, nearly eight after 2019-01-01.
    assert {key: value.count for key, value in per_tenure.items()} == {"2-5": 1, "5+": 1, None: 1}
