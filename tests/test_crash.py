"""kill -9: real `exit-interview run` processes, one database, one Slack emulator.

Three stories. Three `/exit-interview start` commands acknowledged, then kill -9 before any of
their work: the next process registers all three, once, and tells HR once each (the durable inbox).
A whole journey (choice, click, typed answer, multiple choice, form, Send, HR's decision, export,
digest) with a kill -9 right after the 200 of each step: nothing lost, nothing doubled, everyone
told once. And the questionnaire story below, with kills at chosen moments inside a step.

A leaver answers the questionnaire in the DM while the bot process is killed with SIGKILL (no
goodbye, no clean shutdown) at different moments, and started again on the same database and the
same Slack emulator. The leaver simply goes on, as a person in Slack would.

The moments, each on another question (KILLS), one process each:

- "acked": right after Slack's request was acknowledged (HTTP 200; the bot acks first and works
  after), here a click (question 1) and a typed answer (question 11): saved or not, by chance;
- "saved": after the answer was saved, while the bot rewrites the answered question (the
  `chat.update` is held in the emulator and never happens): the DM still shows it with buttons;
- "shown": after the rewrite, while the bot posts the next question (the `chat.postMessage` is
  held and never happens): the DM shows the answer but no next question;
- and at the end, on *Send*: while the bot posts the first HR review card (the submission is saved).

What must hold:

- every answer the bot had acknowledged in Slack before a kill (its question rewritten to show the
  answer, or a later question posted) is still stored after the restart; the bot commits before it
  touches Slack, so anything Slack shows must be in the database;
- the stored answers at the end are exactly what the leaver gave, and nothing the leaver typed
  is taken as the answer to a question the DM never showed them;
- one review card per HR member (HR_USER_IDS has two, each gets a DM), one invitation overall;
- no question is posted twice in a row for the same position without an answer in between, with
  one exception: after a restart the bot may post the current question again (the kill may have
  come between saving the answer and posting the next question, and the new process cannot know
  whether the leaver has it). That is resuming, not a duplicate: allowed once per restart.

The leaver after a restart (a second later): if the DM asks the next question, they answer it; if
it still asks the question they were answering (buttons still there), they answer it again; if that
is refused as stale (the answer was saved after all), or the DM asks nothing at all, they type a
message to carry on and expect the question they are at to be shown.

Each action waits READING seconds first, as a person reading the question would.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.emulator.client import SlackUserAgent
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN, SIGNING_SECRET, TEST_KEY
from tests.test_scale import free_port, health, wait_until

PROGRESS = re.compile(r"\*(?:Stap|Step) (\d+) (?:van|of) (\d+)\*")
DONE = ":white_check_mark:"
RESUME_TEXT = "Hallo, de bot was even weg. Ik ga verder."
# A person reads a question before answering it. (Much faster, within milliseconds of the post, a
# click can arrive before the bot has recorded which message asks the question: see the report.)
READING = 0.3

# The standard template, step by step: what the leaver does and what must then be stored. Step 1
# is the five ratings in one message (each click rewrites it in place; the fifth posts step 2),
# step 2 a form, step 3 a typed answer kept in the step and then its form.
STEP_2 = {"reasons": ["pay", "career"], "reason_main": "career", "competitor_offer": "Een scale-up in Utrecht"}
STEP_3 = {"recommend": "8", "come_back": "maybe", "consent": "yes", "manager_feedback": "no"}
SKIPPED = {"skipped": True}
SCRIPT: list[tuple[int, tuple, dict]] = [
    (1, ("rate", "working_conditions", 4), {"working_conditions": {"value": 4, "comment": None}}),
    (1, ("rate", "work_content", 3), {"work_content": {"value": 3, "comment": None}}),
    (1, ("rate", "working_relations", 4), {"working_relations": {"value": 4, "comment": None}}),
    (1, ("rate", "employment_terms", 2), {"employment_terms": {"value": 2, "comment": None}}),
    (1, ("rate", "manager_support", 5), {"manager_support": {"value": 5, "comment": None}}),
    (2, ("form", STEP_2), {"reasons": {"values": ["pay", "career"], "other": None}, "reason_main": {"value": "career"},
                           "reasons_detail": SKIPPED, "destination_type": SKIPPED, "attractions": SKIPPED,
                           "competitor_offer": {"value": "Een scale-up in Utrecht"}}),
    (3, ("type", "Meer overleg tussen teams."), {"improvements": {"value": "Meer overleg tussen teams."}}),
    (3, ("form", STEP_3), {"strengths": SKIPPED, "recommend": {"value": 8},
                           "come_back": {"value": "maybe"}, "anything_else": SKIPPED, "consent": {"value": True},
                           "manager_feedback": {"value": False}}),
]
STEPS = 3
# Action number (1-based) -> how the process dies while that action is handled.
KILLS = {1: "acked", 3: "saved", 5: "shown", 7: "acked"}


class Bot:
    """One `exit-interview run` process (role all) on the shared database and emulator."""

    def __init__(self, tmp_path: Path, slack, database_url: str, number: int):
        self.port = free_port()
        self.log = tmp_path / f"bot-{number}.log"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "HR_USER_IDS": f"{HR},{HR_2}",
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "ENCRYPTION_KEY": TEST_KEY,
            "SWEEP_SECONDS": "1",
            # What a killed process acknowledged is finished by the next one once its lease ran out.
            "INBOX_LEASE_SECONDS": "1",
            # A process of its own runs on the wall clock: invitations go when the test needs them, day or night.
            "LEAVER_WORKING_HOURS": "always",
        }
        exe = Path(sys.executable).with_name("exit-interview")
        command = [str(exe), "run"] if exe.exists() else [sys.executable, "-m", "bot.cli", "run"]
        with open(self.log, "wb") as log:
            self.popen = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: "ok" in health(self.port) or self.popen.poll() is not None, 40, f"bot {number} up")
        assert self.popen.poll() is None, self.log_tail()
        self.user = SlackUserAgent(f"http://127.0.0.1:{self.port}/slack/events", SIGNING_SECRET, slack)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Gate:
    """While closed, every Slack API call of the bot waits in the emulator (and fails when the gate
    opens): a process killed meanwhile has acknowledged requests and done none of their work."""

    def __init__(self, slack):
        self._original = slack.handle
        self._original_response = slack.record_response
        self._open = threading.Event()
        self._open.set()
        self._only: tuple[str, ...] | None = None
        self.waiting = 0
        slack.handle = self._handle
        slack.record_response = self._record_response

    def close(self, only: tuple[str, ...] | None = None) -> None:
        """`only`: hold just these methods."""
        self.waiting = 0
        self._only = only
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def _handle(self, method, params, token):
        if self._open.is_set() or (self._only and method not in self._only):
            return self._original(method, params, token)
        self.waiting += 1
        self._open.wait(30)
        return 200, {}, {"ok": False, "error": "fatal_error"}

    def _record_response(self, key, payload):
        """A reply through a response_url: held the same way, and lost (its sender died)."""
        if self._open.is_set():
            return self._original_response(key, payload)
        self.waiting += 1
        self._open.wait(30)


class Hold:
    """Holds the bot's next matching Slack API call in the emulator, so the process can be killed
    exactly while it waits for it. The held call is never carried out (its caller is dead by then)."""

    def __init__(self, slack):
        self._original = slack.handle
        self._lock = threading.Lock()
        self._match: tuple[str, str] | None = None
        self.reached = threading.Event()
        self._released = threading.Event()
        slack.handle = self._handle

    def arm(self, method: str, channel: str) -> None:
        with self._lock:
            self._match = (method, channel)
            self.reached, self._released = threading.Event(), threading.Event()

    def release(self) -> None:
        self._released.set()

    def _handle(self, method, params, token):
        with self._lock:
            held = self._match is not None and (method, params.get("channel")) == self._match
            if held:
                self._match = None
            reached, released = self.reached, self._released
        if not held:
            return self._original(method, params, token)
        reached.set()
        released.wait(30)
        return 200, {}, {"ok": False, "error": "fatal_error"}


def _dm(channel: str | None) -> str | None:
    """Where a post lands: a user id as channel means the DM with that user (as in Slack)."""
    return "D" + channel[1:] if channel and channel[0] in "UW" else channel


def _blocks(params: dict) -> list[dict]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _action_ids(blocks: list[dict]) -> list[str]:
    return [e.get("action_id", "") for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def _position(blocks: list[dict]) -> int | None:
    """The question's position when these blocks ask it (buttons there), else None."""
    if not blocks or not any(a.startswith("q:") and a != "q:withdraw" for a in _action_ids(blocks)):
        return None
    found = PROGRESS.search(str((blocks[0].get("text") or {}).get("text", "")))
    return int(found.group(1)) if found else None


class Leaver:
    """Jan, answering in the DM; sends through whichever bot process is running now."""

    def __init__(self, slack, bot: Bot, database_url: str):
        self.slack = slack
        self.bot = bot
        self.database_url = database_url
        self.channel = slack.dm_channel(LEAVER)
        self.restarts_at: list[int] = []  # how many DM posts there were at each restart

    # -- what the DM shows ---------------------------------------------------------------------

    def posts(self) -> list[list[dict]]:
        """The blocks of every message the bot posted in the DM, in order (as posted)."""
        return [
            _blocks(c.params)
            for c in self.slack.calls_to("chat.postMessage")
            if _dm(c.params.get("channel")) == self.channel
        ]

    def posted_positions(self) -> list[int | None]:
        return [_position(blocks) for blocks in self.posts()]

    def asking(self):
        """The newest message in the DM that asks a step (still has its buttons), else None."""
        for message in reversed(self.slack.dms_to(LEAVER)):
            if _position(message.blocks) is not None:
                return message
        return None

    def summary(self):
        return next((m for m in reversed(self.slack.dms_to(LEAVER)) if "q:submit" in _action_ids(m.blocks)), None)

    def shown(self) -> list[str]:
        """Every text the bot showed in the DM (posted or rewritten)."""
        return [json.dumps(_blocks(c.params), ensure_ascii=False) for c in self.slack.calls
                if c.method in ("chat.postMessage", "chat.update") and _dm(c.params.get("channel")) == self.channel]

    def acknowledged(self) -> set[int]:
        """Actions whose answer Slack shows: a later step (or the summary) posted, or, for a rating or
        a typed text, its step rewritten with it."""
        posted = [p for p in self.posted_positions() if p is not None]
        summary_posted = any("q:submit" in _action_ids(blocks) for blocks in self.posts())
        highest = STEPS + 1 if summary_posted else max(posted, default=0)
        done = {n for n, (step, _action, _answers) in enumerate(SCRIPT, start=1) if step < highest}
        shown = self.shown()
        for n, (_step, (how, *what), _answers) in enumerate(SCRIPT, start=1):
            if how == "rate":
                label = f"{what[1]} · "
                question = {"working_conditions": "arbeidsomstandigheden", "work_content": "inhoud van je werk",
                            "working_relations": "werkrelaties", "employment_terms": "arbeidsvoorwaarden",
                            "manager_support": "leidinggevende"}[what[0]]
                if any(re.search(re.escape(question) + r"[^*]*\*\\n:white_check_mark: " + re.escape(label), text)
                       for text in shown):
                    done.add(n)
            elif how == "type" and any(what[0] in text for text in shown):
                done.add(n)
        return done

    def answered(self, number: int) -> bool:
        """The database holds what this action gives."""
        _answers = stored(self.database_url)[1]
        return all(_answers.get(key) == value for key, value in SCRIPT[number - 1][2].items())

    # -- what the leaver does ------------------------------------------------------------------

    def send(self, number: int) -> None:
        """Action `number`; returns when the bot acknowledged the request."""
        step, (how, *what), _ = SCRIPT[number - 1]
        time.sleep(READING)
        if how == "type":
            reply = self.bot.user.dm(LEAVER, what[0])
        else:
            message = self.asking()
            assert message is not None and _position(message.blocks) == step, self.where()
            if how == "rate":
                interview_id = _action_values(message.blocks)[0].split("|")[0]
                reply = self.bot.user.click(LEAVER, message, f"q:choose:{what[1]}",
                                            value=f"{interview_id}|{what[0]}|{what[1]}")
            else:
                views = len(self.slack.calls_to("views.open"))
                assert self.bot.user.click(LEAVER, message, "q:form").status == 200
                self.wait(lambda: len(self.slack.calls_to("views.open")) > views, "the form")
                form = list(self.slack.workspace.views.values())[-1]
                reply = self.bot.user.submit_view(LEAVER, form, what[0])
        assert reply.status == 200, reply

    def completes_step(self, number: int) -> bool:
        return number == len(SCRIPT) or SCRIPT[number][0] != SCRIPT[number - 1][0]

    def next_is_there(self, number: int, after: int) -> bool:
        """What action `number` brings is there: its answer stored and, when it ends its step, the
        next step (or the summary) posted after post number `after`."""
        if not self.answered(number):
            return False
        if not self.completes_step(number):
            return True
        later = self.posts()[after:]
        step = SCRIPT[number - 1][0]
        if step == STEPS:
            return any("q:submit" in _action_ids(blocks) for blocks in later)
        return any(_position(blocks) == step + 1 for blocks in later)

    def wait(self, condition, what: str, timeout: float = 10) -> None:
        try:
            self.slack.wait_for(condition, timeout, what)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; {self.where()}") from None

    def answer(self, number: int) -> None:
        before = len(self.posts())
        self.send(number)
        self.wait(lambda: self.next_is_there(number, before), f"what follows action {number}")

    def go_on(self, number: int) -> None:
        """After a restart, with action `number` in flight: carry on as a person would."""
        time.sleep(1)  # back a moment later (whatever the new process does at its start is done by then)
        before = len(self.posts())
        if self.next_is_there(number, self.restarts_at[-1]):
            return  # it arrived, and what follows is there
        step, (how, *_what), _answers = SCRIPT[number - 1]
        if how == "type":  # what the killed process took is finished by the next one: give it a moment
            with contextlib.suppress(TimeoutError):
                self.slack.wait_for(lambda: self.answered(number), 5, "the typed answer")
        asking = self.asking()
        if not self.answered(number) and asking is not None and _position(asking.blocks) == step:
            # The DM still asks this step and the answer is not there: give it again.
            self.send(number)
            self.wait(lambda: self.next_is_there(number, before), f"action {number} given again")
            return
        # Stored, but what follows was never shown (or nothing asks here): say so.
        assert self.bot.user.dm(LEAVER, RESUME_TEXT).status == 200
        self.wait(lambda: len(self.posts()) > before, f"a reply to typing {RESUME_TEXT!r}")
        time.sleep(0.5)  # whatever else that message brings
        assert self.next_is_there(number, before), (
            f"after the restart the leaver cannot go on after action {number}; {self.where()}")
        assert RESUME_TEXT not in json.dumps(stored(self.database_url)[1], ensure_ascii=False)

    def where(self) -> str:
        asking = self.asking()
        last = self.slack.dms_to(LEAVER)[-1] if self.slack.dms_to(LEAVER) else None
        return (
            f"the DM asks step {_position(asking.blocks) if asking else None}; "
            f"its last message: {last.text[:120] if last else None!r}; "
            f"posted positions: {self.posted_positions()}; "
            f"last replies: {[r.get('text') for r in self.slack.workspace.responses[-2:]]}"
        )


def _action_values(blocks: list[dict]) -> list[str]:
    return [e.get("value", "") for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])
            if str(e.get("action_id", "")).startswith("q:") and e.get("action_id") != "q:withdraw"]


def _read(database_url: str, read):
    """`read(session)` on the database the bot processes share, with the test's encryption key."""
    from storage import crypto
    from storage.db import Database

    crypto.configure(TEST_KEY)
    db = Database(database_url)
    try:
        with db.session() as session:
            return read(session)
    finally:
        db.dispose()


def stored(database_url: str) -> tuple[str, dict]:
    """The interview's status and its answers as the database holds them (decrypted)."""
    from storage.models import Interview

    def read(session):
        interview = session.scalars(select(Interview)).one()
        return interview.status, dict((interview.state or {}).get("answers") or {})

    return _read(database_url, read)


def stage(database_url: str) -> str | None:
    from storage.models import Departure

    return _read(database_url, lambda session: session.scalars(select(Departure.stage)).first())


@pytest.fixture
def bots():
    started: list[Bot] = []
    yield started
    for bot in started:
        bot.stop()


def test_kill_9_while_answering_loses_no_acknowledged_answer_and_sends_nothing_twice(
    tmp_path, slack, database_url, bots
):
    hold = Hold(slack)
    try:
        _story(tmp_path, slack, database_url, bots, hold)
    finally:
        hold.release()


def _story(tmp_path, slack, database_url, bots, hold):
    bots.append(Bot(tmp_path, slack, database_url, 1))
    wait_until(lambda: "scheduler: leader" in health(bots[-1].port), 15, "the scheduler to run")
    last_day = date.today() + timedelta(days=3)  # the invitation is due at once
    assert bots[-1].user.slash(HR, f"start <@{LEAVER}|jan> {last_day.isoformat()}").status == 200
    invitation = slack.wait_for(
        lambda: next((m for m in slack.dms_to(LEAVER) if "invitation.answer" in _action_ids(m.blocks)), None),
        20,
        "the invitation",
    )
    wait_until(lambda: stage(database_url) == "invited", 10, "the departure to be invited")
    jan = Leaver(slack, bots[-1], database_url)
    assert bots[-1].user.click(LEAVER, invitation, "invitation.answer").status == 200
    slack.wait_for(lambda: jan.asking() is not None, 10, "the first question")

    def kill_and_restart(when: str) -> str:
        """kill -9 now, start a new process; what Slack showed as answered must be stored."""
        bots[-1].kill()
        hold.release()
        acknowledged = jan.acknowledged()
        jan.restarts_at.append(len(jan.posts()))
        bots.append(Bot(tmp_path, slack, database_url, len(bots) + 1))
        jan.bot = bots[-1]
        status, answers = stored(database_url)
        for done in sorted(acknowledged):
            for done_id, done_answer in SCRIPT[done - 1][2].items():
                assert answers.get(done_id) == done_answer, (
                    f"killed {when}: action {done} was acknowledged in Slack but the database holds "
                    f"{answers.get(done_id)!r} for {done_id}"
                )
        return status

    for position in range(1, len(SCRIPT) + 1):
        moment = KILLS.get(position)
        if moment is None:
            jan.answer(position)
            continue
        held = {"saved": ("chat.update", jan.channel), "shown": ("chat.postMessage", jan.channel)}.get(moment)
        if held:
            hold.arm(*held)
        jan.send(position)
        if held:
            assert hold.reached.wait(10), f"the bot never made the held {held[0]} for action {position}"
        assert kill_and_restart(f"at action {position} ({moment})") == "in_progress"
        jan.go_on(position)

    # Send: the process dies while it posts the first review card (the submission is saved by then).
    summary = slack.wait_for(jan.summary, 10, "the summary")
    time.sleep(READING)
    hold.arm("chat.postMessage", HR)
    assert bots[-1].user.click(LEAVER, summary, "q:submit").status == 200
    assert hold.reached.wait(10), "the bot never posted a review card"
    assert kill_and_restart("while posting the review cards") == "submitted"

    cards = {HR: "beoordelen", HR_2: "to review"}
    for hr, title in cards.items():
        try:
            slack.wait_for(lambda hr=hr, title=title: [m for m in slack.dms_to(hr) if title in m.text], 10)
        except TimeoutError:
            raise AssertionError(
                f"no review card for {hr} after the restart: the submission is stored but HR never hears of it in Slack"
            ) from None
    time.sleep(2.5)  # a couple of sweeps later: nothing more arrives

    status, answers = stored(database_url)
    assert status == "submitted"
    assert answers == {key: value for _step, _action, given in SCRIPT for key, value in given.items()}
    for hr, title in cards.items():
        assert len([m for m in slack.dms_to(hr) if title in m.text]) == 1, f"review cards for {hr}"
    invitations = [blocks for blocks in jan.posts() if "invitation.answer" in _action_ids(blocks)]
    assert len(invitations) == 1, f"{len(invitations)} invitations posted"

    # No question posted twice in a row without an answer in between, except once after a restart.
    positions = jan.posted_positions()
    excused: set[int] = set()
    previous: tuple[int, int] | None = None  # (index, position) of the last question posted
    for index, position in enumerate(positions):
        if position is None:
            continue
        if previous is not None and previous[1] == position:
            restart = next((r for r in jan.restarts_at if previous[0] < r <= index and r not in excused), None)
            assert restart is not None, f"step {position} was posted twice in a row: {positions}"
            excused.add(restart)
        previous = (index, position)
    for bot in bots[:-1]:
        assert bot.popen.returncode == -signal.SIGKILL
    assert bots[-1].popen.poll() is None, bots[-1].log_tail()


def departures(database_url: str) -> list[tuple[str, str]]:
    from storage.models import Departure

    return _read(database_url, lambda session: [
        (d.employee_id, d.stage) for d in session.scalars(select(Departure).order_by(Departure.employee_id))])


def test_kill_9_right_after_three_commands_were_acknowledged_registers_all_three_once(
    tmp_path, slack, database_url, bots
):
    gate = Gate(slack)
    try:
        bots.append(Bot(tmp_path, slack, database_url, 1))
        wait_until(lambda: "scheduler: leader" in health(bots[-1].port), 15, "the scheduler to run")
        last_day = date.today() + timedelta(days=60)  # the invitation is planned, weeks ahead
        leavers = [LEAVER, LEAVER_EN, COLLEAGUE]
        gate.close()
        for leaver in leavers:
            assert bots[-1].user.slash(HR, f"start <@{leaver}|x> {last_day.isoformat()}").status == 200
        wait_until(lambda: gate.waiting >= 1, 10, "the bot to be at work")
        assert departures(database_url) == [], "the work was done before the kill: no crash to survive"
        bots[-1].kill()
    finally:
        gate.open()

    bots.append(Bot(tmp_path, slack, database_url, 2))
    wait_until(lambda: len(departures(database_url)) == 3, 20, "the three registrations after the restart")
    confirmations = lambda: [r for r in slack.workspace.responses if "geregistreerd" in str(r.get("text"))]  # noqa: E731
    wait_until(lambda: len(confirmations()) == 3, 10, "HR's three confirmations")
    time.sleep(3)  # a lease and a couple of sweeps later: nothing more arrives
    assert departures(database_url) == sorted((leaver, "registered") for leaver in leavers)
    assert sorted(r["key"] for r in confirmations()) == sorted({r["key"] for r in confirmations()})
    assert len(slack.workspace.responses) == 3, slack.workspace.responses
    for leaver in leavers:
        assert len([r for r in confirmations() if f"<@{leaver}>" in r["text"]]) == 1
        assert slack.dms_to(leaver) == []  # planned for later, not sent now

    from storage.models import Departure

    invite_at = _read(database_url, lambda session: list(session.scalars(select(Departure.invite_at))))
    assert len(invite_at) == 3 and all(when is not None for when in invite_at)
    assert bots[0].popen.returncode == -signal.SIGKILL


def unhandled(database_url: str) -> int:
    from storage.inbox import unhandled_count

    return _read(database_url, unhandled_count)


class Journey:
    """One leaver and HR going through everything, the bot killed -9 right after it acknowledged
    the request of each step (every Slack call it makes from then on is held and lost)."""

    def __init__(self, tmp_path, slack, database_url, bots):
        self.tmp_path, self.slack, self.database_url, self.bots = tmp_path, slack, database_url, bots
        self.gate = Gate(slack)
        self.channel = slack.dm_channel(LEAVER)

    @property
    def user(self) -> SlackUserAgent:
        return self.bots[-1].user

    def start(self) -> None:
        self.bots.append(Bot(self.tmp_path, self.slack, self.database_url, len(self.bots) + 1))

    def crash_after(self, send, at_work: bool = True) -> None:
        """`send()` is acknowledged (200), then the bot dies at its first Slack call (`at_work`; else at
        once: a form's work is done before its 200); a new one starts."""
        wait_until(lambda: unhandled(self.database_url) == 0, 15, "the bot to finish what it was doing")
        self.gate.close(None if at_work else ("-",))
        try:
            assert send().status == 200
            if at_work:
                wait_until(lambda: self.gate.waiting >= 1, 10, "the bot to be at work after its 200")
            self.bots[-1].kill()
        finally:
            self.gate.open()
        self.start()

    # -- what the leaver sees ----------------------------------------------------------------------

    def posts(self, channel: str | None = None) -> list[list[dict]]:
        channel = channel or self.channel
        return [_blocks(c.params) for c in self.slack.calls_to("chat.postMessage")
                if _dm(c.params.get("channel")) == channel]

    def times_asked(self, position: int) -> int:
        return [_position(blocks) for blocks in self.posts()].count(position)

    def asking(self, position: int):
        return self.slack.wait_for(
            lambda: next((m for m in reversed(self.slack.dms_to(LEAVER)) if _position(m.blocks) == position), None),
            15, f"question {position} in the DM")

    def answer(self, position: int, action_id: str, **kwargs) -> None:
        assert self.user.click(LEAVER, self.asking(position), action_id, **kwargs).status == 200
        self.asking(position + 1)

    def summary(self):
        return self.slack.wait_for(
            lambda: next((m for m in reversed(self.slack.dms_to(LEAVER)) if "q:submit" in _action_ids(m.blocks)),
                         None), 15, "the summary")

    def card(self, hr: str):
        return self.slack.wait_for(
            lambda: next((m for m in self.slack.dms_to(hr) if "review:approve" in str(m.blocks)
                          or "records:export" in str(m.blocks)), None), 15, f"the review card for {hr}")


def test_kill_9_right_after_each_step_loses_nothing_doubles_nothing_and_tells_everyone_once(
    tmp_path, slack, database_url, bots
):
    from storage.models import Review

    journey = Journey(tmp_path, slack, database_url, bots)
    journey.start()
    wait_until(lambda: "scheduler: leader" in health(bots[-1].port), 15, "the scheduler to run")
    last_day = date.today() + timedelta(days=3)
    assert journey.user.slash(HR, f"start <@{LEAVER}|jan> {last_day.isoformat()}").status == 200
    invitation = slack.wait_for(
        lambda: next((m for m in slack.dms_to(LEAVER) if "invitation.answer" in _action_ids(m.blocks)), None),
        20, "the invitation")
    wait_until(lambda: stage(database_url) == "invited", 10, "the departure to be invited")

    # The choice.
    journey.crash_after(lambda: journey.user.click(LEAVER, invitation, "invitation.answer"))
    journey.asking(1)
    assert stage(database_url) == "answering" and journey.times_asked(1) == 1

    # A click answer: the ratings message is rewritten in place (the bot dies before it is).
    ratings = journey.asking(1)
    interview_id = ratings.blocks[-1]["elements"][0]["value"].split("|")[0]

    def rate(question_id: str, score: int):
        return journey.user.click(LEAVER, journey.asking(1), f"q:choose:{score}",
                                  value=f"{interview_id}|{question_id}|{score}")

    journey.crash_after(lambda: rate("working_conditions", 4))
    wait_until(lambda: stored(database_url)[1] == {"working_conditions": {"value": 4, "comment": None}}, 15,
               "the first rating stored")
    for question_id, score in (("work_content", 3), ("working_relations", 4), ("employment_terms", 2)):
        assert rate(question_id, score).status == 200
    assert rate("manager_support", 5).status == 200
    journey.asking(2)

    # A form (a view submission): the whole second step.
    views = len(slack.calls_to("views.open"))
    assert journey.user.click(LEAVER, journey.asking(2), "q:form").status == 200
    slack.wait_for(lambda: len(slack.calls_to("views.open")) > views, 10, "the form")
    form = list(slack.workspace.views.values())[-1]
    journey.crash_after(lambda: journey.user.submit_view(LEAVER, form, {
        "reasons": ["pay", "career"], "reason_main": "career", "competitor_offer": "Een scale-up in Utrecht"}),
        at_work=False)
    journey.asking(3)
    assert stored(database_url)[1]["reasons"] == {"values": ["pay", "career"], "other": None}
    assert stored(database_url)[1]["competitor_offer"] == {"value": "Een scale-up in Utrecht"}

    # A typed answer (an Events API message), kept in the third step.
    journey.crash_after(lambda: journey.user.dm(LEAVER, "Meer overleg tussen teams."))
    wait_until(lambda: stored(database_url)[1].get("improvements") == {"value": "Meer overleg tussen teams."}, 15,
               "the typed answer stored")
    views = len(slack.calls_to("views.open"))
    assert journey.user.click(LEAVER, journey.asking(3), "q:form").status == 200
    slack.wait_for(lambda: len(slack.calls_to("views.open")) > views, 10, "the form")
    form = list(slack.workspace.views.values())[-1]
    assert journey.user.submit_view(LEAVER, form, {"recommend": "8", "come_back": "maybe", "consent": "yes",
                                                   "manager_feedback": "no"}).status == 200

    # Send.
    summary = journey.summary()
    journey.crash_after(lambda: journey.user.click(LEAVER, summary, "q:submit"))
    cards = {hr: journey.card(hr) for hr in (HR, HR_2)}
    assert stored(database_url)[0] == "submitted"

    # HR's decision.
    journey.crash_after(lambda: journey.user.click(HR, cards[HR], "review:approve"))
    decided = lambda: _read(database_url, lambda session: session.scalars(select(Review.decision)).one())  # noqa: E731
    wait_until(lambda: decided() == "approved", 15, "the approval after the restart")
    slack.wait_for(lambda: "review:approve" not in str(slack.message(cards[HR].channel, cards[HR].ts).blocks), 10,
                   "the card to show the decision")

    # An export of the record.
    responses = len(slack.workspace.responses)
    journey.crash_after(lambda: journey.user.click(HR, slack.message(cards[HR].channel, cards[HR].ts),
                                                   "records:export"))
    slack.wait_for(lambda: len(slack.workspace.files) >= 2, 15, "the record in HR's DM")

    # The digest (too few interviews yet: HR hears that it waits).
    journey.crash_after(lambda: journey.user.slash(HR, "digest"))
    slack.wait_for(lambda: len(slack.workspace.responses) >= responses + 2, 15, "the answers to export and digest")

    time.sleep(2.5)  # a lease and a couple of sweeps later: nothing more arrives
    status, answers = stored(database_url)
    assert status == "submitted" and len(answers) == 18
    assert answers["improvements"] == {"value": "Meer overleg tussen teams."}
    assert [journey.times_asked(p) for p in range(1, 4)] == [1] * 3, journey.posts()
    assert len([b for b in journey.posts() if "q:submit" in _action_ids(b)]) == 1
    assert len([b for b in journey.posts() if "invitation.answer" in _action_ids(b)]) == 1
    for hr in (HR, HR_2):
        assert len([m for m in slack.dms_to(hr) if "records:export" in str(m.blocks)]) == 1, f"cards for {hr}"
    assert sorted(f["filename"].rsplit(".", 1)[-1] for f in slack.workspace.files) == ["md", "pdf"]
    assert len(slack.workspace.responses) == responses + 2, slack.workspace.responses[responses:]
    assert len(bots) == 9 and all(bot.popen.returncode == -signal.SIGKILL for bot in bots[:-1])
