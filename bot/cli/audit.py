"""`exit-interview audit`: the audit log (who did what with personal data) as CSV."""

from __future__ import annotations

import argparse

from bot.cli import _common


def register(commands) -> None:
    audit = commands.add_parser("audit", help="export the audit log (who did what with personal data) as CSV")
    audit.add_argument("--out", required=True, help="the CSV file to write ('-': standard output)")
    audit.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import io

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations.loop import write_audit_csv

    database = _common.open_database()
    text = io.StringIO(newline="")
    try:
        database.upgrade()
        count = write_audit_csv(database, text)
    except SQLAlchemyError as error:
        return _common.database_error(error)
    finally:
        database.dispose()
    summary = f"exported {count} audit entr{'y' if count == 1 else 'ies'}"
    return _common.write_output(args.out, text.getvalue().encode("utf-8"), summary)
