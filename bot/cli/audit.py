"""`exit-interview audit`: the audit log (who did what with personal data) as CSV."""

from __future__ import annotations

import argparse

from bot.cli import _common, _spaces


def register(commands) -> None:
    audit = commands.add_parser("audit", help="export the audit log (who did what with personal data) as CSV")
    audit.add_argument("--out", required=True, help="the CSV file to write ('-': standard output)")
    _spaces.add_options(audit)
    audit.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import io

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations.loop import write_audit_csv

    text = io.StringIO(newline="")
    try:
        with _spaces.opened(args) as database:
            count = write_audit_csv(database, text)
    except SQLAlchemyError as error:
        return _common.database_error(error)
    summary = f"exported {count} audit entr{'y' if count == 1 else 'ies'}"
    return _common.write_output(args.out, text.getvalue().encode("utf-8"), summary)
