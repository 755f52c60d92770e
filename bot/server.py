"""The HTTP side: Slack's requests at POST /slack/events and a health check at GET /healthz,
served by waitress, a production WSGI server with a pool of worker threads."""

from __future__ import annotations

import threading

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from storage.db import Database

EVENTS_PATH = "/slack/events"


def wsgi_application(app: App | None, db: Database):
    """`app` None (Socket Mode) serves the health check only."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = db.is_healthy()
            body = b"ok\n" if healthy else b"database unavailable\n"
            start_response("200 OK" if healthy else "503 Service Unavailable",
                           [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if slack is not None:
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"not found\n"]

    return application


class HttpServer:
    def __init__(self, application, host: str, port: int, threads: int = 8):
        self._server = create_server(application, host=host, port=port, threads=threads, ident="exit-interview")
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.effective_port

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        self._server.close()
