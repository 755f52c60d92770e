"""Safe text for mrkdwn."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import Block

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def escape(text: str) -> str:
    """User text as inert mrkdwn: it can never ping `<!channel>` or a person, nor inject links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str | None) -> str:
    """A mention of a user id we hold; anything that is not an id is escaped, never trusted."""
    if user_id and _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return escape(user_id or "?")


def dicts(blocks: list[Block]) -> list[dict]:
    return [block.to_dict() for block in blocks]


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis where something was cut (display only)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
