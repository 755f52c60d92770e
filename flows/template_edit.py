"""Editing a template question by question, as HR does in Slack's question editor.

The editor works on the template's YAML data (a mapping), not on the parsed `Template`: whatever the
editor has no field for (`max_length`, a help text's wording, keys added later) stays as it was.
Every change is checked twice: first field by field, with a problem per field in words HR reads
next to that field; then the whole template the change would give goes through `parse_template`,
the same check a YAML import gets, so the editor can never produce what an import would refuse.

Problems carry catalog keys (`tpled.error.*`); nothing here knows Slack or the database.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from flows.registration import Problem
from flows.template import (
    CHOICE_TYPES,
    CONSENT_CATEGORIES,
    ID_PATTERN,
    LANGUAGES,
    MAX_OPTION_TEXT_LENGTH,
    MAX_OPTIONS,
    MAX_TEXT_LENGTH,
    OTHER,
    RATING_POINTS,
    Category,
    QuestionType,
    Template,
    TemplateError,
    TemplateIssue,
    may_be_required,
    parse_template,
)

# The fields of the question form; also the block ids of its inputs.
ID, TYPE, CATEGORY, POSITION, FLAGS = "id", "type", "category", "position", "flags"
TEXT = {language: f"text_{language}" for language in LANGUAGES}
HELP = {language: f"help_{language}" for language in LANGUAGES}
OPTIONS = {language: f"options_{language}" for language in LANGUAGES}
LABELS = {language: f"labels_{language}" for language in LANGUAGES}
FIELD_ORDER = (ID, *TEXT.values(), *HELP.values(), TYPE, CATEGORY, *OPTIONS.values(), *LABELS.values(), FLAGS,
               POSITION)
# The flags the form offers as checkboxes.
REQUIRED, ALLOW_OTHER, ALLOW_COMMENT = "required", "allow_other", "allow_comment"
SCALE_ENDS = ("low", "high")
# The keys each type uses besides the common ones (flows.template reads the same).
_TYPE_KEYS: dict[QuestionType, frozenset[str]] = {
    QuestionType.RATING: frozenset({"labels", "allow_comment", "max_length"}),
    QuestionType.SCALE_0_10: frozenset({"labels"}),
    QuestionType.SINGLE_CHOICE: frozenset({"options", "choices_from"}),
    QuestionType.MULTIPLE_CHOICE: frozenset({"options", "allow_other", "max_length"}),
    QuestionType.YES_NO: frozenset(),
    QuestionType.SHORT_TEXT: frozenset({"max_length"}),
    QuestionType.LONG_TEXT: frozenset({"max_length"}),
}
_TYPE_SPECIFIC = frozenset().union(*_TYPE_KEYS.values())


@dataclass(frozen=True)
class QuestionInput:
    """What HR filled in on the question form, as typed. Options and labels: one per line."""

    id: str
    type: str
    category: str
    text: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()
    position: int | None = None  # 1-based; None: where it is (a new question: before the consent questions)


@dataclass(frozen=True)
class Edited:
    """The template data after a change, or why the change was refused: per form field, or as a whole."""

    data: dict | None = None
    errors: dict[str, Problem] = field(default_factory=dict)
    problem: Problem | None = None


# -- reading and writing ---------------------------------------------------------------------------


# libyaml when PyYAML has it: every click in the editor reads and writes the whole working copy.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(source: str) -> dict:
    """The template's data; anchors and aliases are resolved into plain copies."""
    data = yaml.load(source, Loader=_Loader)
    return copy.deepcopy(data) if isinstance(data, dict) else {}


def dump(data: dict) -> str:
    """YAML that `parse_template` reads back to the same template (yes/no ids come out quoted)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)


def parsed(data: dict) -> Template:
    return parse_template(dump(data), "editor")


def questions(data: dict) -> list[dict]:
    items = data.get("questions")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def index_of(data: dict, question_id: str) -> int | None:
    return next((i for i, item in enumerate(questions(data)) if item.get("id") == question_id), None)


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a multi-line field, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def option_lines(question: dict, language: str) -> str:
    options = question.get("options") if isinstance(question.get("options"), list) else []
    return "\n".join(str((o.get("text") or {}).get(language, "")) for o in options if isinstance(o, dict))


def label_lines(question: dict, language: str) -> str:
    labels = question.get("labels") if isinstance(question.get("labels"), dict) else {}
    value = labels.get(language)
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(str(value.get(end, "")) for end in SCALE_ENDS)
    return ""


def default_position(data: dict) -> int:
    """Where a new question goes: before the closing consent questions, else at the end."""
    items = questions(data)
    position = len(items)
    while position > 0 and items[position - 1].get("category") in CONSENT_CATEGORIES:
        position -= 1
    return position + 1


# -- the question form -----------------------------------------------------------------------------


def apply_question(data: dict, original_id: str | None, form: QuestionInput) -> Edited:
    """The template with this question added (original_id None) or changed, or the problems per field."""
    items = questions(data)
    original = None
    if original_id is not None:
        index = index_of(data, original_id)
        if index is None:
            return Edited(problem=Problem("tpled.error.question_gone"))
        original = items[index]
    errors: dict[str, Problem] = {}
    question_id = original_id if original is not None else form.id.strip()
    if original is None:
        if not question_id:
            errors[ID] = Problem("tpled.error.id_required")
        elif not ID_PATTERN.match(question_id):
            errors[ID] = Problem("tpled.error.id_pattern")
        elif index_of(data, question_id) is not None:
            errors[ID] = Problem("tpled.error.id_taken", {"id": question_id})

    kind = QuestionType(form.type) if form.type in QuestionType.__members__.values() else None
    if kind is None:
        errors[TYPE] = Problem("tpled.error.type")
    category = Category(form.category) if form.category in Category.__members__.values() else None
    was = original.get("category") if original is not None else None
    if category is None or (category in CONSENT_CATEGORIES and category != was):
        errors[CATEGORY] = Problem("tpled.error.category")
    elif was in CONSENT_CATEGORIES and category != was:
        errors[CATEGORY] = Problem("tpled.error.consent_category")
    if category in CONSENT_CATEGORIES and kind is not None and kind is not QuestionType.YES_NO:
        errors[TYPE] = Problem("tpled.error.consent_yes_no")

    texts = _texts(form.text, TEXT, errors, required=True)
    helps = _texts(form.help, HELP, errors, required=False)
    if REQUIRED in form.flags and kind is not None and category is not None and not may_be_required(kind, category):
        errors[FLAGS] = Problem("tpled.error.required")

    choices_from = original.get("choices_from") if original is not None else None
    keep_choices_from = kind is QuestionType.SINGLE_CHOICE and isinstance(choices_from, str)
    options = None
    if kind in CHOICE_TYPES and not keep_choices_from:
        old = original.get("options") if original is not None and isinstance(original.get("options"), list) else []
        options = _options(form.options, old, ALLOW_OTHER in form.flags and kind is QuestionType.MULTIPLE_CHOICE,
                           errors)
    labels = None
    if kind is QuestionType.RATING:
        labels = _labels(form.labels, RATING_POINTS, "tpled.error.rating_labels", errors)
    elif kind is QuestionType.SCALE_0_10:
        ends = _labels(form.labels, len(SCALE_ENDS), "tpled.error.scale_labels", errors)
        if ends is not None:
            labels = {language: dict(zip(SCALE_ENDS, ends[language], strict=True)) for language in LANGUAGES}

    count = len(items) + (1 if original is None else 0)
    position = form.position
    if position is not None and not 1 <= position <= count:
        errors[POSITION] = Problem("tpled.error.position", {"count": str(count)})
    if errors:
        return Edited(errors=errors)

    question = copy.deepcopy(original) if original is not None else {}
    question["id"] = question_id
    question["type"] = kind.value
    question["category"] = category.value
    if REQUIRED in form.flags:
        question["required"] = True
    else:
        question.pop("required", None)
    question["text"] = texts
    if helps:
        question["help"] = helps
    else:
        question.pop("help", None)
    for key in _TYPE_SPECIFIC - _TYPE_KEYS[kind]:
        question.pop(key, None)
    if kind in CHOICE_TYPES and not keep_choices_from:
        question.pop("choices_from", None)
        question["options"] = options
    if labels is not None:
        question["labels"] = labels
    uses = ((ALLOW_OTHER, kind is QuestionType.MULTIPLE_CHOICE), (ALLOW_COMMENT, kind is QuestionType.RATING))
    for flag, used in uses:
        if used and flag in form.flags:
            question[flag] = True
        else:
            question.pop(flag, None)
    question = _ordered(question)

    edited = copy.deepcopy(data)
    new_items = [item for item in questions(edited) if item.get("id") != original_id]
    if position is None:
        position = (index_of(data, original_id) + 1) if original is not None else default_position(data)
    new_items.insert(position - 1, question)
    edited["questions"] = new_items
    return _checked(edited, question_id)


def _texts(values: dict[str, str], fields: dict[str, str], errors: dict[str, Problem], *, required: bool) -> dict:
    texts = {language: (values.get(language) or "").strip() for language in LANGUAGES}
    if not required and not any(texts.values()):
        return {}
    for language in LANGUAGES:
        if not texts[language]:
            key = f"tpled.error.{'text' if required else 'help'}_{language}"
            errors[fields[language]] = Problem(key)
        elif len(texts[language]) > MAX_TEXT_LENGTH:
            errors[fields[language]] = Problem("tpled.error.too_long", {"limit": str(MAX_TEXT_LENGTH),
                                                                        "length": str(len(texts[language]))})
    return texts


def _options(raw: dict[str, str], old: list, allow_other: bool, errors: dict[str, Problem]) -> list[dict] | None:
    texts = {language: lines(raw.get(language)) for language in LANGUAGES}
    ok = True
    for language in LANGUAGES:
        found = texts[language]
        problem = None
        if len(found) < 2:
            problem = Problem("tpled.error.options_missing")
        elif len(found) > MAX_OPTIONS:
            problem = Problem("tpled.error.options_too_many", {"limit": str(MAX_OPTIONS)})
        elif too_long := [n for n, text in enumerate(found, start=1) if len(text) > MAX_OPTION_TEXT_LENGTH]:
            problem = Problem("tpled.error.option_too_long", {"line": str(too_long[0]),
                                                              "limit": str(MAX_OPTION_TEXT_LENGTH)})
        elif len(set(text.casefold() for text in found)) < len(found):
            problem = Problem("tpled.error.option_twice")
        if problem is not None:
            errors[OPTIONS[language]] = problem
            ok = False
    first, second = LANGUAGES
    if ok and len(texts[first]) != len(texts[second]):
        errors[OPTIONS[second]] = Problem("tpled.error.options_count", {"nl": str(len(texts["nl"])),
                                                                        "en": str(len(texts["en"]))})
        ok = False
    if not ok:
        return None
    pairs = list(zip(texts["nl"], texts["en"], strict=True))
    ids = option_ids(old, pairs, allow_other)
    return [{"id": option_id, "text": {"nl": nl, "en": en}} for option_id, (nl, en) in zip(ids, pairs, strict=True)]


def option_ids(old: list, pairs: list[tuple[str, str]], allow_other: bool) -> list[str]:
    """Ids for the options as typed. An option keeps its id when its Dutch or English text is
    unchanged, else the id of the option that stood in its place (a reworded option stays the same
    answer for reports); a new one gets an id made from its English text. With `allow_other` the
    last option is the one with room to type: it gets the id `other`."""
    before = [(o.get("id"), (o.get("text") or {})) for o in old
              if isinstance(o, dict) and isinstance(o.get("id"), str) and isinstance(o.get("text"), dict)]
    ids: list[str | None] = [None] * len(pairs)
    used: set[str] = set()
    reserved = {OTHER} if allow_other else set()
    for i, (nl, en) in enumerate(pairs):
        for option_id, text in before:
            if option_id not in used and option_id not in reserved and (text.get("nl") == nl or text.get("en") == en):
                ids[i] = option_id
                used.add(option_id)
                break
    for i in range(len(pairs)):
        if ids[i] is None and i < len(before):
            option_id = before[i][0]
            if option_id not in used and option_id not in reserved:
                ids[i] = option_id
                used.add(option_id)
    if allow_other:
        if ids[-1] is not None:
            used.discard(ids[-1])
        ids[-1] = OTHER
        used.add(OTHER)
    for i, (nl, en) in enumerate(pairs):
        if ids[i] is None:
            ids[i] = _unique(slug(en) or slug(nl) or "option", used)
            used.add(ids[i])
    return [option_id for option_id in ids if option_id is not None]


def slug(text: str) -> str:
    """An id from a text: `Working from home` → `working_from_home` (ASCII, at most 40 characters)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    made = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:36].strip("_")
    if made and not made[0].isalpha():
        made = f"o_{made}"
    return made if len(made) >= 2 else ""


def _unique(base: str, used: set[str]) -> str:
    candidate, number = base, 2
    while candidate in used or not ID_PATTERN.match(candidate):
        candidate = f"{base[:36]}_{number}"
        number += 1
    return candidate


def _labels(raw: dict[str, str], count: int, key: str, errors: dict[str, Problem]) -> dict | None:
    result = {}
    for language in LANGUAGES:
        found = lines(raw.get(language))
        if len(found) != count:
            errors[LABELS[language]] = Problem(key)
        elif too_long := [n for n, text in enumerate(found, start=1) if len(text) > MAX_OPTION_TEXT_LENGTH]:
            errors[LABELS[language]] = Problem("tpled.error.option_too_long", {"line": str(too_long[0]),
                                                                               "limit": str(MAX_OPTION_TEXT_LENGTH)})
        else:
            result[language] = found
    return result if len(result) == len(LANGUAGES) else None


_KEY_ORDER = ("id", "type", "category", "required", "text", "help", "choices_from", "labels", "allow_comment",
              "allow_other", "max_length", "options")


def _ordered(question: dict) -> dict:
    """The keys in the order the standard template writes them, so an export reads the same way."""
    known = {key: question[key] for key in _KEY_ORDER if key in question}
    return {**known, **{key: value for key, value in question.items() if key not in known}}


# -- the question list -----------------------------------------------------------------------------


def move(data: dict, question_id: str, to_position: int) -> Edited:
    """The question at another place (1-based); refused when that breaks the template."""
    index = index_of(data, question_id)
    if index is None:
        return Edited(problem=Problem("tpled.error.question_gone"))
    items = copy.deepcopy(questions(data))
    to_position = max(1, min(len(items), to_position))
    item = items.pop(index)
    items.insert(to_position - 1, item)
    edited = {**copy.deepcopy(data), "questions": items}
    checked = _checked(edited, question_id)
    if checked.data is None:
        return Edited(problem=Problem("tpled.error.move_order"))
    return checked


def remove(data: dict, question_id: str) -> Edited:
    index = index_of(data, question_id)
    if index is None:
        return Edited(problem=Problem("tpled.error.question_gone"))
    items = copy.deepcopy(questions(data))
    removed = items.pop(index)
    if removed.get("category") == Category.CONSENT:
        return Edited(problem=Problem("tpled.error.remove_consent"))
    if not items:
        return Edited(problem=Problem("tpled.error.remove_last"))
    if any(item.get("choices_from") == question_id for item in items):
        return Edited(problem=Problem("tpled.error.remove_source"))
    edited = {**copy.deepcopy(data), "questions": items}
    checked = _checked(edited, None)
    if checked.data is None:
        return Edited(problem=checked.problem or Problem("tpled.error.invalid"))
    return checked


def rename(data: dict, names: dict[str, str], intros: dict[str, str]) -> Edited:
    """The template's name and intro as typed on the editor itself."""
    errors: dict[str, Problem] = {}
    for language in LANGUAGES:
        for texts, place in ((names, f"name_{language}"), (intros, f"intro_{language}")):
            if not (texts.get(language) or "").strip():
                errors[place] = Problem(f"tpled.error.{place}")
    if errors:
        return Edited(errors=errors)
    edited = copy.deepcopy(data)
    edited["name"] = {language: names[language].strip() for language in LANGUAGES}
    edited["intro"] = {language: intros[language].strip() for language in LANGUAGES}
    return _checked(edited, None, name_fields=True)


# -- the whole template ----------------------------------------------------------------------------


def _checked(data: dict, question_id: str | None, *, name_fields: bool = False) -> Edited:
    """The same check an import gets; its issues placed at the form's fields where they belong."""
    try:
        parsed(data)
    except TemplateError as error:
        errors: dict[str, Problem] = {}
        for issue in error.issues:
            place, problem = _place(issue, question_id, name_fields)
            errors.setdefault(place, problem)
        return Edited(errors=errors, problem=next(iter(errors.values())))
    return Edited(data=data)


def _place(issue: TemplateIssue, question_id: str | None, name_fields: bool) -> tuple[str, Problem]:
    name = issue.field or ""
    if name_fields and name.split(".")[0] in ("name", "intro") and "." in name:
        top, language = name.split(".")[:2]
        return f"{top}_{language}", Problem("tpled.error.too_long_or_empty")
    if issue.question_id is not None and issue.question_id == question_id:
        head = name.split(".")[0].split("[")[0]
        language = next((part for part in name.split(".")[1:] if part in LANGUAGES), LANGUAGES[0])
        if head == "text":
            return TEXT[language], Problem("tpled.error.too_long_or_empty")
        if head == "help":
            return HELP[language], Problem("tpled.error.too_long_or_empty")
        if head == "options":
            return OPTIONS[language], Problem("tpled.error.options_invalid")
        if head == "labels":
            return LABELS[language], Problem("tpled.error.labels_invalid")
        if head == "choices_from":
            return POSITION, Problem("tpled.error.choices_from_order")
        if head in (TYPE, CATEGORY, ID):
            return head, Problem("tpled.error.invalid", {"detail": issue.message})
        if head == "required":
            return FLAGS, Problem("tpled.error.required")
    if issue.question_id is not None and name == "choices_from":
        return POSITION, Problem("tpled.error.source_order")
    return POSITION if question_id is not None else "name_nl", Problem("tpled.error.invalid",
                                                                       {"detail": str(issue)})


def next_version(installed: list[int], key: str, default: Template) -> int:
    """The version a saved edit gets: one above every version of this template known so far."""
    return max([*installed, default.version if default.id == key else 0]) + 1


def with_version(data: dict, version: int) -> dict:
    return {**copy.deepcopy(data), "version": version}


def same_questions(first: dict, second: dict) -> bool:
    """Nothing to save: the same template apart from its version."""
    strip = lambda data: {k: v for k, v in data.items() if k != "version"}  # noqa: E731
    return strip(first) == strip(second)


def question_summary(question: dict, language: str) -> tuple[str, str, bool]:
    """(text, type, required) of a question in the list, in the reader's language."""
    text = question.get("text") if isinstance(question.get("text"), dict) else {}
    return (str(text.get(language) or text.get("en") or question.get("id") or "?"), str(question.get("type")),
            question.get("required") is True)


def value(data: Any, *path: str) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


# -- what the form shows ---------------------------------------------------------------------------


def form_of(question: dict, position: int) -> QuestionInput:
    """The form filled in with a question as it stands."""
    flags = {flag for flag in (REQUIRED, ALLOW_OTHER, ALLOW_COMMENT) if question.get(flag) is True}
    return QuestionInput(
        id=str(question.get("id") or ""), type=str(question.get("type") or ""),
        category=str(question.get("category") or ""),
        text={language: str(value(question, "text", language) or "") for language in LANGUAGES},
        help={language: str(value(question, "help", language) or "") for language in LANGUAGES},
        options={language: option_lines(question, language) for language in LANGUAGES},
        labels={language: label_lines(question, language) for language in LANGUAGES},
        flags=frozenset(flags), position=position,
    )


def new_form(data: dict) -> QuestionInput:
    """An empty form for a new question: an open question, about something other, before the consent."""
    return QuestionInput(id="", type=QuestionType.LONG_TEXT.value, category=Category.OTHER.value,
                         text={}, position=default_position(data))


def with_type(data: dict, form: QuestionInput, fallback: dict | None = None) -> QuestionInput:
    """The form after HR chose another type: what was typed stays; a rating or 0-10 scale whose
    labels do not fit it gets the labels another question of that type uses (from `fallback`, the
    standard template, when this template has none), so only the wording is left to do."""
    kind = form.type
    labels = form.labels
    wanted = {QuestionType.RATING.value: RATING_POINTS, QuestionType.SCALE_0_10.value: len(SCALE_ENDS)}.get(kind)
    if wanted is not None and any(len(lines(labels.get(language))) != wanted for language in LANGUAGES):
        source = next((q for q in questions(data) if q.get("type") == kind), None)
        if source is None and fallback is not None:
            source = next((q for q in questions(fallback) if q.get("type") == kind), None)
        labels = {language: label_lines(source, language) if source else "" for language in LANGUAGES}
    return QuestionInput(id=form.id, type=kind, category=form.category, text=form.text, help=form.help,
                         options=form.options, labels=labels, flags=form.flags, position=form.position)
