"""Figures at scale: `/exit-interview report`, `/exit-interview digest` and HR's App Home over many
interviews, measured against the running bot over HTTP, on SQLite and PostgreSQL.

    python benchmarks/insight_scale.py --interviews 100000 [--databases sqlite postgresql] [--months 24]
                                       [--data FOLDER [--drop-data]]

For each database: `exit-interview bench-data` fills an empty one (timed), the bot runs as its own
process (`exit-interview run --role web`, so no scheduled job competes), the Slack emulator runs in
this process, and signed requests go to the bot like Slack sends them. Each figure is timed from
the request until its answer reached Slack (the report's and the digest's reply on the response
URL, the Home view published; the digest's chart follows its reply and is timed apart); the bot's
peak memory is its VmHWM at the end, after the chart; its CPU time and memory are printed after
each step.

`--data FOLDER` keeps what bench-data filled (the SQLite file, a PostgreSQL database, the key) in
FOLDER and reuses it on the next run with the same figures, so a re-run does not refill: each run
works on a copy (the digest changes the data), a file copy for SQLite and `CREATE DATABASE ...
TEMPLATE` for PostgreSQL. `--drop-data` removes the kept data (the folder and the database) at the end.
Goals (issue 13): report and digest under 2 s, Home under 0.5 s, peak RSS under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from bot.emulator import SlackEmulator, SlackUserAgent
from storage.crypto import generate_key

SECRET = "bench-secret"
TOKEN = "xoxb-bench"
HR = "UBENCHHR01"  # bench-data's HR user
MANAGERS = "CBENCHMGR"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
GOALS = {"report": 2.0, "digest": 2.0, "home": 0.5}
BURST = 4  # bot.slack_api.PacedWebClient: messages per channel posted at once before pacing


def exe() -> list[str]:
    script = Path(sys.executable).with_name("exit-interview")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return b"ok" in response.read()
    except OSError:
        return False


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _autocommit():
    return create_engine(POSTGRES, isolation_level="AUTOCOMMIT", poolclass=NullPool)


class Database:
    """A fresh database: a SQLite file in a temp folder, or a private schema on PostgreSQL. With a
    data folder: a copy of the kept one, `filled` once bench-data has filled that."""

    def __init__(self, kind: str, folder: Path, kept: Path | None = None, tag: str = ""):
        self.kind = kind
        self.schema = None
        self.database = None
        self.kept = kept
        self.filled = False
        if kind == "sqlite":
            self.file = folder / "bench.sqlite3"
            self.url = f"sqlite:///{self.file}"
            if kept is not None:
                self.original = kept / f"{tag}.sqlite3"
                self.filled = self.original.exists()
                if self.filled:
                    shutil.copyfile(self.original, self.file)
        elif kept is not None:
            self.original = kept / f"{tag}.postgresql"
            self.filled = self.original.exists()
            self.database = f"insight_run_{uuid.uuid4().hex[:10]}"
            with _autocommit().connect() as connection:
                if self.filled:
                    connection.execute(text(f'CREATE DATABASE "{self.database}" TEMPLATE '
                                            f'"{self.original.read_text().strip()}"'))
                else:
                    connection.execute(text(f'CREATE DATABASE "{self.database}"'))
            self.url = make_url(POSTGRES).set(database=self.database).render_as_string(hide_password=False)
        else:
            self.schema = f"bench_{uuid.uuid4().hex[:10]}"
            with create_engine(POSTGRES).begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.url = f"{POSTGRES}?options=-csearch_path%3D{self.schema}"

    def keep(self) -> None:
        """Freshly filled: keep a copy to reuse, before the bot changes anything."""
        if self.kept is None or self.filled:
            return
        if self.kind == "sqlite":
            shutil.copyfile(self.file, self.original)
        else:
            name = f"insight_keep_{uuid.uuid4().hex[:10]}"
            with _autocommit().connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.database}"'))
            self.original.write_text(name + "\n")

    def drop(self) -> None:
        if self.schema:
            with create_engine(POSTGRES).begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        if self.database:
            with _autocommit().connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))


def drop_kept(folder: Path) -> None:
    """Remove the kept data: the PostgreSQL databases named in the folder, then the folder."""
    for named in folder.glob("*.postgresql"):
        with _autocommit().connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{named.read_text().strip()}" WITH (FORCE)'))
    shutil.rmtree(folder, ignore_errors=True)


def run(kind: str, interviews: int, months: int, repeat: int, data: Path | None = None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"insight-{kind}-"))
    tag = f"{interviews}-{months}"
    if data is not None:
        data.mkdir(parents=True, exist_ok=True)
        key_file = data / "key"
        if not key_file.exists():
            key_file.write_text(generate_key() + "\n")
        key = key_file.read_text().strip()
    else:
        key = generate_key()
    database = Database(kind, folder, data, tag)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder), "DATABASE_URL": database.url,
           "ENCRYPTION_KEY": key, "TIMEZONE": "Europe/Amsterdam"}
    result: dict = {"database": kind, "interviews": interviews}
    slack = SlackEmulator(token=TOKEN).start()
    bot = None
    try:
        if database.filled:
            result["bench_data_s"] = None
        else:
            started = time.perf_counter()
            filled = subprocess.run([*exe(), "bench-data", "--interviews", str(interviews), "--months", str(months)],
                                    cwd=folder, env=env, capture_output=True, text=True)
            result["bench_data_s"] = time.perf_counter() - started
            if filled.returncode != 0:
                raise SystemExit(f"bench-data failed: {filled.stderr}")
            print(filled.stdout.strip())
            database.keep()

        slack.add_user(HR, "hr", real_name="HR Bench", locale="nl-NL")
        slack.add_channel(MANAGERS, "managers")
        port = free_port()
        bot_env = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
                   "HR_USER_IDS": HR, "PORT": str(port), "MANAGER_CHANNEL_ID": MANAGERS, "LOG_LEVEL": "WARNING"}
        bot = subprocess.Popen([*exe(), "run", "--role", "web"], cwd=folder, env=bot_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not healthy(port):
            if bot.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the bot did not start: {bot.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        user = SlackUserAgent(f"http://127.0.0.1:{port}/slack/events", SECRET, slack)
        steps = result["steps"] = []

        def step(name: str) -> None:
            """The bot's CPU time and memory after this step."""
            steps.append((name, cpu_seconds(bot.pid), rss_mb(bot.pid), peak_rss_mb(bot.pid)))

        step("started")

        def quiet_responses(seconds: float = 1.5) -> float:
            """Wait until no further response arrives for `seconds`; the moment the last one came."""
            count, last = len(slack.workspace.responses), time.perf_counter()
            while time.perf_counter() - last < seconds:
                time.sleep(0.02)
                if len(slack.workspace.responses) != count:
                    count, last = len(slack.workspace.responses), time.perf_counter()
            return last

        def timed(name: str, send, done) -> None:
            times, complete, charts = [], [], []
            for _ in range(repeat if name != "digest" else 1):  # a digest publishes once
                before, files = len(slack.workspace.responses), len(slack.workspace.files)
                start = time.perf_counter()
                reply = send()
                assert reply.status == 200, reply
                slack.wait_for(lambda before=before: done(before), timeout=120, what=name)
                times.append(time.perf_counter() - start)
                if name == "report":  # several messages and a chart: the next run starts only when all arrived
                    complete.append(quiet_responses() - start)
                    slack.wait_for(lambda files=files: len(slack.workspace.files) > files, timeout=120,
                                   what="the report's chart")
                    charts.append(time.perf_counter() - start)
            result[name] = max(times)  # the slowest run (the first is cold), not the best
            result[name + "_runs"] = times
            if complete:
                result[name + "_complete_runs"] = complete
                result[name + "_chart_runs"] = charts

        def responded(before: int) -> bool:
            return len(slack.workspace.responses) > before

        timed("report", lambda: user.slash(HR, "report"), responded)
        result["report_text"] = str(slack.workspace.responses[-1].get("text", ""))[:80]
        step("report")

        def home_published(_before: int) -> bool:
            return slack.workspace.home_views.pop(HR, None) is not None

        timed("home", lambda: user.open_home(HR), home_published)
        step("home")
        before = len(slack.workspace.responses)
        started = time.perf_counter()
        assert user.slash(HR, "digest").status == 200
        slack.wait_for(lambda: slack.messages_in(MANAGERS), timeout=120, what="the digest's first message")
        result["digest_first_message"] = time.perf_counter() - started
        slack.wait_for(lambda: responded(before), timeout=300, what="the reply to HR")
        result["digest"] = time.perf_counter() - started
        result["digest_runs"] = [result["digest"]]
        result["digest_reply"] = str(slack.workspace.responses[-1].get("text", ""))[:100]
        result["digest_messages"] = len(slack.messages_in(MANAGERS))
        # The chart and HR's refreshed Home follow the reply: wait for them, then read the peak memory.
        started = time.perf_counter()
        slack.wait_for(lambda: [f for f in slack.workspace.files if f["channel"] == MANAGERS], timeout=120,
                       what="the digest's chart")
        result["chart_after_reply_s"] = time.perf_counter() - started
        quiet_responses(1.0)  # HR's refreshed Home and anything else that follows the chart
        step("digest")
        result["peak_rss_mb"] = peak_rss_mb(bot.pid)
    finally:
        if bot is not None:
            bot.terminate()
            try:
                bot.wait(timeout=20)
            except subprocess.TimeoutExpired:
                bot.kill()
        slack.stop()
        database.drop()
        shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=3, help="report and Home: this many runs, the slowest counts")
    parser.add_argument("--data", type=Path, help="keep the filled databases in this folder and reuse them")
    parser.add_argument("--drop-data", action="store_true", help="remove the kept data (--data) at the end")
    args = parser.parse_args()
    try:
        for kind in args.databases:
            report(run(kind, args.interviews, args.months, args.repeat, args.data))
    finally:
        if args.data is not None and args.drop_data:
            drop_kept(args.data)


def report(r: dict) -> None:
    kind = r["database"]
    filled = "reused" if r["bench_data_s"] is None else f"bench-data {r['bench_data_s']:.1f} s"
    print(f"\n{kind}, {r['interviews']} interviews ({filled}; load average {os.getloadavg()[0]:.2f})")
    for name in ("report", "digest", "home"):
        runs = ", ".join(f"{t:.2f}" for t in r[name + "_runs"])
        verdict = "ok" if r[name] < GOALS[name] else "OVER"
        print(f"  {name:7s} {r[name]:6.2f} s  (goal < {GOALS[name]} s: {verdict}; runs {runs})")
        if name + "_complete_runs" in r:
            complete = ", ".join(f"{t:.2f}" for t in r[name + "_complete_runs"])
            print(f"          every message of it arrived after: {complete} s")
            charts = ", ".join(f"{t:.2f}" for t in r[name + "_chart_runs"])
            print(f"          and its chart after: {charts} s")
    pacing = max(0, r["digest_messages"] - BURST)
    print(f"  digest: first message in the channel after {r['digest_first_message']:.2f} s; reply "
          f"{r['digest_reply']!r}; {r['digest_messages']} messages (Slack's pace, 1 a second per channel after "
          f"a burst of {BURST}, adds about {pacing} s); the chart followed {r['chart_after_reply_s']:.2f} s later")
    rss = r["peak_rss_mb"]
    print(f"  bot peak RSS {rss:.0f} MB (goal < 200 MB: {'ok' if rss < 200 else 'OVER'})")
    print("  the bot after each step: CPU time, RSS, peak RSS")
    for name, cpu, now, peak in r["steps"]:
        print(f"    {name:8s} {cpu:6.2f} s  {now:5.0f} MB  {peak:5.0f} MB")


if __name__ == "__main__":
    main()
