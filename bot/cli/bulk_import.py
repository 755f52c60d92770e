"""`exit-interview import`: register leavers from a CSV file (the running bot sends the invitations)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import _common, _spaces
from bot.config import load_settings


def register(commands) -> None:
    command = commands.add_parser(
        "import", help="register leavers from a CSV file (asks Slack; the running bot sends the invitations)")
    command.add_argument("file", help="CSV with a header row: employee, last working day[, manager, department, role]")
    command.add_argument("--as", dest="as_user", metavar="HR_USER_ID",
                         help="the HR member who registers them (default: the only member of HR_USER_IDS)")
    _spaces.add_options(command)
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every row is registered or was already, 1 otherwise, 2 for a wrong --as."""
    settings = load_settings()
    # In OAuth mode HR is the installation's own: known once its data is open.
    hr_user_id = args.as_user or (None if settings.oauth else _common.only_hr(settings))
    if not hr_user_id and not settings.oauth:
        print(_NO_HR, file=sys.stderr)
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
    from slack_sdk.errors import SlackClientError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.blocks import bulk as view
    from bot.i18n import Translator
    from bot.operations import bulk

    # The bot's database, Slack client and directory, without its server or scheduler: the
    # invitations are in the database, and the running bot's sweep sends them when due.
    try:
        with _spaces.slack_services(args, settings) as services:
            hr_user_id = hr_user_id or _common.only_hr(services.settings)
            if not hr_user_id:
                print(_NO_HR, file=sys.stderr)
                return 2
            report = bulk.import_csv(services, data, hr_user_id, refresh_home=False)
            _ = Translator(services.directory.language(hr_user_id))
    except SlackClientError as error:
        return _common.slack_error(error)
    except SQLAlchemyError as error:
        return _common.database_error(error)
    if report.problem is not None and report.problem.key == "hr.only":
        print(f"exit-interview: {hr_user_id} is not in HR (HR_USER_IDS or HR_USERGROUP_ID)", file=sys.stderr)
        return 2
    print(view.summary_table(_, report))
    return 0 if report.ok else 1


_NO_HR = "exit-interview: say who registers the leavers with --as HR_USER_ID (one of HR_USER_IDS)"
