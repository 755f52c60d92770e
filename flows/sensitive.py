"""Special categories of personal data (AVG/GDPR art. 9) in a leaver's own words.

Health, pregnancy, religion, union membership, sexual orientation, ethnicity and criminal records
may not be processed without an explicit ground, so a quote about any of them is never put in the
highlights by default: HR sees it marked and can share it only after rewriting it.

Detection is by vocabulary: `special-categories.txt` in the template folder (flows/templates) is
shipped with the package, and every `special-categories-*.txt` next to it (HR's own additions) is
read as well. The format, one term per line:

    # a comment
    [health]
    burn-out*      a trailing * matches every word starting with it: burn-out, burnout, burn-outklachten
    FNV            without *, only the whole word
    coming out     several words, with any spacing between them

Matching ignores case and accents and works on the text as the anonymiser normalises it (so
zero-width characters cannot hide a term); a hyphen in a term also matches a space or nothing.
Categories are the keys of CATEGORIES; an unknown one is an error with file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows.anonymise import fold, normalise

CATEGORIES = ("health", "pregnancy", "religion", "union", "sexual_orientation", "ethnicity", "criminal_record")

VOCABULARY_FOLDER = Path(__file__).with_name("templates")
SHIPPED_VOCABULARY = VOCABULARY_FOLDER / "special-categories.txt"
EXTRA_VOCABULARY_GLOB = "special-categories-*.txt"


class VocabularyError(ValueError):
    """A vocabulary file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Vocabulary:
    """Per category, one compiled pattern of all its terms."""

    patterns: Mapping[str, re.Pattern[str]]

    def categories(self, text: str) -> tuple[str, ...]:
        """The special categories `text` touches, in CATEGORIES order; () for none."""
        folded = fold(normalise(text))
        return tuple(category for category in CATEGORIES if category in self.patterns and
                     self.patterns[category].search(folded))


def parse_vocabulary(text: str, origin: str = "<vocabulary>") -> dict[str, list[str]]:
    """Category → terms, from one file in the format above."""
    terms: dict[str, list[str]] = {}
    category = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            category = line[1:-1].strip()
            if category not in CATEGORIES:
                raise VocabularyError(
                    f"{origin}:{number}: unknown category [{category}] (use one of {', '.join(CATEGORIES)})"
                )
            continue
        if category is None:
            raise VocabularyError(f"{origin}:{number}: term {line!r} before any [category]")
        if not any(char.isalnum() for char in line):
            raise VocabularyError(f"{origin}:{number}: term {line!r} has no letters")
        terms.setdefault(category, []).append(line)
    return terms


def build_vocabulary(sources: Iterable[Mapping[str, Iterable[str]]]) -> Vocabulary:
    merged: dict[str, set[str]] = {}
    for source in sources:
        for category, terms in source.items():
            merged.setdefault(category, set()).update(terms)
    return Vocabulary({
        category: re.compile("|".join(_term_pattern(term) for term in sorted(terms, key=len, reverse=True)))
        for category, terms in merged.items() if terms
    })


def _term_pattern(term: str) -> str:
    stem = term.endswith("*")
    words = fold(normalise(term.rstrip("*").strip())).split()
    parts = [r"[-\s]?".join(re.escape(piece) for piece in word.split("-")) for word in words]
    return r"(?<!\w)" + r"\s+".join(parts) + (r"\w*" if stem else "") + r"(?!\w)"


def vocabulary_files(folder: Path = VOCABULARY_FOLDER) -> list[Path]:
    """The shipped vocabulary first, then HR's additions in name order."""
    return [folder / SHIPPED_VOCABULARY.name, *sorted(folder.glob(EXTRA_VOCABULARY_GLOB))]


@cache
def vocabulary(folder: Path = VOCABULARY_FOLDER) -> Vocabulary:
    """The shipped vocabulary with HR's additions (read once per process)."""
    return build_vocabulary(
        parse_vocabulary(path.read_text(encoding="utf-8"), str(path)) for path in vocabulary_files(folder)
        if path.is_file()
    )


def special_categories(text: str) -> tuple[str, ...]:
    """The special categories of personal data `text` touches, by the installed vocabulary."""
    return vocabulary().categories(text)
