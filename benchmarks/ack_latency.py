"""How fast does the bot acknowledge Slack, and how long do digests and reports take?

    python benchmarks/ack_latency.py [--requests 400] [--senders 20] [--interviews 10000 100000]

1. Ack latency (p50/p95/p99/max) of a slash command (`/exit-interview help`) and a button click (a
   stale invitation button) under N concurrent senders, for this bot and for a bare Bolt app that
   only acks, both served by the same waitress server in this process, against the local Slack
   emulator. Production settings: listeners ack first (process_before_response=False), and every
   request is written to the durable inbox (SQLite file) before its 200. Goals: p50 at most 1.25x
   the bare app, p99 under 250 ms, no ack over 3 s. The two apps are measured in alternating rounds;
   the bot's work after the ack (its replies) finishes before the next round starts, and how long
   that took after the round's last ack is shown.
2. Digest and report time over N interviews from `exit-interview bench-data` (SQLite file in a temp folder;
   benchmarks/insight_scale.py measures them against the running bot over HTTP).
3. The process's peak memory (max RSS).

Everything runs on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import App

from bot.config import Settings
from bot.emulator import SlackEmulator, SlackUserAgent
from bot.emulator.api import Message
from bot.runtime import BotProcess
from bot.server import HttpServer, wsgi_application
from bot.slack_api import make_client

SECRET = "bench-secret"
TOKEN = "xoxb-bench"
HR = "UHRBENCH1"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"p50 {pick(0.50):6.1f} ms  p95 {pick(0.95):6.1f} ms  p99 {pick(0.99):6.1f} ms  "
            f"max {ordered[-1] * 1000:6.1f} ms")


def measure(send, requests: int, senders: int) -> list[float]:
    def one(_):
        start = time.perf_counter()
        reply = send()
        assert reply.status == 200, reply
        return time.perf_counter() - start

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(one, range(min(senders, requests))))  # warm up
        return list(pool.map(one, range(requests)))


def bare_bolt(slack: SlackEmulator, db) -> HttpServer:
    app = App(client=make_client(TOKEN, slack.api_url), signing_secret=SECRET)
    app.command("/exit-interview")(lambda ack: ack())
    app.action("invitation.decline")(lambda ack: ack())
    server = HttpServer(wsgi_application(app, db), "127.0.0.1", 0)
    server.start()
    return server


def finish_work(bot: BotProcess) -> float:
    """Seconds until every acknowledged request was handled (its reply sent), so that the bot's work
    after the ack never overlaps the next measurement."""
    from storage import inbox as store

    started = time.perf_counter()
    while True:
        with bot.db.session() as session:
            if store.unhandled_count(session) == 0:
                return time.perf_counter() - started
        time.sleep(0.01)


def ack_latency(requests: int, senders: int, folder: Path, rounds: int = 4) -> None:
    slack = SlackEmulator(token=TOKEN).start()
    slack.add_user(HR, "hr")
    slack.add_user("ULEAVER99", "leaver")
    settings = Settings(bot_token=TOKEN, signing_secret=SECRET, api_url=slack.api_url,
                        database_url=f"sqlite:///{folder / 'ack.sqlite3'}", port=0, hr_user_ids=frozenset({HR}))
    bot = BotProcess(settings, host="127.0.0.1").start()
    bare = bare_bolt(slack, bot.db)
    stale = Message("DLEAVER99", "1.000001", "", [{"type": "actions", "block_id": "b", "elements": [
        {"type": "button", "action_id": "invitation.decline", "value": "424242", "text": {"type": "plain_text",
                                                                                       "text": "x"}}]}])
    apps = {"exit-interview bot": SlackUserAgent(bot.events_url, SECRET, slack),
            "bare Bolt app": SlackUserAgent(f"http://127.0.0.1:{bare.port}/slack/events", SECRET, slack)}
    sends = {"slash command": lambda agent: agent.slash(HR, "help"),
             "button click": lambda agent: agent.click("ULEAVER99", stale, "invitation.decline")}
    samples: dict[tuple[str, str], list[float]] = {(name, kind): [] for name in apps for kind in sends}
    work: dict[str, float] = dict.fromkeys(sends, 0.0)
    try:
        # Rounds alternate the two apps (and which goes first), so that both meet the same load from
        # whatever else runs on the machine. The bot's work after the ack finishes after each of its
        # rounds, before the bare app's round, so it never slows the bare app down.
        for round_ in range(rounds):
            order = list(apps) if round_ % 2 == 0 else list(reversed(apps))
            for kind, send in sends.items():
                for name in order:
                    agent = apps[name]
                    samples[name, kind] += measure(lambda a=agent, s=send: s(a), requests // rounds, senders)
                    if name == "exit-interview bot":
                        work[kind] = max(work[kind], finish_work(bot))
        for name in apps:
            for kind in sends:
                print(f"{name:20s} {kind:14s} {percentiles(samples[name, kind])}")
        print(f"{'':20s} every reply sent at most {work['slash command']:.2f} s (commands) and "
              f"{work['button click']:.2f} s (clicks) after a round's last ack")
        ratios = [statistics.median(samples["exit-interview bot", kind])
                  / statistics.median(samples["bare Bolt app", kind]) for kind in sends]
        print(f"{'ratio (median)':20s} slash x{ratios[0]:.2f}, click x{ratios[1]:.2f}")
    finally:
        bare.stop()
        bot.stop()
        slack.stop()


def data_volume(counts: list[int], folder: Path) -> None:
    from bot import bench_data
    from bot.operations import digest, report

    for count in counts:
        slack = SlackEmulator(token=TOKEN).start()
        slack.add_user(HR, "hr")
        slack.add_channel("CMANAGERS", "managers")
        settings = Settings(bot_token=TOKEN, signing_secret=SECRET, api_url=slack.api_url,
                            database_url=f"sqlite:///{folder / f'volume{count}.sqlite3'}", port=0,
                            hr_user_ids=frozenset({HR}), manager_channel_id="CMANAGERS")
        bot = BotProcess(settings, host="127.0.0.1", sweep_seconds=3600).start()
        try:
            started = time.perf_counter()
            bench_data.fill(bot.db, interviews=count)
            seeded = time.perf_counter() - started
            started = time.perf_counter()
            messages = report.report(bot.services, "nl", date(2000, 1, 1), None)
            report_time = time.perf_counter() - started
            started = time.perf_counter()
            outcome = digest.post_digest(bot.services)
            digest_time = time.perf_counter() - started
            assert outcome.posted, outcome
            print(f"{count:>7} interviews: seeding {seeded:6.1f} s, report {report_time:6.2f} s "
                  f"({len(messages)} messages), digest {digest_time:6.2f} s "
                  f"({len(slack.messages_in('CMANAGERS'))} messages + chart)")
        finally:
            bot.stop()
            slack.stop()


def main() -> None:
    import logging

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queue depth notes under deliberate load
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds of each app (default 4)")
    parser.add_argument("--interviews", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"ack latency, {args.requests} requests each, {args.senders} concurrent senders")
        ack_latency(args.requests, args.senders, Path(folder), args.rounds)
        if args.interviews:
            print("data volume")
            data_volume(args.interviews, Path(folder))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")
    threading.Event().wait(0)


if __name__ == "__main__":
    main()
