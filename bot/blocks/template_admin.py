"""HR's templates in Slack: the Templates modal (versions, download, paste, edit), the question
editor and its question form, the preview of an uploaded template as a leaver would see it, its
Activate / Discard message, and refusals."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.questionnaire import intro_message, question_message
from bot.blocks.text import dicts, escape, escaped, fit, mention, shorten
from bot.i18n import Translator
from flows import template_edit as edit
from flows.questionnaire import Progress
from flows.template import (
    CHOICE_TYPES,
    CONSENT_CATEGORIES,
    LANGUAGES,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    Category,
    QuestionType,
    Template,
    may_be_required,
)

TEMPLATES_CALLBACK = "templates_modal"
PASTE_CALLBACK = "template_paste"
FIELD = "value"
PASTE_PARTS = 5  # Slack's text input holds 3000 characters; five hold twice the standard template
PART_LENGTH = 3000
PREVIEW_QUESTIONS = 3
MAX_VERSIONS_SHOWN = 40
INERT_PREFIX = "tpl:preview:"
# The question editor.
EDIT_ACTION = "tpled:open"
EDITOR_CALLBACK = "template_editor"
QUESTION_CALLBACK = "template_question"
ADD_ACTION, RESET_ACTION, ROW_ACTION, TYPE_ACTION = "tpled:add", "tpled:reset", "tpled:row", "tpled:type"
MAX_ROWS = 85  # a modal holds 100 blocks; the rest of the editor takes at most 15
MAX_POSITIONS = 100  # a static select holds 100 options
ROW_VERBS = ("edit", "up", "down", "remove")
INPUT_LENGTH = 3000  # a plain text input holds at most 3000 characters


@dataclass(frozen=True)
class VersionRow:
    key: str
    version: int
    name: str
    installed_at: datetime | None  # None: shipped with the bot, never installed
    installed_by: str | None
    active: bool
    ref: str  # what the download button sends: the row id, or "default"


def templates_modal(_: Translator, versions: list[VersionRow], notice: str | None = None) -> dict:
    blocks: list = []
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=notice)]))
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=_("tpl.modal.intro"))),
        ActionsBlock(block_id="tpl-main", elements=[
            ButtonElement(text=_("tpl.button.download_active"), action_id="tpl:download", value="active"),
            ButtonElement(text=_("tpled.button.edit"), action_id=EDIT_ACTION, style="primary", value="edit"),
            ButtonElement(text=_("tpl.button.paste"), action_id="tpl:paste", value="paste"),
        ]),
        ContextBlock(elements=[MarkdownTextObject(text=_("tpl.modal.file_hint"))]),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=f"*{_('tpl.modal.versions')}*")),
    ]
    for row in versions[:MAX_VERSIONS_SHOWN]:
        if row.installed_at is None:
            origin = _("tpl.version.shipped")
        elif row.installed_by:
            origin = _("tpl.version.installed_by", date=_.date(row.installed_at.date()), user=mention(row.installed_by))
        else:
            origin = _("tpl.version.installed", date=_.date(row.installed_at.date()))
        text = f"*{escape(row.name)}* · `{escape(row.key)}` v{row.version}\n{origin}"
        if row.active:
            text += "\n" + _("tpl.version.active")
        blocks.append(SectionBlock(
            block_id=f"tpl-version-{row.ref}", text=MarkdownTextObject(text=shorten(text, 2900)),
            accessory=ButtonElement(text=_("tpl.button.download"), action_id="tpl:download", value=row.ref),
        ))
    return View(type="modal", callback_id=TEMPLATES_CALLBACK, title=_("tpl.modal.title"),
                close=_("tpl.modal.close"), blocks=blocks[:100]).to_dict()


def paste_modal(_: Translator) -> dict:
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_("tpl.paste.intro", parts=PASTE_PARTS)))]
    for number in range(1, PASTE_PARTS + 1):
        blocks.append(InputBlock(
            block_id=f"part_{number}", label=_("tpl.paste.part", number=number), optional=number > 1,
            element=PlainTextInputElement(action_id=FIELD, multiline=True, max_length=PART_LENGTH),
        ))
    return View(type="modal", callback_id=PASTE_CALLBACK, title=_("tpl.paste.title"), submit=_("tpl.paste.submit"),
                close=_("tpl.modal.close"), blocks=blocks).to_dict()


def pasted_source(values: dict) -> str:
    """The parts joined in order; each part ends at a line break (the modal asks for that)."""
    parts = []
    for number in range(1, PASTE_PARTS + 1):
        state = (values.get(f"part_{number}") or {}).get(FIELD) or {}
        text = state.get("value") if isinstance(state, dict) else None
        if isinstance(text, str) and text.strip():
            parts.append(text.rstrip("\n"))
    return "\n".join(parts) + "\n" if parts else ""


# -- the preview --------------------------------------------------------------------------------------


def inert(blocks: list[dict]) -> list[dict]:
    """The same blocks with every button and menu made harmless: another action id (answered with
    a plain acknowledgement), no value that means anything, no confirm dialog."""
    blocks = copy.deepcopy(blocks)
    number = 0
    for block in blocks:
        block.pop("block_id", None)
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            if "action_id" in element:
                number += 1
                element["action_id"] = f"{INERT_PREFIX}{number}"
                element.pop("confirm", None)
                if element.get("type") == "button":
                    element["value"] = "preview"
    return blocks


def preview_messages(_: Translator, template: Template) -> list[tuple[str, list[dict]]]:
    """The intro and the first questions, exactly as a leaver in this language would get them."""
    header = _("tpl.preview.header", name=escape(template.name.get(_.language, template.id)),
               template=escape(template.id), version=template.version, count=len(template.questions))
    messages = [(header, dicts([SectionBlock(text=MarkdownTextObject(text=header)),
                                ContextBlock(elements=[MarkdownTextObject(text=_("tpl.preview.inert"))])]))]
    text, blocks = intro_message(_, template, 0)
    messages.append((text, inert(blocks)))
    total = len(template.questions)
    for index, question in enumerate(template.questions[:PREVIEW_QUESTIONS]):
        options = question.options
        if question.choices_from is not None:
            source = template.question(question.choices_from)
            options = source.options if source is not None else ()
        text, blocks = question_message(_, interview_id=0, question=question, options=options,
                                        progress=Progress(index + 1, total), answer=None, can_go_back=index > 0)
        messages.append((text, inert(blocks)))
    return messages


def decision_message(_: Translator, template: Template, draft_id: int) -> tuple[str, list[dict]]:
    language = _.language
    lines = []
    for number, question in enumerate(template.questions, start=1):
        need = _("tpl.outline.required") if question.required else _("tpl.outline.optional")
        text = shorten(question.text.get(language) or question.text.get("en", question.id), 200)
        lines.append(f"{number}. {escape(text)} `{question.type.value}` · {need}")
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=_("tpl.preview.outline", count=len(lines))))]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > 2800:
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    blocks = blocks[:45]
    blocks += [
        ContextBlock(elements=[MarkdownTextObject(text=_("tpl.preview.activate_note"))]),
        ActionsBlock(block_id=f"tpl-decide-{draft_id}", elements=[
            ButtonElement(
                text=_("tpl.button.activate"), action_id="tpl:activate", style="primary", value=str(draft_id),
                confirm=ConfirmObject(
                    title=_("tpl.activate.title"),
                    text=_("tpl.activate.text", template=escape(template.id), version=template.version),
                    confirm=_("tpl.activate.confirm"), deny=_("tpl.activate.deny"),
                ),
            ),
            ButtonElement(text=_("tpl.button.discard"), action_id="tpl:discard", style="danger", value=str(draft_id)),
        ]),
    ]
    return _("tpl.preview.outline", count=len(lines)), dicts(blocks)


def decided_message(_: Translator, key: str, version: int, outcome: str, by: str, at: datetime) -> tuple[str, list]:
    """The decision message once decided: what happened, by whom, when; no buttons left."""
    text = _(f"tpl.decided.{outcome}", template=escape(key), version=version, user=mention(by),
             moment=_.moment(at))
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


def issues_message(_: Translator, origin: str, issues: list[str]) -> tuple[str, list[dict]]:
    """Why a template was refused: every issue, in plain words, so one round of fixes does it."""
    header = _("tpl.refused", origin=escape(origin), count=len(issues))
    lines = [f"• {escape(shorten(issue, 500))}" for issue in issues]
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=header))]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > 2800:
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    if len(blocks) > 45:
        blocks = [*blocks[:44], SectionBlock(text=MarkdownTextObject(text=_("tpl.refused.more")))]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("tpl.refused.hint"))]))
    return header + "\n" + "\n".join(lines)[:3500], dicts(blocks)


def plain(text: str) -> tuple[str, list[dict]]:
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])


# -- the question editor ----------------------------------------------------------------------------


def _text_input(block_id: str, label: str, initial: str | None, *, multiline: bool, limit: int,
                optional: bool = False, hint: str | None = None) -> InputBlock:
    return InputBlock(
        block_id=block_id, label=label, optional=optional, hint=hint,
        element=PlainTextInputElement(action_id=FIELD, multiline=multiline, max_length=limit,
                                      initial_value=initial or None),
    )


def _plain(text: str, limit: int = 75) -> str:
    """Plain text for an option or label (Slack shows it as typed; only its length is limited)."""
    return shorten(" ".join(text.split()), limit)


def editor_modal(_: Translator, data: dict, *, draft_id: int, parent: str | None, next_version: int,
                 changed: bool, notice: str | None = None) -> dict:
    """The working copy: its name and intro, and every question with its own menu (edit, up, down,
    remove); Save installs it as a new version."""
    language = _.language
    items = edit.questions(data)
    blocks: list = []
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=fit(notice))]))
    intro = _("tpled.editor.intro", template=escape(str(data.get("id") or "")), version=next_version)
    if changed:
        intro += "\n" + _("tpled.editor.changed")
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit(intro))))
    for language_code in LANGUAGES:
        block_id = f"name_{language_code}"
        blocks.append(_text_input(block_id, _(f"tpled.field.{block_id}"),
                                  edit.value(data, "name", language_code), multiline=False, limit=MAX_NAME_LENGTH))
    for language_code in LANGUAGES:
        block_id = f"intro_{language_code}"
        blocks.append(_text_input(block_id, _(f"tpled.field.{block_id}"),
                                  edit.value(data, "intro", language_code), multiline=True, limit=MAX_TEXT_LENGTH))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{_('tpled.editor.questions', count=len(items))}*")))
    for number, question in enumerate(items[:MAX_ROWS], start=1):
        text, kind, required = edit.question_summary(question, language)
        need = _("tpl.outline.required") if required else _("tpl.outline.optional")
        line = f"{number}. {escaped(text, 2000)}\n{_(f'tpled.type.{kind}')} · {need}"
        verbs = [verb for verb in ROW_VERBS
                 if not (verb == "up" and number == 1) and not (verb == "down" and number == len(items))]
        question_id = str(question.get("id"))
        blocks.append(SectionBlock(
            block_id=f"tpled-q-{question_id}"[:255], text=MarkdownTextObject(text=fit(line)),
            accessory=OverflowMenuElement(action_id=ROW_ACTION, options=[
                Option(value=f"{verb}:{question_id}", text=_(f"tpled.row.{verb}")) for verb in verbs]),
        ))
    if len(items) > MAX_ROWS:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=_("tpled.editor.more", count=len(items) - MAX_ROWS))]))
    buttons = []
    if len(items) < MAX_ROWS:
        buttons.append(ButtonElement(text=_("tpled.button.add"), action_id=ADD_ACTION, value=str(draft_id),
                                     style="primary"))
    if changed:
        buttons.append(ButtonElement(
            text=_("tpled.button.reset"), action_id=RESET_ACTION, value=str(draft_id),
            confirm=ConfirmObject(title=_("tpled.reset.title"), text=_("tpled.reset.text"),
                                  confirm=_("tpled.reset.confirm"), deny=_("tpled.reset.deny")),
        ))
    if buttons:
        blocks.append(ActionsBlock(block_id="tpled-actions", elements=buttons))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("tpled.editor.save_note"))]))
    metadata = json.dumps({"d": draft_id, "p": parent})
    return View(type="modal", callback_id=EDITOR_CALLBACK, title=_("tpled.editor.title"),
                submit=_("tpled.editor.submit"), close=_("tpled.editor.close"), private_metadata=metadata,
                blocks=blocks).to_dict()


def editor_metadata(view: dict) -> tuple[int | None, str | None]:
    """(draft id, the view to refresh after saving) of an editor modal."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None, None
    draft = metadata.get("d") if isinstance(metadata, dict) else None
    parent = metadata.get("p") if isinstance(metadata, dict) else None
    return (draft if isinstance(draft, int) else None), (parent if isinstance(parent, str) else None)


def editor_texts(values: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The name and intro as typed on the editor."""
    return ({language: _typed(values, f"name_{language}") for language in LANGUAGES},
            {language: _typed(values, f"intro_{language}") for language in LANGUAGES})


def question_modal(_: Translator, data: dict, form: edit.QuestionInput, *, draft_id: int, original_id: str | None,
                   editor_view: str | None, parent: str | None) -> dict:
    """One question's own form, pushed over the editor: texts in both languages, type, category,
    choices or labels, whether it needs an answer, and its place."""
    items = edit.questions(data)
    index = edit.index_of(data, original_id) if original_id else None
    original = items[index] if index is not None else None
    fixed_category = original is not None and original.get("category") in CONSENT_CATEGORIES
    kind = form.type
    blocks: list = []
    if original is None:
        blocks.append(_text_input(edit.ID, _("tpled.field.id"), form.id, multiline=False, limit=40,
                                  hint=_("tpled.hint.id")))
    else:
        note = _("tpled.question.id", id=escape(original_id or ""))
        if fixed_category:
            note += " " + _(f"tpled.question.fixed.{original.get('category')}")
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=fit(note))]))
    for language in LANGUAGES:
        blocks.append(_text_input(edit.TEXT[language], _(f"tpled.field.{edit.TEXT[language]}"), form.text.get(language),
                                  multiline=True, limit=MAX_TEXT_LENGTH))
    for language in LANGUAGES:
        blocks.append(_text_input(edit.HELP[language], _(f"tpled.field.{edit.HELP[language]}"), form.help.get(language),
                                  multiline=True, limit=MAX_TEXT_LENGTH, optional=True))
    if not fixed_category:
        types = [Option(value=t.value, text=_(f"tpled.type.{t.value}")) for t in QuestionType]
        blocks.append(InputBlock(
            block_id=edit.TYPE, label=_("tpled.field.type"), dispatch_action=True,
            element=StaticSelectElement(action_id=TYPE_ACTION, options=types,
                                        initial_option=next((o for o in types if o.value == kind), None)),
        ))
        categories = [Option(value=c.value, text=_(f"tpled.category.{c.value}")) for c in Category
                      if c not in CONSENT_CATEGORIES]
        blocks.append(InputBlock(
            block_id=edit.CATEGORY, label=_("tpled.field.category"), hint=_("tpled.hint.category"),
            element=StaticSelectElement(action_id=FIELD, options=categories,
                                        initial_option=next((o for o in categories if o.value == form.category),
                                                            None)),
        ))
    choices_from = original.get("choices_from") if original is not None else None
    if kind in CHOICE_TYPES and isinstance(choices_from, str) and kind == QuestionType.SINGLE_CHOICE:
        source = edit.index_of(data, choices_from)
        text = edit.question_summary(items[source], _.language)[0] if source is not None else choices_from
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=fit(_("tpled.question.choices_from", question=escaped(text, 500))))]))
    elif kind in CHOICE_TYPES and any(len(form.options.get(language) or "") > INPUT_LENGTH for language in LANGUAGES):
        # More choice text than a field holds: the choices stay as they are (the YAML can change them).
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("tpled.question.options_too_long"))]))
    elif kind in CHOICE_TYPES:
        for language in LANGUAGES:
            blocks.append(_text_input(edit.OPTIONS[language], _(f"tpled.field.{edit.OPTIONS[language]}"),
                                      form.options.get(language), multiline=True, limit=INPUT_LENGTH,
                                      hint=_("tpled.hint.options")))
    elif kind in (QuestionType.RATING, QuestionType.SCALE_0_10):
        hint = _("tpled.hint.rating_labels") if kind == QuestionType.RATING else _("tpled.hint.scale_labels")
        for language in LANGUAGES:
            blocks.append(_text_input(edit.LABELS[language], _(f"tpled.field.{edit.LABELS[language]}"),
                                      form.labels.get(language), multiline=True, limit=1000, hint=hint))
    flags = []
    category = original.get("category") if fixed_category else form.category
    if may_be_required(kind, category) or edit.REQUIRED in form.flags:
        flags.append(Option(value=edit.REQUIRED, text=_("tpled.flag.required"),
                            description=_("tpled.flag.required.help")))
    if kind == QuestionType.MULTIPLE_CHOICE and not choices_from:
        flags.append(Option(value=edit.ALLOW_OTHER, text=_("tpled.flag.allow_other"),
                            description=_("tpled.flag.allow_other.help")))
    if kind == QuestionType.RATING:
        flags.append(Option(value=edit.ALLOW_COMMENT, text=_("tpled.flag.allow_comment")))
    if flags:
        chosen = [option for option in flags if option.value in form.flags]
        blocks.append(InputBlock(
            block_id=edit.FLAGS, label=_("tpled.field.flags"), optional=True,
            hint=_("tpled.hint.voluntary"),
            element=CheckboxesElement(action_id=FIELD, options=flags, initial_options=chosen or None),
        ))
    count = len(items) + (1 if original is None else 0)
    if count > 1:
        positions = [Option(value=str(number), text=_plain(f"{number} · {label}"))
                     for number, label in _position_labels(_, items, original_id)][:MAX_POSITIONS]
        initial = next((o for o in positions if o.value == str(form.position)), None)
        blocks.append(InputBlock(
            block_id=edit.POSITION, label=_("tpled.field.position"),
            element=StaticSelectElement(action_id=FIELD, options=positions, initial_option=initial),
        ))
    metadata = json.dumps({"d": draft_id, "q": original_id, "e": editor_view, "p": parent})
    title = _("tpled.question.title_new") if original is None else _("tpled.question.title")
    return View(type="modal", callback_id=QUESTION_CALLBACK, title=title, submit=_("tpled.question.submit"),
                close=_("tpled.question.close"), private_metadata=metadata, blocks=blocks).to_dict()


def _position_labels(_: Translator, items: list[dict], original_id: str | None) -> list[tuple[int, str]]:
    """Each place the question can take, named by the question that stands there now."""
    labels = []
    others = [q for q in items if q.get("id") != original_id]
    for number in range(1, len(others) + 2):
        if number <= len(others):
            label = _("tpled.position.before", question=edit.question_summary(others[number - 1], _.language)[0])
        else:
            label = _("tpled.position.last")
        labels.append((number, label))
    return labels


def question_metadata(view: dict) -> tuple[int | None, str | None, str | None, str | None]:
    """(draft id, the question's id or None for a new one, the editor's view id, the editor's parent)
    of a question form."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    draft = metadata.get("d")
    text = [metadata.get(name) if isinstance(metadata.get(name), str) else None for name in ("q", "e", "p")]
    return (draft if isinstance(draft, int) else None, *text)


def question_input(values: dict, fallback: edit.QuestionInput | None = None) -> edit.QuestionInput:
    """The question form as submitted (or as it stands when the type changes). Fields the form did
    not show (a consent question's fixed type and category) come from `fallback`."""
    def chosen(block_id: str, action_id: str = FIELD) -> str:
        state = (values.get(block_id) or {}).get(action_id) or {}
        option = state.get("selected_option") if isinstance(state, dict) else None
        return str(option.get("value")) if isinstance(option, dict) and option.get("value") is not None else ""

    flags_state = (values.get(edit.FLAGS) or {}).get(FIELD) or {}
    flags = {str(o.get("value")) for o in (flags_state.get("selected_options") or []) if isinstance(o, dict)}
    position = chosen(edit.POSITION)
    return edit.QuestionInput(
        id=_typed(values, edit.ID) or (fallback.id if fallback else ""),
        type=chosen(edit.TYPE, TYPE_ACTION) or (fallback.type if fallback else ""),
        category=chosen(edit.CATEGORY) or (fallback.category if fallback else ""),
        text={language: _typed(values, edit.TEXT[language]) for language in LANGUAGES},
        help={language: _typed(values, edit.HELP[language]) for language in LANGUAGES},
        options={language: _typed(values, edit.OPTIONS[language]) if edit.OPTIONS[language] in values
                 else (fallback.options.get(language, "") if fallback else "") for language in LANGUAGES},
        labels={language: _typed(values, edit.LABELS[language]) if edit.LABELS[language] in values
                else (fallback.labels.get(language, "") if fallback else "") for language in LANGUAGES},
        flags=frozenset(flags),
        position=int(position) if position.isdigit() else (fallback.position if fallback else None),
    )


def _typed(values: dict, block_id: str) -> str:
    state = (values.get(block_id) or {}).get(FIELD) or {}
    text = state.get("value") if isinstance(state, dict) else None
    return text if isinstance(text, str) else ""


def saved_message(_: Translator, key: str, version: int, count: int) -> tuple[str, list[dict]]:
    text = _("tpled.saved", template=escape(key), version=version, count=count)
    return text, dicts([SectionBlock(text=MarkdownTextObject(text=text))])
