"""HR's templates in Slack: the Templates modal (versions, download, paste), the preview of an
uploaded template as a leaver would see it, its Activate / Discard message, and refusals."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.questionnaire import intro_message, question_message
from bot.blocks.text import dicts, escape, mention, shorten
from bot.i18n import Translator
from flows.questionnaire import Progress
from flows.template import Template

TEMPLATES_CALLBACK = "templates_modal"
PASTE_CALLBACK = "template_paste"
FIELD = "value"
PASTE_PARTS = 5  # Slack's text input holds 3000 characters; five hold twice the standard template
PART_LENGTH = 3000
PREVIEW_QUESTIONS = 3
MAX_VERSIONS_SHOWN = 40
INERT_PREFIX = "tpl:preview:"


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
            ButtonElement(text=_("tpl.button.paste"), action_id="tpl:paste", style="primary", value="paste"),
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
