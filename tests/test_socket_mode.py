"""The bot over Socket Mode (the manifest's default) against a local Socket Mode server: hello,
envelopes acked by envelope_id, disconnects answered by reconnecting; and the same journey in HTTP
mode and in Socket Mode."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.emulator.client import SocketModeUserAgent
from bot.runtime import BotProcess
from tests.conftest import HR, LEAVER, Harness
from tests.steps import answer_everything, click, invite
from tests.test_review import card_for, review_row


class SocketModeHarness(Harness):
    def start(self, **overrides) -> Harness:
        server = self.slack.serve_socket_mode()
        settings = replace(self.settings, app_token=self.slack.app_token, **overrides)
        before = server.connections
        self.bot = BotProcess(settings, host="127.0.0.1", clock=self.clock, sweep_seconds=0.5,
                              process_before_response=True).start()
        server.wait_connected(before + 1)
        self.user = SocketModeUserAgent(server, self.slack)
        return self


@pytest.fixture(params=["http", "socket_mode"])
def either(request, settings, slack):
    kind = SocketModeHarness if request.param == "socket_mode" else Harness
    h = kind(settings, slack).start()
    yield h
    h.stop()


@pytest.fixture
def over_socket(settings, slack):
    h = SocketModeHarness(settings, slack).start()
    yield h
    h.stop()


def test_the_whole_journey_in_either_mode(either):
    harness, slack = either, either.slack
    answer_everything(harness, LEAVER, improvements="Meer overleg & <minder> vergaderen.")
    card = card_for(slack, HR)
    harness.user.click(HR, card, "review:approve")
    slack.wait_for(lambda: review_row(harness).decision == "approved", what="HR's approval")
    slack.wait_for(lambda: "review:approve" not in str(slack.message(card.channel, card.ts).blocks),
                   what="the card to show the decision instead of the buttons")


def test_a_slash_command_is_acked_with_its_envelope_id(over_socket):
    server = over_socket.slack.socket_mode
    reply = over_socket.user.slash(HR, "help")
    assert reply.status == 200
    assert server.connections == 1
    assert server.handed_out[-1].startswith("ws://127.0.0.1:")
    assert [c.token for c in over_socket.slack.calls_to("apps.connections.open")] == [over_socket.slack.app_token]


@pytest.mark.parametrize("reason", ["refresh_requested", "link_disabled"])
def test_the_bot_reconnects_when_slack_asks_and_goes_on(over_socket, reason):
    server = over_socket.slack.socket_mode
    server.disconnect(reason)
    server.wait_connected(2)
    assert len(over_socket.slack.calls_to("apps.connections.open")) >= 2
    over_socket.register(LEAVER, over_socket.in_working_days(2))
    over_socket.invitation_for(LEAVER)
    over_socket.wait_for_stage(LEAVER, "invited")


def test_a_refused_form_is_answered_in_the_ack_payload(over_socket):
    harness, slack = over_socket, over_socket.slack
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    click(harness, LEAVER, "q:next")
    click(harness, LEAVER, "q:form")  # the form of the second step
    view = list(slack.workspace.views.values())[-1]
    reply = harness.user.submit_view(LEAVER, {**view, "private_metadata": "abc"}, {"reasons_detail": "forged"})
    assert reply.json()["response_action"] == "errors"  # Bolt's ack payload, over the socket
