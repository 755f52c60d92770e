"""The shell: the real bot (HTTP, Bolt, scheduler, SQLite) against an in-process Slack emulator, and
a person at the keyboard playing HR, a leaver or the manager.

Everything the person does goes to the bot the way Slack would send it (signed slash commands,
clicks, view submissions, DM events over HTTP); everything the bot does is read back from the
emulator and shown as a chat transcript: new messages, what changed in updated ones, replies only
the person sees, and forms for the modals the bot opens. The clock is the bot's own fake clock:
`wait` moves it and runs the scheduler's sweep (and the monthly digest when its day comes by).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.config import Settings
from bot.emulator import SlackEmulator, SlackUserAgent
from bot.emulator.api import Message
from bot.emulator.client import Reply, element_state
from bot.runtime import BotProcess
from bot.services import Clock
from bot.shell.forms import Form, FormCancelled
from bot.shell.people import CASTS, Cast, Person, populate
from bot.shell.render import STYLE, Choice, Names, Numbering, mrkdwn, plain, render_blocks

TOKEN = "xoxb-shell-token"
SIGNING_SECRET = "shell-signing-secret"
SWEEP_TIMEOUT = 20.0
NUMBERS = re.compile(r"^\d+(\s*,\s*\d+)*$")
_UNITS = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_DURATION = re.compile(r"(\d+)\s*(weeks?|w|days?|d|hours?|h|minutes?|mins?|m)\b")

HELP = (
    ("as hr · as leaver [name] · as manager", "play a role (who lists the people)"),
    ("/exit-interview …", "a slash command, sent as you: /exit-interview help lists them"),
    ("1   or   1,3", "choose a numbered button or option (of a menu or ⋯ overflow); for several options of "
                     "one menu, type their numbers, then choose its confirm button"),
    ("!2, in a form", "use the form's own button or option [2]; the form goes on after it"),
    ("any other text, as a leaver", "a direct message to the bot: a typed answer"),
    ("say <text>", "a direct message to the bot in any role (also for a text like 3)"),
    ("home", "open the bot's App Home"),
    ("show", "your conversation with the bot again (the manager: the managers' channel)"),
    ("wait 3d · wait 2h · wait 1d 4h", "let time pass (w, d, h, m): the bot does what falls due"),
    ("wait until 2026-12-01 10:00", "... until then (the company's time zone; the time defaults to 09:00)"),
    ("now · who · help · quit", "the time, the people, this help, stop"),
)


class ShellError(Exception):
    """Something the shell itself could not do; the message says what."""


def make_console(file=None) -> Console:
    """Rich on a terminal; plain text (no colours, no control codes) anywhere else."""
    stream = file if file is not None else sys.stdout
    tty = bool(getattr(stream, "isatty", lambda: False)())
    if tty:
        return Console(file=file, highlight=False, emoji=False, markup=False)
    return Console(file=file, force_terminal=False, no_color=True, width=100, highlight=False, emoji=False,
                   markup=False, soft_wrap=False)


class Shell:
    def __init__(
        self,
        *,
        lang: str = "nl",
        db_path: str | Path | None = None,
        console: Console | None = None,
        reader: Callable[[str], str | None] | None = None,
        start_at: datetime | None = None,
    ):
        self.cast: Cast = CASTS[lang]
        self.lang = lang
        self.db_path = db_path
        self.console = console or make_console()
        self._reader = reader
        self.start_at = start_at
        self.user: Person = self.cast.hr
        self.role = "hr"
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.slack: SlackEmulator | None = None
        self.bot: BotProcess | None = None
        self.agent: SlackUserAgent | None = None
        self.clock = Clock()
        # What has been shown: message (channel, ts) → (updates, blocks, text); counts of responses, files.
        self._seen: dict[tuple[str, str], tuple[int, list, str]] = {}
        self._notified: set[tuple[str, str]] = set()
        self._responses = 0
        self._private: list[dict] = []
        self._acks: list[dict] = []
        self._ephemeral = 0
        self._files: set[str] = set()
        self._views: dict[str, str] = {}
        self._home: dict[str, str] = {}
        self._home_open = False
        # The numbers each person can type, and options picked in multi-selects before confirming.
        self._tables: dict[str, dict[int, Choice]] = {}
        self._picked: dict[tuple[Hashable, str, str], list[str]] = {}
        self.form_script: dict[str, Any] | None = None
        self._sweeps: list[tuple[int, datetime | None]] = []
        self._jobs = threading.Condition()
        self._can_listen = False
        self.last_leaver: Person = self.cast.leavers[0]

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> Shell:
        if self.db_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="exit-interview-shell-")
            path = Path(self._tmp.name) / "shell.sqlite3"
        else:
            path = Path(self.db_path).expanduser().resolve()
        self.slack = SlackEmulator(token=TOKEN).start()
        populate(self.slack, self.cast)
        if self.start_at is not None:
            self.clock.offset = self.start_at - datetime.now(UTC)
        settings = Settings(
            bot_token=TOKEN,
            signing_secret=SIGNING_SECRET,
            api_url=self.slack.api_url,
            database_url=f"sqlite:///{path}",
            port=0,
            hr_user_ids=frozenset({self.cast.hr.user_id}),
            manager_channel_id=self.cast.channel_id,
            timezone=self.cast.company_tz,
            holiday_country=self.cast.holiday_country,
            default_language=self.lang,
            # The emulator is not Slack: no need to wait a second per message in a channel.
            messages_per_second=50.0,
        )
        try:
            self.bot = BotProcess(settings, host="127.0.0.1", clock=self.clock, sweep_seconds=60.0,
                                  process_before_response=True).start()
        except BaseException:
            self.stop()
            raise
        self.agent = SlackUserAgent(self.bot.events_url, SIGNING_SECRET, self.slack)
        self._listen_to_jobs()
        return self

    def stop(self) -> None:
        if self.bot is not None:
            self.bot.stop()
            self.bot = None
        if self.slack is not None:
            self.slack.stop()
            self.slack = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Shell:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def services(self):
        return self.bot.services

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.cast.company_tz)

    @property
    def width(self) -> int:
        return max(40, self.console.width)

    # -- output ------------------------------------------------------------------------------------------

    def say(self, renderable: RenderableType | str, style: str = "") -> None:
        self.console.print(Text(renderable, style=style) if isinstance(renderable, str) else renderable)

    def indent(self, renderable: RenderableType, by: int = 2) -> None:
        """Printed `by` columns in, wrapped to the width left, without trailing spaces."""
        options = self.console.options.update(width=max(20, self.width - by))
        for segments in self.console.render_lines(renderable, options, pad=False):
            line = Text(" " * by)
            for segment in segments:
                if not segment.control:
                    line.append(segment.text, segment.style)
            line.rstrip()
            self.console.print(line, soft_wrap=True)

    def note(self, text: str) -> None:
        self.say(text, STYLE["dim"])

    def error(self, text: str) -> None:
        self.say(text, STYLE["danger"])

    def rule(self, title: str = "") -> None:
        self.console.print(Rule(title, style=STYLE["dim"], align="left") if title else Rule(style=STYLE["dim"]))

    def echo(self, prompt: str, typed: str) -> None:
        line = Text(prompt, style=STYLE["bold"])
        line.append(typed)
        self.console.print(line)

    def prompt(self) -> str:
        return f"{self.role} @{self.user.name}> "

    def read(self, prompt: str, kind: str = "line") -> str | None:
        """A line the person types (None at the end of input). Shown in the transcript when not typed at
        a terminal, so a piped session reads like a chat too."""
        if self._reader is not None:
            typed = self._reader(prompt)
            if typed is not None:
                self.echo(prompt, typed)
            return typed
        if sys.stdin.isatty() and self.console.is_terminal:
            try:
                return self.console.input(Text(prompt, style=STYLE["bold"]))
            except EOFError:
                return None
        line = sys.stdin.readline()
        if not line:
            return None
        typed = line.rstrip("\r\n")
        self.echo(prompt, typed)
        return typed

    def names(self) -> Names:
        return Names.of_workspace(self.slack.workspace)

    def local(self, moment: datetime | None = None) -> datetime:
        return (moment or self.clock.now()).astimezone(self.tz)

    def when(self, moment: datetime | None = None) -> str:
        local = self.local(moment)
        return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({self.cast.company_tz})"

    # -- the loop ------------------------------------------------------------------------------------------

    def banner(self) -> None:
        example_day = self.services.calendar.working_days_after(self.services.today(), 15)
        leaver, manager = self.cast.leavers[0], self.cast.manager
        self.say("exit-interview shell: the real bot, with a pretend Slack workspace", STYLE["bold"])
        self.note(f"It is {self.when()}. You are {self.cast.hr.real_name} (@{self.cast.hr.name}), HR.")
        self.note(f"Try: /exit-interview start @{leaver.name} {example_day.isoformat()} @{manager.name}")
        self.note(f"then wait until the invitation, play the leaver (as leaver {leaver.name}) and choose by number.")
        self.note("Type help for all commands, who for the people.")

    def run(self) -> int:
        self.banner()
        while True:
            try:
                line = self.read(self.prompt())
            except KeyboardInterrupt:
                self.say("")
                break
            if line is None:
                break
            try:
                if not self.handle(line):
                    break
            except KeyboardInterrupt:
                self.note("(interrupted)")
            except ShellError as problem:
                self.error(str(problem))
        self.note("Bye.")
        return 0

    def handle(self, line: str) -> bool:
        """One typed line. False when the person wants to quit."""
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        command = word.lower()
        rest = rest.strip()
        if command in ("quit", "exit"):
            return False
        if command in ("help", "?"):
            self.help()
        elif command == "as":
            self.act_as(rest)
        elif command == "who":
            self.who()
        elif command == "now":
            self.note(f"It is {self.when()}.")
        elif command == "home":
            self.open_home()
        elif command == "show":
            self.show()
        elif command == "wait":
            self.wait(rest)
        elif command == "say":
            if rest:
                self.direct_message(rest)
            else:
                self.error("say what? e.g. say 3 - too much pressure")
        elif line.startswith("/"):
            self.slash(line)
        elif NUMBERS.match(line):
            self.choose(line)
        elif self.role == "leaver":
            self.direct_message(line)
        else:
            self.error(f"Unknown command: {word}")
            self.help()
        return True

    def help(self) -> None:
        table = Table.grid(padding=(0, 3))
        table.add_column(style=STYLE["bold"], no_wrap=True)
        table.add_column()
        for command, meaning in HELP:
            table.add_row(command, meaning)
        self.say("Commands", STYLE["bold"])
        self.indent(table)

    def who(self) -> None:
        self.say("People in this workspace", STYLE["bold"])
        for person in self.cast.everyone:
            role = self.cast.role_of(person)
            marker = "→" if person == self.user else " "
            self.say(f"{marker} {role:<9} @{person.name:<8} {person.real_name:<16} {person.locale:<6} {person.tz}")
        self.note(f"#{self.cast.channel_name}: the managers' channel, where the digest goes.")

    # -- roles -------------------------------------------------------------------------------------------------

    def person_named(self, name: str) -> Person | None:
        return self.cast.find(name)

    def act_as(self, who: str) -> None:
        words = who.split()
        role = words[0].lower() if words else ""
        if role == "hr":
            person = self.cast.hr
        elif role == "manager":
            person = self.cast.manager
        elif role == "leaver":
            if len(words) > 1:
                person = self.cast.find(words[1])
                if person is None or person not in self.cast.leavers:
                    raise ShellError(f"No leaver called {words[1]}; the leavers are "
                                     + ", ".join(p.name for p in self.cast.leavers) + ".")
            else:
                person = self.last_leaver
        else:
            person = self.cast.find(role) if role else None
            if person is None:
                raise ShellError("as whom? as hr, as leaver [" + "|".join(p.name for p in self.cast.leavers)
                                 + "], or as manager")
        self.user = person
        self.role = self.cast.role_of(person)
        if person in self.cast.leavers:
            self.last_leaver = person
        self._home_open = False
        self.note(f"You are now {person.real_name} (@{person.name}), {self.role} · {person.locale} · {person.tz}.")
        if not self.refresh():
            self.note("(nothing new)")

    def watched(self) -> list[str]:
        channels = [self.slack.dm_channel(self.user.user_id)]
        if self.user == self.cast.manager:
            channels.insert(0, self.cast.channel_id)
        return channels

    # -- doing things, as Slack would send them ---------------------------------------------------------------

    def _mentions(self, text: str) -> str:
        """@name and #channel as Slack escapes them in commands and messages."""

        def user(match: re.Match) -> str:
            person = self.cast.find(match.group(1))
            return f"<@{person.user_id}|{person.name}>" if person else match.group(0)

        def channel(match: re.Match) -> str:
            if match.group(1) == self.cast.channel_name:
                return f"<#{self.cast.channel_id}|{self.cast.channel_name}>"
            return match.group(0)

        text = re.sub(r"(?<![\w<|])@([\w.\-]+)", user, text)
        return re.sub(r"(?<![\w<|&])#([\w\-]+)", channel, text)

    def slash(self, line: str) -> None:
        command, _, text = line.partition(" ")
        if command != "/exit-interview":
            raise ShellError(f"{command} is not a command of this app; it has /exit-interview.")
        reply = self.agent.slash(self.user.user_id, self._mentions(text.strip()),
                                 channel_id=self.slack.dm_channel(self.user.user_id))
        self._check(reply)
        if reply.status == 200 and reply.body.strip():  # an answer in the acknowledgement itself
            try:
                body = json.loads(reply.body)
            except ValueError:
                body = {"text": reply.body}
            if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
                self._acks.append(body)
        self.after_action(sweep=True)

    def direct_message(self, text: str) -> None:
        reply = self.agent.dm(self.user.user_id, self._mentions(text))
        self._check(reply)
        self.after_action()

    def open_home(self) -> None:
        reply = self.agent.open_home(self.user.user_id)
        self._check(reply)
        self.settle()
        view = self.slack.workspace.home_views.get(self.user.user_id)
        self._home_open = True
        if view is None:
            self.note("(The App Home is empty for now.)")
        else:
            self._show_home(view)
        self.refresh()

    def _show_home(self, view: dict) -> None:
        self._home[self.user.user_id] = json.dumps(view, sort_keys=True)
        self.rule("App Home")
        source, names = ("home", self.user.user_id), self.names()
        plan = self.plan([(source, view.get("blocks") or [])], names)
        for renderable in render_blocks(view.get("blocks") or [], names, plan, source=source, width=self.width - 2):
            self.indent(renderable)
        self.rule()

    def _check(self, reply: Reply) -> None:
        if reply.status != 200:
            self.error(f"(the bot answered HTTP {reply.status}: {reply.body[:200]})")

    def after_action(self, sweep: bool = False) -> None:
        """Let the bot finish what the action set off, then show it."""
        if sweep:
            self.run_sweep()
        self.settle()
        self.refresh()

    def settle(self, quiet: float = 0.05, limit: float = 3.0) -> None:
        """Wait until the bot has made no Slack call for `quiet` seconds (at most `limit`)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            count = len(self.slack.calls)
            try:
                self.slack.wait_for(lambda n=count: len(self.slack.calls) != n, timeout=quiet, what="quiet")
            except TimeoutError:
                return

    # -- choosing by number ---------------------------------------------------------------------------------

    def _table(self) -> dict[int, Choice]:
        return self._tables.setdefault(self.user.user_id, {})

    def choices(self) -> dict[int, Choice]:
        """What the current person can choose now, by number."""
        self._prune()
        return dict(self._table())

    def _live_blocks(self, source: Hashable) -> list[dict] | None:
        """The blocks of the surface a choice was shown on, as they are now (None: it is gone)."""
        if not isinstance(source, tuple) or not source:
            return None
        if source[0] == "message":
            message = self.slack.message(source[1], source[2])
            return message.blocks if message is not None else None
        if source[0] == "home":
            view = self.slack.workspace.home_views.get(source[1])
            return view.get("blocks") if view else None
        if source[0] == "view":
            view = self.slack.workspace.views.get(source[1])
            return view.get("blocks") if view else None
        if source[0] == "private":
            return self._private[source[1]]["blocks"]
        return None

    def _prune(self) -> None:
        table = self._table()
        for number, choice in list(table.items()):
            if _element(self._live_blocks(choice.source) or [], choice) is None:
                del table[number]

    def choose(self, typed: str) -> None:
        numbers = [int(n) for n in re.split(r"\s*,\s*", typed.strip()) if n]
        table = self.choices()
        missing = [n for n in numbers if n not in table]
        if missing:
            raise ShellError(f"There is no [{missing[0]}] to choose now. Type show to see the choices.")
        chosen = [table[n] for n in numbers]
        if len(chosen) > 1 or chosen[0].kind == "pick":
            self._pick(chosen)
            return
        choice = chosen[0]
        if choice.confirm and not self._confirmed(choice.confirm):
            self.note("(not done)")
            return
        self.click(choice)

    def _confirmed(self, confirm: dict) -> bool:
        title, text = plain(confirm.get("title")), plain(confirm.get("text"))
        yes, no = plain(confirm.get("confirm")) or "yes", plain(confirm.get("deny")) or "no"
        self.say(Text(f"{title}: {text}", style=STYLE["bold"]))
        answer = self.read(f"  {yes}? [y/N] ")
        if answer is None:
            return False
        ok = answer.strip().lower() in ("y", "yes", "j", "ja", yes.lower())
        if not ok:
            self.note(f"({no})")
        return ok

    def _pick(self, chosen: list[Choice]) -> None:
        first = chosen[0]
        if any(c.kind != "pick" or (c.source, c.action_id, c.block_id) != (first.source, first.action_id,
                                                                          first.block_id) for c in chosen):
            raise ShellError("Several numbers go together only for the options of one menu.")
        values = list(dict.fromkeys(c.value for c in chosen))
        self._picked[(first.source, first.action_id, first.block_id)] = values
        # Slack tells the app when a multi-select changes, as an action of the menu with what is picked.
        self._send(first, values)
        labels = ", ".join(c.label for c in chosen)
        buttons = sorted((number, c) for number, c in self.choices().items()
                         if c.source == first.source and c.kind == "button")
        likely = [n for n, c in buttons if any(w in c.action_id for w in ("confirm", "submit", "save"))]
        confirm = (likely or [n for n, _ in buttons] or [None])[0]
        hint = f": now choose [{confirm}] {self._table()[confirm].label}" if confirm else ""
        self.note(f"(picked {labels}{hint})")

    def _message_of(self, source: Hashable) -> Message | None:
        """The message a choice is in, as it is now (a reply only you see stays as it came)."""
        if isinstance(source, tuple) and source and source[0] == "message":
            return self.slack.message(source[1], source[2])
        if isinstance(source, tuple) and source and source[0] == "private":
            shown = self._private[source[1]]
            return Message(self.slack.dm_channel(self.user.user_id), f"ephemeral-{source[1]}", shown["text"],
                           shown["blocks"])
        return None

    def _view_of(self, source: Hashable) -> dict | None:
        """The view a choice is in: the person's App Home, or a modal (a window or form) the bot opened."""
        if isinstance(source, tuple) and source and source[0] == "home":
            view = self.slack.workspace.home_views.get(source[1])
            return {**view, "id": view.get("id") or "VHOME0001", "type": "home"} if view else None
        if isinstance(source, tuple) and source and source[0] == "view":
            return self.slack.workspace.views.get(source[1])
        return None

    def menu_states(self, source: Hashable, blocks: list[dict]) -> dict:
        """What Slack sends along as `state.values`: what is picked in the surface's menus and checkboxes
        (by the person here, else as the bot set them)."""
        state: dict = {}
        for block in blocks:
            for element in _interactive(block):
                kind = element.get("type")
                if kind not in _STATEFUL:
                    continue
                picked = self._picked.get((source, element.get("action_id"), block.get("block_id", "")))
                if picked is None:
                    initial = element.get("initial_options") or (
                        [element["initial_option"]] if element.get("initial_option") else [])
                    picked = [o.get("value") for o in initial]
                value = picked if _STATEFUL[kind] == "many" else (picked[0] if picked else None)
                state.setdefault(block.get("block_id", ""), {})[element["action_id"]] = element_state(element, value)
        return state

    def _send(self, choice: Choice, selected: list[str] | None, state: dict | None = None) -> Reply:
        """The action of exactly this element (its own block, action and value), from the surface it is
        on, as Slack would send it."""
        source = choice.source
        blocks = self._live_blocks(source) or []
        element = _element(blocks, choice)
        if element is None:
            raise ShellError("That choice is no longer there. Type show to see the choices.")
        state = {**self.menu_states(source, blocks), **(state or {})}
        message = self._message_of(source)
        if message is not None:
            reply = self.agent.act(self.user.user_id, element, choice.block_id, message=message,
                                   selected=selected, state=state, ephemeral=source[0] == "private")
        else:
            view = self._view_of(source)
            if view is None:
                raise ShellError("That choice is no longer there. Type show to see the choices.")
            reply = self.agent.act(self.user.user_id, element, choice.block_id, view=view, selected=selected,
                                   state=state)
        self._check(reply)
        return reply

    def _selected(self, choice: Choice) -> list[str] | None:
        """What choosing sends as selected; a menu then shows (and later sends along) that option."""
        if choice.kind != "option":
            return None
        self._picked[(choice.source, choice.action_id, choice.block_id)] = [choice.value]
        return [choice.value]

    def click(self, choice: Choice, state: dict | None = None) -> Reply:
        """Send the click on this element, as Slack would, then show what the bot did."""
        reply = self._send(choice, self._selected(choice), state)
        self.after_action()
        return reply

    def use(self, choice: Choice, state: dict | None = None) -> Reply:
        """A click from inside a form being filled in: sent, and the messages it set off shown; the form
        itself (and any window it opened) is for the form to show."""
        reply = self._send(choice, self._selected(choice), state)
        self.settle()
        self.refresh(forms=False)
        return reply

    def seen_view(self, view: dict) -> None:
        """This view, as it is, has been shown: not to be opened again as a new form."""
        self._views[view.get("id") or ""] = json.dumps(view, sort_keys=True)

    # -- what the bot did ----------------------------------------------------------------------------------

    def refresh(self, *, full: bool = False, forms: bool = True) -> bool:
        """Show what is new or changed for the current person; True when anything was shown."""
        self._prune()
        names = self.names()
        items = self._message_items([m for channel in self.watched() for m in self.slack.messages_in(channel)],
                                    full=full)
        items += self._private_items()
        self._print_items(items, names)
        shown = bool(items)
        shown |= self._show_files()
        if self._home_open:
            view = self.slack.workspace.home_views.get(self.user.user_id)
            if view is not None and json.dumps(view, sort_keys=True) != self._home.get(self.user.user_id):
                self._show_home(view)
                shown = True
        self._notify_others()
        if forms:
            shown |= self.open_forms()
        return shown

    def show(self) -> None:
        for channel in self.watched():
            title = f"#{self.cast.channel_name}" if channel == self.cast.channel_id else "your DM with exit-interview"
            self.rule(title)
            messages = self.slack.messages_in(channel)
            if not messages:
                self.note("(no messages yet)")
            self._print_items(self._message_items(messages, full=True), self.names())
        self.rule()
        self.refresh()

    def _message_items(self, messages: list[Message], *, full: bool) -> list[tuple[Text, Hashable, list, str]]:
        """New messages whole, updated ones as what changed (with their buttons): (header, source, blocks, text)."""
        items = []
        for message in messages:
            key = (message.channel, message.ts)
            before = self._seen.get(key)
            self._seen[key] = (message.updates, message.blocks, message.text)
            self._notified.add(key)
            if before is not None and not full and before[0] == message.updates:
                continue
            blocks, updated = message.blocks, before is not None and not full
            if updated:
                blocks = _changed_blocks(before[1], message.blocks)
                if not blocks:
                    continue
            header = Text("exit-interview", style="bold magenta")
            if message.channel == self.cast.channel_id:
                header.append(f"  in #{self.cast.channel_name}", style=STYLE["dim"])
            if updated:
                header.append("  (updated)", style=STYLE["dim"])
            items.append((header, ("message", message.channel, message.ts), blocks, message.text))
        return items

    def _private_items(self) -> list[tuple[Text, Hashable, list, str]]:
        """Replies only this person sees (to a command or a click), in the order they came."""
        fresh, self._acks = list(self._acks), []
        responses = list(self.slack.workspace.responses)
        fresh += responses[self._responses:]
        self._responses = len(responses)
        ephemeral = list(self.slack.workspace.ephemeral)
        fresh += [p for p in ephemeral[self._ephemeral:] if p.get("user") == self.user.user_id]
        self._ephemeral = len(ephemeral)
        items = []
        for response in fresh:
            blocks = response.get("blocks")
            if isinstance(blocks, str):
                blocks = json.loads(blocks or "[]")
            self._private.append({"blocks": blocks or [], "text": response.get("text") or ""})
            header = Text("exit-interview  (only you can see this)", style="magenta")
            items.append((header, ("private", len(self._private) - 1), blocks or [], response.get("text") or ""))
        return items

    def _print_items(self, items: list[tuple[Text, Hashable, list, str]], names: Names) -> None:
        plan = self.plan([(source, blocks) for _, source, blocks, _ in items], names)
        for header, source, blocks, text in items:
            self.say(header)
            if blocks:
                for renderable in render_blocks(blocks, names, plan, source=source, width=self.width - 2):
                    self.indent(renderable)
            else:
                self.indent(mrkdwn(text, names))

    def plan(self, shown: list[tuple[Hashable, list[dict]]], names: Names) -> Numbering:
        """Numbers for what is about to be shown: from 1, the newest message first, so the question just
        asked starts at [1]. Buttons labelled with a run of numbers (a 0-10 scale, 1-5 ratings) get those
        numbers. A number keeps pointing at what it was last shown with."""
        numbers: dict[tuple, int] = {}
        used: set[int] = set()
        counter = 1
        for source, blocks in reversed(shown):
            collected = Numbering()
            render_blocks(blocks, names, collected, source=source, width=self.width)
            choices = list(collected.choices.values())
            numbers.update(_label_numbers(choices, used))
            used.update(numbers.values())
            for choice in choices:
                if choice.key not in numbers:
                    while counter in used:
                        counter += 1
                    numbers[choice.key] = counter
                    used.add(counter)
        table = self._table()

        def number_for(choice: Choice) -> int:
            number = numbers[choice.key]
            table[number] = choice
            return number

        return Numbering(number_for)

    def _show_files(self) -> bool:
        """Files the bot shared where the person looks (the digest's chart), once each."""
        shown = False
        for stored in list(self.slack.workspace.files):
            if stored.get("channel") not in self.watched() or stored["id"] in self._files:
                continue
            self._files.add(stored["id"])
            kind = "a picture" if (stored.get("content") or b"").startswith(b"\x89PNG") else "a file"
            size = len(stored.get("content") or b"")
            self.indent(Text(f"📎 {stored.get('title') or stored['filename']} ({stored['filename']}, {kind}, "
                             f"{max(1, size // 1024)} KB)", style=STYLE["dim"]))
            shown = True
        return shown

    def _notify_others(self) -> None:
        """One line per other person who has new messages waiting, so the story can be followed."""
        lines = []
        for person in self.cast.everyone:
            if person == self.user:
                continue
            channels = [self.slack.dm_channel(person.user_id)]
            if person == self.cast.manager:
                channels.insert(0, self.cast.channel_id)
            fresh = [(m.channel, m.ts) for channel in channels for m in self.slack.messages_in(channel)
                     if (m.channel, m.ts) not in self._seen and (m.channel, m.ts) not in self._notified]
            if fresh:
                self._notified.update(fresh)
                role = self.cast.role_of(person)
                switch = f"as leaver {person.name}" if role == "leaver" else f"as {role}"
                plural = "s" if len(fresh) > 1 else ""
                lines.append(f"🔔 {len(fresh)} new message{plural} for @{person.name} ({role}): type {switch}")
        for line in lines:
            self.note(line)

    def open_forms(self) -> bool:
        """Modals the bot opened (or changed) for the person: shown as forms to fill in."""
        shown = False
        while True:
            pending = [(view_id, view) for view_id, view in list(self.slack.workspace.views.items())
                       if self._views.get(view_id) != json.dumps(view, sort_keys=True)]
            if not pending:
                return shown
            for view_id, view in pending:
                self._views[view_id] = json.dumps(view, sort_keys=True)
            view_id, view = pending[-1]
            script, self.form_script = self.form_script, None
            shown = True
            try:
                Form(self, view, script).run()
            except FormCancelled:
                continue
            self.after_action()

    # -- time ------------------------------------------------------------------------------------------------

    def parse_wait(self, text: str) -> datetime:
        now = self.clock.now()
        text = text.strip().lower()
        if text.startswith("until"):
            rest = text[len("until"):].strip()
            match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ t]+(\d{1,2}):(\d{2}))?", rest)
            if not match:
                raise ShellError("wait until YYYY-MM-DD [HH:MM], e.g. wait until 2026-12-01 10:00")
            try:
                day = date.fromisoformat(match.group(1))
                moment = clock_time(int(match.group(2) or 9), int(match.group(3) or 0))
            except ValueError as error:
                raise ShellError(f"not a moment: {rest} ({error})") from None
            return datetime.combine(day, moment, tzinfo=self.tz).astimezone(UTC)
        if not text or not re.fullmatch(r"(\s*\d+\s*(weeks?|w|days?|d|hours?|h|minutes?|mins?|m)\b)+\s*", text):
            raise ShellError("wait how long? e.g. wait 3d, wait 2h, wait 1d 4h, wait until 2026-12-01 10:00")
        minutes = sum(int(n) * _UNITS[unit[0]] for n, unit in _DURATION.findall(text))
        if minutes <= 0:
            raise ShellError("wait for at least a minute")
        if minutes > 2 * 365 * 24 * 60:
            raise ShellError("wait at most two years at a time")
        return now + timedelta(minutes=minutes)

    def invitation_moments(self, start: datetime, end: datetime) -> list[datetime]:
        """Just after each planned invitation: it may reach a leaver only within their working hours, which
        a once-a-day sweep could miss (10:00 in New York is after the working day in Amsterdam)."""
        from storage import repositories as repo

        with self.services.db.session() as session:
            planned = repo.planned_invitations(session, start, end)
        return [moment + timedelta(minutes=1) for moment in planned if moment + timedelta(minutes=1) < end]

    def digest_moments(self, start: datetime, end: datetime) -> list[datetime]:
        """The scheduled digest's moments in (start, end]: its day each month (flows.schedule)."""
        from flows.schedule import next_digest, parse

        words = parse(self.services.settings.digest_schedule)
        if words is None:
            return []
        moments = []
        moment = next_digest(words, start, self.tz, self.services.calendar).astimezone(UTC)
        while moment <= end:
            moments.append(moment)
            moment = next_digest(words, moment, self.tz, self.services.calendar).astimezone(UTC)
        return moments

    def wait(self, text: str) -> None:
        from bot import jobs

        target = self.parse_wait(text)
        start = self.clock.now()
        if target <= start:
            raise ShellError(f"That moment has passed: it is {self.when()}.")
        steps = {target: False}
        day = start + timedelta(days=1)
        while day < target:  # the sweep runs every minute in real life: here at least once a day
            steps.setdefault(day, False)
            day += timedelta(days=1)
        for moment in self.digest_moments(start, target):
            steps[moment] = True
        for moment in self.invitation_moments(start, target):
            steps.setdefault(moment, False)
        for moment in sorted(steps):
            self.clock.advance(moment - self.clock.now())
            self.run_sweep()
            if steps[moment]:
                jobs.digest()
        self.say(Text(f"⏩ {_duration(target - start)} later: it is {self.when()}.", style=STYLE["bold"]))
        self.settle()
        if not self.refresh():
            self.note("(nothing new for you)")

    # -- the scheduler's sweep -------------------------------------------------------------------------------

    def _listen_to_jobs(self) -> None:
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES

        aps = getattr(self.bot.scheduler, "_scheduler", None)
        if aps is not None:
            aps.add_listener(self._job_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)
        self._can_listen = aps is not None

    def _job_event(self, event) -> None:
        from bot.scheduling import SWEEP_JOB_ID

        if event.job_id != SWEEP_JOB_ID:
            return
        when = getattr(event, "scheduled_run_time", None)
        if when is None:
            times = getattr(event, "scheduled_run_times", None) or [None]
            when = times[-1]
        with self._jobs:
            self._sweeps.append((event.code, when))
            self._jobs.notify_all()

    def run_sweep(self) -> None:
        """Run the scheduler's sweep now (at the fake clock's time) and wait until it has finished."""
        from apscheduler.events import EVENT_JOB_MAX_INSTANCES

        if not self._can_listen:  # no way to see it finish: run the same job function here
            from bot import jobs

            jobs.sweep()
            return
        deadline = time.monotonic() + SWEEP_TIMEOUT
        while time.monotonic() < deadline:
            asked = datetime.now(UTC)
            with self._jobs:
                seen = len(self._sweeps)
            self.bot.scheduler.run_sweep_now()
            with self._jobs:
                while True:
                    ours = [(code, when) for code, when in self._sweeps[seen:] if when is None or when >= asked]
                    if ours:
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise ShellError(f"the scheduler's sweep did not finish within {SWEEP_TIMEOUT:.0f} s")
                    self._jobs.wait(min(remaining, 0.1))
            if ours[0][0] != EVENT_JOB_MAX_INSTANCES:
                return
            time.sleep(0.05)  # a sweep was still running: ask again
        raise ShellError(f"the scheduler's sweep did not run within {SWEEP_TIMEOUT:.0f} s")


# Elements whose value Slack keeps and sends along with any action of their surface (an overflow has none).
_STATEFUL = {"static_select": "one", "radio_buttons": "one", "multi_static_select": "many", "checkboxes": "many"}


def _interactive(block: dict) -> list[dict]:
    elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
    if block.get("accessory"):
        elements.append(block["accessory"])
    return [e for e in elements if isinstance(e, dict) and e.get("action_id")]


def _element(blocks: list[dict], choice: Choice) -> dict | None:
    """The element a choice points at, if it is still there (a button with the same value, a menu
    that still offers the option)."""
    for block in blocks:
        if block.get("block_id", "") != choice.block_id:
            continue
        for element in _interactive(block):
            if element.get("action_id") != choice.action_id:
                continue
            if choice.kind == "button":
                if element.get("type") == "button" and element.get("value") == choice.value:
                    return element
                continue
            options = [o for g in element.get("option_groups") or [] for o in g.get("options") or []]
            options = options or element.get("options") or []
            if any(o.get("value") == choice.value for o in options):
                return element
    return None


def _changed_blocks(previous: list[dict], current: list[dict]) -> list[dict]:
    """What an updated message shows anew: blocks whose words changed, and then its buttons again."""

    def words(block: dict) -> str | None:
        if block.get("type") == "actions":
            return None
        return json.dumps({k: v for k, v in block.items() if k not in ("accessory", "block_id")}, sort_keys=True)

    before = {words(b) for b in previous} | {json.dumps(b, sort_keys=True) for b in previous}
    changed = [b for b in current if words(b) is not None and words(b) not in before]
    changed += [b for b in current if b.get("accessory") and words(b) in before
                and json.dumps(b, sort_keys=True) not in before]
    if not changed:
        return []
    return [b for b in current if b in changed or b.get("type") == "actions"]


def _label_numbers(choices: list[Choice], used: set[int]) -> dict[tuple, int]:
    """Buttons in one row whose labels start with consecutive numbers (0-10, 1 · Very bad ... 5) keep
    those numbers, so typing 7 chooses the button labelled 7."""
    numbers: dict[tuple, int] = {}
    rows: dict[tuple, list[Choice]] = {}
    for choice in choices:
        if choice.kind == "button":
            rows.setdefault((choice.source, choice.block_id), []).append(choice)
    for row in rows.values():
        labels = [re.match(r"^(\d+)(?:\s|$)", choice.label) for choice in row]
        if len(row) < 2 or not all(labels):
            continue
        values = [int(match.group(1)) for match in labels]
        if values != list(range(values[0], values[0] + len(values))) or used & set(values):
            continue
        numbers.update({choice.key: value for choice, value in zip(row, values, strict=True)})
    return numbers


def _duration(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    parts += [f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes else []
    return ", ".join(parts) or "A moment"
