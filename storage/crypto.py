"""Encryption at rest for free text: answers, talk notes, review highlights.

Columns typed `EncryptedText` / `EncryptedJSON` hold Fernet tokens (AES-128-CBC with HMAC-SHA256,
url-safe base64 text) on SQLite and PostgreSQL alike. The keys form one keyring per process,
configured once at start (`configure`, or `configure_for` with the start-up rules below): the first
key encrypts, every key decrypts, so a key can be rotated while the bot runs (see `rotate`).

Start-up rules (`configure_for`): ENCRYPTION_KEY (comma-separated Fernet keys) when set. Without
it, a SQLite database gets a key file `exit-interview.key` next to the database file (created on
first run with mode 0600, logged); a PostgreSQL database refuses to start, because a production
database must never silently depend on a key file on one machine.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text, TypeDecorator

log = logging.getLogger(__name__)

KEY_FILE_NAME = "exit-interview.key"

_lock = threading.Lock()
# (all keys, the encrypting key, how many keys): replaced as a whole, read as a whole.
_keys: tuple[MultiFernet, Fernet, int] | None = None


class KeyringError(ValueError):
    """The keys are missing or malformed; the message is one line naming the setting."""


class NotConfigured(RuntimeError):
    """Encrypted data was read or written before the process configured its keys."""


# -- keys ---------------------------------------------------------------------------------------


def generate_key() -> str:
    """A fresh Fernet key, as text for ENCRYPTION_KEY."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: str | Sequence[str | bytes], setting: str = "ENCRYPTION_KEY") -> list[bytes]:
    """Comma-separated (or a list of) Fernet keys, newest first. Never echoes a key in the error."""
    parts = value.replace("\n", ",").split(",") if isinstance(value, str) else list(value)
    keys = [p.strip().encode("ascii") if isinstance(p, str) else p.strip() for p in parts]
    keys = [k for k in keys if k]
    if not keys:
        raise KeyringError(f"{setting} holds no key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise KeyringError(
                f"{setting}: key {position} of {len(keys)} is not a Fernet key (44 characters of url-safe base64; "
                "make one with `exit-interview keys generate`)"
            ) from None
    return keys


def configure(keys: str | Sequence[str | bytes]) -> None:
    """Set this process's keyring: the first key encrypts, all of them decrypt."""
    global _keys
    fernets = [Fernet(key) for key in parse_keys(keys)]
    with _lock:
        _keys = (MultiFernet(fernets), fernets[0], len(fernets))


def reset() -> None:
    """Forget the keyring (tests)."""
    global _keys
    with _lock:
        _keys = None


def is_configured() -> bool:
    return _keys is not None


def key_count() -> int:
    keys = _keys
    return keys[2] if keys is not None else 0


def is_postgresql(database_url: str) -> bool:
    return database_url.split(":", 1)[0].split("+", 1)[0] in ("postgres", "postgresql")


def key_file_for(database_url: str, folder: Path | None = None) -> Path:
    """`exit-interview.key` next to a SQLite database file, else in the working folder."""
    folder = folder or Path.cwd()
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1] if "///" in database_url else ""
        path = path.split("?", 1)[0]
        if path and path != ":memory:" and not path.startswith("file::memory:"):
            return (folder / Path(path)).resolve().parent / KEY_FILE_NAME
    return folder / KEY_FILE_NAME


def configure_for(database_url: str, encryption_key: str | None, folder: Path | None = None) -> str:
    """Apply the start-up rules; returns where the keys came from (for a log line).

    Raises KeyringError (one line) for malformed keys, and for PostgreSQL without ENCRYPTION_KEY.
    """
    if encryption_key and encryption_key.strip():
        configure(encryption_key)
        return "ENCRYPTION_KEY"
    if is_postgresql(database_url):
        raise KeyringError(
            "ENCRYPTION_KEY is not set: a PostgreSQL database needs it (make one with `exit-interview keys "
            "generate` and keep it in your secret store); only SQLite falls back to a local key file"
        )
    path = key_file_for(database_url, folder)
    configure(parse_keys(_read_or_create_key_file(path), setting=str(path)))
    return str(path)


def _read_or_create_key_file(path: Path) -> str:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _attempt in range(50):  # another process may be writing it this very moment
            text = path.read_text(encoding="ascii").strip()
            if text:
                return text
            time.sleep(0.1)
        raise KeyringError(f"{path} is empty: restore the key from your backup or set ENCRYPTION_KEY") from None
    except OSError as error:
        raise KeyringError(f"cannot create the key file {path}: {error.strerror or error}") from None
    key = generate_key()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning(
        "created a new encryption key in %s (mode 0600); back it up: without it the stored answers cannot be read",
        path,
    )
    return key


def ensure_configured(database_url: str) -> None:
    """Called by `Database`: keep the keys the process configured at start (the CLI does, from
    Settings and .env), else apply the defaults with ENCRYPTION_KEY from the environment."""
    if not is_configured():
        configure_for(database_url, os.environ.get("ENCRYPTION_KEY"))


# -- tokens -------------------------------------------------------------------------------------


def _ring() -> tuple[MultiFernet, Fernet]:
    keys = _keys
    if keys is None:
        raise NotConfigured("encryption keys are not configured in this process")
    return keys[0], keys[1]


def encrypt(plaintext: str) -> str:
    return _ring()[0].encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext; cryptography.fernet.InvalidToken when no key of the keyring fits."""
    return _ring()[0].decrypt(token.encode("ascii")).decode("utf-8")


def is_current(token: str) -> bool:
    """Encrypted with the first (encrypting) key already."""
    try:
        _ring()[1].decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The same plaintext encrypted with the first key (MultiFernet.rotate)."""
    return _ring()[0].rotate(token.encode("ascii")).decode("ascii")


def readable(token: str) -> bool:
    try:
        decrypt(token)
    except (InvalidToken, UnicodeError):
        return False
    return True


# -- column types ----------------------------------------------------------------------------------


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token. An empty stored value reads as '' (a schema default)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return encrypt(str(value))

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return decrypt(value) if value else ""


class EncryptedJSON(TypeDecorator):
    """JSON stored as a Fernet token; Python None is SQL NULL (so `IS NULL` filters keep working)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect) -> Any:
        if value is None or value == "":
            return None
        return json.loads(decrypt(value))
