"""`exit-interview shell`: the whole story in a terminal, without Slack."""

from __future__ import annotations


def register(commands) -> None:
    shell = commands.add_parser("shell", help="try the bot without Slack: a terminal that plays the whole story")
    shell.add_argument("--db", metavar="PATH", help="keep the data in this SQLite file (default: a temporary one)")
    shell.add_argument("--lang", choices=("nl", "en"), default="nl", help="the people's language (default nl)")
    shell.add_argument("--demo", action="store_true", help="play a scripted story by itself and print it")
    shell.set_defaults(handler=start)


def start(args) -> int:
    from bot.shell import run as run_shell

    return run_shell(db=args.db, lang=args.lang, demo=args.demo)
