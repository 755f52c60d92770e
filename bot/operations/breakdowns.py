"""HR's breakdowns per manager, department, tenure band and main reason, the manager view and where
leavers go: SQL sums from the numbers store (storage.breakdowns), the k rule from flows.insights.

Only the quotes that are shown are decrypted: those of approved interviews whose leaver agreed to
share, from the competitor questions, and only when HR kept them in the approved highlights.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta

from slack_sdk.errors import SlackClientError

from bot import memory
from bot.blocks import breakdowns as view
from bot.blocks.digest import reason_labels
from bot.blocks.questionnaire import option_text
from bot.i18n import Translator
from bot.operations import templates
from bot.services import Services
from flows import highlights
from flows.insights import (
    TENURE_BOUNDS,
    UNKNOWN,
    Cell,
    Comparison,
    GroupFigures,
    Moments,
    Thresholds,
    compare_group,
    protected_breakdown,
    protected_counts,
    tenure_band,
)
from flows.questionnaire import Questionnaire, from_json
from flows.registration import Problem
from flows.template import Category, QuestionType, Template
from storage import breakdowns as store
from storage import repositories as repo

log = logging.getLogger(__name__)
QUOTES_SHOWN = 5
QUOTE_CANDIDATES = 40  # the newest approved interviews read for quotes
HOME_GROUPINGS = ("department", "tenure")


def period_of(services: Services, start: date | None, end: date | None) -> tuple[date, date, store.Period]:
    """The report's period (open ends: the last twelve months) in the company's time zone."""
    end = end or services.today()
    start = start or end - timedelta(days=365)
    return start, end, store.Period(start, end)


def _bands() -> tuple[list[tuple[float, str]], str]:
    bands = [(bound, tenure_band(bound - 1e-6)) for bound in TENURE_BOUNDS]
    return bands, tenure_band(TENURE_BOUNDS[-1])


def _reasons_question(template: Template) -> str | None:
    return next((q.id for q in template.questions
                 if q.type is QuestionType.MULTIPLE_CHOICE and q.category is Category.REASONS), None)


def figures_of(sums: store.GroupSums, reasons_question: str | None) -> GroupFigures:
    return GroupFigures(
        count=sums.count,
        ratings={category: Moments(*values) for category, values in sums.ratings.items()},
        promoters=sums.promoters, passives=sums.passives, detractors=sums.detractors,
        reasons=dict(sums.choices.get(reasons_question, {})) if reasons_question else {},
        reasons_n=sums.answered.get(reasons_question, 0) if reasons_question else 0,
    )


_cache: dict[tuple, tuple] = {}
_cache_lock = threading.Lock()
CACHE_SIZE = 16  # periods and groupings asked for since the last change


def _combined(services: Services, groupings: tuple[str, ...], period: store.Period, question: str | None,
              with_ratings: bool = True) -> tuple[dict[tuple, store.GroupSums], dict[str, dict[str, GroupFigures]]]:
    """The SQL sums per combination of groups (and the per-grouping figures added up from them), kept
    while nothing was submitted, erased or registered: HR's Home is rebuilt on every change, and at
    100,000 interviews one pass takes seconds."""
    bands, last = _bands()
    with services.db.session() as session:
        fingerprint = store.fingerprint(session)
        key = (id(services.db), groupings, period, question, with_ratings, fingerprint)
        with _cache_lock:
            if key in _cache:
                return _cache[key]
        sums = store.group_sums_by(session, groupings, period, reasons_question=question,
                                   tenure_bands=bands, last_band=last, with_ratings=with_ratings)
    entry = (sums, {})
    with _cache_lock:
        # What was counted before the data changed is never asked for again: let it go at once (a
        # report's sums take megabytes at 100,000 interviews).
        for stale in [k for k in _cache if k[0] == key[0] and k[-1] != fingerprint]:
            del _cache[stale]
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = entry
    return entry


def grouped(services: Services, grouping: str, period: store.Period, template: Template,
            with_reasons: bool = True, together: tuple[str, ...] = view.GROUPINGS,
            with_ratings: bool = True) -> dict[str, GroupFigures]:
    """The figures per group of one grouping, added up from the sums of all `together` at once."""
    question = _reasons_question(template) if with_reasons else None
    return _marginal(_combined(services, together, period, question, with_ratings), grouping, together, question)


def _marginal(combined: tuple[dict[tuple, store.GroupSums], dict[str, dict[str, GroupFigures]]], grouping: str,
              together: tuple[str, ...], question: str | None) -> dict[str, GroupFigures]:
    sums, marginals = combined
    if grouping in marginals:
        return marginals[grouping]
    index = together.index(grouping)
    merged: dict[str, store.GroupSums] = {}
    for key, value in sums.items():
        name = key[index] if isinstance(key[index], str) and key[index].strip() else UNKNOWN
        _add(merged.setdefault(name, store.GroupSums()), value)
    result = {name: figures_of(value, question) for name, value in merged.items()}
    marginals[grouping] = result
    return result


def _add(into: store.GroupSums, value: store.GroupSums) -> None:
    into.count += value.count
    into.promoters += value.promoters
    into.passives += value.passives
    into.detractors += value.detractors
    for category, (n, total, squares) in value.ratings.items():
        before = into.ratings.get(category, (0, 0.0, 0.0))
        into.ratings[category] = (before[0] + n, before[1] + total, before[2] + squares)
    for question_id, picks in value.choices.items():
        target = into.choices.setdefault(question_id, {})
        for code, n in picks.items():
            target[code] = target.get(code, 0) + n
    for question_id, n in value.answered.items():
        into.answered[question_id] = into.answered.get(question_id, 0) + n


def breakdowns(services: Services, period: store.Period, template: Template, limits: Thresholds,
               groupings=view.GROUPINGS, with_reasons: bool = True, with_ratings: bool = True
               ) -> dict[str, list[Cell] | None]:
    together = tuple(groupings)
    question = _reasons_question(template) if with_reasons else None
    combined = _combined(services, together, period, question, with_ratings)  # one look at the cache's key
    return {grouping: protected_breakdown(_marginal(combined, grouping, together, question), limits)
            for grouping in groupings}


def report_messages(services: Services, language: str, start: date | None, end: date | None
                    ) -> list[tuple[str, list[dict]]]:
    """The breakdown part of `/exit-interview report` (HR only)."""
    start, end, period = period_of(services, start, end)
    limits = services.settings.thresholds
    template = templates.active_template(services.db)
    _ = Translator(language)
    return view.breakdown_messages(
        _, period_from=start, period_to=end, breakdowns=breakdowns(services, period, template, limits),
        destinations=destinations(services, period, template, limits, language),
        reasons=reason_labels(template, language), k=limits.min_group_size,
    )


def home_sections(services: Services, _: Translator) -> list:
    """The compact breakdown on HR's App Home: department and tenure over the last twelve months,
    interviews and eNPS per group (no answer rows read: the Home is rebuilt on every change)."""
    *_dates, period = period_of(services, None, None)
    limits = services.settings.thresholds
    template = templates.active_template(services.db)
    return view.home_sections(_, breakdowns(services, period, template, limits, HOME_GROUPINGS, with_reasons=False,
                                           with_ratings=False),
                              reason_labels(template, _.language), limits.min_group_size)


# -- one manager, for HR ----------------------------------------------------------------------------


def manager_comparison(services: Services, manager_id: str, period: store.Period, template: Template,
                       limits: Thresholds) -> Comparison | None:
    company = GroupFigures()
    mine = GroupFigures()
    for name, figures in grouped(services, "manager", period, template).items():
        company = company + figures
        if name == manager_id:
            mine = figures
    return compare_group(mine, company, limits)


def manager_message(services: Services, language: str, manager_id: str, start: date | None, end: date | None
                    ) -> tuple[str, list[dict]]:
    start, end, period = period_of(services, start, end)
    limits = services.settings.thresholds
    template = templates.active_template(services.db)
    return view.manager_messages(
        Translator(language), manager_id=manager_id, period_from=start, period_to=end,
        comparison=manager_comparison(services, manager_id, period, template, limits),
        reasons=reason_labels(template, language), k=limits.min_group_size,
    )


def share_with_manager(services: Services, hr_user_id: str, manager_id: str, start: date, end: date
                       ) -> Problem | None:
    """HR sends the manager view to the manager themselves (never without HR doing so), logged."""
    if not services.directory.is_hr(hr_user_id):
        return Problem("hr.only")
    limits = services.settings.thresholds
    template = templates.active_template(services.db)
    period = store.Period(start, end)
    comparison = manager_comparison(services, manager_id, period, template, limits)
    if comparison is None:
        return Problem("breakdown.manager.withheld", {"k": str(limits.min_group_size)})
    language = services.directory.language(manager_id)
    text, blocks = view.manager_messages(
        Translator(language), manager_id=manager_id, period_from=start, period_to=end, comparison=comparison,
        reasons=reason_labels(template, language), k=limits.min_group_size, shared_by=hr_user_id,
    )
    services.client.chat_postMessage(channel=manager_id, text=text, blocks=blocks)
    with services.db.session() as session:
        repo.add_audit(session, at=services.clock.now(), actor=hr_user_id, action="manager_view_shared",
                       subject=manager_id, detail={"from": start.isoformat(), "to": end.isoformat()})
    return None


# -- where they go ----------------------------------------------------------------------------------


def _competitor_choices(template: Template) -> list:
    return [q for q in template.questions if q.category is Category.COMPETITOR
            and q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)]


def destinations(services: Services, period: store.Period, template: Template, limits: Thresholds,
                 language: str) -> view.Destinations:
    """Destination types and what the new employer offers, counted from choice answers, and the
    approved quotes of the competitor questions; nothing when fewer than k interviews answered."""
    questions = _competitor_choices(template)
    k = limits.min_group_size
    shown_questions = []
    total = sum(figures.count for figures in grouped(services, "reason", period, template).values())
    with services.db.session() as session:
        sums = store.group_sums_by(session, (), period, choice_questions=[q.id for q in questions],
                                   with_ratings=False) if questions else {}
        approved = store.approved_interviews_in(session, period, QUOTE_CANDIDATES) if total >= k else []
    for question in questions:
        counts: dict[str, int] = {}
        answered = 0
        for value in sums.values():
            answered += value.answered.get(question.id, 0)
            for code, count in value.choices.get(question.id, {}).items():
                counts[code] = counts.get(code, 0) + count
        protected = protected_counts(counts, answered, k)
        if protected is None:
            continue
        labels = {option.id: option_text(option, language) for option in question.options}
        shown, rest = protected
        shown_questions.append((question.text.get(language) or next(iter(question.text.values()), question.id),
                                answered, tuple((labels.get(code, code), count) for code, count in shown), rest))
    quotes = competitor_quotes(services, approved, language) if len(approved) >= k else []
    return view.Destinations(tuple(shown_questions), tuple(quotes), withheld=total < k)


def competitor_quotes(services: Services, interview_ids: list[int], language: str) -> list[str]:
    """Quotes from the competitor questions that HR kept in the approved highlights (decrypted here,
    for these few interviews only)."""
    quotes: list[str] = []
    names = services.directory.member_names()
    with services.db.session() as session:
        for interview_id in interview_ids:
            interview = repo.interview_by_id(session, interview_id)
            review = repo.review_for_interview(session, interview_id)
            if interview is None or interview.state is None or review is None or review.decision != "approved":
                continue
            template = templates.template_for(services.db, interview.template_key, interview.template_version)
            competitor = {q.id for q in template.questions if q.category is Category.COMPETITOR}
            answers = Questionnaire(template).final_answers(from_json(interview.state))
            kept = set(highlights.parse(review.highlights))
            for quote in highlights.shared_quotes(template, answers, interview.excluded_quotes or [], names, language):
                text = " ".join(quote.text.split())
                if quote.question_id in competitor and text in kept:
                    quotes.append(text)
            if len(quotes) >= QUOTES_SHOWN:
                break
    return quotes[:QUOTES_SHOWN]


def upload_charts(services: Services, user_id: str, language: str, start: date | None, end: date | None) -> bool:
    """The report's pictures (reasons over time, the breakdown table) in HR's DM; the text in the
    report stays complete without them. False when nothing could be sent."""
    from bot.charts_breakdowns import breakdown_chart

    start, end, period = period_of(services, start, end)
    limits = services.settings.thresholds
    template = templates.active_template(services.db)
    question = _reasons_question(template)
    _ = Translator(language)
    with services.db.session() as session:
        monthly = store.reasons_per_month(session, question, period) if question else []
    try:
        png = breakdown_chart(_, monthly=monthly, breakdowns=breakdowns(services, period, template, limits),
                              reasons=reason_labels(template, language), k=limits.min_group_size)
        channel = services.client.conversations_open(users=user_id)["channel"]["id"]
        services.client.files_upload_v2(channel=channel, content=png, filename="exit-interview-breakdowns.png",
                                        title=_("breakdown.chart.title"))
    except SlackClientError as error:
        log.warning("the breakdown chart could not be uploaded: %s", error)
        return False
    finally:
        memory.release()  # the report's last step: its rows, sums and picture are garbage now
    return True
