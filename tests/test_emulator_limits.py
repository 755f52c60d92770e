"""The fake Slack refuses what real Slack refuses, so a builder that outgrows a limit fails a test."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.conftest import LEAVER, TOKEN


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str) -> dict:
    return {"type": "actions", "elements": [{"type": "button", "action_id": "a", "text": {"type": "plain_text",
                                                                                          "text": text}}]}


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.api_url)


@pytest.mark.parametrize("blocks", [
    [section("x" * 3000)],
    [section("x")] * 50,
    [{"type": "header", "text": {"type": "plain_text", "text": "x" * 150}}],
    [button("x" * 75)],
    [section("x" * 2900)] * 4,
])
def test_what_fits_is_posted(client, blocks):
    assert client.chat_postMessage(channel=LEAVER, text="t", blocks=blocks)["ok"]


@pytest.mark.parametrize(("blocks", "error"), [
    ([section("x" * 3001)], "invalid_blocks"),
    ([section("x")] * 51, "invalid_blocks"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "invalid_blocks"),
    ([button("x" * 76)], "invalid_blocks"),
    ([section("x" * 2900)] * 5, "msg_blocks_too_long"),
])
def test_what_real_slack_refuses_is_refused(client, slack, blocks, error):
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=LEAVER, text="t", blocks=blocks)
    assert refused.value.response["error"] == error
    assert slack.dms_to(LEAVER) == []


def test_a_modal_takes_100_blocks_not_101(client):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": [section("x")] * 100}
    assert client.views_open(trigger_id="1.2.3", view=view)["ok"]
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id="1.2.3", view={**view, "blocks": [section("x")] * 101})
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id="1.2.3", view={**view, "blocks": [section("x" * 3001)]})
