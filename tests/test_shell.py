"""`exit-interview shell`: the scripted demo, an interactive session typed line by line, the clock,
and the Block Kit → terminal text rendering."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from bot.cli import main
from bot.i18n import t
from bot.shell import demo
from bot.shell.forms import option_numbers
from bot.shell.people import CASTS
from bot.shell.render import Names, Numbering, blocks_to_text, mrkdwn, pack, render_blocks, to_text
from bot.shell.session import Shell, ShellError, _changed_blocks
from flows.timing import WorkingCalendar, invitation_moment

# -- the demo ---------------------------------------------------------------------------------------------


def section(transcript: str, start: str, end: str) -> str:
    return transcript[transcript.index(start):transcript.index(end)]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_demo_plays_the_whole_story_and_the_digest_names_nobody(capsys, lang):
    code = main(["shell", "--demo", "--lang", lang])
    out, err = capsys.readouterr()
    assert code == 0, err
    cast = CASTS[lang]
    first, second, third = cast.leavers

    def button(key: str) -> str:
        return t(lang, key)

    # The invitation, its choices numbered as the person types them.
    assert button("invite.header") in out
    assert (f"[1] {button('invite.button.answer')}  [2] {button('invite.button.talk')}  "
            f"[3] {button('invite.button.decline')}") in out
    # A question with numbered buttons: a rating keeps its numbers, and 0-10 (in a form) starts at [0].
    assert re.search(r"\[1\] 1 · \S+.*\[2\] 2 · .*\[5\] 5 · ", out)
    assert re.search(r"\[0\] 0 · \S+.*\[1\] 1  \[2\] 2", out)
    # Typed answers (a score typed as "4/5"), and a form filled in field by field.
    assert f"leaver @{first.name}> 4/5" in out
    assert "form: " in out and "(the form is sent and closed)" in out
    assert "(only you can see this)" in out and "(updated)" in out
    # HR's review card, with the leaver's personal data scrubbed from the draft.
    assert button("review.header") in out and "[e-mail]" in out
    assert "window: " in out  # all answers, for HR's eyes
    # The digest in the managers' channel, a chart beside it, and HR's report.
    digest = section(out, f"exit-interview  in #{cast.channel_name}",
                     f"12. {cast.hr.first_name} asks for the full report")
    assert button("digest.header") in digest
    assert "n=3" in digest and "█" in digest and "📎" in digest
    for person in (first, second, third, cast.manager):
        for word in (person.real_name, person.first_name, person.name, person.email):
            assert not re.search(rf"\b{re.escape(word)}\b", digest, re.IGNORECASE), word
    assert "@" not in digest.replace(f"in #{cast.channel_name}", "")
    assert not re.search(r"\d{2}-\d{8}|\+44", digest)
    assert button("report.header") in out.split("12. ")[-1]
    assert "✔ The demo played all 12 steps" in out
    assert "Traceback" not in out + err


def test_a_step_that_does_not_happen_stops_the_demo_and_is_named(capsys, monkeypatch):
    from bot.operations import invitations

    monkeypatch.setattr(demo, "STEP_TIMEOUT", 1.0)
    monkeypatch.setattr(invitations, "deliver_invitation", lambda services, departure_id: False)
    code = main(["shell", "--demo"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "the demo failed at step 4 (Ten working days before the last day" in err
    assert "the invitation to @jan did not happen within 1 s" in err
    assert "✔" not in out


# -- an interactive session --------------------------------------------------------------------------------


def plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, no_color=True, width=100, highlight=False, markup=False,
                   emoji=False), buffer


def typing(lines: list[str]):
    queue = list(lines)
    return lambda prompt: queue.pop(0) if queue else None


def test_a_typed_session_registers_a_leaver_waits_and_answers_by_number():
    cast = CASTS["en"]
    oliver, manager = cast.leavers[0], cast.manager
    tz = ZoneInfo(cast.company_tz)
    calendar = WorkingCalendar.for_country(cast.holiday_country)
    last_day = calendar.working_days_after(datetime.now(tz).date(), 15)
    invite = invitation_moment(last_day, 10, ZoneInfo(oliver.tz), calendar).astimezone(tz)
    console, buffer = plain_console()
    lines = [
        f"/exit-interview start @{oliver.name} {last_day.isoformat()} @{manager.name}",
        "wait 3d",
        f"wait until {invite + timedelta(hours=1):%Y-%m-%d %H:%M}",
        "as leaver oliver",
        "1",  # Answer here
        "say 4",  # the first rating, typed
        "say 3 - too much pressure",  # the second, typed with a comment
        "quit",
    ]
    shell = Shell(lang="en", console=console, reader=typing(lines)).start()
    try:
        started = shell.clock.now()
        assert shell.run() == 0
        out = buffer.getvalue()
        assert f"Registered @{oliver.name}" in out
        assert "⏩ 3 days later" in out
        assert f"🔔 1 new message for @{oliver.name} (leaver): type as leaver {oliver.name}" in out
        assert (f"[1] {t('en', 'invite.button.answer')}  [2] {t('en', 'invite.button.talk')}  "
                f"[3] {t('en', 'invite.button.decline')}") in out
        assert "leaver @oliver> 1" in out and "leaver @oliver> say 4" in out
        assert re.search(r"\n  ✅ 4 · Good", out)  # the ratings message rewritten in place
        assert "│ too much pressure" in out
        assert shell.clock.now() - started > timedelta(days=5)
        with shell.services.db.session() as session:
            from sqlalchemy import select

            from storage.models import Departure, Interview

            assert session.scalars(select(Departure.stage)).one() == "answering"
            answers = session.scalars(select(Interview)).one().state["answers"]
        assert answers["working_conditions"]["value"] == 4
        assert answers["work_content"] == {"value": 3, "comment": "too much pressure"}
    finally:
        shell.stop()


def test_a_form_is_asked_field_by_field_and_a_refused_field_is_asked_again():
    console, buffer = plain_console()
    lines = [
        "/exit-interview start",
        "nobody", "jan",  # a person the workspace does not know is asked again at once
        "2020-01-01",  # the bot refuses a last day in the past ...
        "", "", "", "", "", "", "",  # manager, interviewer, language, offer, department, role, start date
        "2026-12-31 ",  # ... and only that field is asked again
        "/exit-interview start", "!cancel",
        "quit",
    ]
    shell = Shell(lang="nl", console=console, reader=typing(lines)).start()
    try:
        shell.clock.advance(datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")) - shell.clock.now())
        assert shell.run() == 0
        out = buffer.getvalue()
        assert "form: Vertrekker registreren" in out
        assert "No such person here. Choose one of: @anna, @jan" in out
        assert "⚠ Laatste werkdag: • De laatste werkdag (1 januari 2020) is al voorbij." in out
        assert out.count("  Vertrekker\n") == 2 and out.count("  Laatste werkdag\n") == 2
        assert "› 2026-12-31" in out and "[2026-12-01]" not in out  # the last day has no default
        assert "@jan is geregistreerd: laatste werkdag 31 december 2026" in out
        assert "(the form is closed; nothing was sent)" in out
        assert len(shell.slack.workspace.views) == 2
        with shell.services.db.session() as session:
            from sqlalchemy import func, select

            from storage.models import Departure

            assert session.scalar(select(func.count()).select_from(Departure)) == 1
    finally:
        shell.stop()


def test_wait_moves_the_clock_and_runs_the_digest_on_its_day():
    console, buffer = plain_console()
    shell = Shell(lang="nl", console=console, reader=typing([])).start()
    try:
        before = shell.clock.now()
        shell.handle("wait 3d")
        assert abs(shell.clock.now() - before - timedelta(days=3)) < timedelta(seconds=30)
        shell.handle("wait 1d 2h 30m")
        assert abs(shell.clock.now() - before - timedelta(days=4, hours=2, minutes=30)) < timedelta(seconds=30)
        assert "⏩ 1 day, 2 hours, 30 minutes later" in buffer.getvalue()
        with pytest.raises(ShellError, match="has passed"):
            shell.handle("wait until 2020-01-01 10:00")
        with pytest.raises(ShellError, match="wait how long"):
            shell.handle("wait a bit")
        tz = ZoneInfo("Europe/Amsterdam")
        moments = shell.digest_moments(datetime(2026, 12, 15, tzinfo=tz), datetime(2027, 2, 15, tzinfo=tz))
        # 1 January is a holiday: the first working day is Monday 4 January 2027.
        assert [m.astimezone(tz) for m in moments] == [datetime(2027, 1, 4, 9, 0, tzinfo=tz),
                                                       datetime(2027, 2, 1, 9, 0, tzinfo=tz)]
        # Nothing to digest: HR hears why it waits, the managers' channel stays empty.
        target = moments[0]
        shell.handle(f"wait until {target.astimezone(tz):%Y-%m-%d} 09:30")
        assert shell.slack.messages_in(shell.cast.channel_id) == []
        told = t("nl", "digest.withheld_hr", count=0, needed=3)
        notices = shell.slack.dms_to(shell.cast.hr.user_id)  # also on 1 December when the waits above crossed it
        assert notices and {m.text for m in notices} == {told}
        assert told.split(":")[0] in buffer.getvalue().split("09:30")[-1]
    finally:
        shell.stop()


def test_an_unknown_command_prints_the_help(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("frobnicate\nwho\nquit\n"))
    assert main(["shell"]) == 0
    out = capsys.readouterr().out
    assert "hr @anna> frobnicate" in out and "Unknown command: frobnicate" in out
    assert "Commands" in out and "wait until 2026-12-01 10:00" in out
    assert "leaver    @jan" in out and "Bye." in out


def test_numbers_that_are_not_on_screen_and_leavers_that_do_not_exist_are_explained():
    console, buffer = plain_console()
    shell = Shell(lang="nl", console=console, reader=typing([])).start()
    try:
        with pytest.raises(ShellError, match=r"no \[7\]"):
            shell.handle("7")
        with pytest.raises(ShellError, match="No leaver called bob"):
            shell.handle("as leaver bob")
        shell.handle("as leaver daan")
        assert shell.user.name == "daan" and shell.prompt() == "leaver @daan> "
        shell.handle("home")
        shell.handle("show")
        assert "(no messages yet)" in buffer.getvalue()
    finally:
        shell.stop()


# -- Block Kit as terminal text ------------------------------------------------------------------------------

NAMES = Names(users={"UJAN00001": "jan", "UMIRA0001": "mira"}, channels={"CMANAGERS": "managers"})


def test_mrkdwn_emphasis_becomes_styles_and_plain_text_keeps_the_words():
    text = mrkdwn("*Vet* en _schuin_, `code` en ~weg~; a*b*c en snake_case_name blijven", NAMES)
    assert text.plain == "Vet en schuin, code en weg; a*b*c en snake_case_name blijven"
    styles = {text.plain[span.start:span.end]: str(span.style) for span in text.spans}
    assert "bold" in styles["Vet"] and "italic" in styles["schuin"] and "strike" in styles["weg"]
    assert "cyan" in styles["code"]
    assert mrkdwn("*1/15* · *Hoe was het?*").plain == "1/15 · Hoe was het?"
    assert mrkdwn("*_samen_*").plain == "samen"


def test_escapes_are_undone_once_and_escaped_mentions_stay_text():
    assert mrkdwn("&lt;!channel&gt; &amp;lt; a &amp; b &gt; c").plain == "<!channel> &lt; a & b > c"


def test_mentions_channels_and_links_read_as_names():
    text = mrkdwn("<@UJAN00001> <@UOTHER001|sam> <@UNKNOWN01> <#CMANAGERS> <#COTHER|algemeen> <!here> "
                  "<!subteam^S123|@hr> <https://example.com|de site> <https://example.com> "
                  "<mailto:a@example.com|a@example.com>", NAMES)
    assert text.plain == ("@jan @sam @UNKNOWN01 #managers #algemeen @here @hr de site (https://example.com) "
                          "https://example.com a@example.com")


def test_quotes_code_blocks_and_emoji():
    assert mrkdwn("> eerste\n&gt; tweede\ngeen citaat").plain == "│ eerste\n│ tweede\ngeen citaat"
    assert mrkdwn("```a *niet vet*\nb```").plain == "a *niet vet*\nb"
    assert mrkdwn(":lock: :white_check_mark: :geen_emoji:").plain == "🔒 ✅ :geen_emoji:"


def test_blocks_render_as_text_with_numbered_buttons():
    from datetime import date

    from bot.blocks.invitation import invitation_message
    from bot.i18n import Translator
    from flows.invitation import Choice

    _, blocks = invitation_message(Translator("nl"), departure_id=7, last_day=date(2026, 12, 20),
                                   choices=list(Choice), interviewer_id="UMIRA0001", min_group=3)
    numbering = Numbering()
    text = blocks_to_text(blocks, NAMES, numbering)
    assert text.startswith("Je exitgesprek\n")
    assert "20 december 2026" in text and "@mira" in text and "<@" not in text
    assert "[1] Hier antwoorden  [2] Liever een gesprek  [3] Nee, bedankt" in text
    assert [(c.action_id, c.value) for c in numbering.choices.values()] == [
        ("invitation.answer", "7"), ("invitation.talk", "7"), ("invitation.decline", "7")]


def test_headers_dividers_context_menus_and_unknown_blocks():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Titel :tada:", "emoji": True}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "_klein_"}, {"type": "plain_text", "text": "b"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "Kies"}, "block_id": "s",
         "accessory": {"type": "button", "action_id": "go", "value": "1",
                       "text": {"type": "plain_text", "text": "Ga"}}},
        {"type": "actions", "block_id": "m", "elements": [
            {"type": "static_select", "action_id": "one", "placeholder": {"type": "plain_text", "text": "Eén"},
             "options": [{"text": {"type": "plain_text", "text": "a"}, "value": "a"},
                         {"text": {"type": "plain_text", "text": "b"}, "value": "b"}]},
            {"type": "multi_static_select", "action_id": "many",
             "options": [{"text": {"type": "plain_text", "text": "x"}, "value": "x"},
                         {"text": {"type": "plain_text", "text": "y"}, "value": "y"}],
             "initial_options": [{"text": {"type": "plain_text", "text": "y"}, "value": "y"}]},
            {"type": "datepicker", "action_id": "when"},
        ]},
        {"type": "image", "alt_text": "een grafiek", "image_url": "https://example.com/a.png"},
        {"type": "video"},
    ]
    numbering = Numbering()
    lines = blocks_to_text(blocks, NAMES, numbering, width=60).splitlines()
    assert lines[0] == "Titel 🎉"
    assert set(lines[1]) == {"─"} and len(lines[1]) == 60
    assert lines[2] == "klein   b"
    assert lines[3:5] == ["Kies", "[1] Ga"]
    assert lines[5] == "▾ Eén"
    assert lines[6] == "  [2] a  [3] b"
    assert lines[7].startswith("▾ Choose several") and lines[8] == "  [4] x  [5] y ✓"
    assert "date picker" in lines[9]
    assert lines[10:] == ["[image: een grafiek]", "[video]"]
    kinds = {n: (c.kind, c.action_id, c.value) for n, c in numbering.choices.items()}
    assert kinds == {1: ("button", "go", "1"), 2: ("option", "one", "a"), 3: ("option", "one", "b"),
                     4: ("pick", "many", "x"), 5: ("pick", "many", "y")}


def test_buttons_wrap_between_buttons_never_inside_one():
    from rich.text import Text

    items = [Text(f"[{n}] {n} · Een lang label") for n in range(1, 6)]
    lines = [line.plain for line in pack(items, 50)]
    assert lines == ["[1] 1 · Een lang label  [2] 2 · Een lang label", "[3] 3 · Een lang label  [4] 4 · Een lang label",
                     "[5] 5 · Een lang label"]
    assert to_text(render_blocks([{"type": "section", "text": {"type": "plain_text", "text": "x"}}])) == "x\n"


def test_form_options_numbered_by_their_labels_when_they_are_numbers():
    def options(*labels):
        return [{"text": {"type": "plain_text", "text": label}, "value": str(i)} for i, label in enumerate(labels)]

    assert option_numbers(options("0 · Nooit", "1", "2", "3", "— geen antwoord")) == [0, 1, 2, 3, 4]
    assert option_numbers(options("1 · Slecht", "2", "3 · Goed", "— geen antwoord")) == [1, 2, 3, 4]
    assert option_numbers(options("Ja", "Nee")) == [1, 2]
    assert option_numbers(options("2", "4")) == [1, 2]


def test_an_updated_message_shows_what_changed_and_its_buttons_again():
    heading = {"type": "section", "text": {"type": "mrkdwn", "text": "*1/15* · Vraag"}}
    answered = {"type": "section", "text": {"type": "mrkdwn", "text": "✅ *1/15* · Vraag\n4 · Goed"}}
    buttons = {"type": "actions", "elements": [{"type": "button", "action_id": "q:skip", "value": "1||"}]}
    edit = {"type": "section", "text": {"type": "mrkdwn", "text": "Vraag\n4"},
            "accessory": {"type": "button", "action_id": "q:edit", "value": "1|a|"}}
    assert _changed_blocks([heading, buttons], [answered]) == [answered]
    assert _changed_blocks([heading, buttons], [heading, buttons]) == []
    # A summary whose Change buttons went away after sending: the words did not change.
    sent = {k: v for k, v in edit.items() if k != "accessory"}
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": "Verstuurd"}]}
    assert _changed_blocks([edit, buttons], [sent, note]) == [note]
    assert _changed_blocks([heading, buttons], [answered, buttons]) == [answered, buttons]
