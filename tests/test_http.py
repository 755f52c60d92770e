"""The HTTP front door: signatures, health check, and the process as an operator runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.emulator.client import sign
from tests.conftest import HR, LEAVER, SIGNING_SECRET


def test_requests_with_a_bad_or_stale_signature_are_refused(harness, slack):
    agent = harness.user
    text = f"start <@{LEAVER}> {harness.in_working_days(5)}"
    body = f"command=%2Fexit-interview&user_id={HR}&text={text}&trigger_id=1&response_url=x"

    forged = agent.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert forged.status == 401

    stale_stamp = int(time.time()) - 600
    stale = agent.post(body, "application/x-www-form-urlencoded", timestamp=stale_stamp,
                       signature=sign(SIGNING_SECRET, str(stale_stamp), body))
    assert stale.status == 401

    wrong_secret = agent.post(body, "application/x-www-form-urlencoded",
                              signature=sign("not-the-secret", str(int(time.time())), body))
    assert wrong_secret.status == 401

    assert slack.workspace.responses == []
    assert slack.calls_to("users.info") == []
    assert harness.stage_of(LEAVER) is None


def test_health_check_answers_when_the_database_does(harness):
    with urllib.request.urlopen(f"http://127.0.0.1:{harness.bot.port}/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.read() == b"ok\nscheduler: leader\n"  # a single process leads the scheduler


def test_health_check_reports_a_database_that_does_not_answer(harness):
    harness.services.db.engine.dispose()
    harness.services.db.is_healthy = lambda: False  # the database is gone
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{harness.bot.port}/healthz", timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 503
    else:
        raise AssertionError("healthz said ok without a database")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_installed_command_runs_from_any_folder_and_stops_cleanly_on_sigterm(tmp_path, slack):
    """`exit-interview run` in an empty folder: migrations ship in the package, SIGTERM ends it."""
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "HR_USER_IDS": HR,
        "PORT": str(port),
    }
    exe = Path(sys.executable).with_name("exit-interview")
    command = [str(exe), "run"] if exe.exists() else [sys.executable, "-m", "bot"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode()) from None
                time.sleep(0.2)
        # A real slash command through the running process.
        body = f"command=%2Fexit-interview&user_id={HR}&text=help&trigger_id=1&response_url={slack.response_url('r')}"
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
                     "X-Slack-Signature": sign(SIGNING_SECRET, stamp, body)},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        help_reply = slack.wait_for(lambda: slack.workspace.responses, what="help reply")
        assert "/exit-interview start" in json.dumps(help_reply[0])
        assert (tmp_path / "exit-interview.sqlite3").exists()  # the default database, in the working folder
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError("the bot did not stop within 20 s of SIGTERM") from None
    stderr = process.stderr.read().decode()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped" in stderr
