"""About one message per second per channel, with a short burst, waiting instead of being refused."""

from __future__ import annotations

import threading
import time

from bot.slack_api import make_client


def test_posts_to_one_channel_are_paced_and_other_channels_are_not_held_up(slack):
    slack.add_channel("CBUSY0001", "busy")
    slack.add_channel("CQUIET001", "quiet")
    client = make_client("xoxb-test-token", slack.api_url, per_second=2.0)  # burst of 4, then 2 a second
    started = time.monotonic()
    for n in range(8):
        client.chat_postMessage(channel="CBUSY0001", text=f"part {n}")
    busy = time.monotonic() - started
    assert 1.7 <= busy < 4.0  # 4 at once, then 4 more at 2 per second
    started = time.monotonic()
    client.chat_postMessage(channel="CQUIET001", text="hello")
    assert time.monotonic() - started < 0.5
    assert [m.text for m in slack.messages_in("CBUSY0001")] == [f"part {n}" for n in range(8)]


def test_concurrent_senders_share_the_channel_budget(slack):
    slack.add_channel("CBUSY0002", "busy")
    client = make_client("xoxb-test-token", slack.api_url, per_second=4.0)
    threads = [threading.Thread(target=client.chat_postMessage, kwargs={"channel": "CBUSY0002", "text": "x"})
               for _ in range(12)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 1.7  # 4 at once, 8 more at 4 per second
    assert len(slack.messages_in("CBUSY0002")) == 12
