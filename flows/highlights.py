"""What may leave HR's hands: anonymised quotes from a leaver's free-text answers.

Only with the leaver's consent, never the quotes the leaver left out, never a short factual answer
(where someone goes is too easy to trace back), and always scrubbed of names, contact details and
dates. A quote touching a special category of personal data (health, religion, ...; flows/sensitive.py)
is never in the draft: HR sees it marked and may share it only in its own, edited words. HR edits the
draft before approving; numbers reach managers only as aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flows.anonymise import anonymise
from flows.sensitive import special_categories
from flows.template import Category, QuestionType, Template

MAX_HIGHLIGHTS_TEXT = 2900
QUOTED_TYPES = frozenset({QuestionType.LONG_TEXT, QuestionType.RATING, QuestionType.MULTIPLE_CHOICE})


@dataclass(frozen=True)
class Quote:
    question_id: str
    text: str
    categories: tuple[str, ...] = ()  # the special categories of personal data it touches (art. 9)

    @property
    def sensitive(self) -> bool:
        return bool(self.categories)


def consented(template: Template, answers: Mapping[str, Any]) -> bool:
    """An explicit yes to the consent question; anything else (no, skipped, missing) is no."""
    for question in template.questions:
        if question.category is Category.CONSENT:
            return (answers.get(question.id) or {}).get("value") is True
    return False


def candidate_quotes(
    template: Template, answers: Mapping[str, Any], names: Iterable[str] = (), language: str = "nl"
) -> list[Quote]:
    """Every free text a leaver wrote that could be quoted, anonymised, in template order."""
    names = list(names)
    quotes = []
    for question in template.questions:
        answer = answers.get(question.id) or {}
        if question.type not in QUOTED_TYPES or question.category is Category.CONSENT:
            continue
        text = (
            answer.get("value")
            if question.type is QuestionType.LONG_TEXT
            else (answer.get("comment") if question.type is QuestionType.RATING else answer.get("other"))
        )
        if isinstance(text, str) and text.strip():
            scrubbed = anonymise(text.strip(), names, language).strip()
            if scrubbed:
                quotes.append(Quote(question.id, scrubbed, special_categories(scrubbed)))
    return quotes


def shared_quotes(
    template: Template,
    answers: Mapping[str, Any],
    excluded: Iterable[str] = (),
    names: Iterable[str] = (),
    language: str = "nl",
) -> list[Quote]:
    """The quotes management may see by default: none without consent, never one the leaver left
    out, never one touching a special category of personal data."""
    return [quote for quote in _offered(template, answers, excluded, names, language) if not quote.sensitive]


def withheld_quotes(
    template: Template,
    answers: Mapping[str, Any],
    excluded: Iterable[str] = (),
    names: Iterable[str] = (),
    language: str = "nl",
) -> list[Quote]:
    """The quotes the leaver would share that touch a special category: kept out of the draft."""
    return [quote for quote in _offered(template, answers, excluded, names, language) if quote.sensitive]


def _offered(
    template: Template, answers: Mapping[str, Any], excluded: Iterable[str], names: Iterable[str], language: str
) -> list[Quote]:
    if not consented(template, answers):
        return []
    left_out = set(excluded)
    return [
        quote for quote in candidate_quotes(template, answers, names, language) if quote.question_id not in left_out
    ]


def unedited(text: str, withheld: Iterable[Quote]) -> list[Quote]:
    """The withheld quotes that stand unchanged as a paragraph of HR's highlights `text`: sharing
    special-category data takes HR's own edit, not a paste."""
    paragraphs = {" ".join(paragraph.split()) for paragraph in parse(text)}
    return [quote for quote in withheld if " ".join(quote.text.split()) in paragraphs]


def draft(quotes: list[Quote]) -> str:
    """HR's editable draft: one quote per paragraph."""
    return "\n\n".join(quote.text for quote in quotes)[:MAX_HIGHLIGHTS_TEXT]


def parse(text: str) -> list[str]:
    """HR's edited highlights back into separate quotes (paragraphs)."""
    paragraphs = [" ".join(part.split()) for part in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [paragraph for paragraph in paragraphs if paragraph]
