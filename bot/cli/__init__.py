"""The `exit-interview` command.

One module per command group; each has `register(commands)`, which adds its sub-command(s) and
sets the function that runs them (`handler`). Shared helpers (settings for maintenance commands,
opening the database, writing files) live in `_common`.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli import _common, audit, bench_data, bulk_import, db, export, keys, privacy, run, shell, templates
from bot.config import ConfigError

# In the order `exit-interview --help` lists them.
GROUPS = (run, db, templates, keys, privacy, export, bulk_import, audit, bench_data, shell)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exit-interview", description="The exit-interview bot for Slack.")
    commands = parser.add_subparsers(dest="command")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    command_line = parser()
    args = command_line.parse_args(argv)
    try:
        if args.command is None:  # no command: run the bot
            return run.start("INFO", "all")
        return args.handler(args)
    except _common.Stop as stop:
        return stop.code
    except ConfigError as error:
        print(f"exit-interview: configuration error: {error}", file=sys.stderr)
        return 2
