"""Workflow Builder's step run by nobody (issue 15): an HRIS webhook or a schedule starts the workflow.

No person ran it, so it registers nobody by itself: HR gets a card, and the Slack step stays in
progress until HR registers or refuses. A workflow that passes an approval code HR created
(`/exit-interview workflows new NAME`) registers directly. Everything goes through the
real Bolt app over HTTP (function_executed, then HR's clicks) against the fake Slack API.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.emulator.client import SlackUserAgent
from storage.models import AuditEntry, Departure, TrustedWorkflow, WorkflowRun
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, MANAGER

STEP = "start_exit_interview"


def departures(harness) -> list[Departure]:
    with harness.services.db.session() as session:
        return list(session.scalars(select(Departure).order_by(Departure.id)))


def webhook_run(harness, *, code: str | None = None, **inputs) -> str:
    """The HRIS calls the workflow's webhook: the step runs with the inputs it sent (and the approval
    code the workflow passes, if any), and nobody's user context."""
    if code is not None:
        inputs["approval_code"] = code
    reply, execution_id = harness.user.run_step(STEP, inputs)
    assert reply.status == 200, reply
    return execution_id


def new_code(harness, slack, user_id: str, name: str) -> str:
    """`/exit-interview workflows new NAME`: the code as the HR member sees it, once."""
    reply = harness.user.slash(user_id, f"workflows new {name}")
    assert reply.status == 200, reply
    shown = slack.workspace.responses[-1]
    [code] = re.findall(r"`([A-Za-z0-9_-]{24})`", shown["text"])
    return code


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
    assert "goedkeuringscode" in str(anna_card.blocks) and "workflow:trust" not in str(anna_card.blocks)
    assert harness.services.settings.default_language == "nl"

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


def test_an_approval_code_is_shown_once_and_lets_a_webhook_run_register_directly(harness, slack):
    code = new_code(harness, slack, HR, "HRIS offboarding")
    shown = slack.workspace.responses[-1]
    assert shown["response_type"] == "ephemeral" and "Approval code" in shown["text"]

    first = webhook_run(harness, code=code, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
    [result] = slack.function_results_for(first)
    assert result["outputs"]["status"] == "registered"
    assert "is geregistreerd" in result["outputs"]["confirmation"]  # in Anna's language
    assert [(d.employee_id, d.registered_by) for d in departures(harness)] == [(LEAVER, HR)]
    assert cards_to(slack, HR) == []
    # The same refusals as ever: a second registration of the same leaver is refused.
    again = webhook_run(harness, code=f"  {code} ", leaver=LEAVER,
                        last_working_day=harness.in_working_days(26).isoformat())
    assert "al een lopende registratie" in slack.function_results_for(again)[0]["error"]

    # Someone outside HR running the workflow is refused as ever, code or not.
    _reply, by_colleague = harness.user.run_step(
        STEP, {"leaver": MANAGER, "last_working_day": harness.in_working_days(20).isoformat(),
               "registered_by": SlackUserAgent.user_context(COLLEAGUE), "approval_code": code})
    assert "alleen HR" in slack.function_results_for(by_colleague)[0]["error"]

    assert [a[1] for a in audit_actions(harness)] == ["workflow_trusted", "workflow_auto_registered"]
    # The code is nowhere in clear: not in the database, not in the audit log.
    with harness.services.db.session() as session:
        [trusted] = session.scalars(select(TrustedWorkflow)).all()
        entries = list(session.scalars(select(AuditEntry)))
        runs = list(session.scalars(select(WorkflowRun)))
    assert (trusted.name, trusted.trusted_by) == ("HRIS offboarding", HR)
    assert code not in str([(trusted.code_hash, trusted.name)]) and len(trusted.code_hash) == 64
    assert code not in str([(e.action, e.detail) for e in entries]) and code not in str(runs)
    harness.user.slash(HR, "audit")
    assert code not in str(harness.last_response())
    harness.user.slash(HR, "workflows")
    assert code not in str(harness.last_response()) and "HRIS offboarding" in str(harness.last_response())


def test_a_wrong_code_waits_for_hr_and_the_card_says_so(harness, slack):
    new_code(harness, slack, HR, "HRIS")
    execution_id = webhook_run(harness, code="not-the-code-at-all-000000", leaver=LEAVER,
                               last_working_day=harness.in_working_days(20).isoformat())
    assert slack.function_results_for(execution_id) == [] and departures(harness) == []
    [card] = cards_to(slack, HR)
    assert "niet herkend" in str(card.blocks)
    [english] = cards_to(slack, HR_2)
    assert "not recognised" in str(english.blocks)
    # A run without a code waits too, and its card does not speak of one.
    plain = webhook_run(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(20).isoformat())
    assert slack.function_results_for(plain) == []
    assert "niet herkend" not in str(cards_to(slack, HR)[-1].blocks)
    harness.user.click(HR, card, "workflow:register")
    assert slack.function_results_for(execution_id)[0]["outputs"]["status"] == "registered"


def test_only_hr_creates_codes_and_a_code_needs_a_name(harness, slack):
    harness.user.slash(COLLEAGUE, "workflows new HRIS")
    assert "alleen HR" in str(harness.last_response())
    harness.user.slash(HR, "workflows new")
    assert "Geef de goedkeuringscode een naam" in str(harness.last_response())
    with harness.services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TrustedWorkflow)) == 0


def test_hr_lists_the_codes_and_stops_trusting_one(harness, slack):
    harness.user.slash(HR, "workflows")
    assert "Er is geen goedkeuringscode" in str(harness.last_response())

    code = new_code(harness, slack, HR, "HRIS <offboarding>")
    webhook_run(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(20).isoformat())

    harness.user.slash(HR_2, "workflows")
    listing = harness.last_response()
    assert "1 approval code" in listing["text"]
    assert "HRIS &lt;offboarding&gt;" in str(listing["blocks"]) and f"<@{HR}>" in str(listing["blocks"])
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

    # A run with the revoked code waits for HR again, and its card says the code was not recognised.
    execution_id = webhook_run(harness, code=code, leaver=MANAGER,
                               last_working_day=harness.in_working_days(20).isoformat())
    assert slack.function_results_for(execution_id) == []
    assert "niet herkend" in str(cards_to(slack, HR)[-1].blocks)
    assert [a[1] for a in audit_actions(harness)][-1] == "workflow_untrusted"

    harness.user.slash(HR, "help")
    assert "/exit-interview workflows new" in str(harness.last_response())
    harness.user.slash(HR, "audit")
    audit = str(harness.last_response())
    assert "maakte de goedkeuringscode *HRIS &lt;offboarding&gt;*" in audit
    assert "vertrouwt de goedkeuringscode *HRIS &lt;offboarding&gt;* niet meer" in audit


def test_a_code_lasts_while_who_created_it_is_in_hr(settings, slack):
    from tests.conftest import Harness

    harness = Harness(settings, slack).start()
    try:
        code = new_code(harness, slack, HR_2, "HRIS")
        first = webhook_run(harness, code=code, leaver=LEAVER, last_working_day=harness.in_working_days(20).isoformat())
        assert slack.function_results_for(first)[0]["outputs"]["status"] == "registered"
        harness.restart(hr_user_ids=frozenset({HR}))  # Bert left HR
        execution_id = webhook_run(harness, code=code, leaver=LEAVER_EN,
                                   last_working_day=harness.in_working_days(20).isoformat())
        assert slack.function_results_for(execution_id) == []
        assert len(cards_to(slack, HR)) == 1
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
    webhook_run(harness, leaver=LEAVER_EN, last_working_day=harness.in_working_days(20).isoformat(), manager=LEAVER)
    outcome = privacy.erase(harness.services, LEAVER, HR)
    assert outcome.counts["workflow_runs"] == 1
    with harness.services.db.session() as session:
        runs = list(session.scalars(select(WorkflowRun)))
    assert [(r.employee_id, r.manager_id) for r in runs] == [(LEAVER_EN, None)]
    harness.user.click(HR, cards_to(slack, HR)[0], "workflow:register")
    assert "ken deze run" in harness.last_response()["text"]


def test_two_installations_trust_their_own_codes(settings, slack):
    """OAuth: each organisation's HR gets its own cards and keeps its own approval codes."""
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

        # Acme's HR creates a code; Acme's HRIS workflow registers with it.
        code = new_code(harness, slack, ACME_HR, "HRIS")
        reply, first = harness.user.run_step(STEP, {"leaver": ACME_LEAVER, "last_working_day": far,
                                                    "approval_code": code}, from_user=ACME_HR)
        assert reply.status == 200
        assert slack.function_results_for(first)[0]["outputs"]["status"] == "registered"
        assert cards_to(slack, ACME_HR) == [] and cards_to(slack, GLOBEX_HR) == []

        # The same code in Globex's workflow means nothing there: Globex's HR decides.
        _, second = harness.user.run_step(STEP, {"leaver": GLOBEX_LEAVER, "last_working_day": far,
                                                 "approval_code": code}, from_user=GLOBEX_HR)
        assert slack.function_results_for(second) == []  # Acme's code is not Globex's
        [globex_card] = cards_to(slack, GLOBEX_HR)
        assert "not recognised" in str(globex_card.blocks) or "niet herkend" in str(globex_card.blocks)
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
