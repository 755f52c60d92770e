"""Digests to the managers' channel and HR's trend report.

A digest covers the approved interviews not yet published of leavers whose last working day has
passed, and only goes out when there are enough of them that nobody can be singled out; every
figure in it rests on enough answers to its own question (flows.insights.for_managers). The
reviews are claimed by the digest in the same transaction that creates it, so two digests (a
double command, a scheduled run at the same moment) can never publish one interview twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from slack_sdk.errors import SlackClientError

from bot.blocks.digest import digest_messages, withheld_message
from bot.blocks.loop import movement_blocks, said_did_blocks
from bot.blocks.report import report_messages
from bot.i18n import Translator
from bot.operations import loop, templates
from bot.operations.invitations import notify_hr
from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from flows import highlights
from flows.insights import (
    InterviewFacts,
    Layout,
    PeriodAggregates,
    PeriodStats,
    Thresholds,
    aggregate,
    changes,
    compute,
    digest_ready,
    for_managers,
    from_published_record,
    published_record,
    signals,
    stats_from,
)
from flows.questionnaire import Questionnaire, from_json
from flows.registration import Problem
from storage import repositories as repo

log = logging.getLogger(__name__)


@dataclass
class DigestOutcome:
    posted: bool
    pending: int = 0
    needed: int = 3
    problem: Problem | None = None
    digest_id: int | None = None
    waiting: int = 0  # approved interviews whose leaver's last working day has not passed yet


HISTORY = 5  # earlier digests on the chart's line panel, next to this one


def thresholds(services: Services) -> Thresholds:
    settings = services.settings
    return Thresholds(min_group_size=settings.digest_min_interviews, drop_threshold=settings.signal_drop,
                      reason_share=settings.signal_reason_share, low_score=settings.signal_low_score)


def _facts(services: Services, interviews) -> list[InterviewFacts]:
    facts = []
    tz = services.settings.tz
    known: dict[tuple[str, int], tuple[Questionnaire, Layout]] = {}
    for interview in interviews:
        if interview.state is None:
            continue
        key = (interview.template_key, interview.template_version)
        if key not in known:
            template = templates.template_for(services.db, *key)
            known[key] = (Questionnaire(template), Layout.of(template))
        questionnaire, layout = known[key]
        answers = questionnaire.final_answers(from_json(interview.state))
        submitted = (interview.submitted_at or interview.updated_at).astimezone(tz).date()
        facts.append(InterviewFacts(interview.id, submitted, layout, answers))
    return facts


@dataclass
class DigestMaterial:
    """What one digest is made of: counts and sums of its interviews, the figures earlier digests
    published, and the approved quotes.

    Gathered in one place (`gather_material`) so the source can change (decrypted interviews today,
    SQL aggregates of a numbers table later) without touching the rules or the rendering."""

    interview_ids: list[int]
    current: PeriodAggregates
    published: PeriodAggregates  # every interview in a posted digest so far (context for signals)
    previous: PeriodStats | None  # what the latest posted digest published
    history: list[tuple[date, PeriodStats]]  # what earlier posted digests published, oldest first
    quotes: list[str]
    first_day: date | None = None
    last_day: date | None = None


def gather_material(services: Services, session, reviews, limits: Thresholds) -> DigestMaterial:
    interviews = {i.id: i for i in repo.submitted_interviews(session, only_ids=[r.interview_id for r in reviews])}
    current_facts = _facts(services, interviews.values())
    history = [
        ((digest.posted_at or digest.created_at).astimezone(services.settings.tz).date(),
         _published_figures(services, session, digest, limits))
        for digest in repo.recent_posted_digests(session, HISTORY)
    ]
    published = aggregate(_facts(services, repo.published_interviews(session)))
    quotes = []
    for review in reviews:
        interview = interviews.get(review.interview_id)
        if interview is None:
            continue
        template = templates.template_for(services.db, interview.template_key, interview.template_version)
        answers = Questionnaire(template).final_answers(from_json(interview.state))
        if highlights.consented(template, answers):  # checked again at publication
            quotes += highlights.parse(review.highlights)
    days = [f.submitted_on for f in current_facts]
    return DigestMaterial(
        interview_ids=[f.interview_id for f in current_facts], current=aggregate(current_facts), published=published,
        previous=history[-1][1] if history else None, history=history, quotes=quotes,
        first_day=min(days) if days else None, last_day=max(days) if days else None,
    )


def _published_figures(services: Services, session, digest, limits: Thresholds) -> PeriodStats:
    """The figures a posted digest published, as kept with it; recounted for a digest from before
    they were kept."""
    kept = from_published_record(digest.stats or {})
    if kept is not None:
        return kept
    facts = _facts(services, repo.interviews_of_digest(session, digest.id))
    return for_managers(stats_from(aggregate(facts), limits), limits)


def post_digest(services: Services, requested_by: str | None = None) -> DigestOutcome:
    """Post the digest when enough approved interviews of leavers whose last day has passed wait;
    otherwise say why it waits."""
    limits = thresholds(services)
    needed = max(3, limits.min_group_size)
    channel = services.settings.manager_channel_id
    today = services.today()
    with services.db.session() as session:
        pending = len(repo.reviews_ready_for_digest(session, today))
        waiting = repo.reviews_waiting_for_last_day(session, today)
    if not digest_ready(pending, limits):
        return DigestOutcome(False, pending, needed, waiting=waiting)
    if not channel:
        return DigestOutcome(False, pending, needed, Problem("digest.no_channel"), waiting=waiting)

    # Only figures that rest on enough answers and form clean partitions (flows.insights.for_managers).
    def shown(aggregates: PeriodAggregates) -> PeriodStats:
        return for_managers(stats_from(aggregates, limits), limits)

    now = services.clock.now()
    with services.db.session() as session:
        reviews = list(repo.reviews_ready_for_digest(session, today))
        material = gather_material(services, session, reviews, limits)
        stats = shown(material.current)
        digest = repo.create_digest(session, [r.id for r in reviews], now, requested_by,
                                    {"interviews": material.interview_ids, **published_record(stats)})
        if digest is None:
            return DigestOutcome(False, pending, needed, Problem("digest.busy"), waiting=waiting)
        digest_id = digest.id

    previous = material.previous
    overall = shown(material.published + material.current)
    template = templates.active_template(services.db)
    _ = Translator(services.settings.default_language)
    period = _period_label(_, material.first_day, material.last_day)
    said_did = said_did_blocks(_, loop.actions_since_previous_digest(services, before_digest_id=digest_id))
    messages = digest_messages(
        _, template=template, stats=stats, previous=previous,
        changes=changes(stats, previous, limits) if previous else {},
        signals=signals(stats, previous, overall, limits), highlights=material.quotes, period_label=period,
        seed=digest_id, extra=said_did, waiting=waiting, min_answers=needed,
    )
    posted = []
    try:
        for text, blocks in messages:
            response = services.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            posted.append(response["ts"])
            with services.db.session() as session:  # progress, for a process that dies half-way
                repo.record_digest_parts(session, digest_id, channel, posted)
    except SLACK_FAILURES as error:
        log.warning("the digest could not be posted: %s", error)
        if not posted:  # nothing reached the channel: give the interviews back for the next digest
            with services.db.session() as session:
                repo.discard_digest(session, digest_id)
            return DigestOutcome(False, pending, needed, Problem("slack.unavailable"), waiting=waiting)
    history = [(_.date(day), figures) for day, figures in material.history]
    history.append((_.date(services.today()), stats))
    _upload_chart(services, channel, _, template, stats, history)
    with services.db.session() as session:
        repo.finish_digest(session, digest_id, channel, posted, services.clock.now())
    log.info("digest %s posted: %s interviews, %s messages", digest_id, len(material.interview_ids), len(posted))
    from bot.operations import home

    home.hr_changed(services)
    return DigestOutcome(True, pending, needed, digest_id=digest_id, waiting=waiting)


def settle_unfinished(services: Services) -> None:
    """Digests a process left half-way (killed while posting): with nothing posted, their
    interviews wait for the next digest; with parts posted, they count as published (the channel
    has them), so nothing is posted twice."""
    before = services.clock.now() - timedelta(minutes=5)
    with services.db.session() as session:
        for digest in repo.digests_unfinished(session):
            if digest.created_at >= before:
                continue
            if digest.messages:
                repo.finish_digest(session, digest.id, digest.channel_id, list(digest.messages),
                                   digest.created_at)
                log.warning("digest %s was interrupted after %s messages; kept as posted", digest.id,
                            len(digest.messages))
            else:
                repo.discard_digest(session, digest.id)
                log.warning("digest %s was interrupted before posting; its interviews wait for the next", digest.id)


def _upload_chart(services: Services, channel: str, _: Translator, template, stats: PeriodStats,
                  history: list[tuple[str, PeriodStats]]) -> None:
    """The picture next to the text (the text stays complete without it): only published figures,
    the line panel one point per digest (digests share no interview, unlike months)."""
    try:
        from bot.charts import digest_chart

        png = digest_chart(_, template=template, stats=stats, periods=history)
        services.client.files_upload_v2(channel=channel, content=png, filename="exit-interviews.png",
                                        title=_("digest.chart.title"))
    except SlackClientError as error:
        log.warning("the digest chart could not be uploaded: %s", error)
    except Exception:
        log.exception("the digest chart could not be made")


def monthly(facts: Sequence[InterviewFacts], limits: Thresholds) -> list[tuple[str, PeriodStats]]:
    groups: dict[str, list[InterviewFacts]] = defaultdict(list)
    for fact in facts:
        groups[fact.submitted_on.strftime("%Y-%m")].append(fact)
    return [(month, compute(groups[month], limits)) for month in sorted(groups)]


def _period_label(_: Translator, first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return ""
    return _.date(first) if first == last else f"{_.date(first)} – {_.date(last)}"


def scheduled_digest(services: Services) -> None:
    """The periodic run: post, or tell HR why the digest waits."""
    if services.settings.digest_schedule.startswith("first-working-day"):
        today = services.today()
        first = today.replace(day=1)
        while not services.calendar.is_working_day(first):
            first += timedelta(days=1)
        if today != first:
            return
    outcome = post_digest(services)
    if not outcome.posted and outcome.problem is None:
        if outcome.waiting:
            notify_hr(services, "digest.withheld_hr_waiting", pending=str(outcome.pending),
                      needed=str(outcome.needed), waiting=str(outcome.waiting))
        else:
            notify_hr(services, "digest.withheld_hr", pending=str(outcome.pending), needed=str(outcome.needed))
    elif outcome.problem is not None:
        notify_hr(services, outcome.problem.key)


def withheld(services: Services, language: str, outcome: DigestOutcome) -> tuple[str, list[dict]]:
    return withheld_message(Translator(language), outcome.pending, outcome.needed, outcome.waiting)


# -- HR's report ------------------------------------------------------------------------------------


def report(services: Services, language: str, start: date | None, end: date | None) -> list[tuple[str, list[dict]]]:
    """Full statistics over any period, for HR only."""
    today = services.today()
    end = end or today
    start = start or end - timedelta(days=365)
    limits = thresholds(services)
    with services.db.session() as session:
        departures = repo.departures_between(session, start, end)
        all_facts = _facts(services, repo.submitted_interviews(session))  # read and decrypted once
        talks = {i.departure_id for i in repo.talk_interviews(session)}
    length = end - start + timedelta(days=1)
    facts = [f for f in all_facts if start <= f.submitted_on <= end]
    previous_facts = [f for f in all_facts if start - length <= f.submitted_on < start]
    counts = _counts(departures, talks)
    stats = compute(facts, limits)
    previous = compute(previous_facts, limits) if previous_facts else None
    overall = compute(all_facts, limits) if all_facts else None
    _ = Translator(language)
    template = templates.active_template(services.db)
    return report_messages(
        _, template=template, period_from=start, period_to=end, counts=counts,
        stats=stats, monthly=monthly(facts, limits), signals=signals(stats, previous, overall, limits) if facts else [],
        extra=movement_blocks(_, template, loop.movements(services, all_facts)),
    )


def _counts(departures, talk_departures: set[int]) -> dict[str, int]:
    counts = dict.fromkeys(
        ("registered", "invited", "answered", "talks", "declined", "withdrawn", "expired", "unreachable"), 0)
    for departure in departures:
        counts["registered"] += 1
        if departure.stage != "registered":
            counts["invited"] += 1 if departure.stage != "unreachable" else 0
        if departure.stage == "submitted":
            counts["talks" if departure.id in talk_departures else "answered"] += 1
        elif departure.stage in ("declined", "withdrawn", "expired", "unreachable"):
            counts[departure.stage] += 1
    return counts
