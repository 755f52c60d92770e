"""Digests to the managers' channel and HR's trend report.

A digest covers the approved interviews not yet published of leavers whose last working day has
passed, and only goes out when there are enough of them that nobody can be singled out; every
figure in it rests on enough answers to its own question (flows.insights.for_managers). The
reviews are claimed by the digest in the same transaction that creates it, so two digests (a
double command, a scheduled run at the same moment) can never publish one interview twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from slack_sdk.errors import SlackClientError

from bot import domain_events, memory
from bot.blocks.digest import digest_messages, withheld_message
from bot.blocks.loop import said_did_blocks
from bot.i18n import Translator
from bot.notify import notify_hr, notify_hr_text
from bot.operations import loop, numbers, templates
from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from flows import highlights, schedule
from flows.aggregates import Tally, period_aggregates, stats_of, tallies_from_rows, total, where_they_go
from flows.events import DigestPosted
from flows.insights import (
    PeriodAggregates,
    PeriodStats,
    Thresholds,
    changes,
    digest_ready,
    for_managers,
    from_published_record,
    published_record,
    signals,
    stats_from,
)
from flows.registration import Problem
from storage import numbers as store
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
    follow_up: Callable[[], None] | None = None  # after a posted digest: see `after_posting`


HISTORY = 5  # earlier digests on the chart's line panel, next to this one


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
    current_tally: Tally | None = None


def gather_material(services: Services, session, reviews, limits: Thresholds) -> DigestMaterial:
    """From the numbers store: SQL counts and sums of this digest's interviews, the tallies earlier
    digests kept (summed for "all published so far"), and only these reviews' highlights decrypted."""
    question_roles = numbers.roles(services)
    ids = store.numbered(session, [r.interview_id for r in reviews])
    current = tallies_from_rows(store.interviews_tally_rows(session, ids)).get(None, Tally())
    posted = list(store.posted_digests(session))
    kept = {d.id: Tally.from_json((d.stats or {}).get("tally")) for d in posted if (d.stats or {}).get("tally")}
    recounted = tallies_from_rows(store.digest_tally_rows(session, [d.id for d in posted if d.id not in kept])) \
        if len(kept) < len(posted) else {}
    for digest in posted:  # a digest from before tallies were kept: recounted once, kept from now on
        if digest.id in recounted:
            store.keep_digest_tally(session, digest.id, {**(digest.stats or {}),
                                                         "tally": recounted[digest.id].to_json()})
    published = total([*kept.values(), *recounted.values()])
    history = [
        ((digest.posted_at or digest.created_at).astimezone(services.settings.tz).date(),
         _published_figures(digest, kept.get(digest.id) or recounted.get(digest.id) or Tally(), question_roles,
                            limits))
        for digest in posted[-HISTORY:]
    ]
    consented = store.consents(session, ids)
    quotes = []
    for review in reviews:
        if consented.get(review.interview_id):  # checked again at publication
            quotes += highlights.parse(review.highlights)
    first_day, last_day = store.submitted_days(session, ids)
    return DigestMaterial(
        interview_ids=ids, current=period_aggregates(current, question_roles),
        published=period_aggregates(published, question_roles), previous=history[-1][1] if history else None,
        history=history, quotes=quotes, first_day=first_day, last_day=last_day, current_tally=current,
    )


def _published_figures(digest, tally: Tally, question_roles, limits: Thresholds) -> PeriodStats:
    """The figures a posted digest published, as kept with it; recounted (in SQL) for a digest from
    before they were kept."""
    kept = from_published_record(digest.stats or {})
    if kept is not None:
        return kept
    return for_managers(stats_of(tally, question_roles, limits), limits)


def digest_record(tally: Tally, question_roles, limits: Thresholds) -> dict:
    """What a digest keeps: the figures it published and the tally they came from (bench-data too)."""
    return {**published_record(for_managers(stats_of(tally, question_roles, limits), limits)),
            "tally": tally.to_json()}


def post_digest(services: Services, requested_by: str | None = None) -> DigestOutcome:
    """Post the digest when enough approved interviews of leavers whose last day has passed wait;
    otherwise say why it waits."""
    limits = services.settings.thresholds
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
                                    {"interviews": material.interview_ids, **published_record(stats),
                                     "tally": (material.current_tally or Tally()).to_json()})
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
        where=where_they_go(material.current_tally or Tally(), template, needed),
    )
    # The first message now, so that HR's reply does not wait for Slack's pace (one message a second
    # per channel); the rest follows in `follow_up`. A process that dies in between leaves a digest
    # with parts posted, which the sweep settles as published (nothing is posted twice).
    posted: list[str] = []
    if not _post_parts(services, digest_id, channel, messages[:1], posted):
        with services.db.session() as session:  # nothing reached the channel: give the interviews back
            repo.discard_digest(session, digest_id)
        return DigestOutcome(False, pending, needed, Problem("slack.unavailable"), waiting=waiting)
    history = [(_.date(day), figures) for day, figures in material.history]
    history.append((_.date(services.today()), stats))

    def follow_up() -> None:
        _post_parts(services, digest_id, channel, messages[1:], posted)
        with services.db.session() as session:
            repo.finish_digest(session, digest_id, channel, posted, services.clock.now())
            happened = domain_events.record(session, DigestPosted(digest_id), services)
        log.info("digest %s posted: %s interviews, %s messages", digest_id, len(material.interview_ids), len(posted))
        _upload_chart(services, channel, _, template, stats, history)
        domain_events.deliver(services, [happened])  # HR's Home shows the next digest
        memory.release()  # the digest's material and picture are garbage now

    return DigestOutcome(True, pending, needed, digest_id=digest_id, waiting=waiting, follow_up=follow_up)


def _post_parts(services: Services, digest_id: int, channel: str, messages, posted: list[str]) -> bool:
    """Post `messages` in order, recording each one's ts as the digest's progress; False when Slack
    refused one (what was posted before it stays posted)."""
    try:
        for text, blocks in messages:
            response = services.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            posted.append(response["ts"])
            with services.db.session() as session:  # progress, for a process that dies half-way
                repo.record_digest_parts(session, digest_id, channel, posted)
    except SLACK_FAILURES as error:
        log.warning("the digest could not be posted: %s", error)
        return False
    return True


def after_posting(outcome: DigestOutcome) -> None:
    """The rest of a posted digest's messages, its chart and HR's refreshed Home: Slack work that
    the reply to HR does not wait for."""
    if outcome.follow_up is not None:
        outcome.follow_up()


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


def _period_label(_: Translator, first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return ""
    return _.date(first) if first == last else f"{_.date(first)} – {_.date(last)}"


def scheduled_digest(services: Services) -> None:
    """The periodic run: post, or tell HR why the digest waits."""
    words = schedule.parse(services.settings.digest_schedule)
    if words is not None and not schedule.is_digest_day(words, services.today(), services.calendar):
        return  # the job wakes every weekday at the digest's time; this is not the digest day
    outcome = post_digest(services)
    after_posting(outcome)
    if not outcome.posted and outcome.problem is None:
        notify_hr_text(services, lambda _: withheld_notice(_, outcome))
    elif outcome.problem is not None:
        notify_hr(services, outcome.problem.key)


def withheld_notice(_: Translator, outcome: DigestOutcome) -> str:
    """HR's notice that the digest waits: how many approved interviews count, and (a sentence of its own,
    with its own plural) how many more wait for the leaver's last working day."""
    if not outcome.waiting:
        return _("digest.withheld_hr", count=outcome.pending, needed=outcome.needed)
    return (_("digest.withheld_hr_waiting", count=outcome.pending, needed=outcome.needed) + " "
            + _("digest.withheld_waiting", count=outcome.waiting))


def withheld(services: Services, language: str, outcome: DigestOutcome) -> tuple[str, list[dict]]:
    return withheld_message(Translator(language), outcome.pending, outcome.needed, outcome.waiting)
