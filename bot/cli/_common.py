"""What the command groups share: settings for maintenance commands (no Slack tokens needed),
the database with its encryption keys, and writing an output file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.config import ConfigError


class Stop(Exception):
    """The command ends here with this exit code; it has said why on stderr."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def setting(name: str) -> str | None:
    """A setting from the environment, else from .env in this folder (maintenance commands)."""
    from dotenv import dotenv_values

    value = os.environ.get(name) or dotenv_values(Path.cwd() / ".env").get(name)
    return value.strip() if value and value.strip() else None


def database_url() -> str:
    """DATABASE_URL from the environment, else from .env in this folder, else a SQLite file here.

    Needs no Slack tokens, so maintenance commands work on a machine that only reaches the database.
    """
    url = setting("DATABASE_URL")
    return url or f"sqlite:///{Path.cwd() / 'exit-interview.sqlite3'}"


def configure_encryption(url: str, encryption_key: str | None) -> str:
    """The process's keys for encrypted columns (storage.crypto), once, before the database opens."""
    from storage import crypto
    from storage.db import normalise_url

    try:
        return crypto.configure_for(normalise_url(url), encryption_key)
    except crypto.KeyringError as error:
        raise ConfigError(str(error)) from None


def open_database():
    """The database of DATABASE_URL with the keys of ENCRYPTION_KEY (or the SQLite key file)."""
    from storage.db import Database

    url = database_url()
    configure_encryption(url, setting("ENCRYPTION_KEY"))
    return Database(url)


def database_error(error: Exception) -> int:
    print(f"exit-interview: database error: {error}", file=sys.stderr)
    return 1


def slack_error(error: Exception) -> int:
    from slack_sdk.errors import SlackApiError

    if isinstance(error, SlackApiError):
        print(f"exit-interview: Slack refused: {error.response.get('error')}", file=sys.stderr)
    else:
        print(f"exit-interview: cannot reach Slack: {error}", file=sys.stderr)
    return 1


def only_hr(settings) -> str | None:
    """The one member of HR, when there is exactly one (the default of --as)."""
    return next(iter(settings.hr_user_ids)) if len(settings.hr_user_ids) == 1 else None


def write_output(out: str, data: bytes, summary: str) -> int:
    """`data` to standard output ('-', the summary to stderr) or to the file `out`, which is
    replaced whole or not at all."""
    if out == "-":
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            stream.write(data)
        sys.stdout.flush()
        print(summary, file=sys.stderr)
        return 0
    target = Path(out)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        print(f"exit-interview: {out}: cannot be written: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"{summary} to {target}")
    return 0
