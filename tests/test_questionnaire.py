"""The questionnaire state machine: walking the default template, skipping, going back, editing from
the summary, submitting, and refusing stale or invalid clicks."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from flows.questionnaire import (
    Phase,
    Progress,
    Questionnaire,
    State,
    clean_text,
    from_json,
    to_json,
    validate_answer,
)
from flows.registration import Problem
from flows.template import Category, Question, QuestionType, shipped_template

# Version 2 asks one question per step: the rules per question are easiest to see there (steps:
# tests/test_questionnaire_steps.py).
TEMPLATE = shipped_template("standard", 2)
Q = {question.id: question for question in TEMPLATE.questions}
LAST = len(TEMPLATE.questions)


@pytest.fixture
def questionnaire() -> Questionnaire:
    return Questionnaire(TEMPLATE)


def ok(result: State | Problem) -> State:
    assert isinstance(result, State), result
    return result


def started(questionnaire: Questionnaire) -> State:
    return ok(questionnaire.start(questionnaire.new_state()))


# One answer per question of the default template, in the raw forms the Slack layer may send.
FULL = [
    ("working_conditions", {"value": 4, "comment": "Goed gereedschap,\tprima werkplaats.\n"}),
    ("work_content", "2"),  # a button value
    ("working_relations", 5),
    ("employment_terms", {"value": 3, "comment": None}),
    ("manager_support", {"value": 1, "comment": "Weinig tijd voor me."}),
    ("improvements", "  Minder vergaderen.\x00\x1b "),
    ("strengths", {"value": "De collega's."}),
    ("reasons", {"values": ["workload", "pay", "other"], "other": "Verhuizing"}),
    ("reasons_detail", "De werkdruk liep op."),
    ("reason_main", "workload"),
    ("destination", "Een installatiebedrijf"),
    ("competitor_offer", "Een vaste werkplek."),
    ("recommend", 7),
    ("come_back", "maybe"),
    ("anything_else", "Bedankt!"),
    ("consent", True),
    ("manager_feedback", False),
]

FULL_ANSWERS = {
    "working_conditions": {"value": 4, "comment": "Goed gereedschap,\tprima werkplaats."},
    "work_content": {"value": 2, "comment": None},
    "working_relations": {"value": 5, "comment": None},
    "employment_terms": {"value": 3, "comment": None},
    "manager_support": {"value": 1, "comment": "Weinig tijd voor me."},
    "improvements": {"value": "Minder vergaderen."},
    "strengths": {"value": "De collega's."},
    "reasons": {"values": ["pay", "workload", "other"], "other": "Verhuizing"},  # in the template's order
    "reasons_detail": {"value": "De werkdruk liep op."},
    "reason_main": {"value": "workload"},
    "destination": {"value": "Een installatiebedrijf"},
    "competitor_offer": {"value": "Een vaste werkplek."},
    "recommend": {"value": 7},
    "come_back": {"value": "maybe"},
    "anything_else": {"value": "Bedankt!"},
    "consent": {"value": True},
    "manager_feedback": {"value": False},
}


def walk(questionnaire: Questionnaire, answers: list[tuple[str, Any]]) -> State:
    state = started(questionnaire)
    for question_id, raw in answers:
        assert questionnaire.current(state).id == question_id
        state = ok(questionnaire.answer(state, question_id, raw))
    return state


def to_summary(questionnaire: Questionnaire) -> State:
    state = walk(questionnaire, FULL)
    assert state.phase is Phase.SUMMARY
    return state


# --- walking through ------------------------------------------------------------------------------


def test_walk_the_full_default_template(questionnaire):
    state = questionnaire.new_state()
    assert state.phase is Phase.INTRO and questionnaire.current(state) is None
    assert questionnaire.progress(state) == Progress(0, 17)  # every step counts, also a conditional one

    state = started(questionnaire)
    assert questionnaire.current(state).id == "working_conditions"
    assert questionnaire.progress(state) == Progress(1, 17)
    for number, (question_id, raw) in enumerate(FULL, start=1):
        assert questionnaire.current(state).id == question_id
        assert questionnaire.progress(state).index == number
        state = ok(questionnaire.answer(state, question_id, raw))
    assert questionnaire.progress(state) == Progress(17, 17)  # three reasons: the main one was asked

    assert (state.phase, state.position, state.editing) == (Phase.SUMMARY, LAST, False)
    assert state.answers == FULL_ANSWERS
    assert [(q.id, a) for q, a in questionnaire.summary(state)] == list(FULL_ANSWERS.items())
    assert questionnaire.missing_required(state) == []

    state = ok(questionnaire.submit(state))
    assert state.phase is Phase.SUBMITTED
    assert questionnaire.final_answers(state) == FULL_ANSWERS


def test_start_twice_changes_nothing(questionnaire):
    state = started(questionnaire)
    assert questionnaire.start(state) == state


def test_skip_optional_questions(questionnaire):
    state = started(questionnaire)
    for question in TEMPLATE.questions:
        if question.id == "reasons":
            state = ok(questionnaire.answer(state, "reasons", ["career"]))
        elif question.id == "consent":
            state = ok(questionnaire.answer(state, "consent", "no"))
        elif question.id != "reason_main":  # one reason picked: not asked
            state = ok(questionnaire.skip(state, question.id))
    assert state.phase is Phase.SUMMARY
    assert state.answers["improvements"] == {"skipped": True}
    assert "reason_main" not in state.answers
    state = ok(questionnaire.submit(state))
    assert questionnaire.final_answers(state)["reason_main"] == {"value": "career"}  # follows from one pick
    assert questionnaire.final_answers(state)["consent"] == {"value": False}


def test_an_empty_answer_skips_an_optional_question(questionnaire):
    state = ok(questionnaire.answer(started(questionnaire), "working_conditions", {"value": None, "comment": ""}))
    assert state.answers["working_conditions"] == {"skipped": True}


def test_required_questions_cannot_be_skipped(questionnaire):
    state = walk(questionnaire, FULL[:7])
    assert questionnaire.current(state).id == "reasons"
    assert questionnaire.skip(state, "reasons") == Problem("answer.required", {"question": "reasons"})
    assert questionnaire.answer(state, "reasons", []) == Problem("answer.required", {"question": "reasons"})
    assert questionnaire.answer(state, "reasons", {"values": [], "other": None}) == Problem(
        "answer.required", {"question": "reasons"}
    )
    state = walk(questionnaire, FULL[:-2])
    assert questionnaire.skip(state, "consent") == Problem("answer.required", {"question": "consent"})
    assert questionnaire.answer(state, "consent", None) == Problem("answer.required", {"question": "consent"})


def test_back_keeps_the_answer_to_be_changed(questionnaire):
    state = walk(questionnaire, FULL[:3])
    assert questionnaire.current(state).id == "employment_terms"
    state = ok(questionnaire.back(state, "employment_terms"))
    assert questionnaire.current(state).id == "working_relations"
    assert state.answers["working_relations"] == {"value": 5, "comment": None}  # shown pre-filled
    state = ok(questionnaire.answer(state, "working_relations", 2))
    assert state.answers["working_relations"] == {"value": 2, "comment": None}
    assert questionnaire.current(state).id == "employment_terms"
    assert state.answers["working_conditions"] == FULL_ANSWERS["working_conditions"]


def test_back_from_the_first_question_returns_to_the_intro(questionnaire):
    state = ok(questionnaire.back(started(questionnaire)))
    assert (state.phase, state.position) == (Phase.INTRO, 0)
    assert questionnaire.back(state) == Problem("questionnaire.stale")


def test_back_from_the_summary_asks_the_last_question(questionnaire):
    state = ok(questionnaire.back(to_summary(questionnaire)))
    assert (state.phase, questionnaire.current(state).id, state.editing) == (
        Phase.ASKING, "manager_feedback", False)


def test_back_skips_the_questions_that_do_not_apply(questionnaire):
    answers = [(qid, raw) for qid, raw in FULL if qid != "reason_main"]
    answers[7] = ("reasons", ["pay"])
    state = walk(questionnaire, answers[:10])
    assert questionnaire.current(state).id == "competitor_offer"
    state = ok(questionnaire.back(state))
    state = ok(questionnaire.back(state))
    assert questionnaire.current(state).id == "reasons_detail"


# --- editing from the summary ---------------------------------------------------------------------


def test_edit_from_the_summary_returns_to_the_summary(questionnaire):
    state = to_summary(questionnaire)
    state = ok(questionnaire.go_to(state, "working_relations"))
    assert (state.phase, questionnaire.current(state).id, state.editing) == (Phase.ASKING, "working_relations", True)
    assert questionnaire.progress(state) == Progress(3, 17)
    state = ok(questionnaire.answer(state, "working_relations", {"value": 1, "comment": "Te veel ruzie."}))
    assert (state.phase, state.editing) == (Phase.SUMMARY, False)
    assert state.answers == {**FULL_ANSWERS, "working_relations": {"value": 1, "comment": "Te veel ruzie."}}


def test_edit_can_skip_and_back_cancels(questionnaire):
    state = ok(questionnaire.go_to(to_summary(questionnaire), "strengths"))
    assert ok(questionnaire.back(state, "strengths")) == to_summary(questionnaire)
    state = ok(questionnaire.skip(state, "strengths"))
    assert state.phase is Phase.SUMMARY and state.answers["strengths"] == {"skipped": True}


def test_while_editing_any_question_may_be_answered(questionnaire):
    state = ok(questionnaire.go_to(to_summary(questionnaire), "strengths"))
    state = ok(questionnaire.answer(state, "recommend", 10))
    assert state.phase is Phase.SUMMARY and state.answers["recommend"] == {"value": 10}
    state = ok(questionnaire.answer(state, "come_back", "yes"))  # straight from the summary, e.g. a modal
    assert state.phase is Phase.SUMMARY and state.answers["come_back"] == {"value": "yes"}


def test_changing_the_reasons_asks_the_main_reason_again(questionnaire):
    state = to_summary(questionnaire)
    state = ok(questionnaire.go_to(state, "reasons"))
    state = ok(questionnaire.answer(state, "reasons", ["pay", "commute"]))
    # The main reason (workload) is no longer among the reasons: it is asked before the summary.
    assert "reason_main" not in state.answers
    assert (questionnaire.current(state).id, state.editing) == ("reason_main", True)
    assert [o.id for o in questionnaire.options_for(state, Q["reason_main"])] == ["pay", "commute"]
    assert questionnaire.answer(state, "reason_main", "workload") == Problem(
        "answer.unknown_option", {"option": "workload"}
    )
    state = ok(questionnaire.answer(state, "reason_main", "commute"))
    assert state.phase is Phase.SUMMARY and state.answers["reason_main"] == {"value": "commute"}


def test_keeping_the_main_reason_goes_straight_back(questionnaire):
    state = ok(questionnaire.go_to(to_summary(questionnaire), "reasons"))
    state = ok(questionnaire.answer(state, "reasons", ["workload", "hours"]))
    assert state.phase is Phase.SUMMARY and state.answers["reason_main"] == {"value": "workload"}


def test_one_reason_left_drops_the_main_reason_question(questionnaire):
    state = ok(questionnaire.go_to(to_summary(questionnaire), "reasons"))
    state = ok(questionnaire.answer(state, "reasons", ["hours"]))
    assert state.phase is Phase.SUMMARY
    assert "reason_main" not in [q.id for q, _ in questionnaire.summary(state)]
    assert questionnaire.progress(state) == Progress(17, 17)  # the total never changes
    assert questionnaire.final_answers(state)["reason_main"] == {"value": "hours"}
    assert questionnaire.go_to(state, "reason_main") == Problem("questionnaire.stale")


def test_the_main_reason_offers_the_picks_including_other(questionnaire):
    state = walk(questionnaire, FULL[:8])
    assert questionnaire.current(state).id == "reasons_detail"
    options = questionnaire.options_for(state, Q["reason_main"])
    assert [o.id for o in options] == ["pay", "workload", "other"]
    assert options[2].text == {"nl": "Iets anders", "en": "Something else"}


def test_submit_needs_every_required_answer(questionnaire):
    state = to_summary(questionnaire)
    answers = {key: value for key, value in state.answers.items() if key != "consent"}
    incomplete = replace(state, answers=answers)
    assert [q.id for q in questionnaire.missing_required(incomplete)] == ["consent"]
    assert questionnaire.submit(incomplete) == Problem("answer.required", {"question": "consent"})
    assert questionnaire.submit(started(questionnaire)) == Problem("questionnaire.stale")


def test_after_submitting_nothing_changes(questionnaire):
    state = ok(questionnaire.submit(to_summary(questionnaire)))
    submitted = Problem("questionnaire.submitted")
    assert questionnaire.answer(state, "recommend", 3) == submitted
    assert questionnaire.skip(state, "recommend") == submitted
    assert questionnaire.back(state) == submitted
    assert questionnaire.go_to(state, "recommend") == submitted
    assert questionnaire.start(state) == submitted
    assert questionnaire.submit(state) == submitted


# --- stale and invalid clicks ---------------------------------------------------------------------


def test_stale_question_ids_are_refused(questionnaire):
    stale = Problem("questionnaire.stale")
    intro = questionnaire.new_state()
    assert questionnaire.answer(intro, "working_conditions", 3) == stale
    state = walk(questionnaire, FULL[:3])
    assert questionnaire.answer(state, "no_such_question", 3) == stale
    assert questionnaire.answer(state, "working_conditions", 3) == stale  # an old message's button
    assert questionnaire.answer(state, "recommend", 3) == stale
    assert questionnaire.skip(state, "improvements") == stale
    assert questionnaire.back(state, "working_relations") == stale
    assert questionnaire.go_to(state, "working_conditions") == stale  # Edit only from the summary
    assert questionnaire.go_to(to_summary(questionnaire), "no_such_question") == stale
    assert questionnaire.back(to_summary(questionnaire), "consent") == stale


def test_out_of_range_and_unknown_options_are_refused(questionnaire):
    state = started(questionnaire)
    assert questionnaire.answer(state, "working_conditions", 6) == Problem(
        "answer.out_of_range", {"min": "1", "max": "5"}
    )
    assert questionnaire.answer(state, "working_conditions", "0") == Problem(
        "answer.out_of_range", {"min": "1", "max": "5"}
    )
    assert questionnaire.answer(state, "working_conditions", True) == Problem("answer.invalid")
    assert questionnaire.answer(state, "working_conditions", 3.5) == Problem("answer.invalid")
    state = walk(questionnaire, FULL[:7])
    assert questionnaire.answer(state, "reasons", ["pay", "boredom"]) == Problem(
        "answer.unknown_option", {"option": "boredom"}
    )
    state = walk(questionnaire, FULL[:12])
    assert questionnaire.answer(state, "recommend", 11) == Problem("answer.out_of_range", {"min": "0", "max": "10"})
    assert questionnaire.answer(state, "recommend", -1) == Problem("answer.out_of_range", {"min": "0", "max": "10"})
    assert ok(questionnaire.answer(state, "recommend", 0)).answers["recommend"] == {"value": 0}
    state = walk(questionnaire, FULL[:13])
    assert questionnaire.answer(state, "come_back", "never") == Problem("answer.unknown_option", {"option": "never"})
    assert questionnaire.answer(state, "come_back", ["yes"]) == Problem("answer.invalid")


def _q(kind: QuestionType, **fields: Any) -> Question:
    return Question(id="q", type=kind, category=Category.OTHER, required=False, text={"nl": "?", "en": "?"}, **fields)


def test_text_answers_are_cleaned_and_limited():
    short, long_ = _q(QuestionType.SHORT_TEXT), _q(QuestionType.LONG_TEXT)
    assert validate_answer(long_, " a\r\nb\tc\x07\x1b[0m\u200d ") == {"value": "a\nb\tc[0m\u200d"}
    assert validate_answer(short, "x" * 300) == {"value": "x" * 300}
    assert validate_answer(short, "x" * 301) == Problem("answer.too_long", {"limit": "300", "length": "301"})
    assert validate_answer(long_, "x" * 3001) == Problem("answer.too_long", {"limit": "3000", "length": "3001"})
    assert validate_answer(_q(QuestionType.SHORT_TEXT, max_length=5), "abcdef") == Problem(
        "answer.too_long", {"limit": "5", "length": "6"}
    )
    assert validate_answer(long_, "  \n\x00 ") == Problem("answer.empty")
    assert validate_answer(long_, "") == {"skipped": True}
    assert validate_answer(replace(long_, required=True), "") == Problem("answer.required", {"question": "q"})
    assert validate_answer(long_, 42) == Problem("answer.invalid")
    assert clean_text("\x00é😀\u200d\n") == "é😀\u200d"


def test_rating_comments():
    rating = _q(QuestionType.RATING, allow_comment=True)
    assert validate_answer(rating, {"value": "4", "comment": "  "}) == {"value": 4, "comment": None}
    assert validate_answer(rating, {"value": None, "comment": "Only words"}) == Problem("answer.value_missing")
    assert validate_answer(rating, {"value": 4, "comment": "x" * 3001}) == Problem(
        "answer.too_long", {"limit": "3000", "length": "3001"}
    )
    no_comment = _q(QuestionType.RATING)
    assert validate_answer(no_comment, {"value": 4, "comment": None}) == {"value": 4, "comment": None}
    assert validate_answer(no_comment, {"value": 4, "comment": "hi"}) == Problem("answer.invalid")
    assert validate_answer(no_comment, {"value": 4, "extra": 1}) == Problem("answer.invalid")


def test_multiple_choice_with_other():
    reasons = Q["reasons"]
    assert validate_answer(reasons, ["other"]) == Problem("answer.other_missing")
    assert validate_answer(reasons, {"values": ["other"], "other": " \t "}) == Problem("answer.other_missing")
    # Writing in "other" is choosing it.
    assert validate_answer(reasons, {"values": ["pay"], "other": "Te ver"}) == {
        "values": ["pay", "other"],
        "other": "Te ver",
    }
    assert validate_answer(reasons, ["pay", "pay"]) == {"values": ["pay"], "other": None}
    assert validate_answer(reasons, {"values": ["pay"], "other": "x" * 301}) == Problem(
        "answer.too_long", {"limit": "300", "length": "301"}
    )
    assert validate_answer(reasons, "pay") == Problem("answer.invalid")
    assert validate_answer(Q["come_back"], {"values": ["yes"]}) == Problem("answer.invalid")


def test_yes_no():
    consent = Q["consent"]
    assert validate_answer(consent, "yes") == {"value": True}
    assert validate_answer(consent, " Nee ") == {"value": False}
    assert validate_answer(consent, {"value": False}) == {"value": False}
    assert validate_answer(consent, "perhaps") == Problem("answer.invalid")
    assert validate_answer(consent, 1) == Problem("answer.invalid")


# --- persistence ------------------------------------------------------------------------------------


def test_json_roundtrip(questionnaire):
    for state in (
        questionnaire.new_state(),
        walk(questionnaire, FULL[:9]),
        ok(questionnaire.go_to(to_summary(questionnaire), "reasons")),
        ok(questionnaire.submit(to_summary(questionnaire))),
    ):
        text = json.dumps(to_json(state))
        assert from_json(text) == state
        assert from_json(json.loads(text)) == state


def test_broken_json_is_refused():
    state = to_json(Questionnaire(TEMPLATE).new_state())
    for broken in (
        {},
        {**state, "format": 99},
        {**state, "phase": "thinking"},
        {**state, "position": -1},
        {**state, "answers": []},
        {**state, "editing": "no"},
    ):
        with pytest.raises(ValueError):
            from_json(broken)


def test_a_state_of_another_template_is_a_programming_error(questionnaire):
    with pytest.raises(ValueError):
        questionnaire.current(replace(questionnaire.new_state(), template_version=1))
    with pytest.raises(ValueError):
        questionnaire.progress(replace(started(questionnaire), position=LAST))


# --- property: no sequence of clicks breaks the state --------------------------------------------


def raw_answer(draw: st.DrawFn, questionnaire: Questionnaire, state: State, question: Question) -> Any:
    """A valid raw answer for the question, as the Slack layer might send it."""
    kind = question.type
    if kind is QuestionType.RATING:
        comment = draw(st.one_of(st.none(), st.text(max_size=20)))
        return {"value": draw(st.integers(1, 5)), "comment": comment}
    if kind is QuestionType.SCALE_0_10:
        return draw(st.integers(0, 10))
    if kind is QuestionType.SINGLE_CHOICE:
        return draw(st.sampled_from([o.id for o in questionnaire.options_for(state, question)]))
    if kind is QuestionType.MULTIPLE_CHOICE:
        ids = [o.id for o in question.options]
        values = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4))
        return {"values": values, "other": "Iets" if "other" in values else None}
    if kind is QuestionType.YES_NO:
        return draw(st.booleans())
    return draw(st.text(alphabet="ab \n\x00", max_size=10).map(lambda text: "x" + text))


# Mostly answering, so that walks reach the summary, editing and submitting.
ACTIONS = ["start", "answer", "answer", "answer", "answer", "answer", "answer_any", "skip", "back", "go_to", "submit"]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_no_sequence_of_actions_breaks_the_state(data):
    questionnaire = Questionnaire(TEMPLATE)
    state = to_summary(questionnaire) if data.draw(st.booleans()) else questionnaire.new_state()
    given_answers: dict[str, dict] = dict(state.answers)  # what the leaver last gave, per question
    ids = [q.id for q in TEMPLATE.questions]
    for _ in range(data.draw(st.integers(1, 80))):
        action = data.draw(st.sampled_from(ACTIONS))
        current = questionnaire.current(state)
        if action == "start":
            result = questionnaire.start(state)
        elif action in ("answer", "answer_any"):
            question = current if action == "answer" and current else Q[data.draw(st.sampled_from(ids))]
            if not questionnaire.applies(state, question):
                refused = questionnaire.answer(state, question.id, None)
                assert refused.key in ("questionnaire.stale", "questionnaire.submitted")
                continue
            result = questionnaire.answer(state, question.id, raw_answer(data.draw, questionnaire, state, question))
        elif action == "skip":
            question = current or Q[data.draw(st.sampled_from(ids))]
            result = questionnaire.skip(state, question.id)
            if question.required and not isinstance(result, State):
                assert result.key in ("answer.required", "questionnaire.stale", "questionnaire.submitted")
        elif action == "back":
            result = questionnaire.back(state)
        elif action == "go_to":
            result = questionnaire.go_to(state, data.draw(st.sampled_from(ids)))
        else:
            result = questionnaire.submit(state)

        if isinstance(result, Problem):
            assert result.key.startswith(("answer.", "questionnaire.")), result
            continue
        if state.phase is Phase.SUBMITTED:
            pytest.fail(f"{action} changed a submitted questionnaire")
        changed = {k for k in result.answers if state.answers.get(k) != result.answers[k]}
        assert len(changed) <= 1  # one click changes at most one answer
        given_answers.update({k: result.answers[k] for k in changed})
        state = result

        # The position is always inside the questionnaire, on a question that applies while asking.
        assert 0 <= state.position <= LAST
        if state.phase is Phase.ASKING:
            assert state.position < LAST
            assert questionnaire.applies(state, TEMPLATE.questions[state.position])
            progress = questionnaire.progress(state)
            assert 1 <= progress.index <= progress.total
        else:
            assert state.position == (0 if state.phase is Phase.INTRO else LAST)
            assert not state.editing
        # No answer is lost unless replaced; only the main reason goes when it no longer fits the reasons.
        for question_id, answer in list(given_answers.items()):
            if question_id in state.answers:
                assert state.answers[question_id] == answer
            else:
                assert question_id == "reason_main"
                picks = state.answers.get("reasons", {}).get("values", [])
                assert len(picks) < 2 or answer.get("value") not in picks
                del given_answers[question_id]
                event("the main reason no longer fits the reasons")
        assert set(state.answers) == set(given_answers)
        assert from_json(json.loads(json.dumps(to_json(state)))) == state
        event(f"reached {state.phase}{' editing' if state.editing else ''}")
