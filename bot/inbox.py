"""Nothing acknowledged is lost, nothing is done twice: the durable inbox on the Bolt side.

A global middleware (after Bolt checked the signature, before the listener acks) writes every
command, click, view submission and event a listener will handle to the inbox, in one short
transaction under the request's natural key. A key seen before (an Events API retry, a second
delivery) is acknowledged and not handled again. When the listener is done, Bolt's completion
handler finishes the request and wipes its payload.

A process that dies after the 200 leaves the request unfinished; once its lease has run out
(`INBOX_LEASE_SECONDS`; a living process renews the leases of what it is working on), another
process, or the same one restarted, claims it and runs it through the app again, marked as a replay
(the signature was checked when it arrived; Socket Mode's request path skips the check). Replies go
where they always go: the stored response_url (valid for 30 minutes) or a DM.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.listener.listener_start_handler import ListenerStartHandler

from bot.incoming import mark_replay
from bot.incoming import replaying as replaying  # operations imported it from here before bot.incoming
from bot.late_reply import LateRespond
from storage import inbox as store
from storage.db import Database

log = logging.getLogger(__name__)

INBOX_ID = "inbox_id"
REPLAY = "inbox_replay"
SEEN = "inbox_seen"  # set by the middleware: the request got past Bolt's own checks to the inbox
# After this many attempts (the first and the replays) a request that kills its process is given up.
MAX_ATTEMPTS = 3
RETAIN_HANDLED = timedelta(days=1)  # Slack retries events within minutes; a day is plenty


def natural_key(body: dict) -> tuple[str, str] | None:
    """(kind, hashed key) of a request worth keeping, or None (options requests, unknown shapes)."""
    if not isinstance(body, dict):
        return None
    kind = body.get("type")
    parts: list[object]
    if kind == "event_callback":
        event = _dict(body.get("event"))
        if event.get("type") == "function_executed":
            # A workflow step runs once per execution, whatever event ids its deliveries carry.
            parts = ["function", event.get("function_execution_id")]
        else:
            parts = ["event", body.get("event_id")]
    elif kind == "block_actions":
        actions = body.get("actions")
        action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
        parts = ["action", _dict(body.get("user")).get("id"), action.get("action_ts"), action.get("block_id"),
                 action.get("action_id")]
    elif kind in ("view_submission", "view_closed"):
        view = _dict(body.get("view"))
        # All of the view, its state too: after a validation error the same view (same hash) comes
        # back with corrected input, and that is a new submission, not a retry.
        content = hashlib.sha256(json.dumps(view, sort_keys=True, default=str).encode()).hexdigest()
        parts = [kind, _dict(body.get("user")).get("id"), view.get("id"), content]
    elif kind in ("shortcut", "message_action"):
        parts = [kind, body.get("trigger_id")]
    elif body.get("command"):
        kind = "command"  # both are unique per invocation; a delivery again carries the same two
        parts = [kind, body.get("trigger_id"), body.get("response_url")]
    else:
        return None
    if not all(isinstance(p, str) and p for p in parts):
        return None
    return str(kind)[:16], hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def routing_key(body: dict) -> tuple | None:
    """What our listeners' matchers look at (command, action_id, callback_id, event type and
    subtype): two requests with the same routing key are taken by a listener alike."""
    if not isinstance(body, dict):
        return None
    kind = body.get("type")
    if kind == "event_callback":
        event = _dict(body.get("event"))
        parts: tuple = ("event", event.get("type"), event.get("subtype"))
    elif kind == "block_actions":
        actions = body.get("actions")
        parts = ("action", _dict(actions[0]).get("action_id") if isinstance(actions, list) and actions else None)
    elif kind in ("view_submission", "view_closed"):
        parts = (kind, _dict(body.get("view")).get("callback_id"))
    elif kind in ("shortcut", "message_action"):
        parts = (kind, body.get("callback_id"))
    elif body.get("command"):
        parts = ("command", body.get("command"))
    else:
        return None
    return parts if all(isinstance(p, str) or p is None for p in parts) else None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _now() -> datetime:
    # Wall-clock time, not the services' clock: tests move that one by days.
    return datetime.now(UTC)


class Inbox:
    def __init__(self, db: Database, lease_seconds: float = 30.0):
        self.db = db
        self.lease = timedelta(seconds=lease_seconds)
        self._held: set[int] = set()
        self._lock = threading.Condition()
        self._app: App | None = None
        # Does a listener take requests with this routing key? Learnt from the listeners' own
        # matchers once per key, so the hot path does not run every matcher for every request.
        self._matched: dict[tuple, bool] = {}
        # SQLite has one writer; taking turns here is quicker than its busy handler's sleeps.
        self._one_writer = threading.Lock() if db.engine.dialect.name == "sqlite" else nullcontext()
        self._writer = _GroupCommit(self)

    # -- wiring -----------------------------------------------------------------------------------

    def install(self, app: App) -> None:
        self._app = app
        app.middleware(self._middleware)
        runner = app._listener_runner  # Bolt has no public hook for "the listener finished"
        runner.listener_start_handler = _NoteReplay(runner.listener_start_handler)
        runner.listener_completion_handler = _FinishRequest(self, runner.listener_completion_handler)

    def _handles(self, req: BoltRequest, resp: BoltResponse) -> bool:
        """Does a listener take this request? Only those are kept (Bolt answers the rest 404)."""
        key = routing_key(req.body)
        known = self._matched.get(key) if key is not None else None
        if known is not None:
            return known
        try:
            taken = any(listener.matches(req=req, resp=resp) for listener in self._app._listeners)
        except Exception:  # a payload no matcher can read: not Slack's; Bolt answers it as before
            return False
        if key is not None and len(self._matched) < 4096:  # action ids carry ids: keep the cache bounded
            self._matched[key] = taken
        return taken

    def taken_by_a_listener(self, body: dict) -> bool:
        """True when a listener is known to take requests like this one (learnt on an earlier one)."""
        key = routing_key(body)
        return key is not None and self._matched.get(key) is True

    def _middleware(self, req: BoltRequest, resp: BoltResponse, next):
        accepted = req.context.get(INBOX_ID)
        if accepted is not None:  # a replay, or a request the HTTP edge already acknowledged
            req.context[SEEN] = True
            if not self._handles(req, resp):
                self.finish(accepted, store.UNMATCHED)
            return next()
        keyed = natural_key(req.body)
        if keyed is None or not self._handles(req, resp):
            return next()
        kind = keyed[0]
        try:
            request_id = self.accept(req.body, keyed)
        except Exception as error:
            log.warning("could not write a %s to the inbox: %s", kind, type(error).__name__)
            if kind == "event":
                return BoltResponse(status=503, body="")  # Slack delivers it again later
            return next()  # a person is waiting: the listener tells them in words if it fails too
        if request_id is None:
            return BoltResponse(status=200, body="")
        req.context[INBOX_ID] = request_id
        return next()

    def accept(self, body: dict, keyed: tuple[str, str]) -> int | None:
        """Write the request (committed before this returns) and hold it; its id, or None for a key
        seen before (acknowledge it, do not handle it again). Raises when the database does."""
        kind, key = keyed
        now = _now()
        request_id = self._writer.write(key, kind, body, now, now + self.lease)
        if request_id is None:
            log.info("a %s delivered again (same key) was acknowledged and not handled twice", kind)
            return None
        with self._lock:
            self._held.add(request_id)
        return request_id

    def wait_until_finished(self, request_id: int, timeout: float) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: request_id not in self._held, timeout=timeout)

    # -- finishing --------------------------------------------------------------------------------

    def finish(self, request_id: int, outcome: str) -> None:
        now = _now()
        try:
            with self._one_writer, self.db.engine.begin() as connection:
                store.finish_request(connection, request_id, outcome, now)
        except Exception:
            log.exception("could not mark inbox request %s as handled", request_id)
        finally:
            with self._lock:
                self._held.discard(request_id)
                self._lock.notify_all()

    # -- upkeep (a thread in every process that serves Slack) -------------------------------------

    def renew_leases(self) -> None:
        with self._lock:
            held = list(self._held)
        if held:
            with self.db.session() as session:
                store.renew_leases(session, held, _now() + self.lease)

    def replay_abandoned(self, wait_seconds: float = 0.0) -> int:
        """Finish what a dead process acknowledged and never handled; how many were replayed.
        `wait_seconds`: wait (at most that long) until the replays have run (at start, before the
        process takes new requests, so a person who goes on finds the work done)."""
        assert self._app is not None
        now = _now()
        with self.db.session() as session:
            claimed = store.claim_abandoned_requests(session, now, now + self.lease)
        for request in claimed:
            if request.attempts > MAX_ATTEMPTS:
                log.error("inbox request %s (%s) given up after %s attempts", request.id, request.kind,
                          request.attempts - 1)
                self.finish(request.id, store.ABANDONED)
                continue
            log.warning("finishing a %s acknowledged by a process that stopped (inbox request %s)",
                        request.kind, request.id)
            with self._lock:
                self._held.add(request.id)
            # Answers go through the stored response_url while Slack still takes it, else as a DM.
            late = LateRespond.for_replay(request.payload, self._app.client, request.received_at, now)
            replay = BoltRequest(body=request.payload, mode="socket_mode",
                                 context={INBOX_ID: request.id, REPLAY: True, "respond": late})
            try:
                self._app.dispatch(replay)
            except Exception:
                log.exception("replaying inbox request %s failed", request.id)
            if not replay.context.get(SEEN):  # stopped before the inbox (Bolt's own checks)
                self.finish(request.id, store.FAILED)
        if wait_seconds and claimed:
            ids = {request.id for request in claimed}
            with self._lock:
                self._lock.wait_for(lambda: not (ids & self._held), timeout=wait_seconds)
        return len(claimed)

    def compact(self) -> None:
        with self.db.session() as session:
            store.forget_handled_requests(session, _now() - RETAIN_HANDLED)


class _Pending:
    __slots__ = ("done", "error", "request_id", "row", "state")

    def __init__(self, row: tuple):
        self.row = row
        self.state = "queued"  # then "writing", or "cancelled" by a caller that stopped waiting
        self.done = threading.Event()
        self.request_id: int | None = None
        self.error: Exception | None = RuntimeError("not written")  # until its transaction commits


class _GroupCommit:
    """Writes accepted requests for every thread: requests that arrive while a transaction is being
    written go together in the next one. Concurrent acks then cost one commit, and no hand-offs of
    the writer's lock between threads (each costs a wait for the interpreter lock while the
    holder is in the database). Each caller still returns only once its row is committed."""

    BATCH = 64
    WAIT_SECONDS = 2.5  # within Slack's 3 s: a write not started by then is dropped (as if it failed)

    def __init__(self, inbox: Inbox):
        self.inbox = inbox
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._states = threading.Lock()

    def write(self, key: str, kind: str, body: dict, now: datetime, lease_until: datetime) -> int | None:
        if self._thread is None:
            with self._starting:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
                    self._thread.start()
        pending = _Pending((key, kind, body, now, lease_until))
        self._queue.put(pending)
        if not pending.done.wait(self.WAIT_SECONDS):
            with self._states:
                if pending.state == "queued":  # never written: the caller goes on without it
                    pending.state = "cancelled"
                    raise TimeoutError("the inbox write did not start in time")
            pending.done.wait()  # being written: its outcome decides, so nothing is handled twice
        if pending.error is not None:
            raise pending.error
        return pending.request_id

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            with self._states:
                batch = [pending for pending in batch if pending.state == "queued"]
                for pending in batch:
                    pending.state = "writing"
            if not batch:
                continue
            try:
                self._commit(batch)
            except Exception:  # one bad row must not fail the others: each on its own
                for pending in batch:
                    try:
                        self._commit([pending])
                    except Exception as error:
                        pending.error = error
            finally:
                for pending in batch:
                    pending.done.set()

    def _commit(self, batch: list[_Pending]) -> None:
        ids = []
        with self.inbox._one_writer, self.inbox.db.engine.begin() as connection:
            for pending in batch:
                ids.append(store.accept_request(connection, *pending.row))
        for pending, request_id in zip(batch, ids, strict=True):
            pending.request_id, pending.error = request_id, None


class _NoteReplay(ListenerStartHandler):
    def __init__(self, inner: ListenerStartHandler):
        self.inner = inner

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        mark_replay(bool(request.context.get(REPLAY)))
        self.inner.handle(request=request, response=response)


class _FinishRequest(ListenerCompletionHandler):
    """Bolt calls this when a listener returned (or raised): the request is handled, once."""

    def __init__(self, inbox: Inbox, inner: ListenerCompletionHandler):
        self.inbox = inbox
        self.inner = inner

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        mark_replay(False)
        request_id = request.context.get(INBOX_ID)
        if request_id is not None:
            failed = response is not None and response.status >= 500
            self.inbox.finish(request_id, store.FAILED if failed else store.DONE)
        self.inner.handle(request=request, response=response)


class InboxKeeper:
    """Renews the leases of what this process works on and replays what dead processes left."""

    def __init__(self, inbox: Inbox, poll_seconds: float | None = None):
        self.inbox = inbox
        self.poll = poll_seconds if poll_seconds is not None else max(0.2, inbox.lease.total_seconds() / 3)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="inbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        rounds = 0
        while True:
            for step in (self.inbox.renew_leases, self.inbox.replay_abandoned):
                try:
                    step()
                except Exception as error:  # the database is away: next round
                    log.warning("inbox upkeep failed: %s", type(error).__name__)
            if rounds % 1000 == 0:
                try:
                    self.inbox.compact()
                except Exception as error:
                    log.warning("inbox compaction failed: %s", type(error).__name__)
            rounds += 1
            if self._stopped.wait(self.poll):
                return

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
