"""The questionnaire in the leaver's DM: one message per question, answered in place, a summary
with Edit per question, and the goodbye.

Action values carry `interview_id|question_id|value`; the operation re-checks all of it.
"""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.text import SECTION_TEXT, dicts, escape, fit, quoted, shorten, split_message
from bot.i18n import Translator
from flows.questionnaire import Answer, Progress, is_skipped
from flows.template import Option as TemplateOption
from flows.template import Question, QuestionType, Template

BUTTONS_UP_TO = 5  # single choice with more options than this becomes a select menu
SUMMARY_ANSWER_CHARS = 500
TEXT_CALLBACK = "questionnaire_text"


def value(interview_id: int, question_id: str = "", choice: str = "") -> str:
    return f"{interview_id}|{question_id}|{choice}"


def _text(question: Question | Template, field: str, language: str) -> str:
    texts = getattr(question, field) or {}
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def option_text(option: TemplateOption, language: str) -> str:
    return option.text.get(language) or option.text.get("en", option.id)


def _heading(_: Translator, question: Question, progress: Progress, done: bool = False) -> str:
    mark = ":white_check_mark: " if done else ""
    counter = _("q.progress", index=progress.index, total=progress.total)
    return f"{mark}*{counter}* · *{escape(_text(question, 'text', _.language))}*"


def intro_message(
    _: Translator, template: Template, interview_id: int, withdrawable: bool = True
) -> tuple[str, list[dict]]:
    """The template's intro; Withdraw only while withdrawing works (not once HR processed it)."""
    blocks: list = [
        HeaderBlock(text=shorten(_text(template, "name", _.language), 150)),
        SectionBlock(text=MarkdownTextObject(text=_text(template, "intro", _.language))),
        ContextBlock(elements=[MarkdownTextObject(text=_("q.intro.controls"))]),
    ]
    if withdrawable:
        blocks.append(ActionsBlock(elements=[_withdraw_button(_, interview_id)]))
    return _("q.intro.fallback"), dicts(blocks)


def question_message(
    _: Translator,
    *,
    interview_id: int,
    question: Question,
    options: tuple[TemplateOption, ...],
    progress: Progress,
    answer: Answer | None,
    can_go_back: bool,
) -> tuple[str, list[dict]]:
    """A question waiting for its answer; `answer` is the current one when coming back to it."""
    language = _.language
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_heading(_, question, progress)))]
    help_text = _text(question, "help", language)
    if help_text:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=help_text)]))
    if answer is not None and not is_skipped(answer):
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=_("q.current_answer", answer=fit(display_answer(_, question, answer, options), 2500))
                    )
                ]
            )
        )
    blocks += _answer_elements(_, interview_id, question, options, answer)
    controls = []
    if question.type is QuestionType.RATING and question.allow_comment:
        controls.append(
            ButtonElement(
                text=_("q.button.comment"), action_id="q:write", value=value(interview_id, question.id, "comment")
            )
        )
    if not question.required:
        controls.append(
            ButtonElement(text=_("q.button.skip"), action_id="q:skip", value=value(interview_id, question.id))
        )
    if can_go_back:
        controls.append(
            ButtonElement(text=_("q.button.back"), action_id="q:back", value=value(interview_id, question.id))
        )
    controls.append(
        ButtonElement(text=_("q.button.pause"), action_id="q:pause", value=value(interview_id, question.id))
    )
    blocks.append(ActionsBlock(block_id=f"q-controls-{interview_id}-{question.id}", elements=controls))
    return _text(question, "text", language), dicts(blocks)


def _answer_elements(_: Translator, interview_id: int, question: Question, options, answer: Answer | None) -> list:
    kind = question.type
    block_id = f"q-answer-{interview_id}-{question.id}"
    if kind is QuestionType.RATING:
        labels = question.labels.get(_.language) or question.labels.get("en") or ()
        buttons = [
            ButtonElement(
                text=shorten(f"{n} · {labels[n - 1]}" if len(labels) >= n else str(n), 75),
                action_id=f"q:choose:{n}",
                value=value(interview_id, question.id, str(n)),
            )
            for n in range(1, 6)
        ]
        return [ActionsBlock(block_id=block_id, elements=buttons)]
    if kind is QuestionType.SCALE_0_10:
        low, high = (question.labels.get(_.language) or question.labels.get("en") or ("", ""))[:2]
        buttons = [
            ButtonElement(text=str(n), action_id=f"q:choose:{n}", value=value(interview_id, question.id, str(n)))
            for n in range(11)
        ]
        return [
            ActionsBlock(block_id=block_id, elements=buttons),
            ContextBlock(elements=[MarkdownTextObject(text=_("q.scale_legend", low=low, high=high))]),
        ]
    if kind is QuestionType.YES_NO:
        return [
            ActionsBlock(
                block_id=block_id,
                elements=[
                    ButtonElement(
                        text=_("q.yes"), action_id="q:choose:yes", value=value(interview_id, question.id, "yes")
                    ),
                    ButtonElement(
                        text=_("q.no"), action_id="q:choose:no", value=value(interview_id, question.id, "no")
                    ),
                ],
            )
        ]
    if kind is QuestionType.SINGLE_CHOICE:
        if len(options) <= BUTTONS_UP_TO:
            return [
                ActionsBlock(
                    block_id=block_id,
                    elements=[
                        ButtonElement(
                            text=shorten(option_text(o, _.language), 75),
                            action_id=f"q:choose:{o.id}",
                            value=value(interview_id, question.id, o.id),
                        )
                        for o in options
                    ],
                )
            ]
        return [
            ActionsBlock(
                block_id=block_id,
                elements=[
                    StaticSelectElement(
                        action_id="q:select",
                        placeholder=_("q.select.placeholder"),
                        options=[
                            Option(
                                value=value(interview_id, question.id, o.id),
                                text=shorten(option_text(o, _.language), 75),
                            )
                            for o in options
                        ],
                    )
                ],
            )
        ]
    if kind is QuestionType.MULTIPLE_CHOICE:
        picked = set((answer or {}).get("values") or [])
        select_options = [Option(value=o.id, text=shorten(option_text(o, _.language), 75)) for o in options]
        initial = [o for o in select_options if o.value in picked]
        select = StaticMultiSelectElement(
            action_id="q:multi",
            placeholder=_("q.multi.placeholder"),
            options=select_options,
            **({"initial_options": initial} if initial else {}),
        )
        return [
            ActionsBlock(block_id=f"q-multi-{interview_id}-{question.id}", elements=[select]),
            ActionsBlock(
                block_id=block_id,
                elements=[
                    ButtonElement(
                        text=_("q.button.confirm"),
                        action_id="q:confirm",
                        style="primary",
                        value=value(interview_id, question.id),
                    )
                ],
            ),
        ]
    # Free text: reply in the DM, or a form with room to write.
    return [
        ContextBlock(elements=[MarkdownTextObject(text=_("q.reply_hint"))]),
        ActionsBlock(
            block_id=block_id,
            elements=[
                ButtonElement(
                    text=_("q.button.write"), action_id="q:write", value=value(interview_id, question.id, "answer")
                )
            ],
        ),
    ]


def display_answer(_: Translator, question: Question, answer: Answer | None, options=None) -> str:
    """An answer as the leaver sees it, escaped: user text can never ping or format."""
    if answer is None:
        return _("q.not_answered")
    if is_skipped(answer):
        return _("q.skipped")
    kind = question.type
    by_id = {o.id: o for o in (options or question.options)}
    if kind is QuestionType.RATING:
        labels = question.labels.get(_.language) or question.labels.get("en") or ()
        n = answer.get("value")
        shown = f"{n} · {labels[n - 1]}" if isinstance(n, int) and 0 < n <= len(labels) else str(n)
        if answer.get("comment"):
            shown += "\n" + _quote(answer["comment"])
        return shown
    if kind is QuestionType.SCALE_0_10:
        return str(answer.get("value"))
    if kind is QuestionType.YES_NO:
        return _("q.yes") if answer.get("value") else _("q.no")
    if kind is QuestionType.SINGLE_CHOICE:
        option = by_id.get(answer.get("value"))
        return escape(option_text(option, _.language)) if option else escape(str(answer.get("value")))
    if kind is QuestionType.MULTIPLE_CHOICE:
        names = [
            escape(option_text(by_id[v], _.language)) if v in by_id else escape(v) for v in answer.get("values", [])
        ]
        shown = ", ".join(names)
        if answer.get("other"):
            shown += "\n" + _quote(answer["other"])
        return shown
    return _quote(str(answer.get("value", "")))


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).split("\n"))


def answered_message(
    _: Translator, question: Question, progress: Progress, answer: Answer | None, options=None
) -> tuple[str, list[dict]]:
    """The question once answered (or left): the answer shown, no buttons to click twice."""
    shown = fit(display_answer(_, question, answer, options), 2800)
    blocks = [
        SectionBlock(
            text=MarkdownTextObject(
                text=fit(_heading(_, question, progress, done=answer is not None) + "\n" + shown, SECTION_TEXT)
            )
        )
    ]
    return _text(question, "text", _.language), dicts(blocks)


def summary_messages(
    _: Translator,
    *,
    interview_id: int,
    rows: list[tuple[Question, Answer | None, tuple]],
    submitted_on: date | None,
    shared: list[tuple[str, str, bool, tuple[str, ...]]] | None = None,
    manager: bool | None = None,
) -> list[tuple[str, list[dict]]]:
    """All answers with Edit per question, then Submit; split over messages where Slack needs it.

    Before sending it says who sees what: HR everything, the direct manager only with `manager`
    (the leaver's yes; None when the template does not ask), the managers' channel the `shared`
    quotes."""
    blocks: list = [HeaderBlock(text=_("q.summary.header"))]
    if submitted_on is None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("q.summary.intro"))))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.summary.hr"))]))
    for question, answer, options in rows:
        shown = display_answer(_, question, answer, options)
        if len(shown) > SUMMARY_ANSWER_CHARS:
            shown = fit(shown, SUMMARY_ANSWER_CHARS) + " " + _("q.summary.shortened")
        section = SectionBlock(
            block_id=f"q-summary-{interview_id}-{question.id}",
            text=MarkdownTextObject(text=fit(f"*{escape(_text(question, 'text', _.language))}*\n{shown}")),
        )
        if submitted_on is None:
            section.accessory = ButtonElement(
                text=_("q.button.edit"), action_id="q:edit", value=value(interview_id, question.id)
            )
        blocks.append(section)
    if submitted_on is None and manager is not None:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("q.manager_share.yes" if manager else "q.manager_share.no"))))
    if submitted_on is None and shared is not None:
        blocks += _shared_preview(_, interview_id, shared)
    if submitted_on is None:
        blocks.append(DividerBlock())
        blocks.append(
            ActionsBlock(
                block_id=f"q-submit-{interview_id}",
                elements=[
                    ButtonElement(
                        text=_("q.button.submit"), action_id="q:submit", style="primary", value=value(interview_id)
                    ),
                    _withdraw_button(_, interview_id),
                ],
            )
        )
    else:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=_("q.summary.submitted", date=_.date(submitted_on)))])
        )
    return [(_("q.summary.header"), part) for part in split_blocks(dicts(blocks))]


def _shared_preview(_: Translator, interview_id: int, shared: list[tuple[str, str, bool, tuple[str, ...]]]) -> list:
    """Exactly what management could see, each quote with Leave out / Put back: the leaver decides.
    A quote touching a special category (health, religion, ...) says it is not shared by default."""
    blocks: list = [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=_("q.share.intro") if shared else _("q.share.nothing"))),
    ]
    if any(categories for *_rest, categories in shared):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.share.special.note"))]))
    for question_id, quote, included, categories in shared:
        shown = quoted(quote, 2500)
        if not included:
            shown = fit(_("q.share.left_out") + "\n" + shown)
        elif categories:
            label = ", ".join(_(f"special.category.{category}") for category in categories)
            shown = fit(_("q.share.special", categories=label) + "\n" + shown)
        blocks.append(
            SectionBlock(
                block_id=f"q-share-{interview_id}-{question_id}",
                text=MarkdownTextObject(text=shown),
                accessory=ButtonElement(
                    text=_("q.share.leave_out" if included else "q.share.put_back"),
                    action_id="q:share",
                    value=value(interview_id, question_id, "out" if included else "in"),
                ),
            )
        )
    return blocks


def split_blocks(blocks: list[dict], max_blocks: int = 45, max_chars: int = 11000) -> list[list[dict]]:
    """Slack rejects messages over 50 blocks or around 13k characters: split, never truncate."""
    return split_message(blocks, max_blocks, max_chars)


def superseded_summary(_: Translator) -> tuple[str, list[dict]]:
    text = _("q.summary.superseded")
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def thanks_message(_: Translator, interview_id: int, withdrawable: bool = True) -> tuple[str, list[dict]]:
    """The goodbye; once HR has processed the answers it says so instead of offering Withdraw."""
    blocks: list = [
        HeaderBlock(text=_("q.thanks.header")),
        SectionBlock(text=MarkdownTextObject(text=_("q.thanks.body"))),
        ContextBlock(elements=[MarkdownTextObject(text=_("q.thanks.who_sees"))]),
    ]
    if withdrawable:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.thanks.withdraw_note"))]))
        blocks.append(ActionsBlock(block_id=f"q-thanks-{interview_id}", elements=[_withdraw_button(_, interview_id)]))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.thanks.processed"))]))
    return _("q.thanks.header"), dicts(blocks)


def paused_message(_: Translator, interview_id: int, reminder: bool = False) -> tuple[str, list[dict]]:
    text = _("q.pause_reminder" if reminder else "q.paused")
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(
            block_id=f"q-resume-{interview_id}",
            elements=[
                ButtonElement(
                    text=_("q.button.resume"), action_id="q:resume", style="primary", value=value(interview_id)
                ),
                _withdraw_button(_, interview_id),
            ],
        ),
    ]
    return text, dicts(blocks)


def note(text: str) -> tuple[str, list[dict]]:
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def _withdraw_button(_: Translator, interview_id: int) -> ButtonElement:
    return ButtonElement(
        text=_("q.button.withdraw"),
        action_id="q:withdraw",
        style="danger",
        value=value(interview_id),
        confirm=ConfirmObject(
            title=_("q.withdraw.title"),
            text=_("q.withdraw.text"),
            confirm=_("q.withdraw.confirm"),
            deny=_("q.withdraw.deny"),
            style="danger",
        ),
    )


def text_modal(
    _: Translator,
    *,
    interview_id: int,
    question: Question,
    kind: str,
    limit: int,
    initial: str | None = None,
    rating: int | None = None,
    picked: list[str] | None = None,
) -> dict:
    """A form with room to write: the answer to a text question, a rating's comment, or 'other'."""
    metadata = "|".join([str(interview_id), question.id, kind, ",".join(picked or [])])
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=f"*{escape(_text(question, 'text', _.language))}*"))]
    if kind == "comment":
        labels = question.labels.get(_.language) or question.labels.get("en") or ()
        ratings = [
            Option(value=str(n), text=shorten(f"{n} · {labels[n - 1]}" if len(labels) >= n else str(n), 75))
            for n in range(1, 6)
        ]
        blocks.append(
            InputBlock(
                block_id="rating",
                label=_("q.modal.rating"),
                element=StaticSelectElement(
                    action_id="value", options=ratings, **({"initial_option": ratings[rating - 1]} if rating else {})
                ),
            )
        )
    label = {"answer": _("q.modal.answer"), "comment": _("q.modal.comment"), "other": _("q.modal.other")}[kind]
    blocks.append(
        InputBlock(
            block_id="text",
            label=label,
            optional=kind == "comment",
            element=PlainTextInputElement(
                action_id="value",
                multiline=question.type is not QuestionType.SHORT_TEXT,
                max_length=limit,
                **({"initial_value": initial} if initial else {}),
            ),
        )
    )
    return View(
        type="modal",
        callback_id=TEXT_CALLBACK,
        private_metadata=metadata,
        title=_("q.modal.title"),
        submit=_("q.modal.submit"),
        close=_("q.modal.close"),
        blocks=blocks,
    ).to_dict()
