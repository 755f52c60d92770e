"""The HTTP front door: signatures, health check, and the process as an operator runs it."""

from __future__ import annotations

import http.client
import json
import logging
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


def _raw_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_malformed_and_unsigned_requests_get_400_or_401_and_their_bodies_never_reach_the_log(harness, slack, caplog):
    caplog.set_level(logging.DEBUG)
    url = harness.bot.events_url
    now = str(int(time.time()))
    secret_text = "SECRET-ANSWER-42"
    statuses = []
    for stamp in ("abc", "1.5", "", "-5", "½", "9" * 40):  # malformed timestamps, even with a signature
        body = f"command=%2Fexit-interview&user_id={HR}&text={secret_text}"
        statuses.append(_raw_post(url, body.encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": sign(SIGNING_SECRET, stamp, body)}))
    nested = "[" * 100_000 + "]" * 100_000
    for body in ("[]", "null", nested, f'{{"type":"event_callback","x":"{secret_text}\\nFORGED LINE"}}',
                 secret_text + "\nWARNING forged line"):
        for signature in ("", "v0=" + "0" * 64, "garbage\x01"):
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": now}
            if signature:
                headers["X-Slack-Signature"] = signature.replace("\x01", "")
            statuses.append(_raw_post(url, body.encode(), headers))
    assert set(statuses) <= {400, 401}, statuses
    # 1.6 MB announced: refused on its length alone, before a byte of the body is read.
    connection = http.client.HTTPConnection("127.0.0.1", harness.bot.port, timeout=30)
    connection.putrequest("POST", "/slack/events")
    for name, value in {"Content-Type": "application/json", "Content-Length": str(1_600_000),
                        "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64}.items():
        connection.putheader(name, value)
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()
    statuses.append(_raw_post(url, secret_text.encode() * 40_000, {  # 640 kB, under the cap: read, refused
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64}))
    assert statuses[-1] == 401
    assert secret_text not in caplog.text and "FORGED" not in caplog.text and "forged" not in caplog.text
    assert "refused request" in caplog.text and "sha256" in caplog.text  # size and hash instead of the body
    assert slack.workspace.responses == [] and harness.stage_of(LEAVER) is None


def test_signed_bodies_that_are_not_slack_payloads_get_400_not_500(harness, slack):
    agent = harness.user
    nested = "[" * 50_000 + "]" * 50_000
    for body in ("[]", "null", "42", '"text"', nested, "{not json", '{"type": []}'):
        assert agent.post(body, "application/json").status in (400, 401, 404), body
    for body in ("payload=[]", "payload=null", "payload=" + nested, "payload=%7B"):
        assert agent.post(body, "application/x-www-form-urlencoded").status in (400, 404), body
    assert slack.workspace.responses == [] and harness.stage_of(LEAVER) is None


def test_log_lines_cannot_be_forged_with_control_characters():
    from bot.server import _SafeRecords, log_safe

    assert log_safe("a\nb\r\x1b[31m\u2028c") == "a\\nb\\r\\x1b[31m\\u2028c"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "user %s said %s", ("U1\nINFO root: fake", "ok"),
                               None)
    assert _SafeRecords().filter(record)
    assert "\n" not in record.getMessage() and "U1\\nINFO root: fake" in record.getMessage()
