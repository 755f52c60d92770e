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


# -- Slack's limits, measured on the text as sent (after escaping) ------------------------------
# Escaping can more than double user text ("<" becomes "&lt;"), so every limit below is checked on
# the escaped mrkdwn, never on what the user typed.

SECTION_TEXT = 3000  # a section's text; also a modal block's text
HEADER_TEXT = 150
BUTTON_TEXT = 75
OPTION_TEXT = 75
MESSAGE_TEXT = 40_000  # the fallback `text` of a message
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # a modal or the App Home
MESSAGE_BLOCK_CHARS = 12_000  # Slack refuses messages with much more block text than ~13k characters

_ENTITY = re.compile(r"&[a-z]{0,4}$")


def fit(mrkdwn: str, limit: int = SECTION_TEXT) -> str:
    """Already-escaped text in at most `limit` characters, with an ellipsis where it was cut; never
    cuts an entity (`&amp;`) in half."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    cut = _ENTITY.sub("", mrkdwn[: limit - 1]).rstrip()
    return cut + "…"


def escaped(text: str, limit: int = SECTION_TEXT) -> str:
    """User text escaped, then fitted to `limit` measured after escaping."""
    return fit(escape(text), limit)


def quoted(text: str, limit: int = SECTION_TEXT) -> str:
    """User text as an escaped mrkdwn quote (`> ` before each line) of at most `limit` characters."""
    return fit("\n".join("> " + line for line in escape(text).split("\n")), limit)


def split_mrkdwn(mrkdwn: str, limit: int = SECTION_TEXT) -> list[str]:
    """Already-escaped text in pieces of at most `limit` characters, cut at a line break or a space
    where there is one, never inside an entity: nothing is lost, it just takes several blocks."""
    pieces: list[str] = []
    rest = mrkdwn
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = len(_ENTITY.sub("", window)) or limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip(" \n") if cut < len(rest) else ""
        if rest and pieces[-1].lstrip().startswith(">") and not rest.startswith(">"):
            rest = "> " + rest  # a quote cut in two stays a quote
    pieces.append(rest)
    return [piece for piece in pieces if piece] or [""]


def block_chars(block: dict) -> int:
    """The characters of text a block carries (what Slack counts towards a message's size)."""
    total = 0
    stack: list = [block]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("text"), str):
                total += len(item["text"])
            stack.extend(v for k, v in item.items() if k != "text" or not isinstance(v, str))
        elif isinstance(item, list):
            stack.extend(item)
    return total


def split_message(blocks: list[dict], max_blocks: int = MESSAGE_BLOCKS - 5,
                  max_chars: int = MESSAGE_BLOCK_CHARS) -> list[list[dict]]:
    """Blocks in as many messages as Slack needs (block count and text size): split, never cut."""
    parts: list[list[dict]] = [[]]
    size = 0
    for block in blocks:
        length = block_chars(block)
        if parts[-1] and (len(parts[-1]) >= max_blocks or size + length > max_chars):
            parts.append([])
            size = 0
        parts[-1].append(block)
        size += length
    return parts
