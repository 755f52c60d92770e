"""The interview template: the shipped default is complete in both languages, and a broken template
file is refused with an issue naming the file, the question and the field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.template import (
    LANGUAGES,
    MAX_OPTION_TEXT_LENGTH,
    MAX_TEXT_LENGTH,
    Category,
    QuestionType,
    TemplateError,
    TemplateIssue,
    default_template,
    load_template,
    parse_template,
)

# --- the default template -------------------------------------------------------------------------


def test_default_template_loads():
    template = default_template()
    assert (template.id, template.version) == ("standard", 3)
    assert template is default_template()  # loaded once


def test_earlier_shipped_versions_stay_readable_for_the_interviews_begun_with_them():
    from flows.template import shipped_template

    first = shipped_template("standard", 1)
    assert first is not None and first.version == 1 and "manager_feedback" not in [q.id for q in first.questions]
    second = shipped_template("standard", 2)
    assert second is not None and second.version == 2 and "destination_type" not in [q.id for q in second.questions]
    assert shipped_template("standard", 3) is default_template()
    assert shipped_template("standard", 99) is None


def _every_text(template) -> list[tuple[str, dict]]:
    texts = [("name", template.name), ("intro", template.intro)]
    for question in template.questions:
        texts.append((f"{question.id}.text", question.text))
        if question.help:
            texts.append((f"{question.id}.help", question.help))
        texts += [(f"{question.id}.{option.id}", option.text) for option in question.options]
    return texts


def test_default_template_speaks_dutch_and_english_everywhere():
    template = default_template()
    for where, text in _every_text(template):
        assert tuple(text) == LANGUAGES, where
        assert all(value.strip() for value in text.values()), where
    for question in template.questions:
        if question.labels:
            assert set(question.labels) == set(LANGUAGES), question.id


def test_default_template_texts_fit_in_slack():
    template = default_template()
    for question in template.questions:
        assert all(len(text) <= MAX_TEXT_LENGTH for text in question.text.values())
        for option in question.options:
            assert all(len(text) <= MAX_OPTION_TEXT_LENGTH for text in option.text.values())


def test_default_template_covers_every_category():
    assert {question.category for question in default_template().questions} == set(Category)


def test_default_template_content():
    template = default_template()
    by_id = {question.id: question for question in template.questions}
    ratings = [q for q in template.questions if q.type is QuestionType.RATING]
    assert [q.category for q in ratings] == [
        Category.WORKING_CONDITIONS,
        Category.WORK_CONTENT,
        Category.WORKING_RELATIONS,
        Category.EMPLOYMENT_TERMS,
        Category.MANAGER,
    ]
    for question in ratings:
        assert question.allow_comment
        assert question.labels["en"] == ("Very poor", "Poor", "Fair", "Good", "Very good")
        assert question.labels["nl"][0] == "Zeer slecht" and question.labels["nl"][4] == "Zeer goed"

    reasons = by_id["reasons"]
    assert reasons.type is QuestionType.MULTIPLE_CHOICE and not reasons.required and reasons.allow_other
    assert [option.id for option in reasons.options] == [
        "pay",
        "career",
        "leadership",
        "workload",
        "work_content",
        "culture",
        "hours",
        "commute",
        "personal",
        "retirement",
        "contract_end",
        "other",
    ]
    assert by_id["reason_main"].type is QuestionType.SINGLE_CHOICE
    assert by_id["reason_main"].choices_from == "reasons"
    assert by_id["recommend"].type is QuestionType.SCALE_0_10
    assert by_id["recommend"].labels["en"] == ("Not at all likely", "Extremely likely")
    assert [option.id for option in by_id["come_back"].options] == ["yes", "maybe", "no"]
    consent = by_id["consent"]
    assert (consent.type, consent.category, consent.required) == (QuestionType.YES_NO, Category.CONSENT, False)
    # A voluntary interview: nothing is required; skipping a permission question is no.
    assert [q.id for q in template.questions if q.required] == []
    # Where they go, as choices the report counts, and one free detail.
    assert (by_id["destination_type"].type, by_id["destination_type"].category) == (
        QuestionType.SINGLE_CHOICE, Category.COMPETITOR)
    assert [o.id for o in by_id["destination_type"].options] == [
        "competitor", "other_industry", "own_business", "study", "not_working", "other"]
    assert (by_id["attractions"].type, by_id["attractions"].category) == (
        QuestionType.MULTIPLE_CHOICE, Category.COMPETITOR)
    assert [o.id for o in by_id["attractions"].options] == [
        "pay", "benefits", "career", "work_content", "technology", "leadership", "culture", "flexibility",
        "location", "stability", "other"]
    assert by_id["competitor_offer"].type is QuestionType.LONG_TEXT
    # Asked in three steps: the five ratings in one message, then two forms.
    assert [[q.id for q in step] for step in template.steps] == [
        ["working_conditions", "work_content", "working_relations", "employment_terms", "manager_support"],
        ["reasons", "reason_main", "reasons_detail", "destination_type", "attractions", "competitor_offer"],
        ["improvements", "strengths", "recommend", "come_back", "anything_else", "consent", "manager_feedback"],
    ]
    text = str(template).lower()
    assert "secondary benefits" not in text and "speak well" not in text
    # Feedback for the direct manager is a separate choice, and skipping it is no.
    manager = by_id["manager_feedback"]
    assert (manager.type, manager.category, manager.required) == (
        QuestionType.YES_NO, Category.MANAGER_CONSENT, False)


def test_the_template_file_is_package_data():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    flows_data = pyproject["tool"]["setuptools"]["package-data"]["flows"]
    # the template, the versions interviews may have begun on, and the art. 9 vocabulary
    assert {"templates/*.yml", "templates/shipped/*.yml", "templates/*.txt"} <= set(flows_data)


# --- broken templates ------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "id": "tiny",
    "version": 2,
    "name": {"nl": "Klein", "en": "Tiny"},
    "intro": {"nl": "Welkom.", "en": "Welcome."},
    "questions": [
        {
            "id": "overall",
            "type": "rating",
            "category": "work_content",
            "text": {"nl": "Hoe was het?", "en": "How was it?"},
            "labels": {"nl": ["1", "2", "3", "4", "5"], "en": ["1", "2", "3", "4", "5"]},
            "allow_comment": True,
        },
        {
            "id": "reasons",
            "type": "multiple_choice",
            "category": "reasons",
            "required": True,
            "text": {"nl": "Waarom?", "en": "Why?"},
            "allow_other": True,
            "options": [
                {"id": "pay", "text": {"nl": "Salaris", "en": "Pay"}},
                {"id": "other", "text": {"nl": "Anders", "en": "Other"}},
            ],
        },
        {
            "id": "main_reason",
            "type": "single_choice",
            "category": "reasons",
            "text": {"nl": "Welke vooral?", "en": "Which most?"},
            "choices_from": "reasons",
        },
        {
            "id": "consent",
            "type": "yes_no",
            "category": "consent",
            "required": True,
            "text": {"nl": "Mogen we delen?", "en": "May we share?"},
        },
    ],
}


def _question(data: dict, question_id: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == question_id)


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _issues(path: Path) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(caught.value) == "\n".join(str(issue) for issue in caught.value.issues)
    return [str(issue) for issue in caught.value.issues]


def test_the_valid_base_loads(tmp_path):
    template = load_template(_write(tmp_path, VALID))
    assert [q.id for q in template.questions] == ["overall", "reasons", "main_reason", "consent"]
    assert template.questions[0].labels["en"] == ("1", "2", "3", "4", "5")


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """A change to VALID: `question_id.field` (or a top-level key) set to value; None deletes."""

    def change(data: dict) -> None:
        *parents, key = path.split(".")
        target = data
        for part in parents:
            target = _question(target, part) if "questions" in target else target[part]
        if value is None:
            del target[key]
        else:
            target[key] = value

    return change


def _add_question(question: dict, at: int | None = None) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["questions"].insert(len(data["questions"]) if at is None else at, question)

    return change


def _remove_question(question_id: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["questions"] = [q for q in data["questions"] if q["id"] != question_id]

    return change


KNOWN_TYPES = "rating, scale_0_10, single_choice, multiple_choice, yes_no, short_text, long_text"

BROKEN = {
    "unknown type": (
        _set("overall.type", "slider"),
        [f"broken.yml: question 'overall': field 'type': unknown type 'slider' (known: {KNOWN_TYPES})"],
    ),
    "duplicate question id": (
        _add_question({"id": "overall", "type": "yes_no", "category": "other", "text": {"nl": "Ja?", "en": "Yes?"}}),
        ["broken.yml: question 'overall': field 'id': is used by more than one question"],
    ),
    "missing nl text": (
        _set("overall.text", {"en": "How was it?"}),
        ["broken.yml: question 'overall': field 'text.nl': is missing; every text needs both nl and en"],
    ),
    "empty en text": (
        _set("overall.text", {"nl": "Hoe was het?", "en": "  "}),
        ["broken.yml: question 'overall': field 'text.en': must not be empty"],
    ),
    "unknown language": (
        _set("consent.text", {"nl": "Delen?", "en": "Share?", "de": "Teilen?"}),
        ["broken.yml: question 'consent': field 'text.de': unknown language (use nl, en)"],
    ),
    "choices_from an unknown question": (
        _set("main_reason.choices_from", "nope"),
        ["broken.yml: question 'main_reason': field 'choices_from': 'nope' is not an earlier multiple_choice question"],
    ),
    "choices_from a later question": (
        lambda data: data["questions"].insert(0, data["questions"].pop(2)),
        [
            "broken.yml: question 'main_reason': field 'choices_from': "
            "'reasons' is not an earlier multiple_choice question"
        ],
    ),
    "choices_from a question that is not multiple choice": (
        _set("main_reason.choices_from", "overall"),
        [
            "broken.yml: question 'main_reason': field 'choices_from': "
            "'overall' is not an earlier multiple_choice question"
        ],
    ),
    "option text too long": (
        lambda data: _question(data, "reasons")["options"][0]["text"].update(en="x" * 80),
        ["broken.yml: question 'reasons': field 'options[0].text.en': is 80 characters long; at most 75 fit in Slack"],
    ),
    "question text too long": (
        _set("overall.text", {"nl": "x" * 2901, "en": "y"}),
        ["broken.yml: question 'overall': field 'text.nl': is 2901 characters long; at most 2900 fit in Slack"],
    ),
    "too few options": (
        lambda data: _question(data, "reasons")["options"].pop(0),
        ["broken.yml: question 'reasons': field 'options': must have at least 2 options"],
    ),
    "duplicate option id": (
        lambda data: _question(data, "reasons")["options"].append({"id": "pay", "text": {"nl": "Geld", "en": "Money"}}),
        ["broken.yml: question 'reasons': field 'options[2].id': duplicate option id 'pay'"],
    ),
    "option id with a capital": (
        lambda data: _question(data, "reasons")["options"][0].update(id="Pay"),
        ["broken.yml: question 'reasons': field 'options[0].id': must match ^[a-z][a-z0-9_]{1,39}$ (quote yes/no)"],
    ),
    "allow_other without an other option": (
        lambda data: _question(data, "reasons")["options"][1].update(id="else"),
        ["broken.yml: question 'reasons': field 'options': allow_other needs an option with id 'other'"],
    ),
    "no consent question": (
        _remove_question("consent"),
        ["broken.yml: field 'questions': must have exactly one question with category 'consent' (found none)"],
    ),
    "two consent questions": (
        _add_question({"id": "consent_2", "type": "yes_no", "category": "consent", "text": {"nl": "Ja?", "en": "Y?"}}),
        ["broken.yml: field 'questions': must have exactly one question with category 'consent' (found 2)"],
    ),
    "manager feedback that is not yes/no": (
        _add_question({"id": "boss", "type": "short_text", "category": "manager_consent",
                       "text": {"nl": "Baas?", "en": "Boss?"}}),
        ["broken.yml: question 'boss': field 'type': the manager_consent question must be yes_no"],
    ),
    "manager feedback that cannot be skipped": (
        _add_question({"id": "boss", "type": "yes_no", "category": "manager_consent", "required": True,
                       "text": {"nl": "Baas?", "en": "Boss?"}}),
        ["broken.yml: question 'boss': field 'required': the manager_consent question must be optional: "
         "skipping it is no"],
    ),
    "two manager feedback questions": (
        lambda data: (
            _add_question({"id": "boss", "type": "yes_no", "category": "manager_consent",
                           "text": {"nl": "Baas?", "en": "Boss?"}})(data),
            _add_question({"id": "boss_2", "type": "yes_no", "category": "manager_consent",
                           "text": {"nl": "Baas?", "en": "Boss?"}})(data)),
        ["broken.yml: field 'questions': may have at most one question with category 'manager_consent' (found 2)"],
    ),
    "consent that is not yes/no": (
        _set("consent.type", "short_text"),
        ["broken.yml: question 'consent': field 'type': the consent question must be yes_no"],
    ),
    "unknown top-level key": (
        _set("author", "HR"),
        ["broken.yml: field 'author': unknown field"],
    ),
    "unknown question key": (
        _set("overall.colour", "blue"),
        ["broken.yml: question 'overall': field 'colour': unknown field"],
    ),
    "unknown option key": (
        lambda data: _question(data, "reasons")["options"][0].update(emoji=":moneybag:"),
        ["broken.yml: question 'reasons': field 'options[0].emoji': unknown field"],
    ),
    "field of another type": (
        _set("consent.max_length", 10),
        ["broken.yml: question 'consent': field 'max_length': is not used by yes_no questions"],
    ),
    "max_length out of range": (
        _set("overall.max_length", 5000),
        ["broken.yml: question 'overall': field 'max_length': must be a whole number from 1 to 3000"],
    ),
    "bad question id": (
        _set("overall.id", "Overall!"),
        ["broken.yml: field 'questions[0].id': must match ^[a-z][a-z0-9_]{1,39}$"],
    ),
    "unknown category": (
        _set("overall.category", "vibes"),
        [f"broken.yml: question 'overall': field 'category': unknown category 'vibes' (known: {', '.join(Category)})"],
    ),
    "rating with four labels": (
        _set("overall.labels", {"nl": ["1", "2", "3", "4"], "en": ["1", "2", "3", "4", "5"]}),
        ["broken.yml: question 'overall': field 'labels.nl': must be a list of 5 labels, 1 first"],
    ),
    "version zero": (
        _set("version", 0),
        ["broken.yml: field 'version': must be a positive whole number"],
    ),
    "required that is not a bool": (
        _set("reasons.required", "yes please"),
        ["broken.yml: question 'reasons': field 'required': must be true or false"],
    ),
    "no questions": (
        _set("questions", []),
        ["broken.yml: field 'questions': must have at least one question"],
    ),
    "missing intro": (
        _set("intro", None),
        ["broken.yml: field 'intro': is required"],
    ),
    "several issues at once": (
        lambda data: (_set("overall.type", "slider")(data), _set("consent.text", {"en": "Share?"})(data)),
        [
            f"broken.yml: question 'overall': field 'type': unknown type 'slider' (known: {KNOWN_TYPES})",
            "broken.yml: question 'consent': field 'text.nl': is missing; every text needs both nl and en",
        ],
    ),
}


@pytest.mark.parametrize("change, expected", list(BROKEN.values()), ids=list(BROKEN))
def test_a_broken_template_names_the_issue(tmp_path, change, expected):
    data = copy.deepcopy(VALID)
    change(data)
    assert _issues(_write(tmp_path, data)) == expected


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("id: tiny\nversion: 1\nname:\n  nl: Klein\n   en: Tiny\n", encoding="utf-8")
    (issue,) = _issues(path)
    assert issue.startswith("broken.yml: line 5, column 6: invalid YAML: "), issue


def test_duplicate_yaml_key_names_the_line(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("id: tiny\nversion: 1\nid: other\n", encoding="utf-8")
    assert _issues(path) == ["broken.yml: line 3, column 1: invalid YAML: found duplicate key 'id'"]


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.yml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert _issues(path) == ["empty.yml: the template is empty"]


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(TemplateError) as caught:
        load_template(tmp_path / "absent.yml")
    assert str(caught.value).startswith("absent.yml: cannot be read: ")


def test_parse_template_names_its_source():
    with pytest.raises(TemplateError) as caught:
        parse_template("id: tiny\n", source="inline")
    assert caught.value.issues[0] == TemplateIssue("inline", None, "version", "is required")


def test_issue_text_format():
    issue = TemplateIssue("default.yml", "reason_main", "options", "must have at least 2 options")
    assert str(issue) == "default.yml: question 'reason_main': field 'options': must have at least 2 options"
