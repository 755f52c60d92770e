"""Slack's limits are measured on the text as sent: after escaping."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.text import block_chars, escape, fit, quoted, split_message, split_mrkdwn

TYPED = st.text(alphabet=st.sampled_from(list("ab &<>\n")), max_size=4000)


def no_broken_entity(piece: str) -> bool:
    """In escaped text every "&" starts an entity: one cut before its ";" is broken."""
    return re.search(r"&[a-z]*$", piece) is None


@given(TYPED, st.integers(min_value=20, max_value=3000))
def test_fit_keeps_escaped_text_within_the_limit_and_entities_whole(typed, limit):
    shown = fit(escape(typed), limit)
    assert len(shown) <= limit
    if shown != escape(typed):
        assert shown.endswith("…") and no_broken_entity(shown[:-1])


@given(TYPED, st.integers(min_value=20, max_value=3000))
def test_quoted_text_is_a_quote_within_the_limit(typed, limit):
    shown = quoted(typed, limit)
    assert len(shown) <= limit and shown.startswith("> ")


@given(TYPED, st.integers(min_value=20, max_value=3000))
def test_split_loses_nothing_but_the_cuts(typed, limit):
    mrkdwn = escape(typed)
    pieces = split_mrkdwn(mrkdwn, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert all(no_broken_entity(piece) for piece in pieces[:-1])
    squeeze = "".join(mrkdwn.split())
    assert "".join("".join(pieces).split()) == squeeze


def test_hostile_text_more_than_doubles_when_escaped_and_still_fits():
    typed = ("R&D <b> " * 400)[:3000]
    assert len(escape(typed)) > 6000
    pieces = split_mrkdwn(escape(typed))
    assert len(pieces) == 3 and all(len(piece) <= 3000 for piece in pieces)


def test_messages_are_split_by_blocks_and_by_text():
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}
    assert block_chars(section) == 2900
    parts = split_message([section] * 10)
    assert all(sum(block_chars(b) for b in part) <= 12_000 for part in parts)
    assert sum(len(part) for part in parts) == 10
    small = {"type": "divider"}
    assert [len(part) for part in split_message([small] * 100)] == [45, 45, 10]
