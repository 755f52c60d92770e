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
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.text import SECTION_TEXT, dicts, escape, fit, quoted, shorten, split_message
from bot.i18n import Translator
from flows.questionnaire import Answer, Progress, is_skipped
from flows.template import Option as TemplateOption
from flows.template import Question, QuestionType, Template, estimated_minutes

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
        ContextBlock(elements=[MarkdownTextObject(text=_("q.duration", count=estimated_minutes(template))),
                               MarkdownTextObject(text=_("q.step.intro_controls"))]),
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
    """The buttons (or menus) that answer a question; the chosen button stands out."""
    blocks = _answer_blocks(_, interview_id, question, options, answer)
    chosen = (answer or {}).get("value")
    if isinstance(chosen, bool):
        chosen = "yes" if chosen else "no"
    if chosen is not None:
        wanted = value(interview_id, question.id, str(chosen))
        for block in blocks:
            for element in getattr(block, "elements", None) or []:
                if isinstance(element, ButtonElement) and element.value == wanted:
                    element.style = "primary"
    return blocks


def _answer_blocks(_: Translator, interview_id: int, question: Question, options, answer: Answer | None) -> list:
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
        SectionBlock(text=MarkdownTextObject(text=_("q.done.body"))),
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


# --- steps: several questions in one message or one form ------------------------------------------

STEP_CALLBACK = "questionnaire_step"
INLINE_TYPES = frozenset(
    {QuestionType.RATING, QuestionType.SCALE_0_10, QuestionType.YES_NO, QuestionType.SINGLE_CHOICE})
STEP_ANSWER_CHARS = 300  # a written answer as shown in a step or the summary; the form holds it whole

# One question of a step: the question, the options it offers now, its answer (None: none yet).
Row = tuple[Question, tuple, Answer | None]


def answered_inline(rows: list[Row]) -> bool:
    """A step of buttons only (ratings, a score, yes/no, one choice) is answered in its message;
    any other step (a text, several choices) in a form."""
    return all(question.type in INLINE_TYPES for question, _options, _answer in rows)


def _step_heading(_: Translator, progress: Progress, done: bool = False) -> str:
    mark = ":white_check_mark: " if done else ""
    return f"{mark}*{_('q.step.counter', index=progress.index, total=progress.total)}*"


def _short_answer(_: Translator, question: Question, answer: Answer | None, options) -> str:
    shown = display_answer(_, question, answer, options)
    if len(shown) > STEP_ANSWER_CHARS:
        shown = fit(shown, STEP_ANSWER_CHARS) + " " + _("q.summary.shortened")
    return shown


def _answer_line(_: Translator, question: Question, answer: Answer | None, options) -> str:
    """"*Question*" and, once answered, the answer under it."""
    line = f"*{escape(_text(question, 'text', _.language))}*"
    if answer is not None:
        line += "\n" + _short_answer(_, question, answer, options)
    return line


def step_message(
    _: Translator,
    *,
    interview_id: int,
    rows: list[Row],
    progress: Progress,
    can_go_back: bool,
    notice: str | None = None,
) -> tuple[str, list[dict]]:
    """The step asked now. Buttons for each question when it is all buttons (answered in any
    order, the message rewritten in place with what is chosen), else the questions with what is
    answered so far and a button that opens the form. Every step can be left: "I'd rather not say"."""
    first = rows[0][0]
    inline = answered_inline(rows)
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_step_heading(_, progress)))]
    for question, options, answer in rows:
        if inline:
            chosen = "" if answer is None else "\n:white_check_mark: " + _short_answer(_, question, answer, options)
            blocks.append(SectionBlock(text=MarkdownTextObject(
                text=fit(f"*{escape(_text(question, 'text', _.language))}*{chosen}"))))
            help_text = _text(question, "help", _.language)
            if help_text and len(rows) == 1:
                blocks.append(ContextBlock(elements=[MarkdownTextObject(text=help_text)]))
            blocks += _answer_elements(_, interview_id, question, options, answer)
        else:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=fit(_answer_line(_, question, answer, options)))))
    if not inline:
        hint = "q.step.form_hint" if any(q.type in TEXT_TYPES_WITH_TYPING for q, *_r in rows) else "q.step.form_only"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(hint))]))
    elif any(q.type in (QuestionType.RATING, QuestionType.SCALE_0_10) for q, *_r in rows):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.step.score_hint"))]))
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=notice)]))
    controls = []
    if not inline:
        controls.append(ButtonElement(text=_("q.button.form"), action_id="q:form", style="primary",
                                      value=value(interview_id, first.id)))
    elif any(q.type is QuestionType.RATING and q.allow_comment for q, *_r in rows):
        controls.append(ButtonElement(text=_("q.button.comments"), action_id="q:form",
                                      value=value(interview_id, first.id)))
    anything = any(answer is not None for *_r, answer in rows)
    if not all(question.required for question, *_r in rows):
        controls.append(ButtonElement(text=_("q.button.next" if anything else "q.button.rather_not"),
                                      action_id="q:next", value=value(interview_id, first.id)))
    if can_go_back:
        controls.append(ButtonElement(text=_("q.button.back"), action_id="q:back", value=value(interview_id, first.id)))
    controls.append(ButtonElement(text=_("q.button.pause"), action_id="q:pause", value=value(interview_id, first.id)))
    blocks.append(ActionsBlock(block_id=f"q-controls-{interview_id}-{first.id}", elements=controls))
    if len(rows) == 1:  # the notification says what is asked
        return _text(first, "text", _.language), dicts(blocks)
    return _("q.step.fallback", index=progress.index, total=progress.total), dicts(blocks)


TEXT_TYPES_WITH_TYPING = frozenset({QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT})


def step_done_message(_: Translator, rows: list[Row], progress: Progress) -> tuple[str, list[dict]]:
    """A step once left: what was answered, no buttons to click twice."""
    lines = [_step_heading(_, progress, done=True)]
    lines += [_answer_line(_, question, answer or {"skipped": True}, options) for question, options, answer in rows]
    blocks = [SectionBlock(text=MarkdownTextObject(text=fit("\n".join(lines), SECTION_TEXT)))]
    return _("q.step.fallback", index=progress.index, total=progress.total), dicts(blocks)


def compact_summary(
    _: Translator,
    *,
    interview_id: int,
    steps: list[list[Row]],
    submitted_on: date | None,
    shared: list[tuple[str, str, bool, tuple[str, ...]]] | None = None,
    manager: bool | None = None,
) -> list[tuple[str, list[dict]]]:
    """All answers in one message, a section per step with Change (its form); then who sees what,
    and Send."""
    blocks: list = [HeaderBlock(text=_("q.summary.header"))]
    if submitted_on is None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.step.summary_intro"))]))
    for rows in steps:
        lines = [
            f"*{escape(_text(question, 'text', _.language))}*  {_short_answer(_, question, answer, options)}"
            for question, options, answer in rows
        ]
        section = SectionBlock(block_id=f"q-summary-{interview_id}-{rows[0][0].id}",
                               text=MarkdownTextObject(text=fit("\n".join(lines), SECTION_TEXT)))
        if submitted_on is None:
            section.accessory = ButtonElement(text=_("q.button.change"), action_id="q:change",
                                              value=value(interview_id, rows[0][0].id))
        blocks.append(section)
    if submitted_on is None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.summary.hr"))]))
    if submitted_on is None and manager is not None:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("q.manager_share.yes" if manager else "q.manager_share.no"))))
    if submitted_on is None and shared is not None:
        blocks += _shared_preview(_, interview_id, shared)
    if submitted_on is None:
        blocks.append(DividerBlock())
        blocks.append(ActionsBlock(block_id=f"q-submit-{interview_id}", elements=[
            ButtonElement(text=_("q.button.submit"), action_id="q:submit", style="primary", value=value(interview_id)),
            _withdraw_button(_, interview_id),
        ]))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("q.step.sent", date=_.date(submitted_on)))]))
    return [(_("q.summary.header"), part) for part in split_blocks(dicts(blocks))]


def _plain_option(option_value: str, text: str) -> Option:
    return Option(value=option_value, text=shorten(text, 75))


def step_form(_: Translator, *, interview_id: int, rows: list[Row], limit_of) -> dict:
    """Every question of a step in one form, each optional; what is answered already filled in.
    Block ids are the question ids (`<id>.comment`, `<id>.other` for the extra text)."""
    language = _.language
    blocks: list = [ContextBlock(elements=[MarkdownTextObject(text=_("q.form.voluntary"))])]
    for question, options, answer in rows:
        answer = answer if answer is not None and not is_skipped(answer) else {}
        label = shorten(_text(question, "text", language), 2000)
        help_text = _text(question, "help", language) or None
        hint = shorten(help_text, 2000) if help_text else None
        kind = question.type
        if kind in (QuestionType.RATING, QuestionType.SCALE_0_10):
            if kind is QuestionType.RATING:
                labels = question.labels.get(language) or question.labels.get("en") or ()
                choices = [_plain_option(str(n), f"{n} · {labels[n - 1]}" if len(labels) >= n else str(n))
                           for n in range(1, 6)]
            else:
                low, high = (question.labels.get(language) or question.labels.get("en") or ("", ""))[:2]
                ends = {0: low, 10: high}
                choices = [_plain_option(str(n), f"{n} · {ends[n]}" if n in ends else str(n)) for n in range(11)]
            initial = next((c for c in choices if c.value == str(answer.get("value"))), None)
            blocks.append(InputBlock(block_id=question.id, label=label, hint=hint, optional=True,
                                     element=StaticSelectElement(action_id="value", options=choices,
                                                                 placeholder=_("q.select.placeholder"),
                                                                 **({"initial_option": initial} if initial else {}))))
            if kind is QuestionType.RATING and question.allow_comment:
                blocks.append(_text_input(f"{question.id}.comment", _("q.form.comment"), limit_of(question),
                                          answer.get("comment")))
        elif kind is QuestionType.YES_NO:
            choices = [_plain_option("yes", _("q.yes")), _plain_option("no", _("q.no"))]
            chosen = {True: "yes", False: "no"}.get(answer.get("value"))
            initial = next((c for c in choices if c.value == chosen), None)
            blocks.append(InputBlock(block_id=question.id, label=label, hint=hint, optional=True,
                                     element=RadioButtonsElement(action_id="value", options=choices,
                                                                 **({"initial_option": initial} if initial else {}))))
        elif kind is QuestionType.SINGLE_CHOICE:
            choices = [_plain_option(o.id, option_text(o, language)) for o in options]
            initial = next((c for c in choices if c.value == answer.get("value")), None)
            element_type = RadioButtonsElement if len(choices) <= BUTTONS_UP_TO and not question.choices_from else None
            if element_type is not None:
                element = RadioButtonsElement(action_id="value", options=choices,
                                              **({"initial_option": initial} if initial else {}))
            else:
                element = StaticSelectElement(action_id="value", options=choices,
                                              placeholder=_("q.select.placeholder"),
                                              **({"initial_option": initial} if initial else {}))
            blocks.append(InputBlock(block_id=question.id, label=label, hint=hint, optional=True, element=element))
        elif kind is QuestionType.MULTIPLE_CHOICE:
            choices = [_plain_option(o.id, option_text(o, language)) for o in options]
            picked = set(answer.get("values") or [])
            initial = [c for c in choices if c.value in picked]
            blocks.append(InputBlock(block_id=question.id, label=label, hint=hint, optional=True,
                                     element=StaticMultiSelectElement(action_id="value", options=choices,
                                                                      placeholder=_("q.multi.placeholder"),
                                                                      **({"initial_options": initial}
                                                                         if initial else {}))))
            if question.allow_other:
                blocks.append(_text_input(f"{question.id}.other", _("q.form.other"), limit_of(question),
                                          answer.get("other"), multiline=False))
        else:
            blocks.append(_text_input(question.id, label, limit_of(question), answer.get("value"),
                                      multiline=kind is not QuestionType.SHORT_TEXT, hint=hint))
    return View(
        type="modal",
        callback_id=STEP_CALLBACK,
        private_metadata=f"{interview_id}|{rows[0][0].id}",
        title=_("q.modal.title"),
        submit=_("q.form.submit"),
        close=_("q.modal.close"),
        blocks=blocks,
    ).to_dict()


def _text_input(block_id: str, label: str, limit: int, initial, *, multiline: bool = True, hint=None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=shorten(label, 2000),
        hint=hint,
        optional=True,
        element=PlainTextInputElement(action_id="value", multiline=multiline, max_length=limit,
                                      **({"initial_value": initial} if isinstance(initial, str) and initial else {})),
    )
