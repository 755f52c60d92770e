"""The shell plays Slack faithfully: every button, overflow, menu and checkbox sends its own value,
action_id and block_id, from the surface it is on: a message, the App Home, or a modal (a window
or a form), never from whatever else happens to be on screen."""

from __future__ import annotations

import io
import json
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from bot.i18n import t
from bot.shell.session import Shell
from flows.template import default_template

TEMPLATE = default_template()


def plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, no_color=True, width=100, highlight=False, markup=False,
                   emoji=False), buffer


def typing(lines: list[str]):
    """What the person types next: the lines still in the list (a test may add more)."""
    return lambda prompt: lines.pop(0) if lines else None


@pytest.fixture
def shell():
    console, buffer = plain_console()
    lines: list[str] = []
    session = Shell(lang="en", console=console, reader=typing(lines)).start()
    session.buffer, session.lines = buffer, lines
    # What "Slack" sends the bot: the payloads as they go over HTTP.
    session.sent = []
    post = session.agent.post

    def spy(body: str, content_type: str, **kwargs):
        fields = parse_qs(body) if content_type.startswith("application/x-www-form") else {}
        if "payload" in fields:
            session.sent.append(json.loads(fields["payload"][0]))
        return post(body, content_type, **kwargs)

    session.agent.post = spy
    try:
        yield session
    finally:
        session.stop()


def button(text: str, action_id: str, value: str) -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}


def option(text: str, value: str) -> dict:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def actions(shell) -> list[dict]:
    return [payload for payload in shell.sent if payload.get("type") == "block_actions"]


def number_of(shell, label: str, **where) -> int:
    """The number the shell shows for the element with this label (and e.g. this value)."""
    found = [n for n, c in shell.choices().items()
             if c.label == label and all(getattr(c, k) == v for k, v in where.items())]
    assert len(found) == 1, (label, where, shell.choices())
    return found[0]


SUMMARY_LIKE = [
    {"type": "section", "block_id": "item-a", "text": {"type": "mrkdwn", "text": "*First question*\nyes"},
     "accessory": button("Change", "x:edit", "7|first")},
    {"type": "section", "block_id": "item-b", "text": {"type": "mrkdwn", "text": "*Second question*\nno"},
     "accessory": button("Change", "x:edit", "7|second")},
    {"type": "actions", "block_id": "quotes", "elements": [
        button("Leave out", "x:share", "7|q1|out"), button("Leave out", "x:share", "7|q2|out")]},
    {"type": "section", "block_id": "more", "text": {"type": "mrkdwn", "text": "Anything else?"},
     "accessory": {"type": "overflow", "action_id": "x:overflow",
                   "options": [option("Change the third", "7|third"), option("Change the fourth", "7|fourth")]}},
    {"type": "actions", "block_id": "menus", "elements": [
        {"type": "static_select", "action_id": "x:select", "placeholder": {"type": "plain_text", "text": "Pick"},
         "options": [option("Red", "red"), option("Blue", "blue")]},
        {"type": "checkboxes", "action_id": "x:boxes", "options": [option("Tea", "tea"), option("Coffee", "coffee")]},
        button("Confirm", "x:confirm", "7|boxes")]},
]


def test_every_button_in_a_message_sends_its_own_value_and_block(shell):
    leaver = shell.cast.leavers[0]
    shell.services.client.chat_postMessage(channel=leaver.user_id, text="Your answers", blocks=SUMMARY_LIKE)
    shell.handle(f"as leaver {leaver.name}")
    out = shell.buffer.getvalue()
    assert "Second question" in out and "⋯ more" in out and "not available in the shell" not in out

    shell.handle(str(number_of(shell, "Change", value="7|second")))
    shell.handle(str(number_of(shell, "Leave out", value="7|q2|out")))
    shell.handle(str(number_of(shell, "Change the fourth")))
    shell.handle(str(number_of(shell, "Blue")))
    sent = [payload["actions"][0] for payload in actions(shell)]
    assert [(a["action_id"], a["block_id"], a["type"]) for a in sent] == [
        ("x:edit", "item-b", "button"), ("x:share", "quotes", "button"), ("x:overflow", "more", "overflow"),
        ("x:select", "menus", "static_select")]
    assert sent[0]["value"] == "7|second" and sent[1]["value"] == "7|q2|out"
    assert sent[2]["selected_option"]["value"] == "7|fourth"
    assert sent[2]["selected_option"]["text"]["text"] == "Change the fourth"
    assert sent[3]["selected_option"]["value"] == "blue"
    assert {payload["container"]["type"] for payload in actions(shell)} == {"message"}


def test_what_is_picked_in_menus_and_checkboxes_goes_along_with_the_confirm_button(shell):
    leaver = shell.cast.leavers[0]
    shell.services.client.chat_postMessage(channel=leaver.user_id, text="Your answers", blocks=SUMMARY_LIKE)
    shell.handle(f"as leaver {leaver.name}")
    shell.handle(str(number_of(shell, "Blue")))
    shell.handle(f"{number_of(shell, 'Tea')},{number_of(shell, 'Coffee')}")
    assert "(picked Tea, Coffee: now choose" in shell.buffer.getvalue()
    shell.handle(str(number_of(shell, "Confirm")))
    _chose, picked, confirmed = actions(shell)
    assert picked["actions"][0]["type"] == "checkboxes"
    assert [o["value"] for o in picked["actions"][0]["selected_options"]] == ["tea", "coffee"]
    assert confirmed["actions"][0]["value"] == "7|boxes"
    menus = confirmed["state"]["values"]["menus"]
    assert [o["value"] for o in menus["x:boxes"]["selected_options"]] == ["tea", "coffee"]
    assert menus["x:select"]["selected_option"]["value"] == "blue"  # Slack remembers the menu's choice


def test_a_button_in_a_window_clicks_that_window_not_the_app_home(shell):
    """HR opens Templates from the App Home: the window's *Download* is the window's, and the bot
    answers in that window."""
    shell.handle("home")
    shell.handle(str(number_of(shell, t("en", "home.button.templates"))))
    out = shell.buffer.getvalue()
    assert f"window: {t('en', 'tpl.modal.title')}" in out and "(type a number to use a button of this window)" in out
    modal_id = next(iter(shell.slack.workspace.views))
    download = number_of(shell, t("en", "tpl.button.download_active"))
    assert shell.choices()[download].source == ("view", modal_id)

    shell.handle(str(download))
    click = actions(shell)[-1]
    assert click["container"] == {"type": "view", "view_id": modal_id}
    assert click["view"]["id"] == modal_id and click["view"]["type"] == "modal"
    assert click["actions"][0] == {**click["actions"][0], "action_id": "tpl:download", "value": "active"}
    # The bot answered in the window itself, and the file is in HR's DM.
    assert t("en", "tpl.download.sent") in shell.buffer.getvalue().split(f"{download}\n")[-1]
    assert [f["filename"] for f in shell.slack.workspace.files] == [f"standard-v{TEMPLATE.version}.yml"]


def test_a_button_inside_a_form_is_used_with_the_fields_typed_so_far(shell):
    hr = shell.cast.hr
    shell.services.client.views_open(trigger_id="1.shell.trigger", view={
        "type": "modal", "callback_id": "x_form", "title": {"type": "plain_text", "text": "Edit"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {"type": "section", "block_id": "tools", "text": {"type": "mrkdwn", "text": "Tools"},
             "accessory": button("Add a question", "x:add", "after-2")},
            {"type": "input", "block_id": "wording", "label": {"type": "plain_text", "text": "Wording"},
             "element": {"type": "plain_text_input", "action_id": "value"}},
            {"type": "input", "block_id": "kind", "label": {"type": "plain_text", "text": "Kind"},
             "element": {"type": "plain_text_input", "action_id": "value"}},
        ]})
    shell.lines += ["How was it?", "!1", "!cancel"]
    shell.refresh()
    out = shell.buffer.getvalue()
    assert "form: Edit" in out and "[1] Add a question" in out and "!2 uses the form's button [2]" in out
    (click,) = actions(shell)
    view_id = click["view"]["id"]
    assert click["container"] == {"type": "view", "view_id": view_id}
    assert click["actions"][0]["action_id"] == "x:add" and click["actions"][0]["value"] == "after-2"
    assert click["view"]["state"]["values"]["wording"]["value"]["value"] == "How was it?"
    assert click["user"]["id"] == hr.user_id
    # Nothing changed the form, so it goes on where it was: the field the click was typed at.
    assert out.count("  Wording\n") == 1 and out.count("  Kind\n") == 2
    assert "(the form is closed; nothing was sent)" in out


# -- the real summary: *Change* on a later question changes that question ----------------------------------


class ShellHarness:
    """What tests/steps.py needs of a harness, played through the shell's own bot and pretend Slack."""

    def __init__(self, shell: Shell):
        self.shell, self.slack, self.user = shell, shell.slack, shell.agent

    def in_working_days(self, count: int):
        return self.shell.services.calendar.working_days_after(self.shell.services.today(), count)

    def register(self, employee: str, last_day, manager: str | None = None):
        text = f"start <@{employee}|x> {last_day.isoformat()}" + (f" <@{manager}>" if manager else "")
        assert self.user.slash(self.shell.cast.hr.user_id, text).status == 200

    def invitation_for(self, employee: str):
        return self.slack.wait_for(lambda: self.shell.run_sweep() or next(iter(self.slack.dms_to(employee)), None),
                                   10, f"an invitation DM to {employee}")

    def wait_for_stage(self, employee: str, stage: str, timeout: float = 10.0) -> None:
        from storage import repositories as repo

        def now() -> str | None:
            with self.shell.services.db.session() as session:
                departure = repo.latest_registration_of(session, employee)
                return departure.stage if departure is not None else None

        self.slack.wait_for(lambda: now() == stage, timeout, f"{employee} to be {stage}")


def test_change_on_a_later_step_of_the_summary_opens_that_step(shell):
    from tests.steps import answer_everything

    leaver = shell.cast.leavers[0]
    shell.clock.advance(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo(shell.cast.company_tz)) - shell.clock.now())
    summary = answer_everything(ShellHarness(shell), leaver.user_id, submit=False)
    shell.handle(f"as leaver {leaver.name}")
    changes = sorted((n, c) for n, c in shell.choices().items()
                     if c.source == ("message", summary.channel, summary.ts)
                     and c.label == t("en", "q.button.change"))
    assert len(changes) == len(TEMPLATE.steps)  # one *Change* per step
    second = changes[1][1]
    assert second.value != changes[0][1].value

    shell.handle(str(changes[1][0]))
    (click,) = [p for p in actions(shell) if p["actions"][0]["action_id"] == second.action_id]
    # The shell sent this button's own value, not the first one's (the bug it had).
    assert click["actions"][0]["value"] == second.value and click["actions"][0]["block_id"] == second.block_id
