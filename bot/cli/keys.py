"""`exit-interview keys generate|rotate`: the encryption keys of the stored answers."""

from __future__ import annotations

import sys

from bot.cli import _common, _spaces


def register(commands) -> None:
    keys = commands.add_parser("keys", help="the encryption keys of the stored answers (ENCRYPTION_KEY)")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser("generate", help="print a new key (changes nothing)")
    rotate = keys_commands.add_parser(
        "rotate",
        help="with one key: print a new key and the steps; with NEW,OLD in ENCRYPTION_KEY: re-encrypt "
             "everything with NEW while the bot runs",
    )
    _spaces.add_options(rotate, all_installations=True)
    keys.set_defaults(handler=run)


def run(args) -> int:
    from storage import crypto

    if args.keys_command == "generate":
        print(crypto.generate_key())
        return 0
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations import privacy
    from storage.db import Database

    url = _common.database_url()
    source = _common.configure_encryption(url, _common.setting("ENCRYPTION_KEY"))
    oauth = _spaces.client_id() is not None
    database = Database(url)
    try:
        database.upgrade()
        if crypto.key_count() == 1:
            new_key = crypto.generate_key()
            privacy.record_new_key(database, now=datetime.now(UTC), actor="cli")
            again = "exit-interview keys rotate --all-installations" if oauth else "exit-interview keys rotate"
            print(_ROTATE_STEPS.format(new_key=new_key, source=source, again=again))
            return 0
        picked = _spaces.chosen(args, database)
        report = _rotate(database, picked)
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
    if oauth and not args.all_installations:
        print("the installation tokens and the data of the installation named are under the first key now; the "
              "other installations' data is not. Keep the old key until `exit-interview keys rotate "
              "--all-installations` has run.")
        return 0
    print("every stored text is under the first key now. Last step: remove the old key(s) from ENCRYPTION_KEY "
          "(keep only the first) and restart the bot. Keep the old key as long as you keep backups made before "
          "this rotation.")
    return 0


def _rotate(main, picked):
    """The main database (in OAuth mode with the installations' tokens), then each installation's data."""
    from datetime import UTC, datetime

    from bot import installation_store
    from bot.operations import privacy
    from storage import repositories as repo

    if picked is None:  # one token: one database
        return privacy.rotate_keys(main, now=datetime.now(UTC), actor="cli")
    total = privacy.rotate_keys(main, now=datetime.now(UTC), actor="cli",
                                columns=repo.encrypted_columns() + installation_store.encrypted_columns())
    print(f"the installations (main database): {total.rotated} stored texts re-encrypted")
    for installation in picked:
        database = _spaces.open_space(main, installation)
        try:
            report = privacy.rotate_keys(database, now=datetime.now(UTC), actor="cli")
        finally:
            database.dispose()
        print(f"{installation.describe()}: {report.rotated} stored texts re-encrypted")
        for name, count in report.as_detail().items():
            setattr(total, name, getattr(total, name) + count)
    return total


_ROTATE_STEPS = """A new encryption key (not in use yet; put it in your secret store now):

    {new_key}

Rotate without downtime:
  1. Put the new key in front of the current one wherever the bot runs, ENCRYPTION_KEY=NEW,OLD
     (OLD: the key now in {source}), and restart the bot: it encrypts with NEW and still reads OLD.
  2. Run `{again}` again with that setting: it re-encrypts every stored text with NEW
     while the bot keeps running.
  3. Remove OLD, so ENCRYPTION_KEY=NEW, and restart the bot. Keep OLD as long as you keep database
     backups made before the rotation."""
