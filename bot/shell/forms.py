"""Modals as forms in the terminal: asked field by field, sent with a signed view submission, and
asked again where the bot answers with errors."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from rich.console import RenderableType
from rich.text import Text

from bot.emulator import SlackEmulator, SlackUserAgent
from bot.emulator.client import Reply, view_state
from bot.shell.people import Cast, Person
from bot.shell.render import STYLE, Choice, Names, Numbering, emoji, pack, plain, render_blocks, text_object

CANCEL, CLEAR, SEND = "!cancel", "!clear", "!send"
_KEEP = object()  # the field stays as the form showed it


class FormCancelled(Exception):
    """The person closed the form without sending it."""


class UseElement(Exception):
    """The person typed `!N` at a field: use the form's button or menu option [N]."""

    def __init__(self, number: int):
        super().__init__(f"!{number}")
        self.number = number
        self.block_id: str | None = None
        self.values: dict[str, Any] = {}


class FormRejected(Exception):
    """A scripted form came back with errors (an interactive one is asked again instead)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{block}: {message}" for block, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ByValue:
    """A scripted answer naming options by their values; typed as their numbers."""

    values: tuple[str, ...]


def by_value(*values: str) -> ByValue:
    return ByValue(tuple(values))


def inputs(view: dict) -> list[dict]:
    return [block for block in view.get("blocks") or [] if block.get("type") == "input"]


def _options(element: dict) -> list[dict]:
    grouped = [o for group in element.get("option_groups") or [] for o in group.get("options") or []]
    return grouped or element.get("options") or []


class FormHost(Protocol):
    """What a form needs of the session showing it (bot.shell.session.Shell): the terminal, the person
    at it, and their clicks. A protocol, so the session can use forms without the two importing each other."""

    user: Person
    cast: Cast
    slack: SlackEmulator | None
    agent: SlackUserAgent | None

    @property
    def width(self) -> int: ...
    def say(self, renderable: RenderableType | str, style: str = "") -> None: ...
    def indent(self, renderable: RenderableType, by: int = 2) -> None: ...
    def note(self, text: str) -> None: ...
    def error(self, text: str) -> None: ...
    def rule(self, title: str = "") -> None: ...
    def echo(self, prompt: str, typed: str) -> None: ...
    def read(self, prompt: str, kind: str = "line") -> str | None: ...
    def names(self) -> Names: ...
    def person_named(self, name: str) -> Person | None: ...
    def choices(self) -> dict[int, Choice]: ...
    def use(self, choice: Choice, state: dict | None = None) -> Reply: ...
    def seen_view(self, view: dict) -> None: ...
    def plan(self, shown: list[tuple[Hashable, list[dict]]], names: Names) -> Numbering: ...
    def open_forms(self) -> bool: ...


class Form:
    """One modal, from opening to closing."""

    def __init__(self, shell: FormHost, view: dict, script: dict[str, Any] | None = None):
        self.shell = shell
        self.view = view
        self.script = script

    # -- showing --------------------------------------------------------------------------------------

    def _title(self, view: dict) -> str:
        return emoji(plain(view.get("title"))) or "Form"

    def _source(self, view: dict) -> tuple:
        return ("view", view.get("id") or "")

    def _render(self, view: dict, blocks: list[dict]) -> bool:
        """Blocks of this window, its buttons and menus numbered like any other: typing the number uses
        them in this window (not in whatever else is on screen). True when there is anything to use."""
        shell = self.shell
        source = self._source(view)
        plan = shell.plan([(source, blocks)], shell.names())
        for renderable in render_blocks(blocks, shell.names(), plan, source=source, width=shell.width - 2):
            shell.indent(renderable)
        return bool(plan.choices)

    def show_static(self, view: dict) -> None:
        """A window without fields: shown; its buttons can be used by number while it is there."""
        shell = self.shell
        shell.rule(f"window: {self._title(view)}")
        if self._render(view, view.get("blocks") or []):
            shell.note("(type a number to use a button of this window)")
        shell.rule()

    # -- filling in and sending -------------------------------------------------------------------------------

    def run(self) -> None:
        """Ask, send, and ask again what the bot refuses; until the form closes."""
        shell = self.shell
        view = self.view
        if not inputs(view):
            self.show_static(view)
            return
        asked = [block["block_id"] for block in inputs(view)]
        values: dict[str, Any] = {}
        first = True
        while True:
            if first:
                shell.rule(f"form: {self._title(view)}")
                shown = [b for b in view.get("blocks") or [] if b.get("type") != "input"]
                usable = self._render(view, shown)
                if self.script is None:
                    shell.note("Enter keeps what is shown · !clear empties a field · !send sends the form now · "
                               "!cancel closes it" + (" · !2 uses the form's button [2]" if usable else ""))
                first = False
            try:
                values.update(self._ask_fields(view, asked))
            except FormCancelled:
                shell.note("(the form is closed; nothing was sent)")
                shell.rule()
                raise
            except UseElement as use:
                values.update(use.values)
                view, values, changed = self._use(view, values, use.number)
                if changed:
                    asked, first = [b["block_id"] for b in inputs(view)], True
                    if not inputs(view):
                        shell.rule()
                        self.show_static(view)
                        return
                else:
                    asked = asked[asked.index(use.block_id):] if use.block_id in asked else asked
                continue
            submit = emoji(plain(view.get("submit"))) or "Submit"
            shell.say(Text(f"→ {submit}", style=STYLE["button"]))
            reply = shell.agent.submit_view(shell.user.user_id, view, values)
            body = _json(reply.body)
            if reply.status != 200:
                shell.error(f"the bot answered HTTP {reply.status}")
                shell.rule()
                return
            action = (body or {}).get("response_action")
            if action == "errors":
                errors = {k: str(v) for k, v in (body.get("errors") or {}).items()}
                labels = {b["block_id"]: plain(b.get("label")) for b in inputs(view)}
                for block_id, message in errors.items():
                    line = Text("⚠ ", style=STYLE["danger"])
                    line.append(labels.get(block_id, block_id) + ": ", style=STYLE["danger"])
                    line.append_text(text_object({"type": "mrkdwn", "text": message}, shell.names()))
                    shell.indent(line)
                if self.script is not None:
                    shell.rule()
                    raise FormRejected(errors)
                asked = [b for b in errors if b in labels] or list(labels)
                continue
            if action in ("update", "push") and isinstance(body.get("view"), dict):
                view = {**body["view"], "id": view.get("id")}
                if not inputs(view):
                    shell.rule()
                    self.show_static(view)
                    return
                asked, values, first = [b["block_id"] for b in inputs(view)], {}, True
                continue
            shell.note("(the form is sent and closed)")
            shell.rule()
            return

    def _ask_fields(self, view: dict, asked: list[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for block in inputs(view):
            if block["block_id"] not in asked:
                continue
            try:
                value = self._ask(block)
            except UseElement as use:
                use.block_id, use.values = block["block_id"], values
                raise
            if value is SEND:
                break
            if value is not _KEEP:
                values[block["block_id"]] = value
        return values

    def _use(self, view: dict, values: dict[str, Any], number: int) -> tuple[dict, dict[str, Any], bool]:
        """Use button (or menu option) [number] of this form, with the fields as typed so far, as Slack
        sends it: an action from this view. Returns the view as it is then, the values that still fit
        it, and whether it changed."""
        shell = self.shell
        choice = shell.choices().get(number)
        if choice is None or choice.source != self._source(view):
            shell.indent(Text(f"This form has no [{number}].", style=STYLE["danger"]), 4)
            return view, values, False
        views = shell.slack.workspace.views
        before = json.dumps(views.get(view.get("id") or ""), sort_keys=True)
        shell.use(choice, state=view_state(view, values))
        now = views.get(view.get("id") or "")
        if now is not None:
            shell.seen_view(now)
        shell.open_forms()  # a window the click opened on top (views.push) comes first, as in Slack
        if now is None or json.dumps(now, sort_keys=True) == before:
            return view, values, False
        still = {b["block_id"] for b in inputs(now)}
        return now, {k: v for k, v in values.items() if k in still}, True

    def _ask(self, block: dict) -> Any:
        """One field: its label, hint and options, then what the person types, until it reads."""
        shell = self.shell
        element = block.get("element") or {}
        label = plain(block.get("label"))
        scripted = self.script is not None
        if scripted and block["block_id"] not in self.script:
            return _KEEP
        title = Text(label, style=STYLE["bold"])
        if block.get("optional"):
            title.append(" (optional)", style=STYLE["dim"])
        shell.indent(title)
        if block.get("hint") and not scripted:
            shell.indent(Text(plain(block["hint"]), style=STYLE["dim"]), 4)
        options = _options(element)
        if options:
            items = []
            for number, option in zip(option_numbers(options), options, strict=True):
                item = Text()
                item.append(f"[{number}]", STYLE["number"])
                item.append(" " + emoji(plain(option.get("text"))))
                items.append(item)
            for line in pack(items, shell.width - 4):
                shell.indent(line, 4)
        default = self._default_shown(element)
        prompt = "  › " + (f"[{default}] " if default else "")
        while True:
            if scripted:
                typed = self._scripted(block, options)
                shell.echo(prompt, typed)
            else:
                typed = shell.read(prompt, kind="field")
                if typed is None:
                    raise FormCancelled()
            typed = typed.strip()
            if typed == CANCEL:
                raise FormCancelled()
            if typed == SEND:
                return SEND
            use = re.fullmatch(r"!(\d+)", typed)
            if use and not scripted:
                raise UseElement(int(use.group(1)))
            if typed == "":
                return _KEEP
            value, problem = self._read(element, options, typed)
            if problem is None:
                return value
            shell.indent(Text(problem, style=STYLE["danger"]), 4)
            if scripted:
                raise FormRejected({block["block_id"]: problem})

    def _scripted(self, block: dict, options: list[dict]) -> str:
        answer = self.script[block["block_id"]]
        if isinstance(answer, ByValue):
            numbers = dict(zip([o.get("value") for o in options], option_numbers(options), strict=True))
            return ",".join(str(numbers[v]) for v in answer.values if v in numbers)
        return str(answer)

    def _default_shown(self, element: dict) -> str:
        if element.get("initial_user"):
            return "@" + self.shell.names().users.get(element["initial_user"], element["initial_user"])
        if element.get("initial_date"):
            return element["initial_date"]
        if element.get("initial_time"):
            return element["initial_time"]
        if element.get("initial_option"):
            return plain(element["initial_option"].get("text"))
        if element.get("initial_options"):
            return ", ".join(plain(o.get("text")) for o in element["initial_options"])
        if element.get("initial_value"):
            shown = element["initial_value"].replace("\n", "\\n")
            return shown if len(shown) <= 60 else shown[:59] + "…"
        return ""

    def _read(self, element: dict, options: list[dict], typed: str) -> tuple[Any, str | None]:
        """What the person typed as the value Slack would submit, or why it does not read."""
        kind = element.get("type")
        if typed == CLEAR:
            return ([] if kind in ("multi_static_select", "checkboxes") else None), None
        if kind == "users_select":
            person = self.shell.person_named(typed)
            if person is None:
                return None, "No such person here. Choose one of: " + ", ".join(
                    "@" + p.name for p in self.shell.cast.everyone)
            return person.user_id, None
        if kind == "datepicker":
            try:
                return date.fromisoformat(typed).isoformat(), None
            except ValueError:
                return None, "Write the date as YYYY-MM-DD, e.g. 2026-12-20."
        if kind == "timepicker":
            match = re.fullmatch(r"\s*([01]?[0-9]|2[0-3]):([0-5][0-9])\s*", typed)
            if not match:
                return None, "Write the time as HH:MM, e.g. 09:00."
            return f"{int(match.group(1)):02d}:{match.group(2)}", None
        if kind in ("static_select", "radio_buttons"):
            picked = _pick(options, typed)
            if len(picked) != 1:
                return None, f"Type one of the numbers {_span(options)}."
            return picked[0], None
        if kind in ("multi_static_select", "checkboxes"):
            picked = [value for part in typed.split(",") if part.strip() for value in _pick(options, part.strip())]
            if not picked or len(picked) != len([p for p in typed.split(",") if p.strip()]):
                return None, f"Type numbers {_span(options)}, separated by commas (like 1,3)."
            return picked, None
        if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input", None):
            text = typed.replace("\\n", "\n") if element.get("multiline") else typed
            limit = element.get("max_length")
            if limit and len(text) > limit:
                return None, f"That is {len(text)} characters; at most {limit} fit."
            return text, None
        return None, f"This kind of field ({kind}) cannot be filled in here; press Enter to leave it."


def option_numbers(options: list[dict]) -> list[int]:
    """The numbers shown for a field's options: 1, 2, 3 ...; options labelled with a run of numbers
    (0 · Very unlikely, 1, ... 10) keep those numbers, the rest follow."""
    labels = [re.match(r"^(\d+)(?:\s|$)", plain(o.get("text"))) for o in options]
    run = [int(m.group(1)) for m in labels if m]
    numbered = [i for i, m in enumerate(labels) if m]
    if len(run) >= 2 and run == list(range(run[0], run[0] + len(run))) and numbered == list(range(len(run))):
        return run + list(range(run[-1] + 1, run[-1] + 1 + len(options) - len(run)))
    return list(range(1, len(options) + 1))


def _span(options: list[dict]) -> str:
    numbers = option_numbers(options)
    return f"from {numbers[0]} to {numbers[-1]}" if numbers else "(there are none)"


def _pick(options: list[dict], typed: str) -> list[str]:
    """An option by its number, or by its words."""
    if re.fullmatch(r"\d+", typed):
        by_number = dict(zip(option_numbers(options), options, strict=True))
        option = by_number.get(int(typed))
        return [option.get("value")] if option is not None else []
    wanted = typed.casefold()
    return [o.get("value") for o in options if plain(o.get("text")).casefold() == wanted][:1]


def _json(body: str) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
