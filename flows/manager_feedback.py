"""Feedback for the leaver's direct manager: a separate, explicit choice of the leaver.

It can never be anonymous (the manager knows whose exit interview it is), so it is not dressed up as
such: the message names the leaver and quotes their own words, and it goes only with an explicit yes
to the template's `manager_consent` question (no, skipped or missing is no). What the draft holds is
what that question promises: the rating and comment on the manager's support, and what the leaver
wrote about what could be better and what goes well. HR reads and edits it before approving; it is
sent only after the last working day. Without consent the manager gets, at most and only if HR
chooses, a notice that an interview took place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.sensitive import special_categories
from flows.template import Category, QuestionType, Template

MAX_NOTE_TEXT = 2900  # one Slack section, and the modal's text input
TOPICS = (Category.MANAGER, Category.IMPROVEMENTS, Category.STRENGTHS)


def asks_consent(template: Template) -> bool:
    """Whether the template lets the leaver choose manager feedback at all."""
    return any(question.category is Category.MANAGER_CONSENT for question in template.questions)


def consented(template: Template, answers: Mapping[str, Any]) -> bool:
    """An explicit yes to the manager-feedback question; anything else is no."""
    for question in template.questions:
        if question.category is Category.MANAGER_CONSENT:
            return (answers.get(question.id) or {}).get("value") is True
    return False


def draft(template: Template, answers: Mapping[str, Any], language: str) -> str:
    """HR's starting point for the message: the leaver's own words on the promised topics, one
    paragraph per question, headed by the question. Empty without consent."""
    if not consented(template, answers):
        return ""
    parts = []
    for question in template.questions:
        if question.category not in TOPICS:
            continue
        answer = answers.get(question.id) or {}
        # The question as the leaver read it ("your manager" is the reader of this message), in quotes.
        heading = "“" + (question.text.get(language) or question.text.get("en", question.id)) + "”"
        if question.type is QuestionType.RATING and isinstance(answer.get("value"), int):
            labels = question.labels.get(language) or question.labels.get("en") or ()
            score = answer["value"]
            shown = f"{score}/5" + (f" ({labels[score - 1]})" if 0 < score <= len(labels) else "")
            comment = (answer.get("comment") or "").strip()
            parts.append(f"{heading} {shown}" + (f"\n{comment}" if comment else ""))
        elif question.type in (QuestionType.LONG_TEXT, QuestionType.SHORT_TEXT):
            text = answer.get("value")
            if isinstance(text, str) and text.strip():
                parts.append(f"{heading}\n{text.strip()}")
    return "\n\n".join(parts)[:MAX_NOTE_TEXT]


def clean(text: str | None) -> str:
    """HR's edited message: line breaks made uniform, blank-line paragraphs kept, trimmed."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()[:MAX_NOTE_TEXT]


def unedited_special_categories(note: str, drafts: list[str]) -> tuple[str, ...]:
    """The special categories (art. 9) touched by lines of the leaver's own words that stand
    unchanged in HR's message: as with the highlights, sharing them takes HR's own words."""
    drafted = {" ".join(line.split()) for text in drafts for line in text.splitlines() if line.strip()}
    found: list[str] = []
    for line in (note or "").splitlines():
        line = " ".join(line.split())
        if line in drafted:
            found += [category for category in special_categories(line) if category not in found]
    return tuple(found)
