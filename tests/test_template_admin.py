"""HR manages the interview template from Slack: download it, send a new one (pasted or as a file in
the DM), read precise errors, preview it as a leaver would see it, activate or discard it; new
interviews then use it, and older versions stay listed."""

from __future__ import annotations

import time

from sqlalchemy import select

from flows.template import DEFAULT_TEMPLATE_PATH
from storage import repositories as repo
from storage.models import InterviewTemplate, TemplateDraft
from tests.conftest import COLLEAGUE, HR, LEAVER
from tests.steps import invite, latest

ACME = """\
id: acme
version: 1
name:
  nl: Vertrekgesprek Acme
  en: Acme leaving interview
intro:
  nl: Welkom bij het vertrekgesprek van Acme. Meedoen is vrijwillig.
  en: Welcome to the Acme leaving interview. Taking part is voluntary.
questions:
  - id: team_spirit
    type: rating
    category: working_relations
    text:
      nl: Hoe was de sfeer in je team bij Acme?
      en: How was the spirit in your team at Acme?
    labels:
      nl: [Slecht, Matig, Redelijk, Goed, Top]
      en: [Bad, Poor, Fair, Good, Great]
  - id: best_moment
    type: long_text
    category: strengths
    text:
      nl: Wat was je mooiste moment bij Acme?
      en: What was your best moment at Acme?
  - id: share
    type: yes_no
    category: consent
    required: true
    text:
      nl: Mogen we geanonimiseerde hoofdpunten delen?
      en: May we share anonymised highlights?
"""

BROKEN = ACME.replace("type: rating", "type: ratting").replace(
    "      en: What was your best moment at Acme?\n", ""
)


class Surface:
    """A Home tab or modal: a click on it carries its blocks like a message's."""

    channel, ts, text = "", "surface", ""

    def __init__(self, view: dict):
        self.blocks = view["blocks"]


def home(harness, user: str = HR) -> Surface:
    harness.user.open_home(user)
    return Surface(harness.slack.workspace.home_views[user])


def last_view(slack) -> dict:
    return list(slack.workspace.views.values())[-1]


def open_templates(harness, user: str = HR) -> Surface:
    harness.user.click(user, home(harness), "home:templates")
    view = last_view(harness.slack)
    assert view["callback_id"] == "templates_modal"
    return Surface(view)


def paste(harness, source: str, user: str = HR) -> dict | None:
    harness.user.click(user, open_templates(harness), "tpl:paste")
    view = last_view(harness.slack)
    assert view["callback_id"] == "template_paste"
    lines = source.splitlines(keepends=True)
    half = len(lines) // 2  # in two parts, split at a line break, as the form asks
    values = {"part_1": "".join(lines[:half]), "part_2": "".join(lines[half:])}
    reply = harness.user.submit_view(user, view, values)
    assert reply.status == 200
    return reply.json()


def decision_message(slack, user: str = HR):
    return next(m for m in reversed(slack.dms_to(user)) if "tpl:activate" in str(m.blocks))


def share_file(harness, user: str, name: str, content: bytes, *, event_id: str | None = None, retry=None):
    file = harness.slack.add_file(name, content, user, mimetype="text/plain")
    return file, send_file_event(harness, user, file, event_id=event_id, retry=retry)


def send_file_event(harness, user: str, file: dict, *, event_id: str | None = None, retry=None):
    reply = harness.user.event({
        "type": "message", "subtype": "file_share", "channel_type": "im",
        "channel": harness.slack.dm_channel(user), "user": user, "text": "", "files": [file],
        "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}",
    }, event_id=event_id, retry=retry)
    assert reply.status == 200
    return reply


def installed(harness) -> list[tuple[str, int, bool, str | None]]:
    with harness.services.db.session() as session:
        rows = session.scalars(select(InterviewTemplate).order_by(InterviewTemplate.id)).all()
        return [(r.key, r.version, r.active, r.installed_by) for r in rows]


def test_hr_downloads_the_active_template_as_a_yaml_file_in_their_dm(harness, slack):
    modal = open_templates(harness)
    text = str(modal.blocks)
    assert "`standard` v3" in text and "Meegeleverd met de bot" in text and "*Actief*" in text

    harness.user.click(HR, modal, "tpl:download", value="active")
    upload = slack.wait_for(lambda: next((f for f in slack.workspace.files if f["content"] is not None), None),
                            what="the upload")
    assert upload["filename"] == "standard-v3.yml"
    assert upload["title"] == "standard versie 3"
    assert upload["channel"] == slack.dm_channel(HR)
    assert upload["content"] == DEFAULT_TEMPLATE_PATH.read_bytes()


def test_a_broken_template_is_refused_with_every_problem_in_plain_words(harness, slack):
    answer = paste(harness, BROKEN)
    assert answer["response_action"] == "errors"
    assert "2 problemen" in answer["errors"]["part_1"]
    refusal = slack.dms_to(HR)[-1]
    shown = str(refusal.blocks)
    assert "niet geïnstalleerd" in shown
    assert "question 'team_spirit': field 'type': unknown type 'ratting'" in shown
    assert "question 'best_moment': field 'text.en': is missing; every text needs both nl and en" in shown
    assert installed(harness) == []
    with harness.services.db.session() as session:
        assert session.scalars(select(TemplateDraft)).all() == []

    # Invalid YAML names the line.
    paste(harness, "id: acme\nversion: [1\n")
    assert "line 3" in str(slack.dms_to(HR)[-1].blocks) or "line 2" in str(slack.dms_to(HR)[-1].blocks)


def test_a_version_already_taken_asks_to_raise_version(harness, slack):
    changed = DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8").replace(
        "Hoe heb je de arbeidsomstandigheden ervaren?", "Hoe waren de arbeidsomstandigheden?")
    answer = paste(harness, changed)
    assert "Verhoog `version`" in answer["errors"]["part_1"]
    assert "bijvoorbeeld naar 4" in slack.dms_to(HR)[-1].text
    assert installed(harness) == []


def test_a_good_template_is_previewed_then_activated_and_new_interviews_use_it(harness, slack):
    assert paste(harness, ACME) == {"response_action": "clear"}

    dms = slack.dms_to(HR)
    preview = [m for m in dms if "Voorbeeld van" in m.text or "tpl:preview:" in str(m.blocks)]
    assert "Voorbeeld van Vertrekgesprek Acme" in preview[0].text and "3 vragen" in preview[0].text
    shown = str([m.blocks for m in dms])
    assert "Welkom bij het vertrekgesprek van Acme" in shown  # the intro, as a Dutch leaver reads it
    assert "Hoe was de sfeer in je team bij Acme?" in shown and "1 · Slecht" in shown
    assert "Wat was je mooiste moment bij Acme?" in shown
    # The preview's buttons are inert: none of them is a questionnaire action.
    actions = [e["action_id"] for m in dms for b in m.blocks if b["type"] == "actions" for e in b["elements"]]
    assert not [a for a in actions if a.startswith("q:")]
    assert {"tpl:activate", "tpl:discard"} <= set(actions)
    question = next(m for m in dms if "Hoe was de sfeer" in str(m.blocks))
    before = len(slack.calls)
    reply = harness.user.click(HR, question, "tpl:preview:1")
    assert reply.status == 200
    assert [c.method for c in slack.calls[before:]] == []  # nothing happens
    assert installed(harness) == []

    decision = decision_message(slack)
    assert "Alle 3 vragen" in str(decision.blocks)
    harness.user.click(HR, decision, "tpl:activate")
    assert installed(harness) == [("acme", 1, True, HR)]
    updated = slack.message(decision.channel, decision.ts)
    assert "geactiveerd door <@UHRANNA01>" in updated.text
    assert "tpl:activate" not in str(updated.blocks)
    with harness.services.db.session() as session:
        entries = repo.audit_entries(session, action="template_activated")
        assert [(e.actor, e.detail["key"], e.detail["version"]) for e in entries] == [(HR, "acme", 1)]

    # A second click (or another HR member's) installs nothing twice.
    harness.user.click(HR, decision, "tpl:activate")
    assert "al geactiveerd of weggegooid" in slack.workspace.responses[-1]["text"]

    # A new interview uses the new template.
    invitation = invite(harness, LEAVER)
    harness.user.click(LEAVER, invitation, "invitation.answer")
    first = latest(slack, LEAVER)
    assert "Hoe was de sfeer in je team bij Acme?" in first.text
    assert "Welkom bij het vertrekgesprek van Acme" in str([m.blocks for m in slack.dms_to(LEAVER)])

    # Both versions are listed, with their install dates; the new one active.
    text = str(open_templates(harness).blocks)
    assert text.index("`acme` v1") < text.index("`standard` v3")
    assert "Geïnstalleerd op" in text and "door <@UHRANNA01>" in text


def test_a_template_shared_as_a_file_in_the_dm_is_read_with_the_bot_token(harness, slack):
    file, _ = share_file(harness, HR, "acme.yml", ACME.encode("utf-8"), event_id="EvFILE0001")
    assert slack.calls_to("files.info")[-1].params["file"] == file["id"]
    downloads = slack.calls_to("files.download")
    assert downloads and downloads[-1].token == harness.settings.bot_token
    decision = decision_message(slack)
    assert "Voorbeeld van Vertrekgesprek Acme" in str([m.text for m in slack.dms_to(HR)])

    # Slack delivering the event again adds no second preview.
    count = len(slack.dms_to(HR))
    send_file_event(harness, HR, file, event_id="EvFILE0001", retry=1)
    assert len(slack.dms_to(HR)) == count

    harness.user.click(HR, decision, "tpl:discard")
    assert "weggegooid door <@UHRANNA01>" in slack.message(decision.channel, decision.ts).text
    assert installed(harness) == []
    harness.user.click(HR, decision, "tpl:activate")  # too late: it was discarded
    assert installed(harness) == []

    # A broken file gets the same precise errors; a file that is no YAML is named.
    share_file(harness, HR, "acme-v2.yml", BROKEN.encode("utf-8"))
    assert "acme-v2.yml: question 'team_spirit': field 'type'" in str(slack.dms_to(HR)[-1].blocks)
    share_file(harness, HR, "notes.txt", b"hello")
    assert "notes.txt is geen .yml-bestand" in slack.dms_to(HR)[-1].text


def test_someone_outside_hr_cannot_manage_templates(harness, slack):
    opened = len(slack.calls_to("views.open"))
    harness.user.click(COLLEAGUE, home(harness), "home:templates")
    assert len(slack.calls_to("views.open")) == opened
    assert "alleen HR" in slack.dms_to(COLLEAGUE)[-1].text

    # A file from a leaver or colleague is left alone: not even looked up.
    share_file(harness, COLLEAGUE, "acme.yml", ACME.encode("utf-8"))
    assert slack.calls_to("files.info") == []

    # Someone else clicking HR's Activate, or submitting the paste form, changes nothing.
    paste(harness, ACME)
    decision = decision_message(slack)
    harness.user.click(COLLEAGUE, decision, "tpl:activate")
    assert installed(harness) == []
    assert "alleen HR" in slack.workspace.responses[-1]["text"]
    harness.user.click(HR, open_templates(harness), "tpl:paste")
    reply = harness.user.submit_view(COLLEAGUE, last_view(slack), {"part_1": ACME.replace("version: 1", "version: 2")})
    assert "alleen HR" in reply.json()["errors"]["part_1"]
    with harness.services.db.session() as session:
        assert len(session.scalars(select(TemplateDraft)).all()) == 1
    harness.user.click(COLLEAGUE, open_templates(harness), "tpl:download", value="active")
    assert not [f for f in slack.workspace.files if f["filename"] == "standard-v3.yml"]


def test_an_older_version_comes_back_by_sending_it_again(harness, slack):
    paste(harness, ACME)
    harness.user.click(HR, decision_message(slack), "tpl:activate")
    paste(harness, ACME.replace("version: 1", "version: 2").replace("Acme?", "Acme, echt?"))
    harness.user.click(HR, decision_message(slack), "tpl:activate")
    assert [(key, version, active) for key, version, active, _ in installed(harness)] == [
        ("acme", 1, False), ("acme", 2, True)]

    paste(harness, ACME)  # the same content as version 1: allowed, and it becomes active again
    harness.user.click(HR, decision_message(slack), "tpl:activate")
    assert [(key, version, active) for key, version, active, _ in installed(harness)] == [
        ("acme", 1, True), ("acme", 2, False)]


def test_a_download_from_the_open_modal_says_where_the_file_went(harness, slack):
    harness.user.click(HR, home(harness), "home:templates")
    modal = last_view(slack)
    button = next(b["accessory"] for b in modal["blocks"] if b.get("block_id") == "tpl-version-default")
    reply = harness.user.post_payload({
        "type": "block_actions", "user": {"id": HR}, "trigger_id": "1.trigger", "api_app_id": "A0EXITBOT",
        "team": {"id": "T0EXAMPLE"}, "container": {"type": "view", "view_id": modal["id"]},
        "view": {**modal, "state": {"values": {}}},
        "actions": [{"action_id": "tpl:download", "block_id": "tpl-version-default", "type": "button",
                     "value": button["value"], "action_ts": "1"}],
    })
    assert reply.status == 200
    update = slack.calls_to("views.update")[-1]
    assert update.params["view_id"] == modal["id"]
    assert "staat in je DM" in str(slack.workspace.views[modal["id"]]["blocks"])
    assert [f["filename"] for f in slack.workspace.files] == ["standard-v3.yml"]


# -- without Slack ----------------------------------------------------------------------------------


def test_files_are_only_fetched_from_slack_or_the_configured_api_host():
    from bot.slack_api import _trusted_file_url as _trusted  # one rule for every file the bot fetches

    slack_api = "https://slack.com/api/"
    assert _trusted("https://files.slack.com/files-pri/T1-F1/download/a.yml", slack_api)
    assert not _trusted("http://files.slack.com/files-pri/T1-F1/a.yml", slack_api)  # no token in the clear
    assert not _trusted("https://files.slack.com.evil.example/a.yml", slack_api)
    assert not _trusted("https://evil-slack.com/a.yml", slack_api)
    assert _trusted("http://127.0.0.1:8123/files-pri/T1-F1/a.yml", "http://127.0.0.1:8123/api/")
    assert not _trusted("http://127.0.0.1:9999/files-pri/T1-F1/a.yml", "http://127.0.0.1:8123/api/")


def test_the_preview_keeps_the_look_but_no_working_action():
    from bot.blocks.template_admin import inert, preview_messages
    from bot.i18n import Translator
    from flows.template import parse_template

    messages = preview_messages(Translator("en"), parse_template(ACME))
    elements = [e for _, blocks in messages for b in blocks for e in (b.get("elements") or [])
                if b["type"] == "actions"]
    assert elements and all(e["action_id"].startswith("tpl:preview:") for e in elements)
    assert all("confirm" not in e and e.get("value") in (None, "preview") for e in elements)
    assert "1 · Bad" in str(messages)
    assert inert([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]
