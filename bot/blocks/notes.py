"""Talks in person: the interviewer's checklist DM and the form for the notes of the talk.

The form is the interview template with every question optional. Block ids name the question and
the part (`q:<id>` the answer, `c:<id>` a rating's comment, `o:<id>` the "other" text of a multiple
choice); every input's action id is `value`. `read_values` reads a submission with the same
layout, so what is shown and what is read never drift apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.text import SECTION_TEXT, dicts, escape, mention
from bot.blocks.text import fit as fit_mrkdwn
from bot.i18n import Translator
from flows.questionnaire import DEFAULT_COMMENT_LENGTH, DEFAULT_MAX_LENGTH, DEFAULT_OTHER_LENGTH, Answer, is_skipped
from flows.registration import Problem
from flows.talks import COMMENT, OTHER_TEXT, VALUE
from flows.template import MAX_OPTIONS, RATING_POINTS, Question, QuestionType, Template

NOTES_CALLBACK = "talk_notes"
# The checklist's button; the same string is the catalog key of its label.
RECORD_NOTES_ACTION = "talk.record_notes"
FIELD = "value"  # the action id of every input in the form
STATUS_BLOCK = "status"
DRAFT, FINISHED = "draft", "finished"
NO_ANSWER = "-"  # the "no answer" option; never an option id (those start with a letter)

# Slack's limits.
MAX_BLOCKS = 100
MAX_TITLE = 24
MAX_LABEL = 2000
MAX_OPTION_TEXT = 75
MAX_PLACEHOLDER = 150
MAX_INPUT = 3000
# Blocks around the questions: intro, draft note, "does not fit" note, status.
_RESERVED_BLOCKS = 4
_PREFIX = {VALUE: "q", COMMENT: "c", OTHER_TEXT: "o"}
_SELECTS = frozenset({QuestionType.RATING, QuestionType.SCALE_0_10, QuestionType.SINGLE_CHOICE, QuestionType.YES_NO})


def fit(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis where something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def block_id(question_id: str, part: str = VALUE) -> str:
    return f"{_PREFIX[part]}:{question_id}"


def _texts(texts: Mapping[str, str] | None, language: str) -> str:
    texts = texts or {}
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


# -- the checklist DM ------------------------------------------------------------------------------


def checklist_message(_: Translator, *, departure_id: int, employee_id: str, last_day: date) -> tuple[str, list[dict]]:
    """Good practice for the talk, and the button to record the notes afterwards."""
    employee = mention(employee_id)
    blocks = [
        HeaderBlock(text=_("talk.checklist.header")),
        SectionBlock(text=MarkdownTextObject(text=_("talk.checklist.intro", employee=employee,
                                                    last_day=_.date(last_day)))),
        SectionBlock(text=MarkdownTextObject(text=_("talk.checklist.items"))),
        ContextBlock(elements=[MarkdownTextObject(text=_("talk.checklist.footer"))]),
        ActionsBlock(block_id=f"talk-notes-{departure_id}", elements=[
            ButtonElement(text=_("talk.record_notes"), action_id=RECORD_NOTES_ACTION, value=str(departure_id),
                          style="primary"),
        ]),
    ]
    return _("talk.checklist.fallback", employee=employee), dicts(blocks)


# -- the form -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The form's fields in order, as (question, part); `left_out` questions did not fit."""

    fields: tuple[tuple[Question, str], ...]
    left_out: int


def layout(template: Template, max_fields: int = MAX_BLOCKS - _RESERVED_BLOCKS) -> Layout:
    """One field per question, plus a comment or "other" field where the question has one. When a
    template holds more than a modal can, the extra fields go first, then the last questions."""
    questions = list(template.questions)
    left_out = max(0, len(questions) - max_fields)
    questions = questions[: len(questions) - left_out]
    room = max_fields - len(questions)
    fields: list[tuple[Question, str]] = []
    for question in questions:
        fields.append((question, VALUE))
        extra = _extra_part(question)
        if extra is not None and room > 0:
            fields.append((question, extra))
            room -= 1
    return Layout(tuple(fields), left_out)


def _extra_part(question: Question) -> str | None:
    if question.type is QuestionType.RATING and question.allow_comment:
        return COMMENT
    if question.type is QuestionType.MULTIPLE_CHOICE and question.allow_other:
        return OTHER_TEXT
    return None


def notes_modal(
    _: Translator,
    *,
    template: Template,
    departure_id: int,
    employee_id: str,
    last_day: date,
    answers: Mapping[str, Answer] | None = None,
    draft_by: str | None = None,
) -> dict:
    """The template as a form in the recorder's language, prefilled with a saved draft's answers."""
    answers = answers or {}
    form = layout(template)
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_(
        "notes.modal.intro", employee=mention(employee_id), last_day=_.date(last_day))))]
    if draft_by:
        draft = _("notes.modal.draft", recorder=mention(draft_by))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=draft)]))
    for question, part in form.fields:
        answer = answers.get(question.id)
        if answer is not None and is_skipped(answer):
            answer = None
        blocks.append(_input(_, template, question, part, answer))
    if form.left_out:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("notes.modal.left_out", count=form.left_out))]))
    statuses = [Option(value=DRAFT, text=_("notes.status.draft")),
                Option(value=FINISHED, text=_("notes.status.finished"))]
    blocks.append(InputBlock(
        block_id=STATUS_BLOCK, label=_("notes.status"), hint=_("notes.status.hint"),
        element=RadioButtonsElement(action_id=FIELD, options=statuses, initial_option=statuses[0]),
    ))
    return View(
        type="modal",
        callback_id=NOTES_CALLBACK,
        private_metadata=str(departure_id),
        title=fit(_("notes.modal.title"), MAX_TITLE),
        submit=fit(_("notes.modal.submit"), MAX_TITLE),
        close=fit(_("notes.modal.close"), MAX_TITLE),
        blocks=blocks,
    ).to_dict()


def _input(_: Translator, template: Template, question: Question, part: str, answer: Answer | None) -> InputBlock:
    language = _.language
    if part == COMMENT:
        return _text_input(block_id(question.id, part), _("notes.comment"), None,
                           question.max_length or DEFAULT_COMMENT_LENGTH, (answer or {}).get("comment"), multiline=True)
    if part == OTHER_TEXT:
        return _text_input(block_id(question.id, part), _("notes.other"), None,
                           question.max_length or DEFAULT_OTHER_LENGTH, (answer or {}).get("other"), multiline=False)
    label = _texts(question.text, language)
    hint = _texts(question.help, language)
    if question.choices_from is not None:
        hint = (hint + "\n" if hint else "") + _("notes.choices_from")
    kind = question.type
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return _text_input(block_id(question.id), label, hint, question.max_length or DEFAULT_MAX_LENGTH[kind],
                           (answer or {}).get("value"), multiline=kind is QuestionType.LONG_TEXT)
    current = (answer or {}).get("value")
    if kind is QuestionType.MULTIPLE_CHOICE:
        options = [Option(value=o.id, text=fit(_texts(o.text, language), MAX_OPTION_TEXT)) for o in question.options]
        picked = set((answer or {}).get("values") or [])
        initial = [o for o in options if o.value in picked]
        element = StaticMultiSelectElement(
            action_id=FIELD, placeholder=fit(_("notes.placeholder.many"), MAX_PLACEHOLDER), options=options,
            **({"initial_options": initial} if initial else {}))
        return _optional_input(question.id, label, hint, element)
    options = _choices(_, template, question)
    if kind is QuestionType.YES_NO:
        current = {True: "yes", False: "no"}.get(current)
    initial = next((o for o in options if current is not None and o.value == str(current)), None)
    if kind is QuestionType.YES_NO:
        element = RadioButtonsElement(action_id=FIELD, options=options,
                                      **({"initial_option": initial} if initial else {}))
    else:
        element = StaticSelectElement(action_id=FIELD, placeholder=fit(_("notes.placeholder.one"), MAX_PLACEHOLDER),
                                      options=options, **({"initial_option": initial} if initial else {}))
    return _optional_input(question.id, label, hint, element)


def _choices(_: Translator, template: Template, question: Question) -> list[Option]:
    """The options of a one-answer question; a last "no answer" option clears a choice made by mistake
    (Slack cannot empty a select or radio buttons otherwise)."""
    language = _.language
    kind = question.type
    if kind is QuestionType.RATING:
        labels = question.labels.get(language) or question.labels.get("en") or ()
        pairs = [(str(n), f"{n} · {labels[n - 1]}" if len(labels) >= n else str(n))
                 for n in range(1, RATING_POINTS + 1)]
    elif kind is QuestionType.SCALE_0_10:
        low, high = (*(question.labels.get(language) or question.labels.get("en") or ()), "", "")[:2]
        pairs = [(str(n), f"{n} · {low}" if n == 0 and low else f"{n} · {high}" if n == 10 and high else str(n))
                 for n in range(11)]
    elif kind is QuestionType.YES_NO:
        pairs = [("yes", _("notes.yes")), ("no", _("notes.no"))]
    else:
        source = template.question(question.choices_from) if question.choices_from else question
        pairs = [(o.id, _texts(o.text, language)) for o in (source.options if source else ())]
    options = [Option(value=value, text=fit(text, MAX_OPTION_TEXT)) for value, text in pairs]
    if len(options) < MAX_OPTIONS:
        options.append(Option(value=NO_ANSWER, text=fit(_("notes.no_answer"), MAX_OPTION_TEXT)))
    return options


def _optional_input(question_id: str, label: str, hint: str, element) -> InputBlock:
    return InputBlock(block_id=block_id(question_id), label=fit(label, MAX_LABEL), optional=True,
                      element=element, **({"hint": fit(hint, MAX_LABEL)} if hint else {}))


def _text_input(block: str, label: str, hint: str | None, limit: int, initial: Any, *, multiline: bool) -> InputBlock:
    limit = max(1, min(limit, MAX_INPUT))
    prefill = {"initial_value": initial[:limit]} if isinstance(initial, str) and initial else {}
    element = PlainTextInputElement(action_id=FIELD, multiline=multiline, max_length=limit, **prefill)
    return InputBlock(block_id=block, label=fit(label, MAX_LABEL), optional=True, element=element,
                      **({"hint": fit(hint, MAX_LABEL)} if hint else {}))


# -- reading a submission ---------------------------------------------------------------------------


def read_values(template: Template, values: Any) -> dict[str, dict[str, Any]]:
    """The submitted form as raw parts per question (see flows.talks.validate_notes). Anything of
    an unexpected shape reads as nothing entered, or reaches validation as it is."""
    raws: dict[str, dict[str, Any]] = {}
    for question, part in layout(template).fields:
        state = _field(values, block_id(question.id, part))
        if part != VALUE or question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            raw = state.get("value")
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            picked = state.get("selected_options")
            raw = [o.get("value") for o in picked if isinstance(o, dict)] if isinstance(picked, list) else None
        else:
            selected = state.get("selected_option")
            raw = selected.get("value") if isinstance(selected, dict) else None
            if raw == NO_ANSWER:
                raw = None
        raws.setdefault(question.id, {})[part] = raw
    return raws


def read_status(values: Any) -> str | None:
    selected = _field(values, STATUS_BLOCK).get("selected_option")
    status = selected.get("value") if isinstance(selected, dict) else None
    return status if status in (DRAFT, FINISHED) else None


def _field(values: Any, block: str) -> dict:
    if not isinstance(values, dict):
        return {}
    fields = values.get(block)
    state = fields.get(FIELD) if isinstance(fields, dict) else None
    return state if isinstance(state, dict) else {}


# -- replies ---------------------------------------------------------------------------------------------


def problem_text(_: Translator, problem: Problem) -> str:
    """A problem in the reader's language; parameters escaped, ISO dates written the reader's way."""
    params = {}
    for key, value in problem.params.items():
        if key == "date":
            with contextlib.suppress(ValueError):
                value = _.date(date.fromisoformat(value))
        params[key] = (mention(value) if key == "user" else value if isinstance(value, int)
                       else escape(str(value)))
    return _(problem.key, **params)


def problem_message(_: Translator, problem: Problem) -> tuple[str, list[dict]]:
    text = problem_text(_, problem)
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=fit_mrkdwn(text, SECTION_TEXT)))])


def saved_view(_: Translator, *, finished: bool) -> dict:
    """What the form turns into once saved."""
    text = _("notes.saved.finished" if finished else "notes.saved.draft")
    return View(
        type="modal",
        callback_id=NOTES_CALLBACK,
        title=fit(_("notes.modal.title"), MAX_TITLE),
        close=fit(_("notes.saved.close"), MAX_TITLE),
        blocks=[SectionBlock(text=MarkdownTextObject(text=text))],
    ).to_dict()
