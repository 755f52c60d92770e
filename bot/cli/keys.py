"""`exit-interview keys generate|rotate`: the encryption keys of the stored answers."""

from __future__ import annotations

import sys

from bot.cli import _common


def register(commands) -> None:
    keys = commands.add_parser("keys", help="the encryption keys of the stored answers (ENCRYPTION_KEY)")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser("generate", help="print a new key (changes nothing)")
    keys_commands.add_parser(
        "rotate",
        help="with one key: print a new key and the steps; with NEW,OLD in ENCRYPTION_KEY: re-encrypt "
             "everything with NEW while the bot runs",
    )
    keys.set_defaults(handler=lambda args: run(args.keys_command))


def run(keys_command: str) -> int:
    from storage import crypto

    if keys_command == "generate":
        print(crypto.generate_key())
        return 0
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations import privacy

    url = _common.database_url()
    source = _common.configure_encryption(url, _common.setting("ENCRYPTION_KEY"))
    from storage.db import Database

    database = Database(url)
    try:
        database.upgrade()
        if crypto.key_count() == 1:
            new_key = crypto.generate_key()
            privacy.record_new_key(database, now=datetime.now(UTC), actor="cli")
            print(_ROTATE_STEPS.format(new_key=new_key, source=source))
            return 0
        report = privacy.rotate_keys(database, now=datetime.now(UTC), actor="cli")
    except SQLAlchemyError as error:
        return _common.database_error(error)
    finally:
        database.dispose()
    print(f"re-encrypted {report.rotated} stored texts with the first of {crypto.key_count()} keys "
          f"({report.current} were under it already)")
    problems = 0
    if report.unreadable:
        problems += 1
        print(f"exit-interview: {report.unreadable} stored texts cannot be decrypted with any configured key; "
              "they were left as they are", file=sys.stderr)
    if report.still_old:
        problems += 1
        print(f"exit-interview: {report.still_old} stored texts are still under an old key (rewritten by a bot that "
              "does not encrypt with the new key yet?): restart the bot with ENCRYPTION_KEY=NEW,OLD and run "
              "`exit-interview keys rotate` again", file=sys.stderr)
    if problems:
        return 1
    print("every stored text is under the first key now. Last step: remove the old key(s) from ENCRYPTION_KEY "
          "(keep only the first) and restart the bot. Keep the old key as long as you keep backups made before "
          "this rotation.")
    return 0


_ROTATE_STEPS = """A new encryption key (not in use yet; put it in your secret store now):

    {new_key}

Rotate without downtime:
  1. Put the new key in front of the current one wherever the bot runs, ENCRYPTION_KEY=NEW,OLD
     (OLD: the key now in {source}), and restart the bot: it encrypts with NEW and still reads OLD.
  2. Run `exit-interview keys rotate` again with that setting: it re-encrypts every stored text with NEW
     while the bot keeps running.
  3. Remove OLD, so ENCRYPTION_KEY=NEW, and restart the bot. Keep OLD as long as you keep database
     backups made before the rotation."""
