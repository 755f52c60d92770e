"""The interview template: which questions the leaver is asked, in Dutch and English, read from YAML.

A template is checked strictly when it is loaded, so that a typo in a question file fails at start-up
with a message naming the file, the question and the field, and never in front of a leaver in
Slack. The length limits are Slack's: a section block holds 3000 characters (2900 leaves room for
markup), an option or button label 75.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("nl", "en")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_TEXT_LENGTH = 2900  # Slack section text is 3000; room for formatting around it
MAX_NAME_LENGTH = 150  # Slack header block
MAX_OPTION_TEXT_LENGTH = 75  # Slack option, checkbox and button text
MAX_OPTIONS = 100  # Slack static select
MAX_ANSWER_LENGTH = 3000  # Slack plain text input
RATING_POINTS = 5
OTHER = "other"  # the option id that carries a free text when `allow_other` is set
DEFAULT_TEMPLATE_PATH = Path(__file__).with_name("templates") / "default.yml"
# Earlier versions of the standard template, as shipped: interviews begun with them keep them.
SHIPPED_TEMPLATES = Path(__file__).with_name("templates") / "shipped"


class QuestionType(StrEnum):
    RATING = "rating"  # 1–5, a label per point; optionally a comment
    SCALE_0_10 = "scale_0_10"  # eNPS: 0–10 with a label at both ends
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"  # `allow_other`: the option `other` comes with a free text
    YES_NO = "yes_no"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"


class Category(StrEnum):
    """What a question is about; reports group and compare answers by category."""

    WORKING_CONDITIONS = "working_conditions"
    WORK_CONTENT = "work_content"
    WORKING_RELATIONS = "working_relations"
    EMPLOYMENT_TERMS = "employment_terms"
    MANAGER = "manager"
    IMPROVEMENTS = "improvements"
    STRENGTHS = "strengths"
    REASONS = "reasons"
    COMPETITOR = "competitor"
    RECOMMENDATION = "recommendation"
    RETURN = "return"
    OTHER = "other"
    CONSENT = "consent"
    # The leaver's separate choice that their direct manager may get their feedback, named.
    MANAGER_CONSENT = "manager_consent"


TEXT_TYPES = frozenset({QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT})
CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
# Categories a template has at most one question of, fixed to yes/no: the question editor neither
# adds them nor turns another question into one.
CONSENT_CATEGORIES = frozenset({Category.CONSENT, Category.MANAGER_CONSENT})


def may_be_required(kind: QuestionType | str, category: Category | str) -> bool:
    """Whether a question may need an answer. Taking part is voluntary, so every question can be
    skipped, except a consent-like yes/no whose answer decides what may be shared (the consent
    question). Templates installed before this rule still load; the question editor applies it to
    every question it writes."""
    return kind == QuestionType.YES_NO and category == Category.CONSENT


@dataclass(frozen=True)
class Option:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One question. `labels` per language: five for a rating (1 to 5), (low, high) for a 0–10 scale.

    `choices_from` (single choice only) names an earlier multiple-choice question: the options are
    then the ones the leaver picked there, so `options` is empty.
    """

    id: str
    type: QuestionType
    category: Category
    required: bool
    text: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    allow_other: bool = False
    allow_comment: bool = False
    max_length: int | None = None
    choices_from: str | None = None
    # Consecutive questions with the same `step` are asked together, in one message or one form.
    step: str | None = None

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    name: dict[str, str]
    intro: dict[str, str]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((question for question in self.questions if question.id == question_id), None)

    def index(self, question_id: str) -> int | None:
        return next((i for i, question in enumerate(self.questions) if question.id == question_id), None)

    @property
    def steps(self) -> tuple[tuple[Question, ...], ...]:
        """The questions grouped as they are asked: consecutive questions sharing a `step` form one
        step, a question without one is a step of its own."""
        steps: list[list[Question]] = []
        for question in self.questions:
            if steps and question.step is not None and steps[-1][-1].step == question.step:
                steps[-1].append(question)
            else:
                steps.append([question])
        return tuple(tuple(step) for step in steps)


# Seconds a leaver needs per question, by type, when answering without hurry: reading the question,
# choosing, and for the free texts writing a sentence or two (most leave a few of them empty).
SECONDS_PER_QUESTION = {
    "rating": 12,
    "scale_0_10": 12,
    "single_choice": 12,
    "multiple_choice": 25,
    "yes_no": 15,
    "short_text": 25,
    "long_text": 45,
}
SECONDS_PER_STEP = 10  # reading a step's heading, opening its form, moving on


def estimated_minutes(template: Template) -> int:
    """How long the questionnaire takes, in whole minutes (at least 1), from its questions and steps.

    The one source of the duration shown anywhere (invitation, intro, App Home), so they agree."""
    seconds = sum(SECONDS_PER_QUESTION[str(question.type)] for question in template.questions)
    seconds += SECONDS_PER_STEP * len(template.steps)
    return max(1, round(seconds / 60))


@dataclass(frozen=True)
class TemplateIssue:
    source: str
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.source]
        if self.question_id is not None:
            parts.append(f"question '{self.question_id}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ": ".join([*parts, self.message])


class TemplateError(Exception):
    """Everything wrong with a template at once, so one edit round fixes them all."""

    def __init__(self, issues: list[TemplateIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def load_template(path: str | Path) -> Template:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError([TemplateIssue(path.name, None, None, f"cannot be read: {error}")]) from error
    return parse_template(text, source=path.name)


@cache
def default_template() -> Template:
    """The template shipped with the bot; loaded once (templates are immutable)."""
    return load_template(DEFAULT_TEMPLATE_PATH)


@cache
def shipped_template(key: str, version: int) -> Template | None:
    """The standard template as shipped in an earlier (or the current) version, else None."""
    default = default_template()
    if (default.id, default.version) == (key, version):
        return default
    for path in sorted(SHIPPED_TEMPLATES.glob("*.yml")):
        template = load_template(path)
        if (template.id, template.version) == (key, version):
            return template
    return None


def parse_template(text: str, source: str = "<text>") -> Template:
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as error:
        raise TemplateError([TemplateIssue(source, None, None, _yaml_message(error))]) from error
    checker = _Checker(source)
    template = checker.template(data)
    if checker.issues or template is None:
        raise TemplateError(checker.issues)
    return template


# --- YAML reading -----------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key twice in one mapping; PyYAML would silently keep the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, f"found duplicate key '{key}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return f"invalid YAML: {problem}"
    return f"line {mark.line + 1}, column {mark.column + 1}: invalid YAML: {problem}"


# --- checking -----------------------------------------------------------------------------------

_TOP_KEYS = ("id", "version", "name", "intro", "questions")
_COMMON_KEYS = ("id", "type", "category", "required", "text", "help", "step")
_TYPE_KEYS: dict[QuestionType, tuple[str, ...]] = {
    QuestionType.RATING: ("labels", "allow_comment", "max_length"),
    QuestionType.SCALE_0_10: ("labels", "allow_comment", "max_length"),
    QuestionType.SINGLE_CHOICE: ("options", "choices_from"),
    QuestionType.MULTIPLE_CHOICE: ("options", "allow_other", "max_length"),
    QuestionType.YES_NO: (),
    QuestionType.SHORT_TEXT: ("max_length",),
    QuestionType.LONG_TEXT: ("max_length",),
}
_QUESTION_KEYS = frozenset(_COMMON_KEYS).union(*_TYPE_KEYS.values())
_OPTION_KEYS = ("id", "text")
_SCALE_LABEL_KEYS = ("low", "high")


def _names(values: Any) -> str:
    return ", ".join(str(value) for value in values)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Walks the parsed YAML, collecting every issue; builds the template only when there are none."""

    def __init__(self, source: str):
        self.source = source
        self.issues: list[TemplateIssue] = []

    def add(self, question_id: str | None, field_name: str | None, message: str) -> None:
        self.issues.append(TemplateIssue(self.source, question_id, field_name, message))

    def template(self, data: Any) -> Template | None:
        if data is None:
            self.add(None, None, "the template is empty")
            return None
        if not isinstance(data, dict):
            self.add(None, None, "the template must be a mapping of id, version, name, intro and questions")
            return None
        self._unknown_keys(data, _TOP_KEYS, None, "")
        for key in _TOP_KEYS:
            if key not in data:
                self.add(None, key, "is required")
        template_id = data.get("id")
        if "id" in data and not (isinstance(template_id, str) and ID_PATTERN.match(template_id)):
            self.add(None, "id", f"must match {ID_PATTERN.pattern}")
        version = data.get("version")
        if "version" in data and not (_is_int(version) and version > 0):
            self.add(None, "version", "must be a positive whole number")
        name = self.texts(data.get("name"), None, "name", MAX_NAME_LENGTH) if "name" in data else None
        intro = self.texts(data.get("intro"), None, "intro", MAX_TEXT_LENGTH) if "intro" in data else None
        questions = self.questions(data["questions"]) if "questions" in data else None
        if self.issues:
            return None
        return Template(template_id, version, name, intro, questions)

    def _unknown_keys(self, data: dict, known: Any, question_id: str | None, prefix: str) -> None:
        for key in data:
            if key not in known:
                self.add(question_id, f"{prefix}{key}", "unknown field")

    def texts(self, value: Any, question_id: str | None, name: str, limit: int) -> dict[str, str] | None:
        """A text in every language: a mapping `nl: ...`, `en: ...`."""
        if not isinstance(value, dict):
            self.add(question_id, name, f"must be a mapping with a text per language ({_names(LANGUAGES)})")
            return None
        result: dict[str, str] = {}
        self._languages(value, question_id, name)
        for language in LANGUAGES:
            text = self.text(value.get(language), language in value, question_id, f"{name}.{language}", limit)
            if text is not None:
                result[language] = text
        return result if len(result) == len(LANGUAGES) else None

    def text(self, value: Any, present: bool, question_id: str | None, name: str, limit: int) -> str | None:
        if not present:
            self.add(question_id, name, "is missing; every text needs both nl and en")
            return None
        if not isinstance(value, str):
            self.add(question_id, name, "must be text")
            return None
        text = value.strip()
        if not text:
            self.add(question_id, name, "must not be empty")
            return None
        if len(text) > limit:
            self.add(question_id, name, f"is {len(text)} characters long; at most {limit} fit in Slack")
            return None
        return text

    def questions(self, value: Any) -> tuple[Question, ...] | None:
        if not isinstance(value, list):
            self.add(None, "questions", "must be a list of questions")
            return None
        if not value:
            self.add(None, "questions", "must have at least one question")
            return None
        questions: list[Question | None] = []
        seen: dict[str, str] = {}  # id -> type, of the questions before the one being checked
        for index, item in enumerate(value):
            questions.append(self.question(item, index, seen))
        consent = [item for item in value if isinstance(item, dict) and item.get("category") == Category.CONSENT]
        if len(consent) != 1:
            found = "none" if not consent else f"{len(consent)}"
            self.add(None, "questions", f"must have exactly one question with category 'consent' (found {found})")
        manager = [
            item for item in value if isinstance(item, dict) and item.get("category") == Category.MANAGER_CONSENT
        ]
        if len(manager) > 1:
            self.add(None, "questions", f"may have at most one question with category 'manager_consent' "
                                        f"(found {len(manager)})")
        if any(question is None for question in questions):
            return None
        return tuple(questions)

    def question(self, data: Any, index: int, seen: dict[str, str]) -> Question | None:
        if not isinstance(data, dict):
            self.add(None, f"questions[{index}]", "must be a mapping")
            return None
        issues_before = len(self.issues)
        question_id = data.get("id")
        where: str | None = None  # how issues name this question
        prefix = ""
        if isinstance(question_id, str) and ID_PATTERN.match(question_id):
            where = question_id
        else:
            prefix = f"questions[{index}]."
            if "id" not in data:
                self.add(None, f"{prefix}id", "is required")
            else:
                self.add(None, f"{prefix}id", f"must match {ID_PATTERN.pattern}")
        if where is not None and where in seen:
            self.add(where, "id", "is used by more than one question")

        self._unknown_keys(data, _QUESTION_KEYS, where, prefix)
        for key in ("type", "category", "text"):
            if key not in data:
                self.add(where, f"{prefix}{key}", "is required")

        kind: QuestionType | None = None
        if "type" in data:
            if data["type"] in QuestionType.__members__.values():
                kind = QuestionType(data["type"])
            else:
                self.add(where, f"{prefix}type", f"unknown type '{data['type']}' (known: {_names(QuestionType)})")
        category: Category | None = None
        if "category" in data:
            if data["category"] in Category.__members__.values():
                category = Category(data["category"])
            else:
                self.add(
                    where, f"{prefix}category", f"unknown category '{data['category']}' (known: {_names(Category)})"
                )
        if category is Category.CONSENT and kind is not None and kind is not QuestionType.YES_NO:
            self.add(where, f"{prefix}type", "the consent question must be yes_no")
        if category is Category.MANAGER_CONSENT:
            if kind is not None and kind is not QuestionType.YES_NO:
                self.add(where, f"{prefix}type", "the manager_consent question must be yes_no")
            if data.get("required") is True:
                self.add(where, f"{prefix}required", "the manager_consent question must be optional: skipping it is no")

        text = self.texts(data["text"], where, f"{prefix}text", MAX_TEXT_LENGTH) if "text" in data else None
        help_text = self.texts(data["help"], where, f"{prefix}help", MAX_TEXT_LENGTH) if "help" in data else {}
        flags = {name: self.flag(data, name, where, prefix) for name in ("required", "allow_other", "allow_comment")}
        max_length = data.get("max_length")
        if "max_length" in data and not (_is_int(max_length) and 1 <= max_length <= MAX_ANSWER_LENGTH):
            self.add(where, f"{prefix}max_length", f"must be a whole number from 1 to {MAX_ANSWER_LENGTH}")

        options: tuple[Option, ...] | None = ()
        labels: dict[str, tuple[str, ...]] | None = {}
        choices_from = data.get("choices_from")
        step = data.get("step")
        if "step" in data and not (isinstance(step, str) and ID_PATTERN.match(step)):
            self.add(where, f"{prefix}step", f"must match {ID_PATTERN.pattern}")
        if kind is not None:
            for key in data:
                if key in _QUESTION_KEYS and key not in _COMMON_KEYS and key not in _TYPE_KEYS[kind]:
                    self.add(where, f"{prefix}{key}", f"is not used by {kind} questions")
            if kind is QuestionType.RATING:
                labels = self.rating_labels(data.get("labels"), "labels" in data, where, prefix)
            elif kind is QuestionType.SCALE_0_10:
                labels = self.scale_labels(data.get("labels"), "labels" in data, where, prefix)
            elif kind is QuestionType.SINGLE_CHOICE and "choices_from" in data:
                self.choices_from(choices_from, "options" in data, where, prefix, seen)
            elif kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
                options = self.options(data.get("options"), "options" in data, where, prefix)
            allow_other = kind is QuestionType.MULTIPLE_CHOICE and flags["allow_other"]
            if allow_other and options is not None and not any(option.id == OTHER for option in options):
                self.add(where, f"{prefix}options", f"allow_other needs an option with id '{OTHER}'")

        if where is not None and where not in seen and kind is not None:
            seen[where] = kind
        if len(self.issues) > issues_before:
            return None
        return Question(
            id=question_id,
            type=kind,
            category=category,
            required=flags["required"],
            text=text,
            help=help_text,
            options=options,
            labels=labels,
            allow_other=flags["allow_other"],
            allow_comment=flags["allow_comment"],
            max_length=max_length,
            choices_from=choices_from,
            step=step,
        )

    def flag(self, data: dict, name: str, where: str | None, prefix: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.add(where, f"{prefix}{name}", "must be true or false")
            return False
        return value

    def choices_from(self, value: Any, has_options: bool, where: str | None, prefix: str, seen: dict) -> None:
        if has_options:
            self.add(where, f"{prefix}options", "a question with choices_from takes its options from that question")
        if not isinstance(value, str) or seen.get(value) != QuestionType.MULTIPLE_CHOICE:
            self.add(where, f"{prefix}choices_from", f"'{value}' is not an earlier multiple_choice question")

    def options(self, value: Any, present: bool, where: str | None, prefix: str) -> tuple[Option, ...] | None:
        name = f"{prefix}options"
        if not present:
            self.add(where, name, "is required")
            return None
        if not isinstance(value, list):
            self.add(where, name, "must be a list of options")
            return None
        if len(value) < 2:
            self.add(where, name, "must have at least 2 options")
            return None
        if len(value) > MAX_OPTIONS:
            self.add(where, name, f"has {len(value)} options; at most {MAX_OPTIONS} fit in Slack")
            return None
        options: list[Option] = []
        ids: set[str] = set()
        complete = True
        for index, item in enumerate(value):
            item_name = f"{name}[{index}]"
            if not isinstance(item, dict):
                self.add(where, item_name, "must be a mapping with id and text")
                complete = False
                continue
            self._unknown_keys(item, _OPTION_KEYS, where, f"{item_name}.")
            option_id = item.get("id")
            if not (isinstance(option_id, str) and ID_PATTERN.match(option_id)):
                message = "is required" if "id" not in item else f"must match {ID_PATTERN.pattern} (quote yes/no)"
                self.add(where, f"{item_name}.id", message)
                complete = False
            elif option_id in ids:
                self.add(where, f"{item_name}.id", f"duplicate option id '{option_id}'")
                complete = False
            else:
                ids.add(option_id)
            if "text" not in item:
                self.add(where, f"{item_name}.text", "is required")
                complete = False
                continue
            text = self.texts(item["text"], where, f"{item_name}.text", MAX_OPTION_TEXT_LENGTH)
            if text is None:
                complete = False
            else:
                options.append(Option(option_id, text))
        return tuple(options) if complete else None

    def rating_labels(self, value: Any, present: bool, where: str | None, prefix: str) -> dict | None:
        name = f"{prefix}labels"
        if not present or not isinstance(value, dict):
            self.add(where, name, f"needs {RATING_POINTS} labels per language (1 to {RATING_POINTS})")
            return None
        labels: dict[str, tuple[str, ...]] = {}
        self._languages(value, where, name)
        for language in LANGUAGES:
            items = value.get(language)
            if not isinstance(items, list) or len(items) != RATING_POINTS:
                self.add(where, f"{name}.{language}", f"must be a list of {RATING_POINTS} labels, 1 first")
                continue
            texts = [
                self.text(item, True, where, f"{name}.{language}[{i}]", MAX_OPTION_TEXT_LENGTH)
                for i, item in enumerate(items)
            ]
            if all(text is not None for text in texts):
                labels[language] = tuple(texts)
        return labels if len(labels) == len(LANGUAGES) else None

    def scale_labels(self, value: Any, present: bool, where: str | None, prefix: str) -> dict | None:
        name = f"{prefix}labels"
        if not present or not isinstance(value, dict):
            self.add(where, name, "needs a low and a high label per language")
            return None
        labels: dict[str, tuple[str, ...]] = {}
        self._languages(value, where, name)
        for language in LANGUAGES:
            ends = value.get(language)
            if not isinstance(ends, dict):
                self.add(where, f"{name}.{language}", "must be a mapping with low and high")
                continue
            self._unknown_keys(ends, _SCALE_LABEL_KEYS, where, f"{name}.{language}.")
            texts = [
                self.text(ends.get(end), end in ends, where, f"{name}.{language}.{end}", MAX_OPTION_TEXT_LENGTH)
                for end in _SCALE_LABEL_KEYS
            ]
            if all(text is not None for text in texts):
                labels[language] = tuple(texts)
        return labels if len(labels) == len(LANGUAGES) else None

    def _languages(self, value: dict, where: str | None, name: str) -> None:
        for language in value:
            if language not in LANGUAGES:
                self.add(where, f"{name}.{language}", f"unknown language (use {_names(LANGUAGES)})")
