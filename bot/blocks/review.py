"""HR's review card for a submitted interview, the full answers, and the highlights editor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.questionnaire import display_answer
from bot.blocks.text import (
    SECTION_TEXT,
    VIEW_BLOCKS,
    dicts,
    escape,
    fit,
    mention,
    quoted,
    shorten,
    split_message,
    split_mrkdwn,
)
from bot.i18n import Translator
from flows.highlights import Quote
from flows.questionnaire import Answer, is_skipped
from flows.template import Category, QuestionType, Template

HIGHLIGHTS_CALLBACK = "review_highlights"
MANAGER_CALLBACK = "review_manager"  # HR checks the message for the direct manager, then approves
EXPORT_RECORD_ACTION = "records:export"  # the record for the personnel file (bot/operations/records.py)


@dataclass(frozen=True)
class ReviewFacts:
    review_id: int
    employee_id: str
    last_day: date
    submitted_on: date
    mode: str  # self | talk
    manager_id: str | None
    consent: bool
    highlights: str
    decision: str | None = None
    decided_by: str | None = None
    decided_on: date | None = None
    inform_manager: bool = False
    withdrawn: bool = False
    withheld: tuple[Quote, ...] = ()  # special-category quotes the leaver would share, not in the draft
    unedited: tuple[Quote, ...] = ()  # of those, the ones pasted unchanged into the highlights
    manager_consent: bool = False  # the leaver's explicit yes to feedback for their direct manager
    manager_note: str | None = None  # the message body HR approved for the manager


def headline(_: Translator, template: Template, answers: dict[str, Answer]) -> str:
    """The scores at a glance: ratings, eNPS, reasons, would come back."""
    lines = []
    for question in template.questions:
        answer = answers.get(question.id)
        if answer is None or is_skipped(answer):
            continue
        wanted = question.type in (QuestionType.RATING, QuestionType.SCALE_0_10) or question.category in (
            Category.REASONS, Category.RETURN)
        if not wanted or question.choices_from:
            continue
        shown = display_answer(_, question, answer).split("\n")[0]  # no comments on the card
        text = question.text.get(_.language) or question.text.get("en", question.id)
        lines.append(f"• {escape(shorten(text, 80))}: *{shown}*")
    return "\n".join(lines) or _("review.no_scores")


def review_card(_: Translator, template: Template, answers: dict[str, Answer], facts: ReviewFacts) -> tuple[str, list]:
    who = _("review.who", employee=mention(facts.employee_id), last_day=_.date(facts.last_day),
            submitted=_.date(facts.submitted_on), mode=_(f"review.mode.{facts.mode}"))
    blocks: list = [
        HeaderBlock(text=_("review.header")),
        SectionBlock(text=MarkdownTextObject(text=who)),
        SectionBlock(text=MarkdownTextObject(text=fit(headline(_, template, answers), 2900))),
    ]
    if facts.withdrawn:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("review.withdrawn"))))
        return _("review.header"), dicts(blocks)
    if facts.consent:
        draft = facts.highlights.strip()
        shown = quoted(draft) if draft else _("review.no_quotes")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit(_("review.draft") + "\n" + shown))))
        blocks += _special_categories(_, facts)
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("review.no_consent"))))
    if facts.manager_id:
        key = "review.manager_consent.yes" if facts.manager_consent else "review.manager_consent.no"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_(
            key, employee=mention(facts.employee_id), manager=mention(facts.manager_id)))))
    if facts.decision is None:
        rid = str(facts.review_id)
        buttons = [
            ButtonElement(text=_("review.button.view"), action_id="review:view", value=rid),
        ]
        if facts.consent:
            buttons.append(ButtonElement(text=_("review.button.edit"), action_id="review:edit", value=rid))
        buttons.append(ButtonElement(text=_("review.button.approve"), action_id="review:approve", value=rid,
                                     style="primary"))
        if facts.manager_id and facts.manager_consent:  # opens the message HR checks before approving
            buttons.append(ButtonElement(text=_("review.button.approve_manager"), action_id="review:approve_manager",
                                         value=rid))
        elif facts.manager_id:  # no consent: at most that an interview took place, shown before the click
            buttons.append(ButtonElement(
                text=_("review.button.approve_notice"), action_id="review:approve_manager", value=rid,
                confirm=ConfirmObject(title=_("review.notice.title"), text=_("review.notice.text"),
                                      confirm=_("review.notice.confirm"), deny=_("review.private.deny")),
            ))
        buttons.append(ButtonElement(
            text=_("review.button.private"), action_id="review:private", value=rid, style="danger",
            confirm=ConfirmObject(title=_("review.private.title"), text=_("review.private.text"),
                                  confirm=_("review.private.confirm"), deny=_("review.private.deny")),
        ))
        buttons.append(_export_button(_, facts.review_id))
        blocks.append(ActionsBlock(block_id=f"review-{rid}", elements=buttons))
    else:
        key = f"review.decided.{facts.decision}"
        if facts.inform_manager:
            key += ".manager" if facts.manager_note is not None else ".notice"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(
            key, who=mention(facts.decided_by), date=_.date(facts.decided_on), manager=mention(facts.manager_id)))]))
        blocks.append(ActionsBlock(block_id=f"review-{facts.review_id}-done", elements=[
            ButtonElement(text=_("review.button.view"), action_id="review:view", value=str(facts.review_id)),
            _export_button(_, facts.review_id)]))
    return _("review.header"), dicts(blocks)


def _special_categories(_: Translator, facts: ReviewFacts) -> list:
    """Which quotes touch a special category (art. 9) and which category; why Approve is refused."""
    if not facts.withheld or facts.decision is not None:
        return []
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_("review.special.intro")))]
    for quote in facts.withheld:
        label = ", ".join(_(f"special.category.{category}") for category in quote.categories)
        quoted = "\n".join("> " + line for line in escape(shorten(quote.text, 2500)).split("\n"))
        blocks.append(SectionBlock(
            block_id=f"review-special-{facts.review_id}-{quote.question_id}",
            text=MarkdownTextObject(text=shorten(_("review.special.quote", categories=label) + "\n" + quoted, 3000)),
        ))
    if facts.unedited:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("review.special.blocked"))))
    return blocks


def _export_button(_: Translator, review_id: int) -> ButtonElement:
    return ButtonElement(text=_("records.button.export"), action_id=EXPORT_RECORD_ACTION, value=str(review_id))


def _options(template: Template, question) -> tuple:
    """A question that offers the picks of another ("which weighed most?") shows that one's options."""
    if question.choices_from:
        source = template.question(question.choices_from)
        return source.options if source is not None else ()
    return question.options


def answers_modal(_: Translator, template: Template, answers: dict[str, Answer], employee_name: str, *,
                  review_id: int | None = None, page: int = 0) -> dict:
    """Every answer, for HR's eyes only: one page of `answers_pages` (a long interview has several,
    with buttons to turn them, so nothing is ever left out of the modal's 100 blocks)."""
    pages = answers_pages(_, template, answers)
    page = min(max(page, 0), len(pages) - 1)
    blocks: list = [ContextBlock(elements=[MarkdownTextObject(text=_("review.answers.confidential"))])]
    blocks += [SectionBlock(text=MarkdownTextObject(text=text)) for text in pages[page]]
    if len(pages) > 1:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=_("review.answers.page", page=page + 1, pages=len(pages)))]))
        turn = []
        if page > 0:
            turn.append(ButtonElement(text=_("review.answers.previous"), action_id=ANSWERS_PAGE_ACTION,
                                      value=f"{review_id}:{page - 1}"))
        if page < len(pages) - 1:
            turn.append(ButtonElement(text=_("review.answers.next"), action_id=ANSWERS_PAGE_ACTION,
                                      value=f"{review_id}:{page + 1}", style="primary"))
        blocks.append(ActionsBlock(block_id=f"review-answers-{review_id}-{page}", elements=turn))
    return View(type="modal", title=shorten(_("review.answers.title"), 24), close=_("review.close"),
                blocks=blocks).to_dict()


ANSWERS_PAGE_ACTION = "review:answers_page"
# A modal holds 100 blocks: the confidentiality line on top, the page line and its buttons below.
ANSWERS_PER_PAGE = VIEW_BLOCKS - 3


def answers_pages(_: Translator, template: Template, answers: dict[str, Answer]) -> list[list[str]]:
    """The full answers as section texts (each at most 3,000 characters measured after escaping),
    questions packed together while they fit, in pages of at most ANSWERS_PER_PAGE sections."""
    texts: list[str] = []
    for question in template.questions:
        text = question.text.get(_.language) or question.text.get("en", question.id)
        shown = display_answer(_, question, answers.get(question.id), _options(template, question))
        parts = [("\n\n", part) for part in _chunks(f"*{escape(text)}*", SECTION_TEXT)]
        parts += [("\n", part) for part in _chunks(shown, SECTION_TEXT)]
        for glue, part in parts:
            if texts and len(texts[-1]) + len(glue) + len(part) <= SECTION_TEXT:
                texts[-1] += glue + part
            else:
                texts.append(part)
    return [texts[i:i + ANSWERS_PER_PAGE] for i in range(0, len(texts), ANSWERS_PER_PAGE)] or [[]]


def highlights_modal(_: Translator, review_id: int, highlights: str) -> dict:
    return View(
        type="modal", callback_id=HIGHLIGHTS_CALLBACK, private_metadata=str(review_id),
        title=shorten(_("review.highlights.title"), 24), submit=_("review.highlights.save"), close=_("review.close"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=_("review.highlights.intro"))),
            InputBlock(block_id="highlights", label=_("review.highlights.label"), optional=True,
                       element=PlainTextInputElement(action_id="value", multiline=True, max_length=2900,
                                                     **({"initial_value": highlights} if highlights else {}))),
        ],
    ).to_dict()


def manager_message_modal(_: Translator, m: Translator, *, review_id: int, employee_id: str, manager_id: str,
                          last_day: date, draft: str) -> dict:
    """HR sees exactly what the direct manager will get (in the manager's language, `m`), edits
    the body, and approves; it goes after the last working day."""
    header, intro = m("review.manager.header"), m("review.manager.intro", employee=mention(employee_id))
    return View(
        type="modal", callback_id=MANAGER_CALLBACK, private_metadata=str(review_id),
        title=shorten(_("review.manager_modal.title"), 24), submit=shorten(_("review.manager_modal.submit"), 24),
        close=_("review.close"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=_(
                "review.manager_modal.intro", employee=mention(employee_id), manager=mention(manager_id),
                last_day=_.date(last_day)))),
            SectionBlock(text=MarkdownTextObject(text=shorten(f"*{escape(header)}*\n{intro}", 3000))),
            InputBlock(block_id="manager_note", label=_("review.manager_modal.label"),
                       element=PlainTextInputElement(action_id="value", multiline=True, max_length=2900,
                                                     **({"initial_value": draft} if draft else {}))),
        ],
    ).to_dict()


def manager_points(_: Translator, *, employee_id: str, note: str) -> list[tuple[str, list]]:
    """The leaver's feedback for their direct manager, named, as HR approved it: one message, or
    several when the escaped text is more than Slack takes in one (never cut)."""
    lines = "\n".join("> " + line if line else ">" for line in escape(note).split("\n"))
    blocks = dicts([
        HeaderBlock(text=_("review.manager.header")),
        SectionBlock(text=MarkdownTextObject(text=_("review.manager.intro", employee=mention(employee_id)))),
    ] + [SectionBlock(text=MarkdownTextObject(text=part)) for part in _chunks(lines, 2900)])
    return [(_("review.manager.header"), part) for part in split_message(blocks)]


def manager_notice(_: Translator, *, employee_id: str) -> tuple[str, list]:
    """Without the leaver's consent: that an exit interview took place, nothing of its content."""
    text = _("review.notice.message", employee=mention(employee_id))
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def _chunks(text: str, size: int) -> list[str]:
    return split_mrkdwn(text, size)
