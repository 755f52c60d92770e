"""`exit-interview purge`: the retention purge (personal data and free text after RETENTION_MONTHS)."""

from __future__ import annotations

import sys

from bot.cli import _common
from bot.config import ConfigError


def register(commands) -> None:
    purge = commands.add_parser(
        "purge", help="delete personal data and free text RETENTION_MONTHS (default 24) after the last working day"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would go (counts and departure ids)")
    purge.set_defaults(handler=lambda args: run(args.dry_run))


def run(dry_run: bool) -> int:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations import privacy

    raw_months = _common.setting("RETENTION_MONTHS") or "24"
    if not raw_months.isdigit() or not 1 <= int(raw_months) <= 240:
        raise ConfigError(f"RETENTION_MONTHS must be a whole number between 1 and 240, not {raw_months!r}")
    months = int(raw_months)
    timezone = _common.setting("TIMEZONE") or "Europe/Amsterdam"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {timezone!r} is not a known time zone like Europe/Amsterdam") from None
    database = _common.open_database()
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    try:
        database.upgrade()
        report = privacy.purge(database, today=today, months=months, now=now, actor="cli", dry_run=dry_run)
    except SQLAlchemyError as error:
        return _common.database_error(error)
    finally:
        database.dispose()
    print(f"retention: {months} months after the last working day (RETENTION_MONTHS); today is {today} ({timezone})")
    if report.failed_ids:  # one bad departure never stops the others; the log says what failed
        print(f"{len(report.failed_ids)} departures could not be purged: ids "
              f"{', '.join(str(i) for i in report.failed_ids)} (see the log)", file=sys.stderr)
    if not report.departure_ids:
        print("nothing is due")
        return 1 if report.failed_ids else 0
    verb = "would go" if dry_run else "purged"
    print(f"{report.departures} departures {verb}: ids {', '.join(str(i) for i in report.departure_ids)}")
    print(f"  interviews: {report.interviews} (free texts deleted: {report.free_texts}; ratings, scores and "
          "choices stay)")
    print(f"  review highlights deleted: {report.highlights}")
    print(f"  message records deleted: {report.sent_messages}")
    print("  Slack ids of leaver, manager, interviewer and HR replaced by 'purged'")
    if dry_run:
        print("dry run: nothing was changed; `exit-interview purge` does it")
    return 1 if report.failed_ids else 0
