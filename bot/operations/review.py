"""HR reviews every submitted interview: a card with the headline scores and a draft of anonymised
highlights; view the answers, edit the highlights, approve or keep private, once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackClientError

from bot import domain_events, isolation
from bot.blocks import review as view
from bot.claimed_messages import post_claimed_dm
from bot.i18n import Translator
from bot.incoming import replaying
from bot.operations import templates
from bot.services import Services
from bot.slack_api import SLACK_FAILURES
from flows import highlights, manager_feedback
from flows.events import ReviewDecided, ReviewPosted
from flows.questionnaire import Questionnaire, from_json
from flows.registration import Problem
from flows.template import Template
from storage import repositories as repo

log = logging.getLogger(__name__)


@dataclass
class _Loaded:
    facts: view.ReviewFacts
    template: Template
    answers: dict


def _load(services: Services, session, review, *, quotes: bool = True) -> _Loaded | None:
    """`quotes=False`: without the special-category quotes (slow on long answers; the full answers
    do not show them, and HR's click must open the modal within Slack's 3 seconds)."""
    interview = repo.interview_by_id(session, review.interview_id)
    departure = repo.departure_by_id(session, interview.departure_id)
    template = templates.template_for(services.db, interview.template_key, interview.template_version)
    answers = {}
    if interview.state is not None:
        answers = Questionnaire(template).final_answers(from_json(interview.state))
    withheld = _withheld(services, template, answers, interview) if quotes else []
    tz = services.settings.tz
    facts = view.ReviewFacts(
        review_id=review.id,
        employee_id=departure.employee_id,
        last_day=departure.last_day,
        submitted_on=(interview.submitted_at or review.created_at).astimezone(tz).date(),
        mode=interview.mode,
        manager_id=departure.manager_id,
        consent=highlights.consented(template, answers),
        highlights=review.highlights,
        decision=review.decision,
        decided_by=review.decided_by,
        decided_on=review.decided_at.astimezone(tz).date() if review.decided_at else None,
        inform_manager=review.inform_manager,
        withdrawn=interview.state is None,
        withheld=tuple(withheld),
        unedited=tuple(highlights.unedited(review.highlights, withheld)),
        manager_consent=manager_feedback.consented(template, answers),
        manager_note=review.manager_note,
    )
    return _Loaded(facts, template, answers)


def _withheld(services: Services, template: Template, answers: dict, interview) -> list[highlights.Quote]:
    """The quotes with special-category data the leaver would share: never in the draft as written."""
    return highlights.withheld_quotes(
        template, answers, interview.excluded_quotes or [], services.directory.member_names(),
        services.settings.default_language,
    )


def _unedited_special_categories(services: Services, interview, text: str) -> bool:
    """Does HR's highlights `text` hold a special-category quote exactly as the leaver wrote it?"""
    template = templates.template_for(services.db, interview.template_key, interview.template_version)
    answers = Questionnaire(template).final_answers(from_json(interview.state))
    return bool(highlights.unedited(text, _withheld(services, template, answers, interview)))


def open_review(services: Services, interview_id: int) -> None:
    """The interview was submitted (or the talk notes finished): draft highlights, post the card."""
    now = services.clock.now()
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id)
        if interview is None or interview.state is None:
            return
        template = templates.template_for(services.db, interview.template_key, interview.template_version)
        answers = Questionnaire(template).final_answers(from_json(interview.state))
        quotes = highlights.shared_quotes(
            template,
            answers,
            interview.excluded_quotes or [],
            services.directory.member_names(),
            services.settings.default_language,
        )
        review = repo.add_review(session, interview_id, highlights.draft(quotes), now)
        if review is None:
            return
        review_id = review.id
    post_cards(services, review_id)


def post_cards(services: Services, review_id: int) -> None:
    """Post the review card to HR; if none could be posted, the sweep tries again later."""
    cards = []
    for channel, language in _review_audience(services):
        with services.db.session() as session:
            loaded = _load(services, session, repo.review_by_id(session, review_id))
        text, blocks = view.review_card(Translator(language), loaded.template, loaded.answers, loaded.facts)
        try:
            response = services.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            cards.append([response["channel"], response["ts"], language])
        except SLACK_FAILURES as error:
            log.warning("could not post the review card to %s: %s", channel, error)
    if not cards:
        return  # cards stay NULL: the sweep posts them once Slack answers
    with services.db.session() as session:
        repo.review_by_id(session, review_id).cards = cards
        happened = domain_events.record(session, ReviewPosted(review_id), services)
    domain_events.deliver(services, [happened])  # HR's Home counts the reviews waiting


def _review_audience(services: Services) -> list[tuple[str, str]]:
    """HR_CHANNEL_ID in the default language, else each HR member in their own."""
    if services.settings.hr_channel_id:
        return [(services.settings.hr_channel_id, services.settings.default_language)]
    return [(user, services.directory.language(user)) for user in sorted(services.directory.hr_members())]


def sweep(services: Services) -> None:
    """Reviews a crash or an outage left behind: a submitted interview without a review, a review
    whose card never reached HR."""
    before = services.clock.now() - timedelta(seconds=5)  # posting the cards takes well under that
    with services.db.session() as session:
        missing = list(repo.interviews_without_review(session, before))
        unposted = list(repo.reviews_without_cards(session, before))
    isolation.each(services, "review-open", missing, lambda interview_id: open_review(services, interview_id),
                   who=lambda interview_id: _employee_of_interview(services, interview_id))
    isolation.each(services, "review-post-cards", unposted, lambda review_id: post_cards(services, review_id),
                   who=lambda review_id: _employee_of_review(services, review_id))


def _employee_of_interview(services: Services, interview_id: int | None) -> str | None:
    with services.db.session() as session:
        interview = repo.interview_by_id(session, interview_id) if interview_id is not None else None
        departure = repo.departure_by_id(session, interview.departure_id) if interview else None
        return departure.employee_id if departure else None


def _employee_of_review(services: Services, review_id: int) -> str | None:
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        interview_id = review.interview_id if review else None
    return _employee_of_interview(services, interview_id)


def refresh_cards(services: Services, review_id: int) -> None:
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        if review is None:
            return
        loaded = _load(services, session, review)
        cards = list(review.cards or [])
    for channel, ts, language in cards:
        text, blocks = view.review_card(Translator(language), loaded.template, loaded.answers, loaded.facts)
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackClientError as error:
            log.warning("could not update review card %s: %s", ts, error)


def refresh_cards_for_interview(services: Services, interview_id: int) -> None:
    with services.db.session() as session:
        review = repo.review_for_interview(session, interview_id)
        review_id = review.id if review else None
    if review_id is not None:
        refresh_cards(services, review_id)


def is_decided(services: Services, interview_id: int) -> bool:
    with services.db.session() as session:
        review = repo.review_for_interview(session, interview_id)
        return review is not None and review.decision is not None


def decide(
    services: Services, review_id: int, user_id: str, decision: str, inform_manager: bool = False,
    manager_note: str | None = None,
) -> Problem | None:
    """Approve or keep private, once. With `inform_manager` the direct manager hears after the last
    working day: `manager_note` (only with the leaver's consent), else only that an interview took
    place."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        if review is None:
            return Problem("review.unknown")
        interview = repo.interview_by_id(session, review.interview_id)
        if interview.state is None:
            return Problem("review.gone")
        if decision == "approved" and _unedited_special_categories(services, interview, review.highlights):
            return Problem("review.special.unedited")  # the card says why, too
        departure = repo.departure_by_id(session, interview.departure_id)
        if inform_manager and not departure.manager_id:
            return Problem("review.no_manager")
        if manager_note is not None and not _manager_consent(services, interview):
            return Problem("review.manager.no_consent")
        if replaying() and (review.decision, review.decided_by) == (decision, user_id):
            pass  # this very click, recorded before its process died: show it on the cards now (and what follows)
        elif not repo.decide_review(session, review_id, decision, user_id, services.clock.now(),
                                    inform_manager, manager_note if inform_manager else None):
            return Problem("review.already_decided")
        else:
            repo.add_audit(session, at=services.clock.now(), actor=user_id, action="review_decided",
                           subject=departure.employee_id,
                           detail={"review": review_id, "decision": decision, "inform_manager": inform_manager,
                                   "manager_message": inform_manager and manager_note is not None})
        happened = domain_events.record(session, ReviewDecided(review_id, interview.id, decision), services)
    refresh_cards(services, review_id)
    # No Withdraw left in the leaver's DM (HR processed it), HR's Home and the leaver's.
    domain_events.deliver(services, [happened])
    return None


def _manager_consent(services: Services, interview) -> bool:
    if interview.state is None:
        return False
    template = templates.template_for(services.db, interview.template_key, interview.template_version)
    return manager_feedback.consented(template, Questionnaire(template).final_answers(from_json(interview.state)))


def approve_with_manager(services: Services, review_id: int, user_id: str, trigger_id: str) -> Problem | None:
    """*Approve + inform manager*: with the leaver's consent HR first sees and edits the exact message
    (a modal); without it the manager only hears that an interview took place (HR confirmed that
    on the button)."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        if review is None:
            return Problem("review.unknown")
        if review.decision is not None:
            return Problem("review.already_decided")
        loaded = _load(services, session, review)
    facts = loaded.facts
    if facts.withdrawn:
        return Problem("review.gone")
    if not facts.manager_id:
        return Problem("review.no_manager")
    if not facts.manager_consent:
        return decide(services, review_id, user_id, "approved", inform_manager=True)
    m = Translator(services.directory.language(facts.manager_id))
    modal = view.manager_message_modal(
        Translator(services.directory.language(user_id)), m, review_id=review_id, employee_id=facts.employee_id,
        manager_id=facts.manager_id, last_day=facts.last_day,
        draft=manager_feedback.draft(loaded.template, loaded.answers, m.language),
    )
    services.client.views_open(trigger_id=trigger_id, view=modal)
    return None


def approve_with_manager_note(
    services: Services, review_id_text: str, user_id: str, text: str | None
) -> Problem | None:
    """HR approved the message for the manager as shown (and perhaps edited) in the modal."""
    if not (review_id_text or "").isdigit():
        return Problem("review.unknown")
    note = manager_feedback.clean(text)
    if not note:
        return Problem("review.manager.empty")
    with services.db.session() as session:
        review = repo.review_by_id(session, int(review_id_text))
        loaded = _load(services, session, review) if review is not None else None
    if loaded is not None:
        drafts = [manager_feedback.draft(loaded.template, loaded.answers, language) for language in ("nl", "en")]
        if manager_feedback.unedited_special_categories(note, drafts):
            return Problem("review.manager.special_unedited")
    return decide(services, int(review_id_text), user_id, "approved", inform_manager=True, manager_note=note)


def _answers_for_hr(services: Services, review_id: int, user_id: str):
    """The interview behind a review, for HR only and only while it is not withdrawn: (loaded, _) or a Problem."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        if review is None:
            return Problem("review.unknown")
        loaded = _load(services, session, review, quotes=False)
    if loaded.facts.withdrawn:
        return Problem("review.gone")
    return loaded, Translator(services.directory.language(user_id))


def show_answers(services: Services, review_id: int, user_id: str, trigger_id: str) -> Problem | None:
    found = _answers_for_hr(services, review_id, user_id)
    if isinstance(found, Problem):
        return found
    loaded, _ = found
    services.client.views_open(
        trigger_id=trigger_id, view=view.answers_modal(_, loaded.template, loaded.answers, loaded.facts.employee_id,
                                                       review_id=review_id)
    )
    with services.db.session() as session:  # who read the full answers, in the audit log
        repo.add_audit(session, at=services.clock.now(), actor=user_id, action="answers_viewed",
                       subject=loaded.facts.employee_id, detail={"review": review_id})
    return None


def turn_answers_page(services: Services, review_id: int, user_id: str, view_id: str, page: int) -> Problem | None:
    """The next (or previous) page of the full answers, in the modal HR has open; checked like opening it."""
    found = _answers_for_hr(services, review_id, user_id)
    if isinstance(found, Problem):
        return found
    loaded, _ = found
    services.client.views_update(view_id=view_id, view=view.answers_modal(
        _, loaded.template, loaded.answers, loaded.facts.employee_id, review_id=review_id, page=page))
    return None


def open_highlights_editor(services: Services, review_id: int, user_id: str, trigger_id: str) -> Problem | None:
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        if review is None:
            return Problem("review.unknown")
        if review.decision is not None:
            return Problem("review.already_decided")
        text = review.highlights
    _ = Translator(services.directory.language(user_id))
    services.client.views_open(trigger_id=trigger_id, view=view.highlights_modal(_, review_id, text))
    return None


def save_highlights(services: Services, review_id_text: str, user_id: str, text: str | None) -> Problem | None:
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    if not (review_id_text or "").isdigit():
        return Problem("review.unknown")
    review_id = int(review_id_text)
    with services.db.session() as session:
        review = repo.review_by_id(session, review_id)
        if review is None:
            return Problem("review.unknown")
        if review.decision is not None:
            return Problem("review.already_decided")
        review.highlights = "\n\n".join(highlights.parse(text or ""))
    refresh_cards(services, review_id)
    return None


MANAGER_POINTS = "manager_points"


def send_manager_feedback(services: Services) -> None:
    """After the leaver's last working day, once: the message HR checked (only with the leaver's
    consent, checked again here), or only that an interview took place."""
    now = services.clock.now()
    with services.db.session() as session:
        due = []
        for review, departure in repo.manager_feedback_due(session, services.today()):
            interview = repo.interview_by_id(session, review.interview_id)
            note = review.manager_note if _manager_consent(services, interview) else None
            due.append((review.id, note, departure.id, departure.employee_id, departure.manager_id))

    def send(item) -> None:
        _review_id, note, departure_id, employee_id, manager_id = item
        _ = Translator(services.directory.language(manager_id))
        if note:
            messages = view.manager_points(_, employee_id=employee_id, note=note)
        else:
            messages = [view.manager_notice(_, employee_id=employee_id)]
        # A long message goes in parts, in order, each claimed on its own (sent once, reconciled like
        # any claimed message); the last part is "manager_points", which marks the whole as sent.
        purposes = [f"{MANAGER_POINTS}:{n}" for n in range(1, len(messages))] + [MANAGER_POINTS]
        for purpose, (message_text, blocks) in zip(purposes, messages, strict=True):
            with services.db.session() as session:
                if not repo.claim_message(session, departure_id, purpose, now):
                    sent = repo.sent_message(session, departure_id, purpose)
                    if sent is not None and sent.ts:
                        continue  # this part went out before
                    return  # being sent, or its outcome is unknown: the reconciler settles it first
            posted, code = post_claimed_dm(services, departure_id, purpose, manager_id, message_text, blocks)
            if not posted:
                raise RuntimeError(f"the manager message was not posted ({code or 'no answer'})")

    isolation.each(services, "review-manager-points", due, send, key=lambda item: str(item[0]),
                   who=lambda item: item[3])
