"""The leaver's self-service interview in the DM.

Every step loads the interview, lets `flows.questionnaire` decide, saves the new state (a
revision counter refuses a second, concurrent change: that click is stale), and then brings the
DM up to date: the message that was interactive is rewritten without buttons, and the next one
(question, summary, goodbye) is posted. The state lives in the database only, so a restart of the
bot changes nothing for the leaver.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackClientError
from sqlalchemy.orm.exc import StaleDataError

from bot import domain_events, isolation, leavers
from bot.blocks import questionnaire as view
from bot.blocks.text import escape, mention
from bot.i18n import Translator
from bot.incoming import replaying
from bot.leavers import employee_language
from bot.notify import notify_hr
from bot.operations import numbers, templates
from bot.services import Services
from flows import highlights, manager_feedback
from flows.events import InterviewSubmitted, InterviewWithdrawn
from flows.interview import OPEN, WITHDRAWABLE, Mode, Status, expiry_moment, pause_reminder_due
from flows.invitation import Stage
from flows.questionnaire import SCALE_RANGE, Phase, Questionnaire, State, from_json, is_skipped, to_json
from flows.registration import Problem
from flows.template import QuestionType, Template
from flows.timing import within_working_hours
from storage import repositories as repo
from storage.models import Interview

log = logging.getLogger(__name__)

Step = Callable[[Questionnaire, State], "State | Problem"]


@dataclass
class Loaded:
    """What a step needs from the stored interview, read in one transaction."""

    interview_id: int
    departure_id: int
    employee_id: str
    status: Status
    state: State
    template: Template
    channel_id: str | None
    message_ts: str | None
    language: str

    @property
    def questionnaire(self) -> Questionnaire:
        return Questionnaire(self.template)


# -- starting -------------------------------------------------------------------------------------


def start(services: Services, departure_id: int) -> None:
    """The leaver chose to answer here: the intro, then the first question."""
    now = services.clock.now()
    template = templates.active_template(services.db)
    questionnaire = Questionnaire(template)
    with services.db.session() as session:
        departure = repo.departure_by_id(session, departure_id)
        if departure is None:
            return
        interview = repo.add_interview(
            session,
            Interview(
                departure_id=departure_id,
                mode=Mode.SELF.value,
                template_key=template.id,
                template_version=template.version,
                state=to_json(questionnaire.new_state()),
                status=Status.IN_PROGRESS.value,
                started_at=now,
                updated_at=now,
                expires_at=expiry_moment(
                    departure.last_day, services.settings.interview_expiry_days, ZoneInfo(departure.employee_tz)
                ),
            ),
        )
        if interview is None:
            return  # started already (a double click)
        interview_id, employee_id = interview.id, departure.employee_id
        language = employee_language(services, employee_id, departure.language)
    _ = Translator(language)
    channel = services.client.conversations_open(users=employee_id)["channel"]["id"]
    intro_ts = _post(services, channel, view.intro_message(_, template, interview_id))
    with services.db.session() as session:
        stored = repo.interview_by_id(session, interview_id)
        stored.channel_id, stored.intro_ts = channel, intro_ts
    step(services, interview_id, employee_id, lambda q, s: q.start(s))


# -- steps ----------------------------------------------------------------------------------------


def step(
    services: Services, interview_id: int, user_id: str, change: Step, *, message_ts: str | None = None,
    notice: Callable[[Loaded, State], str | None] | None = None,
) -> Problem | None:
    """Apply one change for the leaver; a Problem says why it could not be applied.

    Two clicks in one step can arrive together (five ratings in a row): when another change was
    saved first, this one is applied again to what is stored now; if that makes it stale (the step
    moved on), it is refused as stale, so an old button still never answers twice."""
    for _attempt in range(CONCURRENT_TRIES):
        outcome = _step_once(services, interview_id, user_id, change, message_ts=message_ts, notice=notice)
        if outcome is not _CONFLICT:
            return outcome
    return Problem("questionnaire.stale")


CONCURRENT_TRIES = 5
_CONFLICT = Problem("questionnaire.conflict")


def _step_once(
    services: Services, interview_id: int, user_id: str, change: Step, *, message_ts: str | None,
    notice: Callable[[Loaded, State], str | None] | None,
) -> Problem | None:
    now = services.clock.now()
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
        if problem is not None:
            return problem
        if loaded.status not in OPEN:
            if replaying() and loaded.status == Status.SUBMITTED:
                return _finish_submission(services, loaded)
            return Problem("questionnaire.submitted" if loaded.status == Status.SUBMITTED else "questionnaire.closed")
        result = change(loaded.questionnaire, loaded.state)
        if isinstance(result, Problem):
            if replaying() and result.key == "questionnaire.stale" and loaded.message_ts is None:
                # This click was taken before its process died, and what follows was never shown.
                show_current_again(services, interview_id, user_id, force=True)
                return None
            return _named(loaded, result)
        resumed = loaded.status == Status.PAUSED
        interview.state = to_json(result)
        interview.updated_at = now
        if resumed:
            interview.status = Status.IN_PROGRESS.value
            interview.paused_at = None
        if result.phase is Phase.SUBMITTED:
            interview.status = Status.SUBMITTED.value
            interview.submitted_at = now
            repo.set_departure_stage(session, loaded.departure_id, Stage.SUBMITTED.value)
        if message_ts is not None:
            interview.last_message_ts = message_ts
        if not (_in_place(loaded.state, result) and not resumed):
            # Not shown yet: if the process dies before the next message is posted, this tells the
            # next DM, click or sweep to post it (instead of leaving the leaver without a question).
            # A change inside the step (or the summary) keeps its message: it is rewritten in place,
            # and if the process dies first, the next click there still works and rewrites it.
            interview.question_ts = None
        if not _saved(session):
            return _CONFLICT
        happened = None
        if result.phase is Phase.SUBMITTED:
            numbers.record(session, services.db, interview, loaded.template, services.settings.tz)
            happened = domain_events.record(session, InterviewSubmitted(interview_id, Mode.SELF.value), services)
    _show(services, loaded, result, resumed, notice(loaded, result) if notice else None)
    domain_events.deliver(services, [happened])  # submitted: HR's review card
    return None


def _named(loaded: Loaded, problem: Problem) -> Problem:
    """A problem about a question names it by its text in the leaver's language, never by its id."""
    question_id = problem.params.get("question") if problem.params else None
    question = loaded.template.question(question_id) if question_id else None
    if question is None:
        return problem
    text = question.text.get(loaded.language) or question.text.get("en") or ""
    return Problem(problem.key, {**problem.params, "question": text})


def _finish_submission(services: Services, loaded: Loaded) -> None:
    """Send was taken before its process died: the thanks (unless shown) and HR's review, once."""
    if loaded.message_ts is None:
        _post_current(services, loaded, loaded.state)
    # Its event may not have been delivered: HR's review (opened once, however often this runs).
    domain_events.publish(services, InterviewSubmitted(loaded.interview_id, Mode.SELF.value))
    return None


def _saved(session) -> bool:
    """Flush under the revision check; False (rolled back) when another click changed it first."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        return False
    return True


def _load(
    services: Services, session, interview: Interview | None, user_id: str
) -> tuple[Loaded | None, Problem | None]:
    if interview is None or interview.mode != Mode.SELF or interview.state is None:
        return None, Problem("questionnaire.closed")
    departure = repo.departure_by_id(session, interview.departure_id)
    if departure.employee_id != user_id:  # the words an unknown id gets: nothing tells that it exists
        return None, Problem("questionnaire.closed")
    template = templates.template_for(services.db, interview.template_key, interview.template_version)
    return Loaded(
        interview_id=interview.id,
        departure_id=departure.id,
        employee_id=departure.employee_id,
        status=Status(interview.status),
        state=from_json(interview.state),
        template=template,
        channel_id=interview.channel_id,
        message_ts=interview.question_ts,
        language=employee_language(services, departure.employee_id, departure.language),
    ), None


def _in_place(before: State, after: State) -> bool:
    """The change stays in the message shown: the same step asked, or the summary."""
    same_step = (
        before.phase is Phase.ASKING and after.phase is Phase.ASKING
        and before.position == after.position and before.editing == after.editing
    )
    return same_step or (before.phase is Phase.SUMMARY and after.phase is Phase.SUMMARY)


def _show(services: Services, before: Loaded, after: State, resumed: bool, notice: str | None = None) -> None:
    """Bring the DM up to date. A change inside the step asked (or the summary) rewrites that
    message in place; moving on rewrites it without buttons and posts the one that is now."""
    _ = Translator(before.language)
    questionnaire = before.questionnaire
    if before.message_ts and not resumed and _in_place(before.state, after):
        messages = _current_messages(services, before, after, notice)
        if len(messages) == 1:
            _update(services, before.channel_id, before.message_ts, messages[0])
            return
    if before.message_ts:
        if resumed:
            done = view.note(_("q.resumed"))
        elif before.state.phase is Phase.ASKING:
            done = view.step_done_message(
                _, _step_rows(questionnaire, after, before.state.position), questionnaire.progress(before.state))
        elif before.state.phase is Phase.SUMMARY:
            done = (
                view.compact_summary(
                    _, interview_id=before.interview_id, steps=_summary_steps(questionnaire, after),
                    submitted_on=_today(services),
                )[-1]
                if after.phase is Phase.SUBMITTED
                else view.superseded_summary(_)
            )
        else:
            done = None
        if done is not None:
            _update(services, before.channel_id, before.message_ts, done)
    _post_current(services, before, after)


def _step_rows(questionnaire: Questionnaire, state: State, position: int) -> list[view.Row]:
    """The questions that apply in the step starting at `position`, with their options and answers."""
    question = questionnaire.template.questions[position]
    return [
        (q, questionnaire.options_for(state, q), state.answers.get(q.id))
        for q in questionnaire.step_of(state, question.id)
    ]


def _summary_steps(questionnaire: Questionnaire, state: State) -> list[list[view.Row]]:
    steps: list[list[view.Row]] = []
    seen: set[str] = set()
    for question, _answer in questionnaire.summary(state):
        if question.id in seen:
            continue
        rows = [(q, questionnaire.options_for(state, q), state.answers.get(q.id))
                for q in questionnaire.step_of(state, question.id)]
        seen.update(q.id for q, *_rest in rows)
        steps.append(rows)
    return steps


def _current_messages(
    services: Services, loaded: Loaded, state: State, notice: str | None = None
) -> list[tuple[str, list[dict]]]:
    _ = Translator(loaded.language)
    questionnaire = loaded.questionnaire
    if state.phase is Phase.ASKING:
        return [
            view.step_message(
                _,
                interview_id=loaded.interview_id,
                rows=_step_rows(questionnaire, state, state.position),
                progress=questionnaire.progress(state),
                can_go_back=state.editing or questionnaire.progress(state).index > 1,
                notice=notice,
            )
        ]
    if state.phase is Phase.SUMMARY:
        return view.compact_summary(
            _,
            interview_id=loaded.interview_id,
            steps=_summary_steps(questionnaire, state),
            submitted_on=None,
            shared=_shared(services, loaded, state),
            manager=_manager_choice(loaded, state),
        )
    if state.phase is Phase.SUBMITTED:
        return [view.thanks_message(_, loaded.interview_id)]
    return [view.intro_message(_, questionnaire.template, loaded.interview_id)]


def _post_current(services: Services, loaded: Loaded, state: State) -> None:
    last_ts = None
    for text, blocks in _current_messages(services, loaded, state):
        last_ts = _post(services, loaded.channel_id, (text, blocks))
    if last_ts:
        with services.db.session() as session:
            # Without touching the revision: a click on this new message must not be called stale.
            repo.set_question_ts(session, loaded.interview_id, last_ts)


SHOW_AGAIN_AFTER = timedelta(seconds=2)


def show_current_again(services: Services, interview_id: int, user_id: str | None = None,
                       force: bool = False) -> bool:
    """The state moved on but its message was never posted (the process died in between): post it
    now. True when it did."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        if interview is None or interview.question_ts is not None or interview.status != Status.IN_PROGRESS:
            return False
        if not force and not replaying() and services.clock.now() - interview.updated_at < SHOW_AGAIN_AFTER:
            return False  # probably being posted right now (not when finishing for a process that died)
        departure = repo.departure_by_id(session, interview.departure_id)
        loaded, problem = _load(services, session, interview, user_id or departure.employee_id)
    if problem is not None:
        return False
    _post_current(services, loaded, loaded.state)
    return True


def _shared(
    services: Services, loaded: Loaded, state: State
) -> list[tuple[str, str, bool, tuple[str, ...]]] | None:
    """The anonymised quotes management could see, if the leaver agreed to share (else None); each
    with whether it is included and the special categories it touches (not shared by default)."""
    answers = loaded.questionnaire.final_answers(state)
    if not highlights.consented(loaded.template, answers):
        return None
    with services.db.session() as session:
        interview = repo.interview_by_id(session, loaded.interview_id)
        excluded = set(interview.excluded_quotes or []) if interview else set()
    quotes = highlights.candidate_quotes(loaded.template, answers, services.directory.member_names(), loaded.language)
    return [(quote.question_id, quote.text, quote.question_id not in excluded, quote.categories) for quote in quotes]


def _manager_choice(loaded: Loaded, state: State) -> bool | None:
    """The leaver's choice about feedback for their direct manager; None when the template has no
    such question (then the manager gets none of the answers either)."""
    if not manager_feedback.asks_consent(loaded.template):
        return None
    return manager_feedback.consented(loaded.template, loaded.questionnaire.final_answers(state))


def toggle_quote(
    services: Services, interview_id: int, user_id: str, question_id: str, include: bool
) -> Problem | None:
    """The leaver leaves a quote out of what management may see, or puts it back."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
        if problem is not None:
            return problem
        if loaded.status not in OPEN or loaded.state.phase is not Phase.SUMMARY:
            return Problem("questionnaire.stale")
        excluded = set(interview.excluded_quotes or [])
        excluded = excluded - {question_id} if include else excluded | {question_id}
        interview.excluded_quotes = sorted(excluded)
        interview.updated_at = services.clock.now()
        if not _saved(session):
            return Problem("questionnaire.stale")
    parts = _current_messages(services, loaded, loaded.state)
    _update(services, loaded.channel_id, loaded.message_ts, parts[-1])
    return None


def _today(services: Services):
    return services.today()


# -- what the leaver can do ---------------------------------------------------------------------------


def answer(services: Services, interview_id: int, user_id: str, question_id: str, raw) -> Problem | None:
    return step(services, interview_id, user_id, lambda q, s: q.answer(s, question_id, raw))


def skip(services: Services, interview_id: int, user_id: str, question_id: str) -> Problem | None:
    return step(services, interview_id, user_id, lambda q, s: q.skip(s, question_id))


def back(services: Services, interview_id: int, user_id: str, question_id: str) -> Problem | None:
    return step(services, interview_id, user_id, lambda q, s: q.back(s, question_id))


def edit(services: Services, interview_id: int, user_id: str, question_id: str) -> Problem | None:
    return step(services, interview_id, user_id, lambda q, s: q.go_to(s, question_id))


def skip_rest(services: Services, interview_id: int, user_id: str, question_id: str) -> Problem | None:
    """"I'd rather not say" (or Next) on a step: what is not answered in it is skipped."""
    return step(services, interview_id, user_id, lambda q, s: q.skip_rest(s, question_id))


def open_step_form(
    services: Services, interview_id: int, user_id: str, question_id: str, trigger_id: str
) -> Problem | None:
    """The form with every question of the step `question_id` belongs to (asked now, or to change
    from the summary)."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
    if problem is not None:
        return problem
    questionnaire, state = loaded.questionnaire, loaded.state
    question = loaded.template.question(question_id)
    if question is None or loaded.status not in OPEN or state.phase not in (Phase.ASKING, Phase.SUMMARY):
        return Problem("questionnaire.stale")
    if not questionnaire.applies(state, question):
        return Problem("questionnaire.stale")
    if state.phase is Phase.ASKING and not state.editing and question not in questionnaire.current_step(state):
        return Problem("questionnaire.stale")
    rows = _form_rows(questionnaire, state, question_id)
    services.client.views_open(
        trigger_id=trigger_id,
        view=view.step_form(Translator(loaded.language), interview_id=interview_id, rows=rows, limit_of=_limit),
    )
    return None


def _form_rows(questionnaire: Questionnaire, state: State, question_id: str) -> list[view.Row]:
    """Every question of the step in the form, also a main reason that does not apply yet: its
    options are all the reasons (picking one that was not ticked ticks it)."""
    rows = []
    for question in questionnaire.template.steps[_step_index(questionnaire.template, question_id)]:
        if question.choices_from is not None:
            source = questionnaire.template.question(question.choices_from)
            options = source.options if source is not None else ()
        else:
            options = question.options
        rows.append((question, options, state.answers.get(question.id)))
    return rows


def _step_index(template: Template, question_id: str) -> int:
    return next(n for n, questions in enumerate(template.steps) if any(q.id == question_id for q in questions))


def _limit(question) -> int:
    return question.max_length or (300 if question.type is QuestionType.SHORT_TEXT else 3000)


def answer_step_form(services: Services, user_id: str, metadata: str, values: dict) -> dict[str, str] | None:
    """The step's form was sent. `values` maps each input block id to what was chosen or written
    (None: left empty). Returns the errors per block id, in the leaver's language, or None."""
    interview_id, _sep, question_id = (metadata or "").partition("|")
    _ = Translator(services.directory.language(user_id))
    if not interview_id.isdigit():
        return {question_id: _("questionnaire.stale")}
    with services.db.session() as session:
        interview = repo.interview_by_id(session, int(interview_id))
        loaded, problem = _load(services, session, interview, user_id)
    if problem is not None:
        return {question_id: problem_text(_, problem)}
    template = loaded.template
    if template.question(question_id) is None:
        return {question_id: _("questionnaire.stale")}
    raws: dict = {}
    for question in template.steps[_step_index(template, question_id)]:
        given = values.get(question.id)
        if question.type is QuestionType.RATING:
            raws[question.id] = {"value": given, "comment": values.get(f"{question.id}.comment")}
        elif question.type is QuestionType.SCALE_0_10 and question.allow_comment:
            kept = (loaded.state.answers.get(question.id) or {}).get("comment")
            raws[question.id] = {"value": given, "comment": kept if given is not None else None}
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            raws[question.id] = ({"values": given or [], "other": values.get(f"{question.id}.other")}
                                 if question.allow_other else {"values": given or []})
        elif question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            raws[question.id] = {"value": given}
        else:
            raws[question.id] = given
    errors: dict[str, Problem] = {}

    def change(q: Questionnaire, s: State):
        result = q.answer_step(s, question_id, raws)
        if isinstance(result, dict):
            errors.update(result)
            return Problem("questionnaire.form")
        return result

    problem = step(services, int(interview_id), user_id, change)
    _ = Translator(loaded.language)
    if errors:
        return {_error_block(template, qid, found): problem_text(_, found, template) for qid, found in errors.items()}
    if problem is not None:
        return {question_id: problem_text(_, problem, template)}
    return None


def _error_block(template: Template, question_id: str, problem: Problem) -> str:
    """Where the form shows a problem: at the extra text when that is what is wrong."""
    question = template.question(question_id)
    if problem.key == "answer.other_missing" or (problem.key == "answer.too_long" and question is not None
                                                 and question.type is QuestionType.MULTIPLE_CHOICE):
        return f"{question_id}.other"
    if question is not None and question.type is QuestionType.RATING and problem.key == "answer.too_long":
        return f"{question_id}.comment"
    return question_id


def submit(services: Services, interview_id: int, user_id: str) -> Problem | None:
    return step(services, interview_id, user_id, lambda q, s: q.submit(s))


def pause(services: Services, interview_id: int, user_id: str, question_id: str) -> Problem | None:
    now = services.clock.now()
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
        if problem is not None:
            return problem
        current = loaded.questionnaire.current(loaded.state)
        if loaded.status != Status.IN_PROGRESS or current is None or current.id != question_id:
            return Problem("questionnaire.stale")
        interview.status = Status.PAUSED.value
        interview.paused_at = now
        interview.pause_reminded_at = None
        interview.updated_at = now
        if not _saved(session):
            return Problem("questionnaire.stale")
    _ = Translator(loaded.language)
    _update(
        services,
        loaded.channel_id,
        loaded.message_ts,
        view.step_done_message(_, _step_rows(loaded.questionnaire, loaded.state, loaded.state.position),
                               loaded.questionnaire.progress(loaded.state)),
    )
    ts = _post(services, loaded.channel_id, view.paused_message(_, interview_id))
    with services.db.session() as session:
        repo.interview_by_id(session, interview_id).question_ts = ts
    return None


def resume(services: Services, interview_id: int, user_id: str) -> Problem | None:
    """Continue where the leaver left off: the same question again."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
        if problem is not None:
            return problem
        if loaded.status != Status.PAUSED:
            return Problem("questionnaire.stale")
    return step(services, interview_id, user_id, lambda q, s: s)


def withdraw(services: Services, interview_id: int, user_id: str) -> Problem | None:
    """Before HR approval the leaver may take everything back: the answers are deleted."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
        if problem is not None:
            return problem
        if loaded.status not in WITHDRAWABLE or _decided(session, interview_id):
            return Problem("q.cannot_withdraw")
        interview.state = None
        interview.status = Status.WITHDRAWN.value
        interview.updated_at = services.clock.now()
        repo.set_departure_stage(session, loaded.departure_id, Stage.WITHDRAWN.value)
        if not _saved(session):
            return Problem("questionnaire.stale")
        numbers.record(session, services.db, interview)  # withdrawn: its numbers go with the answers
        happened = domain_events.record(session, InterviewWithdrawn(interview_id), services)
    _ = Translator(loaded.language)
    if loaded.message_ts:
        _update(services, loaded.channel_id, loaded.message_ts, view.note(_("q.withdrawn_here")))
    _post(services, loaded.channel_id, view.note(_("q.withdrawn")))
    # HR's notice, no Withdraw left in the DM, the review cards, HR's Home and the leaver's.
    domain_events.deliver(services, [happened])
    return None


def notify_withdrawn(services: Services, interview_id: int) -> None:
    """HR hears that the leaver withdrew (bot.subscribers)."""
    employee_id = leavers.employee_of_interview(services, interview_id)
    if employee_id is not None:
        notify_hr(services, "hr.withdrawn", employee=mention(employee_id))


def close_cancelled(services: Services, interview_id: int) -> None:
    """HR cancelled the registration while the leaver was answering: the question waiting in the DM
    says HR withdrew the interview (its buttons go), and the intro no longer offers Withdraw."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        departure = repo.departure_by_id(session, interview.departure_id) if interview is not None else None
        if departure is None:
            return
        channel, question_ts = interview.channel_id, interview.question_ts
        employee_id, language = departure.employee_id, departure.language
    _ = Translator(employee_language(services, employee_id, language))
    if channel and question_ts:
        text, blocks = view.note(_("cancel.leaver.questionnaire"))
        try:
            services.client.chat_update(channel=channel, ts=question_ts, text=text, blocks=blocks)
        except SlackClientError as error:
            log.warning("could not close the question in %s: %s", channel, error)
    close_withdraw_offers(services, interview_id)


def close_withdraw_offers(services: Services, interview_id: int) -> None:
    """Withdrawing no longer works (HR processed the answers, or the questionnaire closed): take the
    Withdraw buttons off the intro and the goodbye, and say why."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        if interview is None or interview.mode != Mode.SELF or not interview.channel_id:
            return
        departure = repo.departure_by_id(session, interview.departure_id)
        status, channel, intro_ts, current_ts = (
            Status(interview.status), interview.channel_id, interview.intro_ts, interview.question_ts)
        template = templates.template_for(services.db, interview.template_key, interview.template_version)
        language = employee_language(services, departure.employee_id, departure.language)
        still = status in WITHDRAWABLE and not _decided(session, interview_id)
    if still:
        return
    _ = Translator(language)
    _update(services, channel, intro_ts, view.intro_message(_, template, interview_id, withdrawable=False))
    if status == Status.SUBMITTED:
        _update(services, channel, current_ts, view.thanks_message(_, interview_id, withdrawable=False))
    elif status == Status.EXPIRED:
        _update(services, channel, current_ts, view.note(_("q.expired_here")))


def _decided(session, interview_id: int) -> bool:
    """Once HR approved or kept the answers private, withdrawing goes through HR."""
    found = repo.review_for_interview(session, interview_id)
    return found is not None and found.decision is not None


def open_text_form(
    services: Services,
    interview_id: int,
    user_id: str,
    question_id: str,
    kind: str,
    trigger_id: str,
    picked: list[str] | None = None,
) -> Problem | None:
    """A modal with room to write (the answer, a rating's comment, or the 'other' reason)."""
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
    if problem is not None:
        return problem
    question = loaded.template.question(question_id)
    if question is None or loaded.status not in OPEN or kind not in ("answer", "comment", "other"):
        return Problem("questionnaire.stale")
    current = loaded.state.answers.get(question_id) or {}
    initial = current.get("comment" if kind == "comment" else "other" if kind == "other" else "value")
    limit = question.max_length or (300 if question.type is QuestionType.SHORT_TEXT else 3000)
    _ = Translator(loaded.language)
    services.client.views_open(
        trigger_id=trigger_id,
        view=view.text_modal(
            _,
            interview_id=interview_id,
            question=question,
            kind=kind,
            limit=limit,
            initial=initial if isinstance(initial, str) else None,
            rating=current.get("value") if kind == "comment" and isinstance(current.get("value"), int) else None,
            picked=picked,
        ),
    )
    return None


def answer_from_form(services: Services, user_id: str, metadata: str, values: dict) -> Problem | None:
    """The text modal was submitted; `metadata` is what the modal was opened with."""
    parts = (metadata or "").split("|")
    if len(parts) != 4 or not parts[0].isdigit():
        return Problem("questionnaire.stale")
    interview_id, question_id, kind, picked = int(parts[0]), parts[1], parts[2], [p for p in parts[3].split(",") if p]
    text = values.get("text")
    if kind == "answer":
        raw = {"value": text}
    elif kind == "comment":
        raw = {"value": values.get("rating"), "comment": text}
    elif kind == "other":
        raw = {"values": picked, "other": text}
    else:
        return Problem("questionnaire.stale")
    return answer(services, interview_id, user_id, question_id, raw)


# -- the leaver types in the DM ---------------------------------------------------------------------

# "4", "4/5", "8 - good colleagues but too busy": a score, then an optional comment.
_SCORE_REPLY = re.compile(r"^\s*(10|[0-9])(?:\s*/\s*(?:5|10))?(?![0-9])[\s,.:;\-–]*(.*)$", re.DOTALL)
_TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)


def on_direct_message(services: Services, user_id: str, text: str, message_ts: str) -> tuple[str, list[dict]] | None:
    """A message the leaver typed. Returns a reply to post, or None when the step posted already."""
    with services.db.session() as session:
        interview = repo.open_interview_of(session, user_id)
        if interview is None:
            return _without_questionnaire(services, user_id)
        taken = interview.last_message_ts and _ts(message_ts) <= _ts(interview.last_message_ts)
        finishing = taken and replaying() and _ts(message_ts) == _ts(interview.last_message_ts)
        if taken and not finishing:
            return None  # a redelivery of a message already taken
        interview_id = interview.id
    if finishing:  # this very message was taken before its process died: show what follows it, once
        show_current_again(services, interview_id, user_id, force=True)
        return None
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        loaded, problem = _load(services, session, interview, user_id)
    if problem is not None:
        return None
    _ = Translator(loaded.language)
    if loaded.status == Status.PAUSED:
        problem = step(services, loaded.interview_id, user_id, lambda q, s: s, message_ts=message_ts)
        return None if problem is None else view.note(problem_text(_, problem, loaded.template))
    if loaded.status == Status.SUBMITTED:
        return view.note(_("q.already_submitted"))
    if loaded.status not in OPEN:
        return _without_questionnaire(services, user_id)  # expired or withdrawn: a kind word, not silence
    if loaded.message_ts is None and show_current_again(services, loaded.interview_id, user_id, force=True):
        return None  # the question they could not see is there now; this text was not its answer
    questions = loaded.questionnaire.current_step(loaded.state)
    if not questions:
        return view.note(_("q.use_summary_buttons"))
    found = _typed_answer(questions, loaded.state, text)
    if found is None:
        return view.note(_("q.use_buttons"))
    question, raw, added = found

    def notice(before: Loaded, after: State) -> str:
        name = escape(question.text.get(before.language) or question.text.get("en", ""))
        if question.type not in _TEXT_TYPES:
            return _("q.typed.score", question=name)
        return _("q.typed.added" if added else "q.typed.saved", question=name)

    problem = step(
        services, loaded.interview_id, user_id, lambda q, s: q.answer(s, question.id, raw, typed=True),
        message_ts=message_ts, notice=notice,
    )
    return None if problem is None else view.note(problem_text(_, problem, loaded.template))


def _without_questionnaire(services: Services, user_id: str) -> tuple[str, list[dict]]:
    """No questionnaire waits for an answer: where the leaver stands (bot.leavers)."""
    return leavers.reply_without_questionnaire(services, user_id)


def _typed_answer(questions, state: State, text: str):
    """Which question of the step a typed message answers, with what, and whether it is added to a
    written answer: a score ("3 - too much pressure") goes to the first rating or 0-10 question it
    fits that is not answered yet, yes/no or an option's name to its question, any other text to
    the written answer it was added to before, else the first text question not answered yet, else
    the last one (added: nothing typed is lost). None when nothing in the step takes text."""
    answers = state.answers
    match = _SCORE_REPLY.match(text)
    if match:
        number, comment = int(match.group(1)), match.group(2).strip() or None
        fitting = [q for q in questions if q.type in SCALE_RANGE
                   and SCALE_RANGE[q.type][0] <= number <= SCALE_RANGE[q.type][1]]
        open_ones = [q for q in fitting if q.id not in answers]
        target = (open_ones or fitting or [None])[0]
        if target is not None and (comment is None or target.allow_comment):
            return target, {"value": number, **({"comment": comment} if comment else {})}, False
    word = text.strip().lower().rstrip(".!")
    for question in questions:
        if question.type is QuestionType.YES_NO and word in ("ja", "nee", "yes", "no"):
            return question, word, False
        if question.type is QuestionType.SINGLE_CHOICE and question.choices_from is None:
            for option in question.options:
                if word in (option.id, *(t.lower() for t in option.text.values())):
                    return question, {"value": option.id}, False
    written = [q for q in questions if q.type in _TEXT_TYPES]
    if not written:
        return None
    previous = next((q for q in written if q.id == state.typed), None)
    if previous is None and all(q.id in answers and not is_skipped(answers[q.id]) for q in written):
        previous = written[-1]
    if previous is not None and isinstance((answers.get(previous.id) or {}).get("value"), str):
        return previous, {"value": answers[previous.id]["value"] + "\n\n" + text}, True
    target = next((q for q in written if q.id not in answers or is_skipped(answers[q.id])), written[-1])
    return target, {"value": text}, False


def _ts(ts: str) -> tuple[int, int]:
    seconds, _, fraction = (ts or "0").partition(".")
    return int(seconds or 0), int(fraction or 0)


def problem_text(_: Translator, problem: Problem, template: Template | None = None) -> str:
    params = dict(problem.params)
    if "question" in params and template is not None:
        question = template.question(params["question"])
        if question is not None:
            params["question"] = question.text.get(_.language) or question.text.get("en", question.id)
    return _(problem.key, **params)


# -- the sweep: the pause reminder and expiry ---------------------------------------------------------


def sweep(services: Services) -> None:
    now = services.clock.now()
    with services.db.session() as session:
        not_shown = list(repo.interviews_not_shown(session, now - timedelta(minutes=1)))
    isolation.each(services, "interview-show-again", not_shown,
                   lambda interview_id: show_current_again(services, interview_id),
                   who=lambda interview_id: _employee_of(services, interview_id))
    reminders = []
    with services.db.session() as session:
        for interview in repo.paused_interviews(session):
            if pause_reminder_due(interview.paused_at, interview.pause_reminded_at, now) and _at_work(
                services, session, interview, now
            ):
                interview.pause_reminded_at = now
                reminders.append(interview.id)
        if not _saved(session):
            reminders = []
        expired = []
        for interview in repo.expired_interviews(session, now):
            interview.status = Status.EXPIRED.value
            if interview.mode == Mode.SELF:
                repo.set_departure_stage(session, interview.departure_id, Stage.EXPIRED.value)
                expired.append(interview.id)
    for interview_id in expired:
        close_withdraw_offers(services, interview_id)
    isolation.each(services, "interview-pause-reminder", reminders,
                   lambda interview_id: _remind_paused(services, interview_id),
                   who=lambda interview_id: _employee_of(services, interview_id))


def _at_work(services: Services, session, interview: Interview, now: datetime) -> bool:
    """Whether the leaver is within their working hours now: a reminder waits for them (flows.timing)."""
    departure = repo.departure_by_id(session, interview.departure_id)
    return within_working_hours(now, ZoneInfo(departure.employee_tz), services.calendar,
                                services.settings.working_hours)


def _remind_paused(services: Services, interview_id: int) -> None:
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        departure = repo.departure_by_id(session, interview.departure_id)
        channel, language = (
            interview.channel_id,
            employee_language(services, departure.employee_id, departure.language),
        )
    ts = _post(services, channel, view.paused_message(Translator(language), interview_id, reminder=True))
    if ts:
        with services.db.session() as session:
            repo.interview_by_id(session, interview_id).question_ts = ts


def _employee_of(services: Services, interview_id: int) -> str | None:
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        departure = repo.departure_by_id(session, interview.departure_id) if interview else None
        return departure.employee_id if departure else None


# -- Slack I/O ------------------------------------------------------------------------------------


def _message(text: str, blocks: list[dict]) -> dict:
    return {"text": text, "blocks": blocks}


def _post(services: Services, channel: str | None, message: tuple[str, list[dict]]) -> str | None:
    if not channel:
        return None
    try:
        return services.client.chat_postMessage(channel=channel, **_message(*message))["ts"]
    except SlackClientError as error:
        log.warning("could not post to %s: %s", channel, error)
        return None


def _update(services: Services, channel: str | None, ts: str | None, message: tuple[str, list[dict]]) -> None:
    if not channel or not ts:
        return
    try:
        services.client.chat_update(channel=channel, ts=ts, **_message(*message))
    except SlackClientError as error:
        log.warning("could not update %s in %s: %s", ts, channel, error)


def now_utc(services: Services) -> datetime:
    return services.clock.now()
