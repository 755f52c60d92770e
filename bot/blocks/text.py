"""Safe text for mrkdwn."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import Block

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


# Bidi controls (ALM, LRM, RLM, embeddings, overrides, isolates): in echoed text they can reverse or
# reorder what a reader sees, a name included, and spill over into the text around it.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def escape(text: str) -> str:
    """User text as inert mrkdwn: it can never ping `<!channel>` or a person, nor inject links, nor
    reorder what is shown with bidi control characters (they are removed)."""
    return text.translate(_BIDI_CONTROLS).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
