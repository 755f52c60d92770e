"""Dutch and English message catalogs (gettext .po files, read with Babel) and locale formatting.

Messages are looked up by a stable key (`invite.header`); each catalog gives the text in its
language with `{placeholders}`. A message that depends on a number is a gettext plural entry
(`msgid "key"` + `msgid_plural "key.plural"` + `msgstr[0]`, `msgstr[1]`, ...): `t(..., count=n)` picks
the form by the language's own plural rule (Babel's CLDR data), so there is never "1 gesprekken".
A key missing from a catalog is a bug the tests catch, so at run
time it falls back to English, then to the key itself, rather than failing in front of a user.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.pofile import read_po

LANGUAGES = ("nl", "en")
LOCALES = Path(__file__).with_name("locales")


@cache
def catalog(language: str) -> dict[str, str | tuple[str, ...]]:
    """All messages of one language: one .po file per feature (messages.po, questionnaire.po, ...).

    A plural entry maps its key (the msgid) to its forms, in the order of the language's plural rule.
    """
    messages: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with open(path, "rb") as handle:
            po = read_po(handle, locale=language)
        for message in po:
            if not message.id or not message.string:
                continue
            key = str(message.id[0]) if message.pluralizable else str(message.id)
            if key in messages:
                raise ValueError(f"{path.name}: message {key!r} is defined twice in {language}")
            if message.pluralizable:
                forms = tuple(str(form) for form in message.string)
                if not all(forms):
                    continue
                messages[key] = forms
            else:
                messages[key] = str(message.string)
    return messages


@cache
def _plural_rule(language: str):
    return Locale.parse(language).plural_form


def plural_index(language: str, count: int | float) -> int:
    """Which form of a plural entry a number takes: Babel's CLDR rule mapped to gettext's order.

    For Dutch and English gettext has two forms, `one` (index 0) and `other` (index 1).
    """
    return 0 if _plural_rule(language)(count) == "one" else 1


def _choose(language: str, key: str, text: str | tuple[str, ...], params: dict[str, object]) -> str:
    if isinstance(text, str):
        return text
    count = params.get("count")
    if not isinstance(count, (int, float)):
        raise KeyError(f"{key!r} is a plural message and needs a numeric count= parameter")
    index = plural_index(language, count)
    return text[min(index, len(text) - 1)]


def language_of(locale: str | None) -> str | None:
    """`nl-NL`, `nl_BE`, `en-GB` → `nl`/`en`; anything else → None."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def t(language: str, key: str, **params: object) -> str:
    """The text of `key` in `language`, falling back to English, then to the key itself.

    When the entry is a plural entry, `count=` chooses the form (and may be used in the text).
    """
    if key in catalog(language):
        chosen_language, text = language, catalog(language)[key]
    elif key in catalog("en"):
        chosen_language, text = "en", catalog("en")[key]
    else:
        chosen_language, text = language, key
    text = _choose(chosen_language, key, text, params)
    return text.format(**params) if params else text


def long_date(day: date, language: str) -> str:
    """20 december 2026 / December 20, 2026."""
    return babel_format_date(day, format="long", locale=language)


def weekday_date(day: date, language: str) -> str:
    """maandag 7 december 2026 / Monday, December 7, 2026."""
    return babel_format_date(day, format="full", locale=language)


def moment(value: datetime, language: str) -> str:
    """A local date and time in the same style as `weekday_date` (one date style per language):
    `maandag 7 december 2026 om 10:00` / `Monday, December 7, 2026 at 10:00`."""
    pattern = "EEEE d MMMM y 'om' HH:mm" if language == "nl" else "EEEE, MMMM d, y 'at' HH:mm"
    return babel_format_datetime(value, pattern, tzinfo=value.tzinfo, locale=language)


class Translator:
    """Bound to one language: `_("key", name=...)`."""

    def __init__(self, language: str):
        self.language = language if language in LANGUAGES else "en"

    def __call__(self, key: str, **params: object) -> str:
        return t(self.language, key, **params)

    def date(self, day: date) -> str:
        return long_date(day, self.language)

    def moment(self, value: datetime) -> str:
        return moment(value, self.language)
