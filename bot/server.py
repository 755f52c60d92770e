"""The HTTP side: Slack's requests at POST /slack/events and a health check at GET /healthz,
served by waitress, a production WSGI server with a pool of worker threads.

The edge checks every request before anything parses it: a size cap, a well-formed timestamp within
five minutes and a valid v0 signature over the raw bytes. Anything else is answered 400/401/413 here,
and the log says why with the body's size and a short hash, never the body itself."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import logging
import re
import threading
import time

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from bot.ack_first import DUPLICATE, AckFirst
from storage.db import Database

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000  # Slack's largest payloads (a full modal's state) are far below this
MAX_CLOCK_SKEW_SECONDS = 60 * 5  # Slack's own rule for X-Slack-Request-Timestamp
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

log = logging.getLogger(__name__)


def log_safe(value: object, limit: int = 200) -> str:
    """A value from outside as it may appear in a log line: control characters (newlines included)
    shown escaped, so input can never start a line of its own, and cut to `limit` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class _SafeRecords(logging.Filter):
    """Escapes control characters in every formatted log message that passes a handler it sits on."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _UNPRINTABLE.search(message):
            record.msg, record.args = log_safe(message, limit=10_000), None
        return True


class _NoBodies(logging.Filter):
    """Bolt's own signature middleware logs the whole body of a request it refuses; the edge has
    already refused anything unsigned, but a request at the edge of the time window could still get
    there, so its line is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Invalid request signature")


def harden_logging() -> None:
    """Idempotent: keep request bodies out of Bolt's log and control characters out of every line."""
    bolt_verifier = logging.getLogger("slack_bolt.RequestVerification")
    if not any(isinstance(f, _NoBodies) for f in bolt_verifier.filters):
        bolt_verifier.addFilter(_NoBodies())
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _SafeRecords) for f in handler.filters):
            handler.addFilter(_SafeRecords())


def _plain(start_response, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _refuse(start_response, status: str, reason: str, body: bytes = b"") -> list[bytes]:
    log.warning("refused request to %s: %s (body %d bytes, sha256 %s)", EVENTS_PATH, reason, len(body),
                hashlib.sha256(body).hexdigest()[:12])
    return _plain(start_response, status, status.split(" ", 1)[1].lower() + "\n")


def verified_body(environ, signing_secret: str, now: float | None = None) -> tuple[bytes | None, str, str]:
    """(body, "", "") for a request Slack signed; else (None, HTTP status, reason for the log)."""
    length_header = environ.get("CONTENT_LENGTH") or ""
    if not length_header.isascii() or not length_header.isdigit():
        return None, "411 Length Required", "no usable Content-Length"
    length = int(length_header)
    if length > MAX_BODY_BYTES:
        return None, "413 Payload Too Large", f"body of {length} bytes is over the cap"
    body = environ["wsgi.input"].read(length) if length else b""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return body, "400 Bad Request", "malformed or missing timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return body, "401 Unauthorized", "timestamp outside the five-minute window"
    if not _SIGNATURE.fullmatch(signature):
        return body, "401 Unauthorized", "malformed or missing signature"
    expected = "v0=" + hmac.new(signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return body, "401 Unauthorized", "signature does not match"
    return body, "", ""


class _ThenRun:
    """A response body that, once the server has written it, runs `after` (see bot/ack_first.py)."""

    def __init__(self, body: bytes, after):
        self._body = body
        self._after = after

    def __iter__(self):
        yield self._body

    def close(self) -> None:
        self._after()


def wsgi_application(app: App | None, db: Database, scheduler_state=None, ack_first: AckFirst | None = None):
    """`app` None (Socket Mode, a scheduler-only process) serves the health check only. With
    `ack_first`, commands, clicks and events get their 200 as soon as they are in the inbox."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None
    signing_secret = app._signing_secret if app is not None else ""
    # OAuth mode: the install link and Slack's redirect back (Bolt's OAuth flow serves both).
    flow = app.oauth_flow if app is not None else None
    install_paths = (flow.install_path, flow.redirect_uri_path) if flow is not None else ()
    harden_logging()

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = db.is_healthy()
            body = b"ok\n" if healthy else b"database unavailable\n"
            if scheduler_state is not None:
                body += f"scheduler: {scheduler_state()}\n".encode()
            start_response("200 OK" if healthy else "503 Service Unavailable",
                           [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if install_paths and path in install_paths and environ.get("REQUEST_METHOD") == "GET":
            return _install(slack, environ, start_response)
        if slack is not None and path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            body, status, reason = verified_body(environ, signing_secret)
            if status:
                return _refuse(start_response, status, reason, body or b"")
            if ack_first is not None:
                return _acknowledge_first(ack_first, environ, start_response, body, slack)
            return _through_bolt(slack, environ, start_response, body)
        return _plain(start_response, "404 Not Found", "not found\n")

    return application


def _install(slack, environ, start_response) -> list[bytes]:
    """GET /slack/install or /slack/oauth_redirect. The query (code, state) is never logged; a failure
    on our side (the database) is a page asking to try again, not a 500."""
    environ = {**environ, "wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0"}  # a GET has no body to read
    try:
        return slack(environ, start_response)
    except Exception as error:
        from bot.installations import unavailable_page

        log.warning("the install step %s failed: %s", environ.get("PATH_INFO"), type(error).__name__)
        body = unavailable_page(environ.get("HTTP_ACCEPT_LANGUAGE") or "").encode()
        start_response("503 Service Unavailable", [("Content-Type", "text/html; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))])
        return [body]


def _through_bolt(slack: SlackRequestHandler, environ, start_response, body: bytes):
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        return slack(environ, start_response)
    except Exception as error:  # signed, yet a body Bolt cannot parse: not a payload Slack sends
        reason = f"signed body Bolt cannot read ({type(error).__name__})"
        return _refuse(start_response, "400 Bad Request", reason, body)


def _acknowledge_first(ack_first: AckFirst, environ, start_response, body: bytes, slack: SlackRequestHandler):
    ack_first.arriving()
    try:
        taken = ack_first.take(body, environ.get("CONTENT_TYPE"))
        if taken is None:
            return _ThenRun(b"".join(_through_bolt(slack, environ, start_response, body)), ack_first.answered)
    except BaseException:
        ack_first.answered()
        raise

    def after() -> None:
        ack_first.answered()
        if taken is not DUPLICATE:
            ack_first.schedule(taken)

    start_response("200 OK", [("Content-Type", "text/plain;charset=utf-8"), ("Content-Length", "0")])
    return _ThenRun(b"", after)


class HttpServer:
    """waitress in a thread of its own, stoppable: the loop thread itself closes the sockets."""

    def __init__(self, application, host: str, port: int, threads: int = 8):
        # waitress refuses (413) a body over the cap before buffering it, chunked uploads included.
        self._server = create_server(application, host=host, port=port, threads=threads, ident="exit-interview",
                                     max_request_body_size=MAX_BODY_BYTES)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return self._server.effective_port

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="http", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        server = self._server
        while not self._stopping.is_set():
            server.asyncore.loop(timeout=0.5, map=server._map, use_poll=True, count=1)
        # Let requests in progress finish, then close every socket from this thread.
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        for channel in list(server._map.values()):
            channel.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            with contextlib.suppress(OSError):  # the loop may have closed the trigger already
                self._server.pull_trigger()
            self._thread.join(timeout=10)
