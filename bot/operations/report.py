"""HR's report over a period, from the numbers store: SQL adds up every day once (counts, sums,
sums of squares, counts per answer), the period, the period before it, the months and all time are
sums of those days, and nothing is decrypted. Participation counts every departure registered or
leaving in the period, whatever its last day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from bot.blocks.loop import movement_blocks
from bot.blocks.report import report_messages
from bot.i18n import Translator
from bot.operations import loop, numbers, templates
from bot.services import Services
from flows.aggregates import YEAR, Tally, main_reasons, stats_of, total
from flows.insights import PeriodStats, signals
from storage import numbers as store


def report(services: Services, language: str, start: date | None, end: date | None) -> list[tuple[str, list[dict]]]:
    """Full statistics over any period, for HR only."""
    today = services.today()
    end = end or today
    start = start or end - YEAR
    length = end - start + timedelta(days=1)
    limits = services.settings.thresholds
    tz = services.settings.tz
    days, question_roles = numbers.daily(services)
    with services.db.session() as session:
        counts = store.participation_counts(
            session, start, end, datetime.combine(start, time(0), tz),
            datetime.combine(end + timedelta(days=1), time(0), tz))
    period = total(tally for day, tally in days.items() if start <= day <= end)
    previous = total(tally for day, tally in days.items() if start - length <= day < start)
    overall = total(days.values())
    by_month: dict[str, Tally] = defaultdict(Tally)
    for day, tally in sorted(days.items()):
        if start <= day <= end:
            by_month[f"{day:%Y-%m}"].add(tally)

    def stats(tally: Tally) -> PeriodStats:
        return stats_of(tally, question_roles, limits)

    current = stats(period)
    previous_stats = stats(previous) if previous.count else None
    overall_stats = stats(overall) if overall.count else None

    def split(done_on: date) -> tuple[PeriodStats, PeriodStats]:
        return (stats(total(t for day, t in days.items() if day <= done_on)),
                stats(total(t for day, t in days.items() if day > done_on)))

    _ = Translator(language)
    template = templates.active_template(services.db)
    return report_messages(
        _, template=template, period_from=start, period_to=end, counts=counts, stats=current,
        monthly=[(month, stats(by_month[month])) for month in sorted(by_month)],
        signals=signals(current, previous_stats, overall_stats, limits) if current.count else [],
        main_reasons=main_reasons(period, question_roles),
        extra=movement_blocks(_, template, loop.movements(services, split)),
    )
