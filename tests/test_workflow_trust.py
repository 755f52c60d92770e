"""Workflow Builder's step run by nobody (issue 15): an HRIS webhook or a schedule starts the workflow.

No person ran it, so it registers nobody by itself: HR gets a card, and the Slack step stays in
progress until HR registers, refuses or trusts the workflow for good. Everything goes through the
real Bolt app over HTTP (function_executed, then HR's clicks) against the fake Slack API.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.emulator.client import SlackUserAgent
from storage.models import AuditEntry, Departure, TrustedWorkflow, WorkflowRun
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER

STEP = "start_exit_interview"
HRIS = "Wf0HRISOFFB"  # the offboarding workflow an HRIS starts through its webhook


def departures(harness) -> list[Departure]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(Departure).order_by(Departure.id)))


def webhook_run(harness, *, workflow_id: str | None = HRIS, **inputs) -> str:
    """The HRIS calls the workflow's webhook: the step runs with the inputs it sent, and nobody's user context."""
    reply, execution_id = harness.user.run_step(STEP, inputs, workflow_id=workflow_id)
    assert reply.status == 200, reply
    return execution_id


def cards_to(slack, user_id: str):
    return [m for m in slack.dms_to(user_id) if any(b.get("block_id", "").startswith("workflow-run-")
                                                     for b in m.blocks)]


def card_text(slack, message) -> str:
    return str(slack.message(message.channel, message.ts).blocks)


def audit_actions(harness) -> list[tuple[str, str, str | None]]:
    with harness.services.db.session() as session:
        return [(e.actor, e.action, e.subject) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
                if e.action.startswith("workflow_")]


def test_a_webhook_run_waits_for_hr_and_registers_when_hr_clicks_register(harness, slack):
    last_day = harness.in_working_days(30)
    execution_id = webhook_run(harness, leaver=LEAVER_EN, last_working_day=last_day.isoformat(), manager=MANAGER)

    # Nothing registered, the step is still in progress, and every HR member has the card in their language.
    assert departures(harness) == []
    assert slack.function_results_for(execution_id) == []
    [anna_card], [bert_card] = cards_to(slack, HR), cards_to(slack, HR_2)
    assert "Een workflow wil een vertrekker registreren" in str(anna_card.blocks)
    assert "A workflow wants to register a leaver" in str(bert_card.blocks)
    assert f"<@{LEAVER_EN}>" in str(anna_card.blocks) and f"<@{MANAGER}>" in str(anna_card.blocks)
    assert HRIS in str(anna_card.blocks) and harness.services.settings.default_language == "nl"
    assert "Deze workflow altijd vertrouwen" in str(anna_card.blocks)

    reply = harness.user.click(HR_2, bert_card, "workflow:register")
    assert reply.status == 200

    [departure] = departures(harness)
    assert (departure.employee_id, departure.last_day, departure.manager_id) == (LEAVER_EN, last_day, MANAGER)
    assert (departure.registered_by, departure.interviewer_id) == (HR_2, HR_2)
    [result] = slack.function_results_for(execution_id)
    assert result["outputs"]["status"] == "registered"
    assert result["outputs"]["invitation_time"] == int(departure.invite_at.timestamp())
    assert result["outputs"]["confirmation"].startswith("Registered <@")  # in Bert's language
    # Both copies of the card show the decision, without buttons.
    for card in (anna_card, bert_card):
        shown = slack.message(card.channel, card.ts)
        assert "workflow:register" not in str(shown.blocks)
        assert f"<@{HR_2}>" in str(shown.blocks)
    assert audit_actions(harness) == [(HR_2, "workflow_registered", LEAVER_EN)]

    # Anna clicks her (stale) copy afterwards: already decided, nothing twice.
    harness.user.click(HR, anna_card, "workflow:register")
    assert "heeft al over deze run" in harness.last_response()["text"]
    assert len(departures(harness)) == 1 and len(slack.function_results_for(execution_id)) == 1


def test_hr_refuses_and_the_step_ends_with_an_error(harness, slack):
    execution_id = webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    [card] = cards_to(slack, HR)
    harness.user.click(HR, card, "workflow:refuse")

    [result] = slack.function_results_for(execution_id)
    assert "HR heeft deze registratie geweigerd" in result["error"]
    assert departures(harness) == []
    assert "geweigerd" in card_text(slack, card)
    assert audit_actions(harness) == [(HR, "workflow_refused", LEAVER)]


def test_the_registration_checks_still_apply_when_hr_clicks_register(harness, slack):
    slack.add_user("UBOTUSER1", "deploybot", is_bot=True)
    execution_id = webhook_run(harness, leaver="UBOTUSER1", last_working_day=harness.in_working_days(20).isoformat())
    [card] = cards_to(slack, HR)
    harness.user.click(HR, card, "workflow:register")

    [result] = slack.function_results_for(execution_id)
    assert "Er is niets geregistreerd" in result["error"] and "is een bot" in result["error"]
    assert departures(harness) == []
    assert "is een bot" in card_text(slack, card)


def test_inputs_a_workflow_got_wrong_are_its_error_at_once(harness, slack):
    execution_id = webhook_run(harness, leaver=LEAVER, last_working_day="31-02-2027")
    [result] = slack.function_results_for(execution_id)
    assert "geen datum" in result["error"]
    assert cards_to(slack, HR) == []


def test_always_trust_registers_and_the_workflows_next_runs_register_directly(harness, slack):
    first = webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    [card] = cards_to(slack, HR)
    harness.user.click(HR, card, "workflow:trust")
    assert slack.function_results_for(first)[0]["outputs"]["status"] == "registered"

    # The next run of the same workflow: registered at once, in Anna's name; no card.
    second = webhook_run(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(25).isoformat())
    [result] = slack.function_results_for(second)
    assert result["outputs"]["status"] == "registered"
    assert "is geregistreerd" in result["outputs"]["confirmation"]  # in Anna's language
    assert [(d.employee_id, d.registered_by) for d in departures(harness)] == [(LEAVER, HR), (LEAVER_EN, HR)]
    assert len(cards_to(slack, HR)) == 1
    # The same refusals as ever: a second registration of the same leaver is refused.
    again = webhook_run(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(26).isoformat())
    assert "al een lopende registratie" in slack.function_results_for(again)[0]["error"]

    # Another workflow is not trusted because this one is; nor is a run whose workflow Slack did not name.
    other = webhook_run(harness, workflow_id="Wf0OTHERWF1", leaver=MANAGER,
                        last_working_day=harness.in_working_days(20).isoformat())
    unnamed = webhook_run(harness, workflow_id=None, leaver=COLLEAGUE,
                          last_working_day=harness.in_working_days(20).isoformat())
    assert slack.function_results_for(other) == [] and slack.function_results_for(unnamed) == []
    unnamed_card = cards_to(slack, HR)[-1]
    assert "workflow:trust" not in str(unnamed_card.blocks) and "niet voor later vertrouwd" in str(unnamed_card.blocks)

    # Someone outside HR running the trusted workflow is refused as ever.
    _reply, by_colleague = harness.user.run_step(
        STEP, {"leaver": MANAGER, "last_working_day": harness.in_working_days(20).isoformat(),
               "registered_by": SlackUserAgent.user_context(COLLEAGUE)}, workflow_id=HRIS)
    assert "alleen HR" in slack.function_results_for(by_colleague)[0]["error"]

    assert [a[1] for a in audit_actions(harness)] == ["workflow_trusted", "workflow_registered",
                                                      "workflow_auto_registered"]


def test_hr_lists_the_trusted_workflows_and_stops_trusting_one(harness, slack):
    harness.user.slash(HR, "workflows")
    assert "Er wordt geen workflow vertrouwd" in str(harness.last_response())

    webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    harness.user.click(HR, cards_to(slack, HR)[0], "workflow:trust")
    webhook_run(harness, workflow_id="Wf0OTHERWF1", leaver=LEAVER_EN,
                last_working_day=harness.in_working_days(20).isoformat())

    harness.user.slash(HR_2, "workflows")
    listing = harness.last_response()
    assert "1 trusted workflow" in listing["text"]
    assert HRIS in str(listing["blocks"]) and f"<@{HR}>" in str(listing["blocks"])
    assert "1 workflow run waits" in str(listing["blocks"])
    from bot.emulator.api import Message

    shown = Message("DHRBERT02", "1.0", listing["text"], listing["blocks"])
    # Outside HR nobody can stop trusting it.
    harness.user.click(COLLEAGUE, shown, "workflow:untrust")
    with harness.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TrustedWorkflow)) == 1
    harness.user.click(HR_2, shown, "workflow:untrust")
    assert "no longer trusted" in harness.last_response()["text"]
    with harness.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TrustedWorkflow)) == 0

    # Its next run waits for HR again.
    execution_id = webhook_run(harness, leaver=MANAGER, last_working_day=harness.in_working_days(20).isoformat())
    assert slack.function_results_for(execution_id) == []
    assert [a[1] for a in audit_actions(harness)][-1] == "workflow_untrusted"

    harness.user.slash(HR, "help")
    assert "/exit-interview workflows" in str(harness.last_response())
    harness.user.slash(HR, "audit")
    audit = str(harness.last_response())
    assert f"vertrouwt de workflow `{HRIS}` om vertrekkers" in audit
    assert f"vertrouwt de workflow `{HRIS}` niet meer" in audit


def test_a_trust_lasts_while_who_gave_it_is_in_hr(settings, slack):
    from tests.conftest import Harness

    harness = Harness(settings, slack).start()
    try:
        webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
        harness.user.click(HR_2, cards_to(slack, HR_2)[0], "workflow:trust")
        harness.restart(hr_user_ids=frozenset({HR}))  # Bert left HR
        execution_id = webhook_run(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(20).isoformat())
        assert slack.function_results_for(execution_id) == []
        assert len(cards_to(slack, HR)) == 2
    finally:
        harness.stop()


def test_nobody_outside_hr_decides_on_a_card(harness, slack):
    execution_id = webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    card = cards_to(slack, HR)[0]
    harness.user.click(COLLEAGUE, card, "workflow:register")
    assert "alleen HR" in harness.last_response()["text"]
    harness.user.click(COLLEAGUE, card, "workflow:register", value="999999")
    assert departures(harness) == [] and slack.function_results_for(execution_id) == []


def test_a_run_nobody_decides_on_expires_with_an_error(harness, slack):
    execution_id = webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(30).isoformat())
    [card] = cards_to(slack, HR)
    assert "zonder registratie" in str(card.blocks)  # the card says until when

    harness.clock.advance(timedelta(days=6))
    harness.bot.scheduler.run_sweep_now()
    with harness.services.db.session() as session:
        assert session.scalars(select(WorkflowRun.status)).one() == "pending"

    harness.clock.advance(timedelta(days=1, minutes=1))
    harness.bot.scheduler.run_sweep_now()
    [result] = slack.wait_for(lambda: slack.function_results_for(execution_id), 10, "the step to end")
    assert "binnen 7 dagen" in result["error"]
    slack.wait_for(lambda: "Niemand heeft op tijd beslist" in card_text(slack, card), 10, "the card to say so")
    assert departures(harness) == []
    harness.user.click(HR, card, "workflow:register")
    assert "verlopen" in harness.last_response()["text"]
    assert audit_actions(harness) == [("scheduler", "workflow_expired", LEAVER)]


def test_a_completion_slack_did_not_take_is_sent_again(harness, slack):
    execution_id = webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    slack.fail("functions.completeSuccess", "internal_error", status=500, times=4)
    harness.user.click(HR, cards_to(slack, HR)[0], "workflow:register")
    assert len(departures(harness)) == 1
    harness.bot.scheduler.run_sweep_now()
    [result] = slack.wait_for(lambda: slack.function_results_for(execution_id), 10, "the step to end")
    assert result["outputs"]["status"] == "registered"


def test_erasing_a_person_removes_their_waiting_runs(harness, slack):
    from bot.operations import privacy

    webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    webhook_run(harness, workflow_id="Wf0OTHERWF1", leaver=LEAVER_EN,
                last_working_day=harness.in_working_days(20).isoformat(), manager=LEAVER)
    outcome = privacy.erase(harness.services, LEAVER, HR)
    assert outcome.counts["workflow_runs"] == 1
    with harness.services.db.session() as session:
        runs = list(session.scalars(select(WorkflowRun)))
    assert [(r.employee_id, r.manager_id) for r in runs] == [(LEAVER_EN, None)]
    harness.user.click(HR, cards_to(slack, HR)[0], "workflow:register")
    assert "ken deze run" in harness.last_response()["text"]


def test_two_installations_trust_their_own_workflows(settings, slack):
    """OAuth: each organisation's HR gets its own cards and keeps its own trusted workflows."""
    from tests.test_installations import (
        ACME_HR,
        ACME_LEAVER,
        GLOBEX,
        GLOBEX_HR,
        GLOBEX_LEAVER,
        _drop_tenant_schemas,
        install,
        oauth_setup,
        tenant,
    )

    harness = oauth_setup(settings, slack)
    try:
        install(harness, ACME_HR, team_id="T0ACME001")
        install(harness, GLOBEX_HR, enterprise_id=GLOBEX)
        acme, globex = tenant(harness, "T0ACME001"), tenant(harness, GLOBEX)
        far = acme.calendar.working_days_after(acme.today(), 30).isoformat()

        # The same HRIS workflow id in both organisations (ids are per organisation, nothing shared).
        reply, first = harness.user.run_step(STEP, {"leaver": ACME_LEAVER, "last_working_day": far},
                                             workflow_id=HRIS, from_user=ACME_HR)
        assert reply.status == 200
        [card] = cards_to(slack, ACME_HR)
        assert cards_to(slack, GLOBEX_HR) == []
        harness.user.click(ACME_HR, card, "workflow:trust")
        assert slack.function_results_for(first)[0]["outputs"]["status"] == "registered"

        _, second = harness.user.run_step(STEP, {"leaver": GLOBEX_LEAVER, "last_working_day": far},
                                          workflow_id=HRIS, from_user=GLOBEX_HR)
        assert slack.function_results_for(second) == []  # Acme's trust is not Globex's
        [globex_card] = cards_to(slack, GLOBEX_HR)
        # HR of one organisation decides nothing in the other.
        harness.user.click(ACME_HR, globex_card, "workflow:register")
        assert slack.function_results_for(second) == []
        harness.user.click(GLOBEX_HR, globex_card, "workflow:register")
        assert slack.function_results_for(second)[0]["outputs"]["status"] == "registered"

        for services, leaver in ((acme, ACME_LEAVER), (globex, GLOBEX_LEAVER)):
            with services.db.session() as session:
                assert [d.employee_id for d in session.scalars(select(Departure))] == [leaver]
        with acme.db.session() as session:
            assert session.scalar(select(func.count()).select_from(TrustedWorkflow)) == 1
        with globex.db.session() as session:
            assert session.scalar(select(func.count()).select_from(TrustedWorkflow)) == 0
    finally:
        harness.stop()
        _drop_tenant_schemas(settings.database_url)


def test_a_card_slack_did_not_take_is_posted_by_the_sweep(harness, slack):
    slack.fail("chat.postMessage", "internal_error", status=500, times=20)
    execution_id = webhook_run(harness, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    assert cards_to(slack, HR) == [] and slack.function_results_for(execution_id) == []
    slack.faults.clear()
    harness.clock.advance(timedelta(minutes=3))
    harness.bot.scheduler.run_sweep_now()
    [card] = slack.wait_for(lambda: cards_to(slack, HR), 10, "the card")
    harness.bot.scheduler.run_sweep_now()
    harness.user.click(HR, card, "workflow:register")
    assert slack.function_results_for(execution_id)[0]["outputs"]["status"] == "registered"
    assert len(cards_to(slack, HR)) == 1


def test_a_decision_a_dead_process_acknowledged_is_finished_once_by_the_replay(harness, slack):
    """HR clicked Register, the click was stored and acknowledged, the process claimed the run and
    died (once before its registration was stored, once after). The inbox replays the click: the run
    is registered exactly once and the step ends; a real second click is still refused."""
    from bot.incoming import mark_replay
    from bot.operations import workflow_step
    from flows.workflow_step import Decision
    from storage import workflow_trust as store

    for registered_before_the_crash in (False, True):
        leaver = LEAVER_EN if registered_before_the_crash else LEAVER
        last_day = harness.in_working_days(25)
        execution_id = webhook_run(harness, leaver=leaver, last_working_day=last_day.isoformat(),
                                   manager=MANAGER)
        [card] = [c for c in cards_to(slack, HR) if f"<@{leaver}>" in str(c.blocks)]
        run_id = _the_run_of(harness, execution_id).id
        with harness.services.db.session() as session:  # what the dead process did
            assert store.claim(session, run_id, HR, harness.services.clock.now())
        if registered_before_the_crash:
            harness.register(leaver, last_day, manager=MANAGER)
        before = len(departures(harness))

        harness.user.click(HR, card, "workflow:register")  # a second click, not the replay
        assert "heeft al over deze run" in harness.last_response()["text"]
        assert slack.function_results_for(execution_id) == []

        mark_replay(True)
        try:
            assert workflow_step.decide(harness.services, run_id, HR, Decision.REGISTER) is None
        finally:
            mark_replay(False)
        registered = [d for d in departures(harness) if d.employee_id == leaver]
        assert len(registered) == 1 and len(departures(harness)) == before + (0 if registered_before_the_crash else 1)
        [result] = slack.function_results_for(execution_id)
        assert result["outputs"]["status"] == "registered"
        assert result["outputs"]["invitation_time"] == int(registered[0].invite_at.timestamp())
        assert _the_run_of(harness, execution_id).status == "registered"


def _the_run_of(harness, execution_id: str) -> WorkflowRun:
    with harness.services.db.session() as session:
        return session.scalars(select(WorkflowRun).where(WorkflowRun.execution_id == execution_id)).one()
