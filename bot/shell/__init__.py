"""Try the bot without Slack: `exit-interview shell` plays the whole story in a terminal.

The real bot (HTTP, Bolt, scheduler, an SQLite database) runs against an in-process Slack
emulator with a small demo workspace; the person plays HR, a leaver or a manager, and `--demo`
plays a scripted story by itself.
"""

from __future__ import annotations

import logging
import sys


def run(*, db: str | None = None, lang: str = "nl", demo: bool = False) -> int:
    """The `shell` command: an interactive session, or the scripted demo. Returns the exit code."""
    from bot.shell.session import Shell, make_console

    if not logging.getLogger().handlers:
        # The transcript is the output; the bot's own log says only what needs attention. With a kept
        # database that includes its warnings (such as where the new encryption key was written).
        logging.basicConfig(level=logging.WARNING if db else logging.ERROR, stream=sys.stderr,
                            format="exit-interview: %(message)s")
    console = make_console()
    if demo:
        from bot.shell.demo import play

        return play(lang=lang, db=db, console=console)
    shell = Shell(lang=lang, db_path=db, console=console)
    try:
        shell.start()
    except Exception as error:  # a folder that does not exist, a database that is not ours, a busy port
        print(f"exit-interview: the shell cannot start: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    try:
        return shell.run()
    finally:
        shell.stop()
