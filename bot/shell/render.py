"""Block Kit as readable terminal text, with Rich.

Headers are bold, mrkdwn becomes real emphasis (`*bold*`, `_italic_`, `~strike~`, `code`, quotes),
mentions become `@name` / `#channel`, Slack's escapes are undone, context is dim, a divider is a
rule, and every button or menu option gets a number the person can type: `[1] Answer here`.
Printed to a non-terminal (a pipe, a file, a test) the styles drop away and plain text remains.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.text import Text

EMOJI = {
    "white_check_mark": "✅", "heavy_check_mark": "✔", "x": "❌", "warning": "⚠️", "lock": "🔒",
    "hourglass_flowing_sand": "⏳", "hourglass": "⌛", "wastebasket": "🗑", "speech_balloon": "💬",
    "memo": "📝", "bar_chart": "📊", "chart_with_upwards_trend": "📈", "chart_with_downwards_trend": "📉",
    "wave": "👋", "tada": "🎉", "pray": "🙏", "bulb": "💡", "calendar": "📅", "date": "📅", "bell": "🔔",
    "information_source": "ℹ️", "thumbsup": "👍", "+1": "👍", "heart": "❤️", "star": "⭐", "clipboard": "📋",
    "pencil": "✏️", "pencil2": "✏️", "eyes": "👀", "raised_hands": "🙌", "mailbox": "📫", "envelope": "✉️",
    "arrow_right": "➡️", "arrow_left": "⬅️", "arrow_up": "⬆️", "arrow_down": "⬇️", "small_red_triangle": "🔺",
    "small_red_triangle_down": "🔻", "red_circle": "🔴", "large_green_circle": "🟢", "large_yellow_circle": "🟡",
    "no_entry": "⛔", "pause_button": "⏸", "arrow_forward": "▶️", "leftwards_arrow_with_hook": "↩️",
    "house": "🏠", "busts_in_silhouette": "👥", "bust_in_silhouette": "👤", "handshake": "🤝",
}

STYLE = {
    "bold": "bold", "italic": "italic", "strike": "strike", "code": "bold cyan", "mention": "bold blue",
    "link": "underline blue", "quote": "dim", "number": "bold cyan", "primary": "bold green",
    "danger": "bold red", "button": "bold", "dim": "dim", "header": "bold", "picked": "green",
}


@dataclass(frozen=True)
class Names:
    """How ids read: user id → display name, channel id → channel name."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_workspace(cls, workspace: Any) -> Names:
        users = {}
        for user_id, user in dict(workspace.users).items():
            profile = user.get("profile") or {}
            users[user_id] = profile.get("display_name") or user.get("name") or user.get("real_name") or user_id
        channels = {cid: channel.get("name", cid) for cid, channel in dict(workspace.channels).items()}
        return cls(users, channels)


# -- the choices a person can type -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One numbered thing to choose: a button, an option of a menu, or an option of a multi-select."""

    kind: str  # "button" | "option" (a one-answer menu: choosing sends it) | "pick" (a multi-select's option)
    label: str
    action_id: str
    block_id: str
    value: str | None = None
    confirm: dict | None = None
    source: Hashable = None  # where the element lives, e.g. ("message", channel, ts) or ("home", user)

    @property
    def key(self) -> tuple:
        return (self.source, self.kind, self.action_id, self.block_id, self.value)


class Numbering:
    """Hands out numbers. `number_for` is asked once per element; the default counts from 1."""

    def __init__(self, number_for: Callable[[Choice], int] | None = None):
        self.choices: dict[int, Choice] = {}
        self._next = 1
        self._number_for = number_for

    def add(self, choice: Choice) -> int:
        if self._number_for is not None:
            number = self._number_for(choice)
        else:
            number, self._next = self._next, self._next + 1
        self.choices[number] = choice
        return number


# -- mrkdwn ------------------------------------------------------------------------------------------

_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
_PRE = re.compile(r"```(.+?)```", re.S)
_INLINE = re.compile(
    r"<(?P<angle>[^<>\n]+)>"
    r"|`(?P<code>[^`\n]+)`"
    r"|(?<![\w*])\*(?P<bold>[^*\s](?:[^*\n]*?[^*\s])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>[^_\s](?:[^_\n]*?[^_\s])?)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>[^~\s](?:[^~\n]*?[^~\s])?)~(?![\w~])"
    r"|:(?P<emoji>[a-z0-9_+\-]+):"
)
_QUOTE = re.compile(r"^(?:>|&gt;) ?")


def unescape(text: str) -> str:
    """Slack's three escapes undone, in one pass (so `&amp;lt;` reads `&lt;`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def emoji(text: str) -> str:
    """`:lock:` → 🔒 for the emoji we know; others stay as they are."""
    return re.sub(r":([a-z0-9_+\-]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def _angle(content: str, names: Names) -> tuple[str, str]:
    """A `<...>` token as (text, style kind)."""
    target, _, label = content.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return "@" + (names.users.get(user_id) or label.lstrip("@") or user_id), "mention"
    if target.startswith("#"):
        channel_id = target[1:]
        return "#" + (names.channels.get(channel_id) or label.lstrip("#") or channel_id), "mention"
    if target.startswith("!"):
        special = target[1:]
        if special in ("channel", "here", "everyone"):
            return "@" + special, "mention"
        if special.startswith("subteam^"):
            return label or "@" + special.split("^", 1)[1], "mention"
        if special.startswith("date^"):
            return label or special, ""
        return label or "@" + special, "mention"
    if target.startswith("mailto:"):
        return unescape(label or target[len("mailto:"):]), "link"
    if label and unescape(label) != unescape(target):
        return f"{unescape(label)} ({unescape(target)})", "link"
    return unescape(target), "link"


def _inline(text: Text, source: str, names: Names, styles: tuple[str, ...]) -> None:
    position = 0
    for match in _INLINE.finditer(source):
        if match.start() > position:
            text.append(unescape(source[position:match.start()]), _style(styles))
        kind = match.lastgroup
        inner = match.group(kind)
        if kind == "angle":
            shown, style = _angle(inner, names)
            text.append(shown, _style((*styles, style) if style else styles))
        elif kind == "code":
            text.append(unescape(inner), _style((*styles, "code")))
        elif kind == "emoji":
            text.append(EMOJI.get(inner, match.group(0)), _style(styles))
        else:
            _inline(text, inner, names, (*styles, kind))
        position = match.end()
    if position < len(source):
        text.append(unescape(source[position:]), _style(styles))


def _style(kinds: tuple[str, ...]) -> str:
    return " ".join(STYLE[k] for k in kinds if k in STYLE)


def mrkdwn(source: str, names: Names | None = None, style: str = "") -> Text:
    """Slack mrkdwn as Rich text: emphasis, code, quotes, mentions and links, escapes undone."""
    names = names or Names()
    text = Text(style=style)
    position = 0
    for block in _PRE.finditer(source):
        _lines(text, source[position:block.start()], names)
        text.append(unescape(block.group(1).strip("\n")), STYLE["code"])
        position = block.end()
    _lines(text, source[position:], names)
    return text


def _lines(text: Text, source: str, names: Names) -> None:
    for index, line in enumerate(source.split("\n")):
        if index:
            text.append("\n")
        quoted = _QUOTE.match(line)
        if quoted:
            text.append("│ ", STYLE["quote"])
            line = line[quoted.end():]
            styles: tuple[str, ...] = ("italic",)
        else:
            styles = ()
        _inline(text, line, names, styles)


def text_object(obj: Any, names: Names | None = None, style: str = "") -> Text:
    """A Block Kit text object (plain_text or mrkdwn) or a bare string."""
    if isinstance(obj, str):
        return mrkdwn(obj, names, style)
    if not isinstance(obj, dict):
        return Text("")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text", ""), names, style)
    return Text(emoji(obj.get("text", "")), style=style)


def plain(obj: Any) -> str:
    """The words of a text object, without styles."""
    return text_object(obj).plain


# -- blocks --------------------------------------------------------------------------------------------

_MENUS = {"static_select": "option", "radio_buttons": "option", "overflow": "option", "multi_static_select": "pick",
          "checkboxes": "pick"}


def render_blocks(blocks: list[dict], names: Names | None = None, numbering: Numbering | None = None, *,
                  source: Hashable = None, width: int = 100) -> list[RenderableType]:
    """Each block as one or more Rich renderables; interactive elements numbered by `numbering`
    (a fresh one counting from 1 when none is given)."""
    names = names or Names()
    numbering = numbering if numbering is not None else Numbering()
    out: list[RenderableType] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "header":
            out.append(Text(emoji(plain(block.get("text"))), style=STYLE["header"]))
        elif kind == "section":
            if block.get("text"):
                out.append(text_object(block["text"], names))
            out += [text_object(f, names) for f in block.get("fields") or []]
            if block.get("accessory"):
                out += _elements([block["accessory"]], block, names, numbering, source, width)
        elif kind == "context":
            parts = [text_object(e, names) if e.get("type") != "image" else Text(f"[{e.get('alt_text', 'image')}]")
                     for e in block.get("elements") or []]
            line = Text(style=STYLE["dim"])
            for index, part in enumerate(parts):
                if index:
                    line.append("   ")
                line.append_text(part)
            out.append(line)
        elif kind == "divider":
            out.append(Rule(style=STYLE["dim"]))
        elif kind == "actions":
            out += _elements(block.get("elements") or [], block, names, numbering, source, width)
        elif kind == "image":
            out.append(Text(f"[image: {block.get('alt_text') or plain(block.get('title')) or 'a picture'}]",
                            style=STYLE["dim"]))
        elif kind == "input":
            label = plain(block.get("label"))
            out.append(Text(f"{label}: (a field of the form)", style=STYLE["dim"]))
        elif kind == "rich_text":
            out.append(Text(_rich_text(block)))
        elif kind == "markdown":
            out.append(mrkdwn(block.get("text", ""), names))
        else:
            out.append(Text(f"[{kind}]", style=STYLE["dim"]))
    return out


def _rich_text(block: dict) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                parts.append(node.get("text", ""))
            elif node.get("type") == "emoji":
                parts.append(EMOJI.get(node.get("name", ""), f":{node.get('name')}:"))
            for child in node.get("elements") or []:
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(block)
    return "".join(parts)


def _elements(elements: list[dict], block: dict, names: Names, numbering: Numbering, source: Hashable,
              width: int) -> list[RenderableType]:
    """Buttons side by side, packed into lines; a menu as its placeholder and its numbered options."""
    out: list[RenderableType] = []
    buttons: list[Text] = []
    block_id = block.get("block_id", "")

    def flush() -> None:
        if buttons:
            out.extend(pack(buttons, width))
            buttons.clear()

    for element in elements:
        kind = element.get("type")
        action_id = element.get("action_id", "")
        if kind == "button":
            label = emoji(plain(element.get("text")))
            number = numbering.add(Choice("button", label, action_id, block_id, element.get("value"),
                                          element.get("confirm"), source))
            buttons.append(_numbered(number, label, element.get("style") or "button"))
        elif kind in _MENUS:
            flush()
            pick = _MENUS[kind]
            initial = element.get("initial_options") or ([element["initial_option"]]
                                                         if element.get("initial_option") else [])
            chosen = {o.get("value") for o in initial}
            title = plain(element.get("placeholder")) or ("Choose several" if pick == "pick" else
                                                          "⋯ more" if kind == "overflow" else "Choose one")
            hint = "  (type their numbers, like 1,3)" if pick == "pick" else ""
            out.append(Text("▾ " + title + hint, style=STYLE["dim"]))
            options = [o for group in element.get("option_groups") or [] for o in group.get("options") or []]
            options = options or element.get("options") or []
            items = []
            for option in options:
                label = emoji(plain(option.get("text")))
                confirm = element.get("confirm") if pick == "option" else None
                number = numbering.add(Choice(pick, label, action_id, block_id, option.get("value"), confirm, source))
                items.append(_numbered(number, label + (" ✓" if option.get("value") in chosen else ""), "button"))
            out.extend(pack(items, width, indent=2))
        else:
            flush()
            what = {"users_select": "a person picker", "datepicker": "a date picker",
                    "conversations_select": "a conversation picker", "channels_select": "a channel picker"}
            out.append(Text(f"({what.get(kind, kind)}: not available in the shell)", style=STYLE["dim"]))
    flush()
    return out


def _numbered(number: int, label: str, style: str) -> Text:
    text = Text()
    text.append(f"[{number}]", STYLE["number"])
    text.append(" ")
    text.append(label, STYLE.get(style, STYLE["button"]))
    return text


def pack(items: list[Text], width: int, indent: int = 0) -> list[Text]:
    """Items side by side, two spaces apart, wrapped between items rather than inside one."""
    lines: list[Text] = []
    line = Text(" " * indent)
    for item in items:
        if line.cell_len > indent and line.cell_len + 2 + item.cell_len > width:
            lines.append(line)
            line = Text(" " * indent)
        if line.cell_len > indent:
            line.append("  ")
        line.append_text(item)
    if line.cell_len > indent:
        lines.append(line)
    return lines


# -- plain text, for tests and pipes ----------------------------------------------------------------------


def to_text(renderables: list[RenderableType], width: int = 100) -> str:
    """What a non-terminal would show: the same layout, no styles."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, no_color=True, width=width, highlight=False,
                      emoji=False, markup=False, soft_wrap=False)
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue()


def blocks_to_text(blocks: list[dict], names: Names | None = None, numbering: Numbering | None = None,
                   width: int = 100) -> str:
    return to_text(render_blocks(blocks, names, numbering, width=width), width)
