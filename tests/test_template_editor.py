"""HR edits the interview's questions in Slack: a question editor in a modal (add, reword in Dutch and
English, type and choices, reorder, remove), every problem shown at its field, and Save installs a
new version, exactly like an imported YAML file: new interviews use it, interviews already begun keep
theirs. Everything through the real app over HTTP against the fake Slack."""

from __future__ import annotations

from sqlalchemy import select

from bot.operations import templates
from flows import template_edit as edit
from flows.template import default_template, parse_template
from storage import repositories as repo
from storage.models import Interview, InterviewTemplate, TemplateDraft
from tests.conftest import COLLEAGUE, HR, HR_2, LEAVER, LEAVER_EN
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
      nl: Hoe was de sfeer in je team?
      en: How was the spirit in your team?
    labels:
      nl: [Slecht, Matig, Redelijk, Goed, Top]
      en: [Bad, Poor, Fair, Good, Great]
  - id: reasons
    type: multiple_choice
    category: reasons
    text:
      nl: Waarom ga je weg?
      en: Why are you leaving?
    options:
      - id: pay
        text: {nl: Salaris, en: Pay}
      - id: growth
        text: {nl: Groei, en: Growth}
  - id: reason_main
    type: single_choice
    category: reasons
    choices_from: reasons
    text:
      nl: Welke reden woog het zwaarst?
      en: Which reason weighed most?
  - id: best_moment
    type: long_text
    category: strengths
    text:
      nl: Wat was je mooiste moment?
      en: What was your best moment?
  - id: share
    type: yes_no
    category: consent
    required: true
    text:
      nl: Mogen we geanonimiseerde hoofdpunten delen?
      en: May we share anonymised highlights?
"""


class Surface:
    """The App Home: a click on it carries its blocks like a message's."""

    channel, ts, text = "", "home", ""

    def __init__(self, view: dict):
        self.blocks = view["blocks"]


def views(slack) -> list[dict]:
    return list(slack.workspace.views.values())


def install_acme(harness) -> None:
    templates.install(harness.services.db, ACME, HR, harness.services.clock.now(), origin="acme")


def open_editor(harness, user: str = HR) -> tuple[dict, dict]:
    """Home → Templates → Edit questions: (the Templates modal, the editor pushed over it)."""
    harness.user.open_home(user)
    harness.user.click(user, Surface(harness.slack.workspace.home_views[user]), "home:templates")
    modal = views(harness.slack)[-1]
    assert modal["callback_id"] == "templates_modal"
    before = len(harness.slack.calls_to("views.push"))
    assert harness.user.click_view(user, modal, "tpled:open").status == 200
    assert len(harness.slack.calls_to("views.push")) == before + 1
    editor = views(harness.slack)[-1]
    assert editor["callback_id"] == "template_editor"
    return modal, editor


def current(slack, view: dict) -> dict:
    return slack.workspace.views[view["id"]]


def rows(view: dict) -> list[str]:
    """The editor's question list as shown: the question ids in order."""
    return [b["block_id"].removeprefix("tpled-q-") for b in view["blocks"]
            if b.get("block_id", "").startswith("tpled-q-")]


def row_text(view: dict, question_id: str) -> str:
    return next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == f"tpled-q-{question_id}")


def menu(harness, editor: dict, verb: str, question_id: str, user: str = HR) -> dict:
    """A question's menu in the editor; the editor as it is afterwards."""
    reply = harness.user.click_view(user, current(harness.slack, editor), "tpled:row",
                                    selected=[f"{verb}:{question_id}"])
    assert reply.status == 200
    return current(harness.slack, editor)


def notice(view: dict) -> str:
    first = view["blocks"][0]
    return first["elements"][0]["text"] if first["type"] == "context" else ""


def submit(harness, view: dict, values: dict, user: str = HR):
    reply = harness.user.submit_view(user, view, values)
    assert reply.status == 200, reply
    return reply.json()


def installed(harness) -> list[tuple[str, int, bool]]:
    with harness.services.db.session() as session:
        return [(r.key, r.version, r.active)
                for r in session.scalars(select(InterviewTemplate).order_by(InterviewTemplate.id))]


def interview_version(harness, employee: str) -> tuple[str, int]:
    from storage.models import Departure

    with harness.services.db.session() as session:
        row = session.execute(select(Interview.template_key, Interview.template_version)
                              .join(Departure, Departure.id == Interview.departure_id)
                              .where(Departure.employee_id == employee)).one()
        return row[0], row[1]


def test_hr_adds_rewords_reorders_and_removes_questions_then_saves_a_new_version(harness, slack):
    install_acme(harness)
    # Someone began the questionnaire on version 1 before the edit.
    harness.user.click(LEAVER_EN, invite(harness, LEAVER_EN), "invitation.answer")
    assert "How was the spirit in your team?" in latest(slack, LEAVER_EN).text

    templates_modal, editor = open_editor(harness)
    assert rows(editor) == ["team_spirit", "reasons", "reason_main", "best_moment", "share"]
    shown = str(editor["blocks"])
    assert "Hoe was de sfeer in je team?" in shown and "Score van 1 tot 5" in shown and "versie 2" in shown
    blocks = {b.get("block_id"): b for b in editor["blocks"]}
    assert blocks["name_nl"]["element"]["initial_value"] == "Vertrekgesprek Acme"

    # Add a question: its own form is pushed over the editor.
    harness.user.click_view(HR, editor, "tpled:add")
    form = views(slack)[-1]
    assert form["callback_id"] == "template_question" and form["id"] != editor["id"]
    assert [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
        "id", "text_nl", "text_en", "help_nl", "help_en", "type", "category", "position"]
    position = next(b for b in form["blocks"] if b.get("block_id") == "position")["element"]
    assert position["initial_option"]["value"] == "5"  # before the consent question at the end

    # Bad input is refused at its field, in the HR member's language; nothing changes.
    answer = submit(harness, form, {"id": "reasons", "text_nl": " ", "text_en": "Did you work from home?"})
    assert answer["response_action"] == "errors"
    assert answer["errors"]["text_nl"] == "Schrijf de vraag in het Nederlands."
    assert "Er is al een vraag met id reasons" in answer["errors"]["id"]
    assert set(answer["errors"]) == {"text_nl", "id"}

    # A choice question: choosing the type brings the choice fields, and one without choices is refused.
    harness.user.click_view(HR, form, "tpled:type", selected=["multiple_choice"],
                            values={"id": "remote", "text_nl": "Werkte je thuis?"})
    form = current(slack, form)
    fields = {b["block_id"]: b for b in form["blocks"] if b["type"] == "input"}
    assert {"options_nl", "options_en", "flags"} <= set(fields)
    assert fields["text_nl"]["element"]["initial_value"] == "Werkte je thuis?"  # typed text is kept
    values = {"id": "remote", "text_nl": "Werkte je thuis?", "text_en": "Did you work from home?",
              "category": "working_conditions"}
    answer = submit(harness, form, values)
    assert answer["errors"] == {"options_nl": "Geef minstens twee keuzes, één per regel.",
                                "options_en": "Geef minstens twee keuzes, één per regel."}
    answer = submit(harness, form, {**values, "options_nl": "Nooit\nSoms\nVaak", "options_en": "Never\nSometimes"})
    assert "3 keuzes in het Nederlands en 2 in het Engels" in answer["errors"]["options_en"]
    # Required is only for the consent question: the questionnaire is voluntary.
    assert "required" not in str(fields["flags"]["element"]["options"])

    assert submit(harness, form, {**values, "options_nl": "Nooit\nSoms\nVaak",
                                  "options_en": "Never\nSometimes\nOften"}) is None  # the form closes
    editor = current(slack, editor)
    assert rows(editor) == ["team_spirit", "reasons", "reason_main", "best_moment", "remote", "share"]
    assert "Werkte je thuis?" in row_text(editor, "remote") and "Meerdere keuzes" in row_text(editor, "remote")
    assert "nog niet zijn opgeslagen" in str(editor["blocks"])

    # Reword an existing question in both languages.
    menu(harness, editor, "edit", "best_moment")
    form = views(slack)[-1]
    assert "`best_moment`" in str(form["blocks"])  # its id is shown, not editable
    reworded = {"text_nl": "Wat was je <b>mooiste</b> dag?", "text_en": "What was your best day?"}
    assert submit(harness, form, reworded) is None
    editor = current(slack, editor)
    assert "Wat was je &lt;b&gt;mooiste&lt;/b&gt; dag?" in row_text(editor, "best_moment")  # escaped

    # Reorder: up and down; a question that takes its choices from an earlier one cannot go before it.
    editor = menu(harness, editor, "up", "remote")
    assert rows(editor)[3:5] == ["remote", "best_moment"]
    editor = menu(harness, editor, "up", "reason_main")
    assert "moet daarna komen" in notice(editor)
    assert rows(editor)[:3] == ["team_spirit", "reasons", "reason_main"]
    editor = menu(harness, editor, "down", "team_spirit")
    assert rows(editor)[:2] == ["reasons", "team_spirit"]

    # Remove: the consent question cannot go; another question can.
    editor = menu(harness, editor, "remove", "share")
    assert "De toestemmingsvraag kan niet weg" in notice(editor)
    editor = menu(harness, editor, "remove", "best_moment")
    assert rows(editor) == ["reasons", "team_spirit", "reason_main", "remote", "share"]
    assert installed(harness) == [("acme", 1, True)]  # nothing installed until saved

    # Save: a new version, active; the Templates modal under it says so, and the DM keeps a note.
    assert submit(harness, editor, {}) is None
    assert installed(harness) == [("acme", 1, False), ("acme", 2, True)]
    assert "Versie 2 van `acme` is opgeslagen en actief" in str(current(slack, templates_modal)["blocks"])
    assert "`acme` versie 2 is opgeslagen en actief, met 5 vragen" in slack.dms_to(HR)[-1].text
    with harness.services.db.session() as session:
        entries = repo.audit_entries(session, action="template_activated")
        assert [(e.actor, e.detail["key"], e.detail["version"]) for e in entries] == [(HR, "acme", 2)]
        saved = repo.template_version(session, "acme", 2).source
    template = parse_template(saved)  # stored as YAML, like an import: export and re-import work
    assert [q.id for q in template.questions] == ["reasons", "team_spirit", "reason_main", "remote", "share"]
    assert [o.id for o in template.question("remote").options] == ["never", "sometimes", "often"]
    assert template.question("best_moment") is None

    # A new questionnaire uses version 2; the one begun before keeps version 1.
    harness.user.click(LEAVER, invite(harness, LEAVER), "invitation.answer")
    assert "Waarom ga je weg?" in latest(slack, LEAVER).text
    assert interview_version(harness, LEAVER) == ("acme", 2)
    assert interview_version(harness, LEAVER_EN) == ("acme", 1)
    harness.user.click(LEAVER_EN, latest(slack, LEAVER_EN), "q:choose:4")
    assert "Why are you leaving?" in latest(slack, LEAVER_EN).text  # version 1's order: reasons after the rating


def test_the_standard_template_is_reworded_in_slack_and_saved_as_its_next_version(harness, slack):
    standard = default_template()
    first = standard.questions[0]
    _, editor = open_editor(harness, HR_2)  # Bert reads Slack in English
    assert "You are editing a working copy of `standard`" in str(editor["blocks"])

    # Saving an unchanged copy says so at the field.
    answer = submit(harness, editor, {}, user=HR_2)
    assert answer["errors"] == {"name_nl": "Nothing has changed yet compared with the active version."}

    menu(harness, editor, "edit", first.id, user=HR_2)
    form = views(slack)[-1]
    fields = {b["block_id"]: b for b in form["blocks"] if b["type"] == "input"}
    assert fields["text_en"]["element"]["initial_value"] == first.text["en"]
    assert submit(harness, form, {"text_en": "How were the working conditions?"}, user=HR_2) is None
    assert submit(harness, current(slack, editor), {"name_en": "Exit interview (2027)"}, user=HR_2) is None

    version = standard.version + 1
    assert installed(harness) == [("standard", version, True)]
    active = templates.active_template(harness.services.db)
    assert (active.id, active.version) == ("standard", version)
    assert active.questions[0].text == {"nl": first.text["nl"], "en": "How were the working conditions?"}
    assert active.name["en"] == "Exit interview (2027)"
    assert [q.id for q in active.questions] == [q.id for q in standard.questions]
    assert [q.required for q in active.questions] == [q.required for q in standard.questions]

    harness.user.click(LEAVER_EN, invite(harness, LEAVER_EN), "invitation.answer")
    assert "How were the working conditions?" in str([m.blocks for m in slack.dms_to(LEAVER_EN)])


def test_a_rating_and_a_required_flag_follow_the_rules_of_a_voluntary_questionnaire(harness, slack):
    install_acme(harness)
    _, editor = open_editor(harness)

    # A new rating comes with the labels the template's other rating uses.
    harness.user.click_view(HR, editor, "tpled:add")
    form = views(slack)[-1]
    harness.user.click_view(HR, form, "tpled:type", selected=["rating"])
    form = current(slack, form)
    fields = {b["block_id"]: b for b in form["blocks"] if b["type"] == "input"}
    assert fields["labels_nl"]["element"]["initial_value"] == "Slecht\nMatig\nRedelijk\nGoed\nTop"
    answer = submit(harness, form, {"id": "tools", "text_nl": "Hoe was je gereedschap?",
                                    "text_en": "How were your tools?", "category": "working_conditions",
                                    "labels_en": "Bad\nGood"})
    assert answer["errors"] == {"labels_en": "Geef vijf labels, één per regel: dat bij 1 eerst, dat bij 5 als laatste."}

    # The consent question may be required; another question that was required must let go of it.
    menu(harness, editor, "edit", "share")
    consent_form = views(slack)[-1]
    inputs = [b["block_id"] for b in consent_form["blocks"] if b["type"] == "input"]
    assert "type" not in inputs and "category" not in inputs  # fixed: yes or no, about consent
    assert "toestemmingsvraag" in str(consent_form["blocks"])
    assert submit(harness, consent_form, {}) is None
    with harness.services.db.session() as session:
        draft = session.scalars(select(TemplateDraft).where(TemplateDraft.status == "editing")).one()
        data = edit.load(draft.source)
    assert data["questions"][-1]["required"] is True

    harness.user.click_view(HR, editor, "tpled:add")
    form = views(slack)[-1]
    harness.user.click_view(HR, form, "tpled:type", selected=["yes_no"])
    form = current(slack, form)
    assert "flags" not in [b["block_id"] for b in form["blocks"] if b["type"] == "input"]


def test_the_working_copy_survives_a_restart_and_only_its_owner_and_hr_can_touch_it(harness, slack):
    install_acme(harness)
    _, editor = open_editor(harness)
    menu(harness, editor, "remove", "best_moment")

    harness.restart()
    _, editor = open_editor(harness)
    assert "best_moment" not in rows(editor)
    assert "verder waar je gebleven was" in notice(editor)

    # Someone outside HR cannot open the editor, nor use HR's.
    opened = len(slack.calls_to("views.push"))
    harness.user.click_view(COLLEAGUE, views(slack)[-2], "tpled:open")
    assert len(slack.calls_to("views.push")) == opened
    assert "alleen HR" in slack.dms_to(COLLEAGUE)[-1].text
    answer = submit(harness, editor, {}, user=COLLEAGUE)
    assert answer["response_action"] == "errors"
    harness.user.click_view(COLLEAGUE, editor, "tpled:row", selected=["remove:team_spirit"])
    assert "team_spirit" in rows(current(slack, editor))
    # Another HR member gets their own working copy, not this one.
    answer = submit(harness, editor, {}, user=HR_2)
    assert "already saved or dropped" in answer["errors"]["name_nl"]  # Bert reads English
    assert installed(harness) == [("acme", 1, True)]

    # Start over drops the changes.
    harness.user.click_view(HR, current(slack, editor), "tpled:reset")
    editor = current(slack, editor)
    assert "best_moment" in rows(editor)
    assert "opnieuw bij de actieve versie" in notice(editor)


# -- without Slack ----------------------------------------------------------------------------------


def test_option_ids_survive_rewording_and_reordering():
    old = [{"id": "pay", "text": {"nl": "Salaris", "en": "Pay"}},
           {"id": "career", "text": {"nl": "Doorgroeien", "en": "Career"}},
           {"id": "other", "text": {"nl": "Iets anders", "en": "Something else"}}]
    # One reworded in its place (keeps its id), one new (an id from its English text).
    pairs = [("Salaris en bonus", "Pay and bonus"), ("Doorgroeien", "Career"), ("Thuiswerken", "Working from home"),
             ("Iets anders", "Something else")]
    assert edit.option_ids(old, pairs, allow_other=True) == ["pay", "career", "working_from_home", "other"]
    # Reordered: each keeps its id by its text.
    assert edit.option_ids(old, [("Doorgroeien", "Career"), ("Salaris", "Pay")], allow_other=False) == ["career", "pay"]
    assert edit.slug("Één 2 drie!") == "een_2_drie"
    assert edit.slug("42") == "o_42"


def test_hr_opens_the_editor_with_a_command_and_saving_closes_it(harness, slack):
    install_acme(harness)
    assert harness.user.slash(HR, "template").status == 200
    editor = views(slack)[-1]
    assert editor["callback_id"] == "template_editor"
    assert slack.calls_to("views.open")[-1].params["trigger_id"]
    editor = menu(harness, editor, "remove", "best_moment")
    assert submit(harness, editor, {"intro_en": "Welcome. Taking part is voluntary; skip what you like."}) is None
    assert installed(harness) == [("acme", 1, False), ("acme", 2, True)]
    assert templates.active_template(harness.services.db).intro["en"].startswith("Welcome. Taking part")

    # Outside HR the command refuses, as every HR command does.
    harness.user.slash(COLLEAGUE, "template")
    assert "alleen HR" in harness.last_response()["text"]


def test_the_editor_and_a_question_form_stay_within_slacks_limits():
    from bot.blocks.template_admin import editor_modal, question_modal
    from bot.emulator.api import VIEW_BLOCKS, block_problem
    from bot.i18n import Translator

    data = edit.load(ACME)
    many = [{"id": f"q_{n}", "type": "long_text", "category": "other",  # some as long as a question can be
             "text": {"nl": "<x>" * 725 if n % 30 == 0 else f"Vraag {n}?", "en": "y" * 2900 if n % 30 == 1 else "Q?"}}
            for n in range(120)]
    data["questions"] = [*many, *data["questions"]]
    wide = {"id": "wide", "type": "single_choice", "category": "other", "text": {"nl": "Welke?", "en": "Which?"},
            "options": [{"id": f"o_{n}", "text": {"nl": "k" * 75, "en": "c" * 75}} for n in range(100)]}
    data["questions"].insert(0, wide)
    parse_template(edit.dump(data))  # a template an import accepts
    for language in ("nl", "en"):
        _ = Translator(language)
        view = editor_modal(_, data, draft_id=1, parent="V1", next_version=2, changed=True, notice="x")
        assert len(view["blocks"]) <= VIEW_BLOCKS and block_problem(view["blocks"], VIEW_BLOCKS) is None
        assert "Nog 41 vragen" in str(view["blocks"]) or "41 more questions" in str(view["blocks"])
        assert len(view["private_metadata"]) < 3000 and len(view["title"]["text"]) <= 24
        assert len(view["submit"]["text"]) <= 24
        form = question_modal(_, data, edit.form_of(wide, 1), draft_id=1, original_id="wide", editor_view="V2",
                              parent="V1")
        assert block_problem(form["blocks"], VIEW_BLOCKS) is None
        assert len(form["title"]["text"]) <= 24 and len(form["submit"]["text"]) <= 24
        # 100 choices of 75 characters do not fit in one field: they stay, and the form says so.
        assert "options_nl" not in str(form["blocks"]) and "YAML" in str(form["blocks"])
        position = next(b for b in form["blocks"] if b.get("block_id") == "position")["element"]["options"]
        assert len(position) == 100 and all(len(o["text"]["text"]) <= 75 for o in position)


def test_a_question_form_keeps_what_the_editor_has_no_field_for_and_drops_what_the_type_no_longer_uses():
    data = edit.load(ACME)
    data["questions"][3]["max_length"] = 500
    form = edit.form_of(data["questions"][3], 4)
    changed = edit.apply_question(data, "best_moment", form)
    assert changed.errors == {} and changed.data["questions"][3]["max_length"] == 500

    reasons = edit.form_of(data["questions"][1], 2)
    as_text = edit.QuestionInput(**{**reasons.__dict__, "type": "long_text", "position": None})
    done = edit.apply_question(data, "reasons", as_text)
    # reason_main takes its choices from reasons: that must stay a multiple choice question.
    assert done.data is None and done.errors["position"].key == "tpled.error.source_order"


def test_the_rules_of_the_form_in_words():
    data = edit.load(ACME)
    base = dict(id="ease", type="scale_0_10", category="other", text={"nl": "Hoe makkelijk?", "en": "How easy?"})
    errors = edit.apply_question(data, None, edit.QuestionInput(**base, labels={"nl": "Moeilijk", "en": "Hard\nEasy"},
                                                                help={"nl": "Uitleg"})).errors
    assert {k: p.key for k, p in errors.items()} == {"labels_nl": "tpled.error.scale_labels",
                                                      "help_en": "tpled.error.help_en"}
    ok = edit.apply_question(data, None, edit.QuestionInput(**base, labels={"nl": "Moeilijk\nMakkelijk",
                                                                            "en": "Hard\nEasy"}, position=1))
    assert ok.data["questions"][0]["labels"] == {"nl": {"low": "Moeilijk", "high": "Makkelijk"},
                                                 "en": {"low": "Hard", "high": "Easy"}}
    # Only a consent-like yes/no may be required: the questionnaire is voluntary.
    required = edit.apply_question(data, None, edit.QuestionInput(**{**base, "type": "yes_no"},
                                                                  flags=frozenset({"required"})))
    assert required.errors["flags"].key == "tpled.error.required"
    assert edit.apply_question(data, None, edit.QuestionInput(**{**base, "id": "Bad id"})).errors["id"].key == \
        "tpled.error.id_pattern"
    assert edit.apply_question(data, None, edit.QuestionInput(**{**base, "category": "consent"})).errors[
        "category"].key == "tpled.error.category"  # a second consent question is not added here
