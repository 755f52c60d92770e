"""The `exit-interview` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exit-interview", description="The exit-interview bot for Slack.")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)")
    run.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or upgrade the schema to the newest version")

    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        if command == "run":
            return _run(getattr(args, "log_level", "INFO"))
        if command == "db":
            return _db_upgrade()
    except ConfigError as error:
        print(f"exit-interview: configuration error: {error}", file=sys.stderr)
        return 2
    parser.print_help()
    return 2


def _run(log_level: str) -> int:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.runtime import BotProcess

    bot = BotProcess(settings)
    try:
        bot.start()
    except SlackApiError as error:
        print(f"exit-interview: Slack refused the bot token: {error.response.get('error')}", file=sys.stderr)
        bot.stop()
        return 1
    except SlackClientError as error:
        print(f"exit-interview: cannot reach Slack: {error}", file=sys.stderr)
        bot.stop()
        return 1
    except OSError as error:
        print(f"exit-interview: cannot start: {error}", file=sys.stderr)
        bot.stop()
        return 1
    bot.run_until_signalled()
    return 0


def _db_upgrade() -> int:
    from dotenv import dotenv_values

    from storage.db import Database

    url = os.environ.get("DATABASE_URL") or dotenv_values(Path.cwd() / ".env").get("DATABASE_URL")
    url = url or f"sqlite:///{Path.cwd() / 'exit-interview.sqlite3'}"
    database = Database(url)
    database.upgrade()
    print(f"database schema is up to date ({database.engine.url.render_as_string(hide_password=True)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
