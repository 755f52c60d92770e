"""Slack's side of Socket Mode on 127.0.0.1, for tests and the offline shell.

`apps.connections.open` on the emulator hands out a ws:// URL of this server; on connect it says
"hello", then delivers envelopes (slash_commands, interactive, events_api) each with an
`envelope_id` and waits for the app's ack (with the payload Bolt sends back, if any). `disconnect()`
asks the app to reconnect (reason refresh_requested or link_disabled), as Slack does every few hours.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

APP_ID = "A0EXITBOT"


class SocketModeServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._server = serve(self._serve, host, port)
        self._thread: threading.Thread | None = None
        self._lock = threading.Condition()
        self._current: ServerConnection | None = None
        self._acks: dict[str, dict] = {}
        self._tickets = itertools.count(1)
        self.connections = 0  # how many times the app connected (reconnects count)
        self.handed_out: list[str] = []

    def start(self) -> SocketModeServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def new_url(self) -> str:
        """What apps.connections.open answers: a fresh URL for one connection."""
        host, port = self._server.socket.getsockname()[:2]
        url = f"ws://{host}:{port}/link/?ticket={next(self._tickets)}&app_id={APP_ID}"
        with self._lock:
            self.handed_out.append(url)
        return url

    # -- the connection ------------------------------------------------------------------------

    def _serve(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
                                    "connection_info": {"app_id": APP_ID}}))
        with self._lock:
            self._current = connection
            self.connections += 1
            self._lock.notify_all()
        try:
            for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._lock:
                        self._acks[message["envelope_id"]] = message
                        self._lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if self._current is connection:
                    self._current = None
                self._lock.notify_all()

    def wait_connected(self, connections: int = 1, timeout: float = 10.0) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self.connections >= connections and self._current is not None,
                                       timeout):
                raise TimeoutError(f"the app did not connect ({connections}) over Socket Mode")

    def deliver(self, kind: str, payload: dict, *, retry_attempt: int = 0, timeout: float = 30.0) -> dict:
        """Send one envelope; return the app's ack (`{"envelope_id": ..., "payload": ...?}`)."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api", "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else ""}
        with self._lock:
            self._lock.wait_for(lambda: self._current is not None, timeout)
            connection = self._current
        if connection is None:
            raise TimeoutError("no Socket Mode connection to deliver to")
        connection.send(json.dumps(envelope))
        with self._lock:
            if not self._lock.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no ack for {kind} envelope {envelope_id}")
            return self._acks.pop(envelope_id)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, like Slack before it moves or refreshes a connection."""
        with self._lock:
            connection = self._current
        if connection is not None:
            connection.send(json.dumps({"type": "disconnect", "reason": reason,
                                        "debug_info": {"host": "emulator"}}))


def envelope_for(content_type: str, body: str) -> tuple[str, dict[str, Any]]:
    """The Socket Mode envelope type and payload for what Slack would otherwise POST over HTTP."""
    from urllib.parse import parse_qs

    if "json" in content_type:
        return "events_api", json.loads(body)
    fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields
