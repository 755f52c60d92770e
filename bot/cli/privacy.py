"""`exit-interview purge` (the retention purge: personal data and free text after RETENTION_MONTHS)
and `exit-interview erase` (an erasure request: everything stored about one person)."""

from __future__ import annotations

import sys

from bot.cli import _common, _spaces
from bot.config import ConfigError


def register(commands) -> None:
    purge = commands.add_parser(
        "purge", help="delete personal data and free text RETENTION_MONTHS (default 24) after the last working day"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would go (counts and departure ids)")
    _spaces.add_options(purge, all_installations=True)
    purge.set_defaults(handler=run)
    erase = commands.add_parser(
        "erase", help="delete everything stored about one person (an erasure request, like /exit-interview erase)")
    erase.add_argument("user", metavar="USER_ID", help="the person's Slack user id (U…)")
    erase.add_argument("--as", dest="as_user", metavar="HR_USER_ID",
                       help="the HR member who asks (in the audit log; default: the only member of HR)")
    erase.add_argument("--yes", action="store_true", help="erase; without it, only show what would go")
    _spaces.add_options(erase)
    erase.set_defaults(handler=run_erase)


def run(args) -> int:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from sqlalchemy.exc import SQLAlchemyError

    raw_months = _common.setting("RETENTION_MONTHS") or "24"
    if not raw_months.isdigit() or not 1 <= int(raw_months) <= 240:
        raise ConfigError(f"RETENTION_MONTHS must be a whole number between 1 and 240, not {raw_months!r}")
    months = int(raw_months)
    timezone = _common.setting("TIMEZONE") or "Europe/Amsterdam"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {timezone!r} is not a known time zone like Europe/Amsterdam") from None
    main = _common.open_database()
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    code, told = 0, False
    try:
        for installation, database in _spaces.each(args, main):
            report = _report(database, today, months, now, args.dry_run)
            if not told:
                print(f"retention: {months} months after the last working day (RETENTION_MONTHS); today is "
                      f"{today} ({timezone})")
                told = True
            if installation is not None:
                print(f"{installation.describe()}:")
            code = max(code, _show(report, args.dry_run))
    except SQLAlchemyError as error:
        return _common.database_error(error)
    finally:
        main.dispose()
    if not told:
        print("no installation has data yet: nothing is due")
    return code


def _report(database, today, months: int, now, dry_run: bool):
    from bot.operations import privacy

    return privacy.purge(database, today=today, months=months, now=now, actor="cli", dry_run=dry_run)


def _show(report, dry_run: bool) -> int:
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


def run_erase(args) -> int:
    """Exit 0 when erased (or, without --yes, when something would go), 1 when nothing is stored
    about the person, 2 for a wrong --as or user id."""
    from slack_sdk.errors import SlackClientError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import load_settings
    from bot.operations import privacy

    if not privacy.USER_ID.match(args.user):
        print(f"exit-interview: {args.user!r} is not a Slack user id like U0123ABCD", file=sys.stderr)
        return 2
    settings = load_settings()
    try:
        with _spaces.slack_services(args, settings) as services:
            hr_user_id = args.as_user or _common.only_hr(services.settings)
            if not hr_user_id:
                print("exit-interview: say who asks with --as HR_USER_ID (a member of HR)", file=sys.stderr)
                return 2
            counts = privacy.erasure_counts(services.db, args.user)
            if not any(counts.values()):
                print(f"nothing is stored about {args.user}")
                return 1
            if not args.yes:
                print(f"would erase about {args.user}: {_counted(counts)}")
                print("nothing was changed; add --yes to erase")
                return 0
            outcome = privacy.erase(services, args.user, hr_user_id)
    except SlackClientError as error:
        return _common.slack_error(error)
    except SQLAlchemyError as error:
        return _common.database_error(error)
    if outcome.problem is not None:
        print(f"exit-interview: {hr_user_id} is not in HR", file=sys.stderr)
        return 2
    print(f"erased about {args.user}: {_counted(outcome.counts)} (in the audit log as asked by {hr_user_id})")
    return 0


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in counts.items())
