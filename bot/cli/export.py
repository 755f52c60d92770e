"""`exit-interview export`: every interview as CSV, XLSX or JSON (docs/export-format.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import _common, _spaces
from bot.config import ConfigError

EXPORT_FORMATS = ("csv", "xlsx", "json")


def register(commands) -> None:
    export = commands.add_parser(
        "export", help="all interviews as CSV, XLSX or JSON, one per row/object (see docs/export-format.md)",
        description="Export every interview: metadata, HR's decision and (for submitted interviews) the answers. "
                    "Dates are in the company's TIMEZONE; an interview counts on the day it was submitted, or, "
                    "when it was never submitted, the day it began.")
    export.add_argument("--format", choices=EXPORT_FORMATS, help="the file format (default: the --out file's suffix)")
    export.add_argument("--out", required=True, help="the file to write ('-': standard output)")
    export.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD",
                        help="only interviews that count on this day or later")
    export.add_argument("--to", dest="end", type=_iso_date, metavar="YYYY-MM-DD",
                        help="only interviews that count on this day or earlier")
    _spaces.add_options(export)
    export.set_defaults(handler=run)


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-31") from None


def _company_timezone():
    """TIMEZONE from the environment, else from .env in this folder, else Europe/Amsterdam."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _common.setting("TIMEZONE") or "Europe/Amsterdam"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {name!r} is not a known time zone like Europe/Amsterdam") from None


def run(args: argparse.Namespace) -> int:
    import io
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations.records import collect
    from bot.records import export

    kind = args.format or Path(args.out).suffix.lstrip(".").lower()
    if kind not in EXPORT_FORMATS:
        print(f"exit-interview: {args.out}: say --format {', '.join(EXPORT_FORMATS)}", file=sys.stderr)
        return 2
    if args.start and args.end and args.start > args.end:
        print("exit-interview: --from is after --to", file=sys.stderr)
        return 2
    tz = _company_timezone()
    try:
        with _spaces.opened(args) as database:
            interviews = collect(database, args.start, args.end, tz)
    except SQLAlchemyError as error:
        return _common.database_error(error)
    if kind == "xlsx":
        data = export.xlsx_bytes(interviews)
    else:
        text = io.StringIO(newline="")
        if kind == "csv":
            export.write_csv(interviews, text)
        else:
            export.write_json(interviews, datetime.now(UTC), text)
        data = text.getvalue().encode("utf-8")
    summary = f"exported {len(interviews)} interview(s) as {kind}"
    return _common.write_output(args.out, data, summary)
