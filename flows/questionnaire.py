"""One leaver working through the questionnaire in the DM: answer, skip, go back, review, submit.

The state is plain data (answers keyed by question id, a position and a phase) so the storage layer
can keep it as JSON between clicks; every step returns a new `State` or a `Problem` to show.
Slack keeps old messages clickable, so every step names the question it came from and a click
on anything but what is being asked now is refused as stale instead of silently changing an answer.

Answers are JSON values:

    rating           {"value": 1..5, "comment": str | None}
    scale_0_10       {"value": 0..10}   (with `allow_comment` and one given: {"value": 0..10, "comment": str})
    single_choice    {"value": option_id}
    multiple_choice  {"values": [option_id, ...], "other": str | None}   (ids in the template's order)
    yes_no           {"value": true | false}
    short/long_text  {"value": str}
    skipped          {"skipped": true}

Questions are asked by step (`Template.steps`): the questions of one step in one message or
form, answered in any order; the step is done once each question that applies has an answer (a
skip counts), and then the next one is asked. `position` is the first question of the step asked.
The progress counts steps, whose number never changes while answering.

A question with `choices_from` ("which reason weighed most?") only applies when the leaver picked
two or more options in the question it refers to: with none there is nothing to ask, with exactly
one the answer is obvious. It is then not asked and not counted in the progress; `final_answers`
fills in the single pick, so reports always know the main reason when a reason was given.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from flows.registration import Problem
from flows.template import MAX_ANSWER_LENGTH, OTHER, RATING_POINTS, Option, Question, QuestionType, Template

Answer = dict[str, Any]

STATE_FORMAT = 1
DEFAULT_MAX_LENGTH = {QuestionType.SHORT_TEXT: 300, QuestionType.LONG_TEXT: MAX_ANSWER_LENGTH}
DEFAULT_COMMENT_LENGTH = MAX_ANSWER_LENGTH
DEFAULT_OTHER_LENGTH = 300
SCALE_RANGE = {QuestionType.RATING: (1, RATING_POINTS), QuestionType.SCALE_0_10: (0, 10)}
_YES = frozenset({"yes", "true", "ja", "1"})
_NO = frozenset({"no", "false", "nee", "0"})


def skipped() -> Answer:
    return {"skipped": True}


def is_skipped(answer: Answer | None) -> bool:
    return bool(answer) and answer.get("skipped") is True


def clean_text(text: str) -> str:
    """Line breaks made uniform, control characters (other than newline and tab) removed, stripped.

    Only category Cc goes: format characters such as the zero-width joiner hold emoji together.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def validate_answer(question: Question, raw: Any, *, option_ids: Sequence[str] | None = None) -> Answer | Problem:
    """Turn what the Slack layer received into an answer, or say what is wrong with it.

    `raw` is either the answer's JSON shape (see the module docstring) or its bare value: a
    number (also as text, as button values are), an option id, a list of option ids, a bool or
    "yes"/"no", a text. Nothing at all (None, "", []) skips an optional question and is
    `answer.required` for a required one. `option_ids` are the choices actually offered; by default
    the question's own options (a `choices_from` question needs them passed).
    """
    if _nothing(raw):
        return Problem("answer.required", {"question": question.id}) if question.required else skipped()
    if question.type in SCALE_RANGE:
        return _scale_answer(question, raw)
    if question.type is QuestionType.SINGLE_CHOICE:
        value = _unwrap(raw, "value")
        if not isinstance(value, str):
            return Problem("answer.invalid")
        offered = [option.id for option in question.options] if option_ids is None else list(option_ids)
        if value not in offered:
            return Problem("answer.unknown_option", {"option": value[:75]})
        return {"value": value}
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return _multiple_answer(question, raw)
    if question.type is QuestionType.YES_NO:
        value = _unwrap(raw, "value")
        if isinstance(value, str) and value.strip().lower() in _YES | _NO:
            value = value.strip().lower() in _YES
        if not isinstance(value, bool):
            return Problem("answer.invalid")
        return {"value": value}
    # short_text, long_text
    value = _unwrap(raw, "value")
    if not isinstance(value, str):
        return Problem("answer.invalid")
    text = _text(value, question.max_length or DEFAULT_MAX_LENGTH[question.type])
    if isinstance(text, Problem):
        return text
    return {"value": text} if text else Problem("answer.empty")


def _nothing(raw: Any) -> bool:
    if isinstance(raw, Mapping):
        return all(_nothing(value) for value in raw.values())
    return raw is None or raw == "" or (isinstance(raw, list | tuple) and not raw)


_INVALID = object()


def _unwrap(raw: Any, key: str) -> Any:
    """The bare value of `raw`, or `_INVALID` when it is a mapping with other keys than `key`."""
    if isinstance(raw, Mapping):
        return raw.get(key) if set(raw) == {key} else _INVALID
    return raw


def _text(value: Any, limit: int) -> str | Problem | None:
    """A cleaned text, None for no text, or the problem with it."""
    if value is None:
        return None
    if not isinstance(value, str):
        return Problem("answer.invalid")
    text = clean_text(value)
    if len(text) > limit:
        return Problem("answer.too_long", {"limit": str(limit), "length": str(len(text))})
    return text or None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _scale_answer(question: Question, raw: Any) -> Answer | Problem:
    comment: str | None = None
    if isinstance(raw, Mapping):
        allowed = {"value", "comment"} if question.type is QuestionType.RATING or question.allow_comment else {"value"}
        if not set(raw) <= allowed:
            return Problem("answer.invalid")
        checked = _text(raw.get("comment"), question.max_length or DEFAULT_COMMENT_LENGTH)
        if isinstance(checked, Problem):
            return checked
        if checked is not None and not question.allow_comment:
            return Problem("answer.invalid")
        comment = checked
        if raw.get("value") is None:
            # A comment without a rating: say so rather than drop what they wrote.
            return Problem("answer.value_missing")
        raw = raw["value"]
    value = _as_int(raw)
    if value is None:
        return Problem("answer.invalid")
    low, high = SCALE_RANGE[question.type]
    if not low <= value <= high:
        return Problem("answer.out_of_range", {"min": str(low), "max": str(high)})
    if question.type is QuestionType.RATING:
        return {"value": value, "comment": comment}
    return {"value": value, "comment": comment} if comment else {"value": value}


def _multiple_answer(question: Question, raw: Any) -> Answer | Problem:
    other: str | None = None
    if isinstance(raw, Mapping):
        allowed = {"values", "other"} if question.allow_other else {"values"}
        if not set(raw) <= allowed:
            return Problem("answer.invalid")
        checked = _text(raw.get("other"), question.max_length or DEFAULT_OTHER_LENGTH)
        if isinstance(checked, Problem):
            return checked
        other = checked
        raw = raw.get("values") or []
    if isinstance(raw, str) or not isinstance(raw, Sequence) or not all(isinstance(v, str) for v in raw):
        return Problem("answer.invalid")
    offered = [option.id for option in question.options]
    for value in raw:
        if value not in offered:
            return Problem("answer.unknown_option", {"option": value[:75]})
    picked = set(raw)
    if other is not None:
        picked.add(OTHER)  # they wrote something in "other": that is choosing it
    if question.allow_other and OTHER in picked and other is None:
        return Problem("answer.other_missing")
    if not picked:
        return Problem("answer.required", {"question": question.id}) if question.required else skipped()
    return {"values": [value for value in offered if value in picked], "other": other}


class Phase(StrEnum):
    INTRO = "intro"  # invited to start, nothing asked yet
    ASKING = "asking"  # one step at a time; `position` is the step's first question that applies
    SUMMARY = "summary"  # all answers shown, each with an Edit button, and Submit
    SUBMITTED = "submitted"  # final: nothing changes any more


@dataclass(frozen=True)
class State:
    """Where one leaver is. `position` indexes the template's questions: 0 in the intro, the asked
    question while asking, len(questions) in the summary and after submitting.

    `editing` is set while a question opened from the summary (Edit) is asked: answering it
    returns to the summary instead of walking on through the following questions.
    """

    template_id: str
    template_version: int
    answers: dict[str, Answer] = field(default_factory=dict)
    position: int = 0
    phase: Phase = Phase.INTRO
    editing: bool = False
    # The text question the leaver's last typed message went to, in the step asked: a next message
    # is added to it (people send one thought in two messages). Any other step clears it.
    typed: str | None = None


@dataclass(frozen=True)
class Progress:
    index: int  # 1-based step; 0 in the intro
    total: int  # the steps of the template: never changes while answering


def to_json(state: State) -> dict[str, Any]:
    """The state as JSON-able data (a dict: `json.dumps` it, or store it in a JSON column)."""
    return {
        "format": STATE_FORMAT,
        "template": {"id": state.template_id, "version": state.template_version},
        "phase": str(state.phase),
        "position": state.position,
        "editing": state.editing,
        "answers": json.loads(json.dumps(state.answers)),
        **({"typed": state.typed} if state.typed else {}),
    }


def from_json(data: Mapping[str, Any] | str) -> State:
    """A state from `to_json` (also as a JSON string); ValueError when the data is not one."""
    if isinstance(data, str):
        data = json.loads(data)
    try:
        if data["format"] != STATE_FORMAT:
            raise ValueError(f"unknown questionnaire state format {data['format']!r}")
        template, answers, position = data["template"], data["answers"], data["position"]
        if not isinstance(answers, dict) or not all(isinstance(a, dict) for a in answers.values()):
            raise ValueError("answers must be a mapping of question id to answer")
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValueError(f"bad position {position!r}")
        if not isinstance(data["editing"], bool):
            raise ValueError("editing must be true or false")
        return State(
            template_id=str(template["id"]),
            template_version=int(template["version"]),
            answers={str(key): dict(value) for key, value in answers.items()},
            position=position,
            phase=Phase(data["phase"]),
            editing=data["editing"],
            typed=str(data["typed"]) if data.get("typed") else None,
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a questionnaire state: {error!r}") from error


class Questionnaire:
    """The rules of one template; every method takes a state and returns a new one (or a Problem).

    A state that belongs to another template or version is a programming error (ValueError): a
    stored interview must be continued with the template it was started with.
    """

    def __init__(self, template: Template):
        self.template = template
        self._index = {question.id: i for i, question in enumerate(template.questions)}
        self._steps = template.steps
        self._step_of = {question.id: n for n, step in enumerate(self._steps) for question in step}

    def new_state(self) -> State:
        return State(self.template.id, self.template.version)

    # --- reading ----------------------------------------------------------------------------------

    def applies(self, state: State, question: Question) -> bool:
        return self._applies(state.answers, question)

    def applicable(self, state: State) -> list[Question]:
        return [question for question in self.template.questions if self._applies(state.answers, question)]

    def options_for(self, state: State, question: Question) -> tuple[Option, ...]:
        """The options to show: for a `choices_from` question, the ones picked in the other question."""
        if question.choices_from is None:
            return question.options
        source = self.template.question(question.choices_from)
        return tuple(source.option(option_id) for option_id in self._picks(state.answers, question.choices_from))

    def current(self, state: State) -> Question | None:
        self._check(state)
        return self.template.questions[state.position] if state.phase is Phase.ASKING else None

    def current_step(self, state: State) -> tuple[Question, ...]:
        """The questions asked now, that apply (empty when not asking)."""
        question = self.current(state)
        if question is None:
            return ()
        return tuple(q for q in self._steps[self._step_of[question.id]] if self._applies(state.answers, q))

    def step_of(self, state: State, question_id: str) -> tuple[Question, ...]:
        """The questions that apply in the step this question belongs to."""
        return tuple(q for q in self._steps[self._step_of[question_id]] if self._applies(state.answers, q))

    def progress(self, state: State) -> Progress:
        self._check(state)
        total = len(self._steps)
        if state.phase is Phase.INTRO:
            return Progress(0, total)
        if state.phase is Phase.ASKING:
            return Progress(self._step_of[self.template.questions[state.position].id] + 1, total)
        return Progress(total, total)

    def summary(self, state: State) -> list[tuple[Question, Answer | None]]:
        """The questions that apply, in order, with their answer (None: not answered yet)."""
        self._check(state)
        return [(question, state.answers.get(question.id)) for question in self.applicable(state)]

    def missing_required(self, state: State) -> list[Question]:
        return [
            question
            for question, answer in self.summary(state)
            if question.required and (answer is None or is_skipped(answer))
        ]

    def final_answers(self, state: State) -> dict[str, Answer]:
        """What the interview says, in template order: the answers (and skips) given, plus the
        `choices_from` answers that follow from a single pick."""
        self._check(state)
        result: dict[str, Answer] = {}
        for question in self.template.questions:
            if question.id in state.answers:
                result[question.id] = state.answers[question.id]
            elif question.choices_from is not None:
                picks = self._picks(state.answers, question.choices_from)
                if len(picks) == 1:
                    result[question.id] = {"value": picks[0]}
        return result

    # --- steps ------------------------------------------------------------------------------------

    def start(self, state: State) -> State | Problem:
        """From the intro to the first question; a second click on Start changes nothing."""
        self._check(state)
        if state.phase is Phase.SUBMITTED:
            return Problem("questionnaire.submitted")
        if state.phase is not Phase.INTRO:
            return state
        return replace(state, phase=Phase.ASKING, position=self._next(state.answers, -1), editing=False, typed=None)

    def answer(self, state: State, question_id: str, raw: Any, *, typed: bool = False) -> State | Problem:
        """Answer a question of the step asked now; from the summary (or while editing) any question
        that applies. `typed`: the leaver typed it in the DM; the step stays even when complete (more
        may follow), and the next typed text is added to a written answer."""
        question = self._target(state, question_id)
        if isinstance(question, Problem):
            return question
        offered = [option.id for option in self.options_for(state, question)]
        result = validate_answer(question, raw, option_ids=offered)
        if isinstance(result, Problem):
            return result
        written = question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
        stored = self._store(state, {question.id: result}, advance=not (typed and written))
        if typed and written and stored.phase is Phase.ASKING:
            return replace(stored, typed=question.id)
        return stored

    def answer_step(
        self, state: State, question_id: str, raws: Mapping[str, Any]
    ) -> State | Problem | dict[str, Problem]:
        """The form of a step was sent: every question of the step that `question_id` belongs to at
        once, a missing or empty one skipped. The problems per question id when any answer is wrong.

        A main reason (a `choices_from` answer) that was not among the picks is a pick: it is added."""
        first = self._target(state, question_id)
        if isinstance(first, Problem):
            return first
        raws = dict(raws)
        for question in self._steps[self._step_of[question_id]]:
            source_id = question.choices_from
            picked = raws.get(question.id)
            if source_id is None or not isinstance(picked, str) or not picked or source_id not in raws:
                continue
            source = raws[source_id] if isinstance(raws[source_id], Mapping) else {"values": raws[source_id]}
            values = list(source.get("values") or [])
            if picked not in values:
                raws[source_id] = {**source, "values": [*values, picked]}
        answers = dict(state.answers)
        problems: dict[str, Problem] = {}
        for question in self._steps[self._step_of[question_id]]:
            if question.choices_from is not None:
                continue  # after its source, below
            result = validate_answer(question, raws.get(question.id))
            if isinstance(result, Problem):
                problems[question.id] = result
            else:
                answers[question.id] = result
        for question in self._steps[self._step_of[question_id]]:
            if question.choices_from is None or not self._applies(answers, question):
                continue
            offered = self._picks(answers, question.choices_from)
            result = validate_answer(question, raws.get(question.id), option_ids=offered)
            if isinstance(result, Problem):
                problems[question.id] = result
            else:
                answers[question.id] = result
        if problems:
            return problems
        changed = {key: value for key, value in answers.items() if state.answers.get(key) != value}
        return self._store(state, changed, advance=True, step=self._steps[self._step_of[question_id]])

    def skip_rest(self, state: State, question_id: str) -> State | Problem:
        """"I'd rather not say" for the step: whatever is not answered in it is skipped; on to the next."""
        question = self._target(state, question_id)
        if isinstance(question, Problem):
            return question
        step = self.step_of(state, question_id)
        for item in step:
            if item.required and item.id not in state.answers:
                return Problem("answer.required", {"question": item.id})
        return self._store(state, {q.id: skipped() for q in step if q.id not in state.answers}, advance=True)

    def skip(self, state: State, question_id: str) -> State | Problem:
        question = self._target(state, question_id)
        if isinstance(question, Problem):
            return question
        if question.required:
            return Problem("answer.required", {"question": question.id})
        return self._store(state, {question.id: skipped()})

    def back(self, state: State, question_id: str | None = None) -> State | Problem:
        """To the previous question, its answer kept to be changed. From the first question back to
        the intro; from the summary to the last question; while editing, back to the summary.
        `question_id` is the question whose Back button was clicked, to refuse stale clicks."""
        self._check(state)
        if state.phase is Phase.SUBMITTED:
            return Problem("questionnaire.submitted")
        if question_id is not None and (
            state.phase is not Phase.ASKING or self.template.questions[state.position].id != question_id
        ):
            return Problem("questionnaire.stale")
        if state.phase is Phase.INTRO:
            return Problem("questionnaire.stale")
        if state.phase is Phase.SUMMARY or not state.editing:
            start = state.position
            if state.phase is Phase.ASKING:
                start = self._index[self._steps[self._step_of[self.template.questions[start].id]][0].id]
            previous = self._previous(state.answers, start)
            if previous is None:
                return replace(state, phase=Phase.INTRO, position=0, editing=False, typed=None)
            return replace(state, phase=Phase.ASKING, position=previous, editing=False, typed=None)
        return self._summary_state(state, state.answers)

    def go_to(self, state: State, question_id: str) -> State | Problem:
        """Edit from the summary: ask this question again; answering it returns to the summary."""
        self._check(state)
        if state.phase is Phase.SUBMITTED:
            return Problem("questionnaire.submitted")
        question = self.template.question(question_id)
        in_review = state.phase is Phase.SUMMARY or (state.phase is Phase.ASKING and state.editing)
        if question is None or not in_review or not self._applies(state.answers, question):
            return Problem("questionnaire.stale")
        first = self.step_of(state, question_id)[0]
        return replace(state, phase=Phase.ASKING, position=self._index[first.id], editing=True, typed=None)

    def submit(self, state: State) -> State | Problem:
        """Final, from the summary only, once every required question that applies is answered."""
        self._check(state)
        if state.phase is Phase.SUBMITTED:
            return Problem("questionnaire.submitted")
        if state.phase is not Phase.SUMMARY:
            return Problem("questionnaire.stale")
        missing = self.missing_required(state)
        if missing:
            return Problem("answer.required", {"question": missing[0].id})
        return replace(state, phase=Phase.SUBMITTED, editing=False)

    # --- inside -----------------------------------------------------------------------------------

    def _check(self, state: State) -> None:
        if (state.template_id, state.template_version) != (self.template.id, self.template.version):
            raise ValueError(
                f"state of template {state.template_id} v{state.template_version}, "
                f"questionnaire of {self.template.id} v{self.template.version}"
            )
        last = len(self.template.questions)
        if not 0 <= state.position <= last or (state.phase is Phase.ASKING and state.position == last):
            raise ValueError(f"position {state.position} is outside the questionnaire ({state.phase})")

    def _target(self, state: State, question_id: str) -> Question | Problem:
        """The question a click may change now, or why it may not."""
        self._check(state)
        if state.phase is Phase.SUBMITTED:
            return Problem("questionnaire.submitted")
        question = self.template.question(question_id)
        if question is None or not self._applies(state.answers, question) or state.phase is Phase.INTRO:
            return Problem("questionnaire.stale")
        if state.phase is Phase.ASKING and not state.editing and (
            self._step_of[question_id] != self._step_of[self.template.questions[state.position].id]
        ):
            return Problem("questionnaire.stale")
        return question

    def _store(
        self, state: State, given: Mapping[str, Answer], *, advance: bool = True,
        step: tuple[Question, ...] | None = None,
    ) -> State:
        answers = self._reconcile({**state.answers, **given})
        if state.phase is Phase.ASKING:
            step = step or self._steps[self._step_of[self.template.questions[state.position].id]]
            complete = all(q.id in answers for q in step if self._applies(answers, q))
            if not complete or not advance:
                return replace(state, answers=answers, typed=None)
            if state.editing:
                return self._to_summary(state, answers)
            following = self._next(answers, self._index[step[-1].id])
            if following is None:
                return self._to_summary(state, answers)
            return replace(state, answers=answers, position=following, typed=None)
        return self._to_summary(state, answers)

    def _to_summary(self, state: State, answers: dict[str, Answer]) -> State:
        """Back to the summary, unless a question that applies has no answer yet (a `choices_from`
        question after its picks changed): that one is asked first, still editing."""
        for index, question in enumerate(self.template.questions):
            if question.id not in answers and self._applies(answers, question):
                return replace(state, answers=answers, phase=Phase.ASKING, position=index, editing=True, typed=None)
        return self._summary_state(state, answers)

    def _summary_state(self, state: State, answers: dict[str, Answer]) -> State:
        return replace(
            state, answers=answers, phase=Phase.SUMMARY, position=len(self.template.questions), editing=False,
            typed=None,
        )

    def _reconcile(self, answers: dict[str, Answer]) -> dict[str, Answer]:
        """Drop `choices_from` answers that no longer fit the picks they were chosen from."""
        for question in self.template.questions:
            answer = answers.get(question.id)
            if question.choices_from is None or answer is None:
                continue
            picks = self._picks(answers, question.choices_from)
            if len(picks) < 2 or (not is_skipped(answer) and answer.get("value") not in picks):
                answers = {key: value for key, value in answers.items() if key != question.id}
        return answers

    def _picks(self, answers: dict[str, Answer], source_id: str) -> list[str]:
        answer = answers.get(source_id)
        if not answer or is_skipped(answer):
            return []
        return list(answer.get("values", []))

    def _applies(self, answers: dict[str, Answer], question: Question) -> bool:
        return question.choices_from is None or len(self._picks(answers, question.choices_from)) >= 2

    def _next(self, answers: dict[str, Answer], after: int) -> int | None:
        """The first question that applies of the first step after question `after` that has one."""
        for index in range(after + 1, len(self.template.questions)):
            if self._applies(answers, self.template.questions[index]):
                return index
        return None

    def _previous(self, answers: dict[str, Answer], before: int) -> int | None:
        """The first question that applies of the last step before question `before` that has one."""
        for index in range(min(before, len(self.template.questions)) - 1, -1, -1):
            question = self.template.questions[index]
            if self._applies(answers, question):
                step = self._steps[self._step_of[question.id]]
                return next(self._index[q.id] for q in step if self._applies(answers, q))
        return None
