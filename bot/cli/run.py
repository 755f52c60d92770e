"""`exit-interview run`: the bot itself."""

from __future__ import annotations

import logging
import os
import sys

from bot.cli import _common
from bot.config import load_settings


def register(commands) -> None:
    run = commands.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)")
    run.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    run.add_argument("--role", choices=("all", "web", "scheduler"), default="all",
                     help="all (default): Slack requests and, when it wins the lock, the scheduler; "
                          "web: Slack requests only; scheduler: the scheduled jobs only")
    run.set_defaults(handler=lambda args: start(args.log_level, args.role))


def start(log_level: str, role: str = "all") -> int:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot import memory

    memory.limit_arenas()  # before the process starts its threads
    settings = load_settings()
    _common.configure_encryption(settings.database_url, settings.encryption_key)
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.runtime import BotProcess

    bot = BotProcess(settings, role=role, sweep_seconds=settings.sweep_seconds)
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
