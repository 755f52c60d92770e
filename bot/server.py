"""The HTTP side: Slack's requests at POST /slack/events and a health check at GET /healthz,
served by waitress, a production WSGI server with a pool of worker threads."""

from __future__ import annotations

import contextlib
import threading

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from storage.db import Database

EVENTS_PATH = "/slack/events"


def wsgi_application(app: App | None, db: Database, scheduler_state=None):
    """`app` None (Socket Mode, a scheduler-only process) serves the health check only."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None

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
        if slack is not None:
            try:
                return slack(environ, start_response)
            except ValueError:  # a body Bolt cannot even parse (broken JSON): not from Slack
                body = b"bad request\n"
                start_response("400 Bad Request", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
                return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"not found\n"]

    return application


class HttpServer:
    """waitress in a thread of its own, stoppable: the loop thread itself closes the sockets."""

    def __init__(self, application, host: str, port: int, threads: int = 8):
        self._server = create_server(application, host=host, port=port, threads=threads, ident="exit-interview")
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
