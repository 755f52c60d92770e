"""Several bot processes on one database: Slack requests served by any of them, exactly one runs
the scheduler, another takes over when it dies, and nothing is ever sent twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bot.emulator.client import sign
from tests.conftest import HR, SIGNING_SECRET, TEST_KEY

LEAVERS = [f"UMANY{n:04d}" for n in range(6)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.read().decode()
    except OSError:
        return ""


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Process:
    def __init__(self, tmp_path: Path, slack, database_url: str, role: str = "all"):
        self.port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url, "HR_USER_IDS": HR, "PORT": str(self.port),
            "DATABASE_URL": database_url, "ENCRYPTION_KEY": TEST_KEY, "SWEEP_SECONDS": "1",
        }
        exe = Path(sys.executable).with_name("exit-interview")
        command = [str(exe), "run", "--role", role] if exe.exists() else [sys.executable, "-m", "bot.cli", "run",
                                                                          "--role", role]
        self.popen = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        wait_until(lambda: "ok" in health(self.port) or self.popen.poll() is not None, 40, f"process {role} up")
        assert self.popen.poll() is None, self.popen.stderr.read().decode()

    def state(self) -> str:
        return health(self.port)

    def slash(self, user: str, text: str, response_url: str) -> int:
        body = urllib.parse.urlencode({"command": "/exit-interview", "user_id": user, "text": text,
                                       "trigger_id": "1.1", "response_url": response_url, "team_id": "T0EXAMPLE"})
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
                     "X-Slack-Signature": sign(SIGNING_SECRET, stamp, body)},
        )
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()


@pytest.fixture
def processes():
    started: list[Process] = []
    yield started
    for process in started:
        process.stop()


def test_two_processes_one_scheduler_and_every_invitation_exactly_once(tmp_path, slack, database_url, processes):
    for user in LEAVERS:
        slack.add_user(user, user.lower(), locale="nl-NL")
    first = Process(tmp_path, slack, database_url)
    processes.append(first)
    wait_until(lambda: "scheduler: leader" in first.state(), 15, "the first process to lead")
    second = Process(tmp_path, slack, database_url)
    processes.append(second)
    assert "scheduler: standby" in second.state()

    # Registrations arrive at both processes at the same time; every leaver is due at once.
    from datetime import date, timedelta

    last_day = (date.today() + timedelta(days=3)).isoformat()
    threads = [threading.Thread(target=(first if i % 2 else second).slash,
                                args=(HR, f"start <@{user}> {last_day}", slack.response_url(f"r{i}")))
               for i, user in enumerate(LEAVERS[:4])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until(lambda: all(slack.dms_to(user) for user in LEAVERS[:4]), 20, "four invitations")
    time.sleep(3)  # several sweeps of the leader later
    assert [len(slack.dms_to(user)) for user in LEAVERS[:4]] == [1, 1, 1, 1]

    # The leader dies without a goodbye; the standby takes over the scheduler.
    first.stop(signal.SIGKILL)
    wait_until(lambda: "scheduler: leader" in second.state(), 20, "the standby to take over")
    second.slash(HR, f"start <@{LEAVERS[4]}> {last_day}", slack.response_url("r9"))
    wait_until(lambda: slack.dms_to(LEAVERS[4]), 20, "the invitation after the take-over")
    time.sleep(2)
    assert len(slack.dms_to(LEAVERS[4])) == 1
    assert [len(slack.dms_to(user)) for user in LEAVERS[:4]] == [1, 1, 1, 1]


def test_web_and_scheduler_roles(tmp_path, slack, database_url, processes):
    slack.add_user(LEAVERS[5], "late", locale="nl-NL")
    scheduler = Process(tmp_path, slack, database_url, role="scheduler")
    processes.append(scheduler)
    web = Process(tmp_path, slack, database_url, role="web")
    processes.append(web)
    wait_until(lambda: "scheduler: leader" in scheduler.state(), 15, "the scheduler process to lead")
    assert "scheduler: off" in web.state()
    from datetime import date, timedelta

    web.slash(HR, f"start <@{LEAVERS[5]}> {(date.today() + timedelta(days=3)).isoformat()}",
              slack.response_url("w1"))
    wait_until(lambda: slack.dms_to(LEAVERS[5]), 20, "the invitation")
    time.sleep(2)
    assert len(slack.dms_to(LEAVERS[5])) == 1
