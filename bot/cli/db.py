"""`exit-interview db upgrade`: create or migrate the schema."""

from __future__ import annotations

from bot.cli import _common


def register(commands) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or upgrade the schema to the newest version")
    db.set_defaults(handler=upgrade)


def upgrade(args) -> int:
    database = _common.open_database()
    database.upgrade()
    print(f"database schema is up to date ({database.engine.url.render_as_string(hide_password=True)})")
    return 0
