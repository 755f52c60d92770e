"""HTTP mode: Slack gets its 200 as soon as the request is in the durable inbox; Bolt handles it after.

The inbox row is the durable acknowledgement, so nothing is gained by making Slack wait for Bolt's
middleware chain, its listener thread and its wait for `ack()` (Bolt polls for it every 10 ms). For
the requests whose acknowledgement carries nothing (slash commands, clicks, events) the HTTP edge,
after it checked the signature, writes the request to the inbox and answers 200 itself; a small pool
of workers then runs Bolt's dispatch on it, exactly as a replay after a crash would, and waits until
its listener finished. Everything else (view submissions, whose acknowledgement may carry errors or a
new view; options; requests of a kind not seen before) goes through Bolt as before.

Acknowledgements come first: a worker starts the next request once no acknowledgement is in
progress, or once the request has waited `MOST_DELAY_SECONDS`, whichever comes first. So a burst is
acknowledged first and answered right after it, and under steady load no reply waits longer than
that for the acks. Slack's 3-second limit is hard; a reply that comes a little later is not lost
(the inbox holds it, and another process finishes it after a crash).
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from slack_bolt import App, BoltRequest
from slack_bolt.request.internals import parse_body

from bot.inbox import INBOX_ID, SEEN, Inbox, natural_key
from storage import inbox as store

log = logging.getLogger(__name__)

# What the acknowledgement of these carries is ignored by Slack: the edge may give it.
_ACK_CARRIES_NOTHING = ("block_actions", "event_callback")
MOST_DELAY_SECONDS = 1.0  # a request waits at most this long for the acks in progress
WORKERS = 4
LISTENER_TIMEOUT = 60.0  # a worker waits this long for a listener before it takes the next request
DUPLICATE = object()  # take(): a request delivered again; acknowledged, not handled twice


class AckFirst:
    def __init__(self, inbox: Inbox, app: App, workers: int = WORKERS, most_delay: float = MOST_DELAY_SECONDS):
        self.inbox = inbox
        self.app = app
        self.most_delay = most_delay
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._acking = 0
        self._quiet = threading.Condition()
        self._pending = 0
        self._idle = threading.Condition()
        self._workers = [threading.Thread(target=self._work, name=f"after-ack-{n}", daemon=True)
                         for n in range(workers)]
        self._started = False

    def start(self) -> AckFirst:
        if not self._started:
            self._started = True
            for worker in self._workers:
                worker.start()
        return self

    # -- the edge ---------------------------------------------------------------------------------

    def arriving(self) -> None:
        with self._quiet:
            self._acking += 1

    def answered(self) -> None:
        with self._quiet:
            self._acking -= 1
            if self._acking <= 0:
                self._quiet.notify_all()

    def take(self, raw: bytes, content_type: str | None):
        """For a request whose signature the edge checked: None (Bolt handles it), DUPLICATE (answer
        200, nothing to do) or a job to `schedule` once its 200 is answered. The request is in the
        inbox before this returns a job. Raises nothing: anything unexpected is left to Bolt."""
        try:
            body = parse_body(raw.decode("utf-8"), content_type)
            if not self._eligible(body):
                return None
            keyed = natural_key(body)
            if keyed is None or not self.inbox.taken_by_a_listener(body):
                return None
            request_id = self.inbox.accept(body, keyed)
        except Exception as error:  # undecodable, or the database failed: Bolt's path decides
            log.debug("the edge left a request to Bolt: %s", type(error).__name__)
            return None
        if request_id is None:
            return DUPLICATE
        return request_id, body

    @staticmethod
    def _eligible(body) -> bool:
        if not isinstance(body, dict):
            return False
        kind = body.get("type")
        if kind == "event_callback":
            event = body.get("event")
            # The bot's own messages are for Bolt to ignore, before anything is written.
            return isinstance(event, dict) and not event.get("bot_id") and not event.get("bot_profile")
        if kind in _ACK_CARRIES_NOTHING:
            return True
        return kind is None and isinstance(body.get("command"), str)

    def schedule(self, job) -> None:
        with self._idle:
            self._pending += 1
        self._jobs.put((time.monotonic(), job))

    # -- after the ack ----------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            queued = self._jobs.get()
            if queued is None:
                return
            scheduled_at, job = queued
            try:
                self._give_way_to_acks(scheduled_at)
                self._run(*job)
            except Exception:
                log.exception("handling an acknowledged request failed")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _give_way_to_acks(self, scheduled_at: float) -> None:
        with self._quiet:
            self._quiet.wait_for(lambda: self._acking <= 0,
                                 timeout=max(0.0, scheduled_at + self.most_delay - time.monotonic()))

    def _run(self, request_id: int, body: dict) -> None:
        request = BoltRequest(body=body, mode="socket_mode", context={INBOX_ID: request_id})
        try:
            self.app.dispatch(request)
        except Exception:
            log.exception("dispatching inbox request %s failed", request_id)
        if not request.context.get(SEEN):  # Bolt's own checks stopped it before any listener
            self.inbox.finish(request_id, store.UNMATCHED)
            return
        if not self.inbox.wait_until_finished(request_id, LISTENER_TIMEOUT):
            log.warning("inbox request %s still running after %.0f s", request_id, LISTENER_TIMEOUT)

    def drain(self, timeout: float) -> bool:
        """Wait until every scheduled request was handled (or the time is up)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            return self._idle.wait_for(lambda: self._pending <= 0, timeout=max(0.0, deadline - time.monotonic()))

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what was acknowledged (what is left after `timeout` stays in the inbox for the
        next process), then end the workers."""
        if not self._started:
            return
        if not self.drain(timeout):
            log.warning("stopping with acknowledged requests unhandled; the inbox finishes them later")
        for _ in self._workers:
            self._jobs.put(None)
        for worker in self._workers:
            worker.join(timeout=1)
