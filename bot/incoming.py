"""Small facts about the request being handled, shared by the inbox, late replies, listeners and
operations without tying them to each other: who sent it, and whether it is a replay."""

from __future__ import annotations

import threading

_listener = threading.local()  # Bolt runs a listener, its start and its completion in one thread


def replaying() -> bool:
    """Is the listener running in this thread finishing a request a dead process acknowledged? Then
    work it finds done may be its own earlier half (continue it), not a second click (refuse it)."""
    return getattr(_listener, "replay", False)


def mark_replay(replay: bool) -> None:
    """Set by the inbox when a listener starts (True for a replayed request) and when it finishes."""
    _listener.replay = replay


def user_of(body: dict) -> str | None:
    """The user who sent the request, whatever its shape (clicks, submissions, commands, events);
    None when the payload has no usable id."""
    user = body.get("user") if isinstance(body, dict) else None
    if isinstance(user, dict):
        user = user.get("id")
    if not isinstance(user, str) and isinstance(body, dict):
        user = body.get("user_id")
        if not isinstance(user, str) and isinstance(body.get("event"), dict):
            user = body["event"].get("user")
    return user if isinstance(user, str) and user.isascii() and user.isalnum() and len(user) <= 32 else None
