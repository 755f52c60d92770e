"""One bot process: database, scheduler, Bolt app, and the HTTP server or Socket Mode connection.

Everything runs in one process tree; `stop()` (called on SIGTERM/SIGINT) ends it cleanly: no new
requests, running jobs finish, the database pool is closed.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

from slack_bolt import App
from slack_sdk import WebClient

from bot import jobs, subscribers, warm_up
from bot.ack_first import AckFirst
from bot.app import build_app
from bot.config import Settings
from bot.inbox import Inbox, InboxKeeper
from bot.installations import Installations
from bot.leadership import Leadership
from bot.scheduling import Scheduler
from bot.server import HttpServer, wsgi_application
from bot.services import Clock, Services
from bot.slack_api import Directory, make_client
from storage.db import Database

log = logging.getLogger(__name__)

# all: web and (if it wins the lock) scheduler; web: Slack requests only; scheduler: jobs only.
ROLES = ("all", "web", "scheduler")


class BotProcess:
    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "0.0.0.0",
        clock: Clock | None = None,
        client: WebClient | None = None,
        sweep_seconds: float = 60.0,
        sweep_at_start: bool = True,
        process_before_response: bool = False,
        role: str = "all",
        leader_poll_seconds: float = 2.0,
    ):
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        self.role = role
        subscribers.install()  # what follows each domain event (bot.subscribers)
        self.leader_poll_seconds = leader_poll_seconds
        self.settings = settings
        self.host = host
        self.db = Database(settings.database_url)
        # OAuth mode: no token of its own; Bolt gives each request its installation's token.
        self.client = client or make_client(settings.bot_token or None, settings.api_url,
                                            per_second=settings.messages_per_second)
        self.services = Services(
            settings=settings, db=self.db, client=self.client, directory=Directory(self.client, settings),
            clock=clock or Clock(),
        )
        # OAuth mode: the installations, one tenant (Services, data space) each; else None.
        self.installations = Installations(settings, self.db, self.services.clock) if settings.oauth else None
        self.sweep_seconds = sweep_seconds
        self.sweep_at_start = sweep_at_start
        self.process_before_response = process_before_response
        self.app: App | None = None
        self.scheduler: Scheduler | None = None
        self.http: HttpServer | None = None
        self._socket = None
        self.inbox = Inbox(self.db, settings.inbox_lease_seconds)
        self._inbox_keeper: InboxKeeper | None = None
        self.ack_first: AckFirst | None = None
        self._stopped = threading.Event()
        self.leadership = Leadership(self.db)
        self._leader_thread: threading.Thread | None = None

    def start(self) -> BotProcess:
        self.db.upgrade()
        self.app = build_app(self.services, process_before_response=self.process_before_response, inbox=self.inbox,
                             installations=self.installations)
        jobs.bind(None if self.installations else self.services, self.installations)
        if self.role in ("all", "scheduler"):
            self._try_to_lead()  # usually at once; else a standby that takes over when the leader goes
            self._leader_thread = threading.Thread(target=self._lead, name="leadership", daemon=True)
            self._leader_thread.start()
        if self.role == "scheduler":
            self.http = HttpServer(wsgi_application(None, self.db, self.scheduler_state), self.host, self.settings.port)
            self.http.start()
            log.info("exit-interview scheduler process running, health check on port %s", self.http.port)
            return self
        if self.installations is not None:  # every tenant's data space migrated before the first request
            try:
                self.installations.all()
            except Exception as error:  # the database is away: each tenant is opened on first use
                log.warning("could not open the installations at start: %s", type(error).__name__)
        try:  # what a process that died had acknowledged and not handled: before taking new requests
            self.inbox.replay_abandoned(wait_seconds=5)
        except Exception as error:  # the database is away: the inbox keeper tries again
            log.warning("could not finish the inbox's leftovers at start: %s", type(error).__name__)
        if self.settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            self._socket = SocketModeHandler(self.app, self.settings.app_token)
            self._socket.connect()
            self.http = HttpServer(wsgi_application(None, self.db, self.scheduler_state), self.host, self.settings.port)
        else:
            # Deterministic runs (tests, the shell) answer after the listener; production answers
            # as soon as the request is in the inbox.
            if not self.process_before_response:
                self.ack_first = AckFirst(self.inbox, self.app).start()
            self.http = HttpServer(wsgi_application(self.app, self.db, self.scheduler_state, self.ack_first),
                                   self.host, self.settings.port)
        self.http.start()
        # Finish what a process that died had acknowledged (at once, then whenever a lease runs out).
        self._inbox_keeper = InboxKeeper(self.inbox)
        self._inbox_keeper.start()
        if not self.process_before_response and self.installations is None:  # production, one workspace
            warm_up.start(self.services)
        log.info("exit-interview bot running (%s), HTTP on port %s",
                 "Socket Mode" if self._socket else "HTTP mode", self.http.port)
        return self

    def _try_to_lead(self) -> None:
        try:
            if not self.leadership.try_acquire():
                return
        except Exception as error:  # the database is down: try again on the next round
            log.warning("could not ask for the scheduler lock: %s", error)
            return
        if self.scheduler is None:
            self.scheduler = Scheduler(
                self.db, sweep_seconds=self.sweep_seconds, sweep_at_start=self.sweep_at_start,
                # HR may have changed the schedule in Slack: the database's value wins over the environment's.
                # With installations each tenant's digest runs at its own HR's schedule instead.
                digest_schedule=None if self.installations else self.services.settings.digest_schedule,
                timezone=self.settings.timezone,
            )
            self.services.scheduler = self.scheduler
            self.scheduler.start()
            if self.installations is not None:
                self.installations.lead(self.scheduler)
            log.info("this process runs the scheduler (leader)")

    def _lead(self) -> None:
        while not self._stopped.wait(self.leader_poll_seconds):
            if self.scheduler is not None and not self.leadership.still_held():
                log.warning("lost the scheduler lock; stopping the scheduler here")
                self.services.scheduler = None
                if self.installations is not None:
                    self.installations.follow()
                self.scheduler.shutdown()
                self.scheduler = None
            elif self.scheduler is None:
                self._try_to_lead()

    def scheduler_state(self) -> str:
        if self.role == "web":
            return "off"
        return "leader" if self.scheduler is not None else "standby"

    @property
    def port(self) -> int:
        assert self.http is not None
        return self.http.port

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._socket is not None:
            self._socket.close()
        if self.http is not None:
            self.http.stop()
        if self.ack_first is not None:
            self.ack_first.stop()
        if self._inbox_keeper is not None:
            self._inbox_keeper.stop()
        if self._leader_thread is not None:
            self._leader_thread.join(timeout=self.leader_poll_seconds + 5)
        if self.scheduler is not None:
            self.scheduler.shutdown()
        self.leadership.release()
        jobs.bind(None)
        if self.installations is not None:
            self.installations.close()
        self.db.dispose()
        log.info("exit-interview bot stopped")

    def run_until_signalled(self) -> None:
        """Block until SIGTERM or SIGINT, then stop."""
        done = threading.Event()

        def _stop(signum, _frame):
            log.info("received %s, stopping", signal.Signals(signum).name)
            done.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not done.wait(timeout=1):
            pass
        self.stop()

    def advance_clock(self, delta: timedelta) -> None:
        self.services.clock.advance(delta)
