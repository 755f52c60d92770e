"""Dutch and English message catalogs (gettext .po files, read with Babel) and locale formatting.

Messages are looked up by a stable key (`invite.header`); each catalog gives the text in its
language with `{placeholders}`. A key missing from a catalog is a bug the tests catch, so at run
time it falls back to English, then to the key itself, rather than failing in front of a user.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.pofile import read_po

LANGUAGES = ("nl", "en")
LOCALES = Path(__file__).with_name("locales")


@cache
def catalog(language: str) -> dict[str, str]:
    """All messages of one language: one .po file per feature (messages.po, questionnaire.po, ...)."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with open(path, "rb") as handle:
            po = read_po(handle, locale=language)
        for message in po:
            if message.id and message.string:
                if message.id in messages:
                    raise ValueError(f"{path.name}: message {message.id!r} is defined twice in {language}")
                messages[str(message.id)] = str(message.string)
    return messages


def language_of(locale: str | None) -> str | None:
    """`nl-NL`, `nl_BE`, `en-GB` → `nl`/`en`; anything else → None."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def t(language: str, key: str, **params: object) -> str:
    text = catalog(language).get(key) or catalog("en").get(key) or key
    return text.format(**params) if params else text


def long_date(day: date, language: str) -> str:
    """20 december 2026 / December 20, 2026."""
    return babel_format_date(day, format="long", locale=language)


def weekday_date(day: date, language: str) -> str:
    """maandag 7 december 2026 / Monday, December 7, 2026."""
    return babel_format_date(day, format="full", locale=language)


def moment(value: datetime, language: str) -> str:
    """A local date and time, e.g. `maandag 7 december 2026 om 10:00`."""
    pattern = "EEEE d MMMM y 'om' HH:mm" if language == "nl" else "EEEE d MMMM y 'at' HH:mm"
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
