"""`exit-interview import`: register leavers from a CSV file (the running bot sends the invitations)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import _common
from bot.config import load_settings


def register(commands) -> None:
    command = commands.add_parser(
        "import", help="register leavers from a CSV file (asks Slack; the running bot sends the invitations)")
    command.add_argument("file", help="CSV with a header row: employee, last working day[, manager, department, role]")
    command.add_argument("--as", dest="as_user", metavar="HR_USER_ID",
                         help="the HR member who registers them (default: the only member of HR_USER_IDS)")
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every row is registered or was already, 1 otherwise, 2 for a wrong --as."""
    settings = load_settings()
    hr_user_id = args.as_user or (next(iter(settings.hr_user_ids)) if len(settings.hr_user_ids) == 1 else None)
    if not hr_user_id:
        print("exit-interview: say who registers the leavers with --as HR_USER_ID (one of HR_USER_IDS)",
              file=sys.stderr)
        return 2
    try:
        data = Path(args.file).read_bytes()
    except FileNotFoundError:
        print(f"exit-interview: {args.file}: no such file", file=sys.stderr)
        return 1
    except IsADirectoryError:
        print(f"exit-interview: {args.file}: is a folder, not a CSV file", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"exit-interview: {args.file}: cannot be read: {error.strerror or error}", file=sys.stderr)
        return 1
    _common.configure_encryption(settings.database_url, settings.encryption_key)
    from slack_sdk.errors import SlackApiError, SlackClientError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.blocks import bulk as view
    from bot.i18n import Translator
    from bot.operations import bulk
    from bot.runtime import BotProcess

    # The bot's database, Slack client and directory, without its server or scheduler: the
    # invitations are in the database, and the running bot's sweep sends them when due.
    process = BotProcess(settings)
    try:
        process.db.upgrade()
        report = bulk.import_csv(process.services, data, hr_user_id, refresh_home=False)
        _ = Translator(process.services.directory.language(hr_user_id))
    except SlackApiError as error:
        print(f"exit-interview: Slack refused: {error.response.get('error')}", file=sys.stderr)
        return 1
    except SlackClientError as error:
        print(f"exit-interview: cannot reach Slack: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        return _common.database_error(error)
    finally:
        process.db.dispose()
    if report.problem is not None and report.problem.key == "hr.only":
        print(f"exit-interview: {hr_user_id} is not in HR (HR_USER_IDS or HR_USERGROUP_ID)", file=sys.stderr)
        return 2
    print(view.summary_table(_, report))
    return 0 if report.ok else 1
