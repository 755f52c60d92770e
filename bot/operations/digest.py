"""Digests to the managers' channel and HR's trend report.

A digest covers the approved interviews not yet published, and only goes out when there are
enough of them that nobody can be singled out. The reviews are claimed by the digest in the same
transaction that creates it, so two digests (a double command, a scheduled run at the same moment)
can never publish one interview twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackClientError

from bot.blocks.digest import digest_messages, withheld_message
from bot.blocks.loop import said_did_blocks
from bot.i18n import Translator
from bot.operations import loop, templates
from bot.operations.invitations import notify_hr
from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from flows import highlights
from flows.insights import InterviewFacts, Layout, PeriodStats, Thresholds, changes, compute, digest_ready, signals
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


def post_digest(services: Services, requested_by: str | None = None) -> DigestOutcome:
    """Post the digest when enough approved interviews wait; otherwise say why it waits."""
    limits = thresholds(services)
    needed = max(3, limits.min_group_size)
    channel = services.settings.manager_channel_id
    with services.db.session() as session:
        pending_reviews = list(repo.reviews_awaiting_publication(session))
        pending = len(pending_reviews)
    if not digest_ready(pending, limits):
        return DigestOutcome(False, pending, needed)
    if not channel:
        return DigestOutcome(False, pending, needed, Problem("digest.no_channel"))

    now = services.clock.now()
    with services.db.session() as session:
        reviews = list(repo.reviews_awaiting_publication(session))
        interviews = {i.id: i for i in repo.submitted_interviews(session, only_ids=[r.interview_id for r in reviews])}
        reviews = [r for r in reviews if r.interview_id in interviews]
        current_facts = _facts(services, interviews.values())
        previous_digest = repo.latest_posted_digest(session)
        previous_facts = _facts(services, repo.interviews_of_digest(session, previous_digest.id)) \
            if previous_digest else []
        published_facts = _facts(services, repo.published_interviews(session))
        quotes = []
        for review in reviews:
            interview = interviews[review.interview_id]
            template = templates.template_for(services.db, interview.template_key, interview.template_version)
            answers = Questionnaire(template).final_answers(from_json(interview.state))
            if highlights.consented(template, answers):  # checked again at publication
                quotes += highlights.parse(review.highlights)
        stats = compute(current_facts, limits)
        digest = repo.create_digest(session, [r.id for r in reviews], now, requested_by,
                                    {"interviews": [f.interview_id for f in current_facts]})
        if digest is None:
            return DigestOutcome(False, pending, needed, Problem("digest.busy"))
        digest_id = digest.id

    previous = compute(previous_facts, limits) if previous_facts else None
    overall = compute(published_facts + current_facts, limits)
    template = templates.active_template(services.db)
    _ = Translator(services.settings.default_language)
    period = _period_label(_, current_facts)
    said_did = said_did_blocks(_, loop.actions_since_previous_digest(services, before_digest_id=digest_id))
    messages = digest_messages(
        _, template=template, stats=stats, previous=previous,
        changes=changes(stats, previous, limits) if previous else {},
        signals=signals(stats, previous, overall, limits), highlights=quotes, period_label=period, seed=digest_id,
        extra=said_did,
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
            return DigestOutcome(False, pending, needed, Problem("slack.unavailable"))
    _upload_chart(services, channel, _, template, stats, published_facts + current_facts, limits)
    with services.db.session() as session:
        repo.finish_digest(session, digest_id, channel, posted, services.clock.now())
    log.info("digest %s posted: %s interviews, %s messages", digest_id, len(current_facts), len(posted))
    from bot.operations import home

    home.hr_changed(services)
    return DigestOutcome(True, pending, needed, digest_id=digest_id)


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
                  all_facts: list[InterviewFacts], limits: Thresholds) -> None:
    """The picture next to the text (the text stays complete without it)."""
    try:
        from bot.charts import digest_chart

        png = digest_chart(_, template=template, stats=stats, monthly=monthly(all_facts, limits)[-6:])
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


def _period_label(_: Translator, facts: Sequence[InterviewFacts]) -> str:
    if not facts:
        return ""
    first = min(f.submitted_on for f in facts)
    last = max(f.submitted_on for f in facts)
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
        notify_hr(services, "digest.withheld_hr", pending=str(outcome.pending), needed=str(outcome.needed))
    elif outcome.problem is not None:
        notify_hr(services, outcome.problem.key)


def withheld(services: Services, language: str, outcome: DigestOutcome) -> tuple[str, list[dict]]:
    return withheld_message(Translator(language), outcome.pending, outcome.needed)
