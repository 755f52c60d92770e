"""`exit-interview db upgrade`: create or migrate the schema."""

from __future__ import annotations

from bot.cli import _common, _spaces


def register(commands) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade_command = db_commands.add_parser("upgrade", help="create or upgrade the schema to the newest version")
    _spaces.add_options(upgrade_command, all_installations=True)
    db.set_defaults(handler=upgrade)


def upgrade(args) -> int:
    """The main database; in OAuth mode also the data spaces of the installations named (the bot
    migrates each one anyway when it first serves it after a start)."""
    database = _common.open_database()
    try:
        database.upgrade()
        print(f"database schema is up to date ({database.engine.url.render_as_string(hide_password=True)})")
        if _spaces.client_id() is None or _spaces.selected(args):
            for installation, _database in _spaces.each(args, database):
                if installation is not None:
                    print(f"{installation.describe()}: schema is up to date")
        else:
            known = _spaces.installations(database, _spaces.client_id())
            print("the installations' data is migrated when the bot first serves them after a start; "
                  f"now with --all-installations (or --workspace / --org):\n{_spaces.listing(known)}")
    finally:
        database.dispose()
    return 0
