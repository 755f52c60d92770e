"""Digests to the managers' channel: only approved, anonymised material, never too few to hide a
person, each interview once; and HR's report."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func, select

from storage.models import Departure, Review
from tests.conftest import COLLEAGUE, HR, LEAVER, LEAVER_EN, working_morning_offset
from tests.steps import answer_everything

MANAGERS = "CMANAGERS"
EXTRA = ["ULEAVER03", "ULEAVER04", "ULEAVER05"]


def setup_people(slack):
    slack.add_channel(MANAGERS, "managers")
    for number, user in enumerate(EXTRA, start=3):
        slack.add_user(user, f"leaver{number}", real_name=f"Piet Jansen{number}", locale="nl-NL")


def approve_all(harness, slack, decision="review:approve"):
    cards = [m for m in slack.dms_to(HR) if "beoordelen" in m.text]
    for card in cards:
        current = slack.message(card.channel, card.ts)
        if decision in str(current.blocks):
            harness.user.click(HR, current, decision)


def after_last_days(harness) -> None:
    """The working morning after the latest registered last working day: every leaver so far has left,
    and new leavers can be invited at once (within their working hours)."""
    with harness.services.db.session() as session:
        last = session.scalar(select(func.max(Departure.last_day)))
    morning = datetime.combine(harness.services.calendar.working_days_after(last, 1), time(11),
                               tzinfo=harness.settings.tz)
    if morning > harness.clock.now():
        harness.clock.advance(morning - harness.clock.now())


def digest_text(slack) -> str:
    return "\n".join(str(m.blocks) for m in slack.messages_in(MANAGERS))


def test_digest_waits_for_enough_interviews_then_publishes_each_once(harness, slack):
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    answer_everything(harness, LEAVER, improvements="Jan Bakker plande slecht, bel 06-12345678.", reasons=("pay",),
                      ratings=(2, 2, 3, 2, 2), recommend=3)
    answer_everything(harness, LEAVER_EN, improvements="More feedback from leadership please.",
                      reasons=("pay", "career"), ratings=(3, 2, 4, 3, 3), recommend=6)
    approve_all(harness, slack)
    after_last_days(harness)

    harness.user.slash(HR, "digest")
    reply = harness.last_response()["text"]
    assert "wacht" in reply and "2" in reply and "3" in reply
    assert slack.messages_in(MANAGERS) == []

    answer_everything(harness, EXTRA[0], improvements="Te veel overwerk in de laatste maanden.",
                      reasons=("pay", "workload"), ratings=(3, 1, 4, 3, 4), recommend=8)
    answer_everything(harness, EXTRA[1], improvements="Nooit gedeeld, dit blijft binnen HR.", consent=True)
    approve_all(harness, slack)
    after_last_days(harness)
    with harness.services.db.session() as session:
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
        assert [r.decision for r in reviews] == ["approved", "approved", "approved", "approved"]

    harness.user.slash(COLLEAGUE, "digest")
    assert "alleen HR" in harness.last_response()["text"]
    harness.user.slash(HR, "digest")
    assert "staat in" in harness.last_response()["text"]

    text = digest_text(slack)
    assert "4" in text
    assert "Salaris" in text  # the reasons, as a text bar chart
    assert "█" in text
    # No names, no contact details, no user mentions.
    for forbidden in ("Jan", "Bakker", "06-12345678", "<@", "ULEAVER"):
        assert forbidden not in text, forbidden
    assert "[naam]" in text and "Te veel overwerk" in text
    # A chart went up as a picture (right after HR's reply), the text stays complete without it.
    uploads = slack.wait_for(lambda: [f for f in slack.workspace.files if f["channel"] == MANAGERS], what="chart")
    assert len(uploads) == 1 and uploads[0]["content"].startswith(b"\x89PNG")

    posted = len(slack.messages_in(MANAGERS))
    harness.user.slash(HR, "digest")  # nothing new approved: it waits, nothing repeats
    assert "wacht" in harness.last_response()["text"]
    assert len(slack.messages_in(MANAGERS)) == posted


def test_a_kept_private_interview_never_appears(harness, slack):
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    secret = "Geheim verhaal over de afdeling dat alleen HR mag lezen."
    answer_everything(harness, LEAVER, improvements=secret)
    card = [m for m in slack.dms_to(HR) if "beoordelen" in m.text][-1]
    harness.user.click(HR, card, "review:private")
    for user in EXTRA:
        answer_everything(harness, user, improvements="Meer duidelijkheid over doorgroeien.")
    approve_all(harness, slack)
    after_last_days(harness)
    harness.user.slash(HR, "digest")
    text = digest_text(slack)
    assert "doorgroeien" in text
    assert "Geheim" not in text


def test_hr_report_gives_the_full_statistics(harness, slack):
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    answer_everything(harness, LEAVER, reasons=("pay", "career"), recommend=2)
    harness.register(LEAVER_EN, harness.in_working_days(2))
    invitation = harness.invitation_for(LEAVER_EN)
    harness.wait_for_stage(LEAVER_EN, "invited")
    harness.user.click(LEAVER_EN, invitation, "invitation.decline")

    harness.user.slash(HR, "report")
    responses = [r for r in slack.workspace.responses if r.get("blocks")]
    shown = str(responses[-5:])
    assert "Salaris" in shown
    harness.user.slash(COLLEAGUE, "report")
    assert "alleen HR" in harness.last_response()["text"]
    harness.user.slash(HR, "report 2026-13-01")
    assert "geen datum" in harness.last_response()["text"]


def test_the_scheduled_digest_runs_on_the_first_working_day_and_otherwise_tells_hr_it_waits(harness, slack):
    from datetime import datetime

    from bot.operations import digest
    from bot.scheduling import digest_trigger

    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    tz = harness.settings.tz
    trigger = digest_trigger("first-working-day 09:00", harness.settings.timezone)
    # January 2027: the 1st is New Year's Day, a Friday; the job wakes on weekdays 1-7 at 09:00.
    fire = trigger.get_next_fire_time(None, datetime(2026, 12, 31, 12, 0, tzinfo=tz))
    assert fire == datetime(2027, 1, 1, 9, 0, tzinfo=tz)

    answer_everything(harness, LEAVER)
    approve_all(harness, slack)

    def run_on(day: datetime) -> None:
        harness.clock.advance(day - harness.clock.now())
        digest.scheduled_digest(harness.services)

    run_on(datetime(2027, 1, 1, 9, 0, tzinfo=tz))  # a public holiday: not the first working day
    assert not [m for m in slack.dms_to(HR) if "wacht" in m.text]
    run_on(datetime(2027, 1, 4, 9, 0, tzinfo=tz))  # Monday the 4th: the first working day
    told = [m for m in slack.dms_to(HR) if "wacht" in m.text]
    assert len(told) == 1 and "1 goedgekeurd gesprek," in told[0].text  # never "1 goedgekeurde gesprek(ken)"
    assert slack.messages_in(MANAGERS) == []

    for user in EXTRA[:2]:
        harness.clock.offset = working_morning_offset()  # back to the start: they register and answer
        answer_everything(harness, user)
    approve_all(harness, slack)
    run_on(datetime(2027, 2, 1, 9, 0, tzinfo=tz))  # Monday 1 February
    assert slack.messages_in(MANAGERS)


def test_a_digest_interrupted_by_a_crash_never_loses_or_repeats_interviews(harness, slack):
    """What a process killed while posting leaves behind: a digest claiming the reviews."""
    from datetime import timedelta

    from storage import repositories as repo

    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    for user in (LEAVER, *EXTRA[:2]):
        answer_everything(harness, user, improvements="Meer duidelijkheid over doorgroeien.")
    approve_all(harness, slack)
    after_last_days(harness)

    # Killed right after claiming, before anything reached the channel.
    with harness.services.db.session() as session:
        ids = [r.id for r in repo.reviews_awaiting_publication(session)]
        repo.create_digest(session, ids, harness.clock.now(), HR, {})
    harness.user.slash(HR, "digest")
    assert "wacht" in harness.last_response()["text"]  # claimed by the interrupted digest
    harness.clock.advance(timedelta(minutes=6))
    harness.bot.scheduler.run_sweep_now()
    slack.wait_for(lambda: not _unfinished(harness), what="the interrupted digest to be settled")
    harness.user.slash(HR, "digest")  # the interviews were given back: published now, once
    assert "staat in" in harness.last_response()["text"]
    first = len(slack.messages_in(MANAGERS))
    assert first >= 1

    # Killed half-way through posting: the parts in the channel count, nothing is posted again.
    for user in (LEAVER_EN, EXTRA[2], "ULEAVER06"):
        if user == "ULEAVER06":
            slack.add_user(user, "leaver6", locale="nl-NL")
        answer_everything(harness, user)
    approve_all(harness, slack)
    after_last_days(harness)
    with harness.services.db.session() as session:
        ids = [r.id for r in repo.reviews_awaiting_publication(session)]
        digest = repo.create_digest(session, ids, harness.clock.now(), HR, {})
        repo.record_digest_parts(session, digest.id, MANAGERS, ["1800000000.000001"])
    harness.clock.advance(timedelta(minutes=6))
    harness.bot.scheduler.run_sweep_now()
    slack.wait_for(lambda: not _unfinished(harness), what="the half-posted digest to be settled")
    harness.user.slash(HR, "digest")
    assert "wacht" in harness.last_response()["text"]
    assert len(slack.messages_in(MANAGERS)) == first


def _unfinished(harness) -> bool:
    from storage import repositories as repo

    with harness.services.db.session() as session:
        return bool(repo.digests_unfinished(session))


def test_two_processes_asking_for_the_digest_at_once_publish_it_once(harness, slack):
    import threading
    from dataclasses import replace

    from bot.operations import digest
    from bot.runtime import BotProcess

    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    for user in (LEAVER, *EXTRA[:2]):
        answer_everything(harness, user, improvements="Meer duidelijkheid over doorgroeien.")
    approve_all(harness, slack)
    after_last_days(harness)
    other = BotProcess(replace(harness.bot.settings, manager_channel_id=MANAGERS), host="127.0.0.1",
                       role="web", clock=harness.clock).start()  # a second process on the same database
    try:
        barrier = threading.Barrier(2)
        outcomes = []

        def ask(services):
            barrier.wait()
            outcomes.append(digest.post_digest(services, requested_by=HR))

        threads = [threading.Thread(target=ask, args=(s,)) for s in (harness.services, other.services)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.stop()
    assert sorted(o.posted for o in outcomes) == [False, True]
    headers = [m for m in slack.messages_in(MANAGERS) if "Exitgesprekken" in str(m.blocks[:1])]
    assert len(headers) == 1


# -- issue 11: k per figure, and nothing of a leaver before their last working day ------------------


def test_one_persons_score_never_reaches_the_managers_channel(harness, slack):
    """Seen: "Support from the manager: 1.0 (n=1, 1.0–5.0)" in the managers' channel, because the
    minimum of 3 held for the digest as a whole, not for each figure."""
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS)
    answer_everything(harness, LEAVER, ratings=(4, 3, 4, 2, 1), reasons=("pay",), come_back="yes")
    for user in EXTRA[:2]:  # they skip the question about their manager
        answer_everything(harness, user, ratings=(4, 3, 4, 2, None), reasons=("pay",), come_back="no")
    approve_all(harness, slack)
    after_last_days(harness)

    harness.user.slash(HR, "digest")
    assert "staat in" in harness.last_response()["text"]
    text = digest_text(slack)
    assert "Steun van de leidinggevende:* te weinig antwoorden" in text
    assert "n=1" not in text and "1,0 (n=1" not in text
    assert "Arbeidsomstandigheden:* 4,0 (n=3" in text  # answered by all three: shown
    # 1 of 3 would come back: that one person (and the two others) would be singled out.
    assert "Zou terugkomen:* te weinig antwoorden" in text
    assert "minder dan 3 antwoorden" in text  # the digest says why figures are missing
    assert "Salaris" in text  # named by all three


def test_english_digest_withholds_a_small_group_and_its_complement(harness, slack):
    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS, default_language="en")
    # Four leavers: three name pay, one names career too. 3 of 4 for pay would single out the one who
    # did not; 1 of 4 for career singles out one: neither bar is shown, nor is the one-person share.
    answer_everything(harness, LEAVER, reasons=("pay", "career"), recommend=9)
    for user in EXTRA:
        answer_everything(harness, user, reasons=("pay",) if user != EXTRA[2] else ("workload",), recommend=7)
    approve_all(harness, slack)
    after_last_days(harness)

    harness.user.slash(HR, "digest")
    text = digest_text(slack)
    assert "Exit interviews: what leavers told us" in text
    assert "Pay" not in text and "Career" not in text and "Workload" not in text
    assert "are left out, so nobody can be singled out" in text
    # eNPS rests on 4 answers: shown, but not its one promoter.
    assert "*eNPS:* +25 (n=4" in text and "1 promoters" not in text and "passives" not in text
    assert "Support from the manager:* 5.0 (n=4" in text  # a mean rests on 4 answers: shown


def test_a_leaver_still_in_the_team_waits_for_a_later_digest(harness, slack):
    from bot.operations import digest

    setup_people(slack)
    harness.restart(manager_channel_id=MANAGERS, default_language="en", digest_schedule="0 9 * * 1")
    for user in (LEAVER, *EXTRA[:2]):
        answer_everything(harness, user, improvements="More clarity about growing into other roles.",
                          ratings=(4, 3, 4, 2, 5))
    after_last_days(harness)
    # Registered now: the last working day is still ahead.
    answer_everything(harness, EXTRA[2], improvements="Still here for a while, the planning is chaos.",
                      ratings=(1, 1, 1, 1, 1), recommend=0)
    approve_all(harness, slack)

    harness.user.slash(HR, "digest")  # HR reads Dutch, the managers' channel gets English
    assert "staat in" in harness.last_response()["text"]
    text = digest_text(slack)
    assert "growing into other roles" in text
    assert "planning is chaos" not in text  # neither quotes...
    assert "Working conditions:* 4.0 (n=3" in text  # ...nor figures of the one still here
    assert "Based on 3 exit interviews" in text
    assert "1 more interview is waiting until the leaver's last working day has passed" in text

    harness.user.slash(HR, "digest")  # HR is told why the rest waits
    reply = harness.last_response()["text"]
    assert "tot nu toe 0 goedgekeurde" in reply
    assert "Nog 1 goedgekeurd gesprek wacht tot de laatste werkdag van de vertrekker voorbij is" in reply
    posted = len(slack.messages_in(MANAGERS))
    digest.scheduled_digest(harness.services)  # the scheduled run tells HR the same
    held = [m for m in slack.dms_to(HR) if "wacht" in m.text]
    assert held and "Nog 1 goedgekeurd gesprek wacht tot de laatste werkdag" in held[-1].text
    assert len(slack.messages_in(MANAGERS)) == posted

    after_last_days(harness)  # now they have left too: waiting for two more, not for the last day
    harness.user.slash(HR, "digest")
    reply = harness.last_response()["text"]
    assert "tot nu toe 1 goedgekeurd exitgesprek" in reply and "laatste werkdag" not in reply
