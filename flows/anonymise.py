"""Take personal data out of the free-text answers of departing employees before anyone reads them.

`anonymise()` first normalises the text as a reader sees it (NFKC; a right-to-left override turned
into the order it renders in; zero-width characters, bidi controls, soft hyphens and other invisible
format characters removed, so none can hide a name and none reach the output). Then it replaces, in
this order, Slack mentions and links, URLs, e-mail addresses, IBANs, dates, phone numbers, BSNs,
addresses, the names of workspace members and towns with a neutral placeholder in the reader's
language (`[naam]` / `[name]`, `[e-mail]`, `[telefoon]` / `[phone]`, `[iban]`, `[bsn]`, `[adres]` /
`[address]`, `[url]`, `[kanaal]` / `[channel]`, `[groep]` / `[group]`, `[datum]` / `[date]`,
`[plaats]` / `[place]`). The order matters: a URL or an e-mail address is removed whole before its
digits could be taken for a phone number, and dates go before phone numbers so that 06-12-2026 stays
a date.

- A date is an exact date, and also a month, season or quarter with its year ("maart 2026", "zomer
  2025", "Q3 2026") and a week number ("week 12"): in a small team each points at one person.
- Phone numbers: Dutch national and international (+31/0031, +44, +32, +1 ...), and North American
  ones without the country code, "(555) 123-4567", "555-123-4567".

The rules err on the side of privacy where a choice has to be made:

- An IBAN is replaced when it passes the mod-97 check for a known country and length, and a Dutch
  one that merely *looks* right (NL, two digits, four letters, ten digits) is replaced as well, since
  a typo in one digit still identifies the account.
- A BSN is nine digits (also 1234.56.782, 123 456 782, 123-456-782) that pass the 11-check; nine
  digits failing it (order numbers) are left alone.
- A postcode is replaced with the house number or city that follows it; an upper-case postcode on
  its own too (except unit-like pairs such as 1024 MB). A street is recognised by its suffix
  (-straat, -laan, -weg, -gracht, ...) followed by a house number; English "221B Baker Street" too.
- A name is matched case- and accent-insensitively as a whole word. Full names are split into their
  parts and tussenvoegsels (de, van, der, 't, ...) are never replaced on their own. A name that is also
  an ordinary word (Mark, Will, Roos, Bakker, ...) is replaced only when it is written with a capital,
  so a capitalised "Will" at the start of a sentence is replaced too. A possessive ending stays as
  written after the placeholder: "Jan's" → "[naam]'s", "Jans" → "[naam]s", "Kees'" → "[naam]'".
- Special mentions (@channel, @here, @everyone) are dropped: they carry no personal data, but would
  ping a whole channel if the text were posted again.
- The same placeholder repeated (e.g. "[naam] [naam]", "[naam] ([naam])") is collapsed into one.

Running `anonymise()` on its own output changes nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from flows.template import LANGUAGES


@dataclass(frozen=True)
class Placeholders:
    """The neutral words that stand in for each kind of personal data, in one language."""

    name: str
    email: str
    phone: str
    iban: str
    bsn: str
    address: str
    url: str
    channel: str
    group: str
    date: str
    place: str


PLACEHOLDERS = {
    "nl": Placeholders(
        name="[naam]",
        email="[e-mail]",
        phone="[telefoon]",
        iban="[iban]",
        bsn="[bsn]",
        address="[adres]",
        url="[url]",
        channel="[kanaal]",
        group="[groep]",
        date="[datum]",
        place="[plaats]",
    ),
    "en": Placeholders(
        name="[name]",
        email="[e-mail]",
        phone="[phone]",
        iban="[iban]",
        bsn="[bsn]",
        address="[address]",
        url="[url]",
        channel="[channel]",
        group="[group]",
        date="[date]",
        place="[place]",
    ),
}


def placeholders(language: str) -> Placeholders:
    """The placeholders of one of LANGUAGES; anything else is a programming error."""
    try:
        return PLACEHOLDERS[language]
    except KeyError:
        raise ValueError(f"unknown language {language!r} (use {' or '.join(LANGUAGES)})") from None


def anonymise(text: str, names: Iterable[str] = (), language: str = "nl") -> str:
    """`text` with the personal data in it replaced by placeholders in `language`.

    `names` are the real and display names of the workspace members (full names, display names such
    as "jdevries"); they and their parts are replaced wherever they occur as a whole word.
    """
    words = placeholders(language)
    phrases = _name_phrases((names,) if isinstance(names, str) else tuple(names))
    text = normalise(text)
    # A replacement can expose data that was glued to what it replaced (a phone number right after
    # another, a mention inside a mention), so the passes repeat until nothing changes. Every pass that
    # changes something turns text into placeholders, so this ends; the bound is a safety net.
    for _ in range(_MAX_PASSES):
        scrubbed = _collapse(_scrub_once(text, phrases, words, language))
        if scrubbed == text:
            break
        text = scrubbed
    return text


_MAX_PASSES = 20


# --- normalisation ------------------------------------------------------------------------------

# Right-to-left override (U+202E) up to its pop (U+202C) or the end of the line: rendered reversed,
# so "\u202eseirV ed naJ\u202c" shows as "Jan de Vries" and is matched as it is read.
_RIGHT_TO_LEFT_OVERRIDE = re.compile("\u202e([^\u202a-\u202e\n]*)(?:\u202c|(?=\n)|$)")


def _is_format_character(char: str) -> bool:
    """Zero-width and bidi controls, soft hyphen, word joiner, BOM: invisible, so they can hide a name."""
    return unicodedata.category(char) == "Cf"


def normalise(text: str) -> str:
    """`text` as a reader sees it: compatibility forms folded (NFKC: full-width letters, ligatures),
    a right-to-left override turned into the order it renders in, and every invisible format
    character (zero-width space/joiners, bidi controls, soft hyphen, U+2060-U+2069, BOM) removed."""
    text = _RIGHT_TO_LEFT_OVERRIDE.sub(lambda m: m.group(1)[::-1], text)
    text = "".join(char for char in text if not _is_format_character(char))
    return unicodedata.normalize("NFKC", text)


def _scrub_once(text: str, phrases: tuple[_Phrase, ...], words: Placeholders, language: str) -> str:
    """One pass of every kind of personal data, in an order where no kind can hide another."""
    text = _scrub_slack(text, words)
    text = _SCHEME_URL.sub(lambda m: _url_replacement(m, words.url), text)
    text = _EMAIL.sub(lambda m: _email_replacement(m, words.email), text)
    text = _WWW_URL.sub(lambda m: _url_replacement(m, words.url), text)
    text = _scrub_ibans(text, words.iban)
    text = scrub_dates(text, language)
    text = _scrub_phones(text, words.phone)
    text = _BSN.sub(lambda m: words.bsn if is_valid_bsn(m.group(0)) else m.group(0), text)
    text = _scrub_addresses(text, words.address)
    text = _scrub_names(text, phrases, words.name)
    return _PLACE.sub(words.place, text)


# --- Slack markup -------------------------------------------------------------------------------

# Slack sends mentions and links escaped in angle brackets; the label after `|` is what the reader
# saw (a display name, a channel name, the text of a link), so it goes together with the target.
_SLACK_USER = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#C[A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_GROUP = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_DATE = re.compile(r"<!date\^\d+\^[^>|]*(?:\^[^>|]*)?(?:\|[^>]*)?>")
# @channel, @here and @everyone: dropped with the space on one side, so no double space remains.
_SLACK_SPECIAL = re.compile(r"(?m:^)<![a-z]+(?:\|[^>]*)?>[ \t]*|[ \t]*<![a-z]+(?:\|[^>]*)?>")
_SLACK_MAILTO = re.compile(r"<mailto:[^>]*>")
_SLACK_TEL = re.compile(r"<tel:[^>]*>")
_SLACK_LINK = re.compile(r"<[a-zA-Z][a-zA-Z0-9+.-]*:[^>|\s]*(?:\|[^>]*)?>")


def _scrub_slack(text: str, words: Placeholders) -> str:
    text = _SLACK_USER.sub(words.name, text)
    text = _SLACK_CHANNEL.sub(words.channel, text)
    text = _SLACK_GROUP.sub(words.group, text)
    text = _SLACK_DATE.sub(words.date, text)
    text = _SLACK_SPECIAL.sub("", text)
    text = _SLACK_MAILTO.sub(words.email, text)
    text = _SLACK_TEL.sub(words.phone, text)
    return _SLACK_LINK.sub(words.url, text)


# --- URLs and e-mail addresses -------------------------------------------------------------------

# A URL runs to the next space or quote; trailing punctuation belongs to the sentence (trimmed in
# `_url_replacement`). Those with a scheme go before e-mail addresses (https://user@host/path would
# otherwise leave the path behind), the bare www. ones after (info@www.example.nl is an address).
_SCHEME_URL = re.compile(r"(?<![\w@])(?:https?|ftp)://[^\s<>\"]+", re.IGNORECASE)
_WWW_URL = re.compile(r"(?<![\w@.!#$%&'*+/=?^`{|}~-])www\.[^\s<>\"]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"’”)]}"

# RFC 5322 "atext" in the local part (plus-addressing, dots), any number of subdomains, Unicode
# letters allowed. No lookbehind: the leftmost match starts the local part anyway, and an address
# glued to the end of another one ("a@x.nlb@y.nl") is still found after it. The possessive `++` only
# spares the regex from giving back characters that can never be "@" or ".".
_ATEXT = r"[\w!#$%&'*+/=?^`{|}~-]"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL = re.compile(rf"{_ATEXT}++(?:\.+{_ATEXT}++)*+@(?:{_LABEL}\.)+[^\W\d_](?:[\w-]{{0,61}}[^\W_])?(?![\w-])")


def _email_replacement(match: re.Match[str], placeholder: str) -> str:
    """The placeholder, after the quotes the address was written in: 'jan@example.nl' → '[e-mail]'."""
    address = match.group(0)
    local_part = address.rsplit("@", 1)[0]
    quotes = len(local_part) - len(local_part.lstrip("'`"))
    return (address[:quotes] if quotes < len(local_part) else "") + placeholder


def _url_replacement(match: re.Match[str], placeholder: str) -> str:
    """The placeholder, followed by the punctuation of the sentence that the URL pattern took along.

    A closing parenthesis stays part of the URL when it closes one opened inside it (Wikipedia).
    """
    url = match.group(0)
    end = len(url)
    while end and url[end - 1] in _URL_TRAILING:
        if url[end - 1] == ")" and url.count("(", 0, end) >= url.count(")", 0, end):
            break
        end -= 1
    return placeholder + url[end:]


# --- IBAN -------------------------------------------------------------------------------------

# The length of an IBAN per country (SWIFT IBAN registry). Knowing it, a candidate can be cut off
# exactly, however the groups are spaced and whatever word follows it.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
# Where an IBAN may begin: a country code and two check digits, not inside a word.
_IBAN_START = re.compile(r"(?<![\w])([A-Za-z]{2})(\d{2})")
# A Dutch account number with a typo still identifies the account: NL, 2 digits, a bank, 10 digits.
_DUTCH_IBAN_SHAPE = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")


def is_valid_iban(iban: str) -> bool:
    """The mod-97 check (ISO 13616) of an IBAN written with or without spaces, for a known country."""
    compact = re.sub(r"\s", "", iban).upper()
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _iban_end(text: str, start: re.Match[str]) -> int | None:
    """Where the IBAN beginning at `start` ends, if it is one we replace; None otherwise.

    The rest of the number is read for the length of its country, with single spaces allowed
    between characters; the character after it must not continue the number.
    """
    country = start.group(1).upper()
    length = _IBAN_LENGTHS.get(country)
    if length is None:
        return None
    chars = [country, start.group(2)]
    needed, i = length - 4, start.end()
    while needed and i < len(text):
        if text[i] in " \u00a0" and i + 1 < len(text) and _is_ascii_alnum(text[i + 1]):
            i += 1
        if not _is_ascii_alnum(text[i]):
            return None
        chars.append(text[i].upper())
        needed -= 1
        i += 1
    if needed or (i < len(text) and text[i].isalnum()):
        return None
    compact = "".join(chars)
    return i if is_valid_iban(compact) or _DUTCH_IBAN_SHAPE.fullmatch(compact) else None


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _scrub_ibans(text: str, placeholder: str) -> str:
    parts, kept_from, search_from = [], 0, 0
    while start := _IBAN_START.search(text, search_from):
        end = _iban_end(text, start)
        if end is None:
            search_from = start.start() + 1
            continue
        parts += [text[kept_from : start.start()], placeholder]
        kept_from = search_from = end
    return "".join([*parts, text[kept_from:]])


# --- dates ------------------------------------------------------------------------------------

_NL_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_NL_MONTHS_SHORT = "jan|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec"
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_EN_MONTHS_SHORT = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
# Dutch month names are written in lower case, so any case will do; English ones must be capitalised
# (or in capitals), otherwise "option 4 may be better" would hold a date.
_MONTH = (
    rf"(?:(?i:{_NL_MONTHS}|{_NL_MONTHS_SHORT})|{_EN_MONTHS}|{_EN_MONTHS_SHORT}"
    rf"|{_EN_MONTHS.upper()}|{_EN_MONTHS_SHORT.upper()})"
)
# Before the day, "Jan" is far more often a name than January: only "Jan." or the full month counts.
_MONTH_BEFORE_DAY = rf"(?:{_EN_MONTHS}|{_EN_MONTHS.upper()}|Jan\.|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?:19|20)\d{2}"
# A number does not start or end in the middle of another number (1.234, 12-03-2026-2).
_NOT_AFTER_NUMBER = r"(?<![\w.,/-])"
_NOT_BEFORE_NUMBER = r"(?!\d)(?![-/.,]\d)"

# 2026-12-20 and 2026/12/20 (a dotted 2026.12.20 is more often a version number).
_ISO_DATE = re.compile(rf"{_NOT_AFTER_NUMBER}{_YEAR}([-/])(?:0?[1-9]|1[0-2])\1{_DAY}{_NOT_BEFORE_NUMBER}")
# 20-12-2026, 20/12/2026, 20.12.2026, 12/20/2026 and, with a dash or slash, 20-12-26.
_NUMERIC_DATE = re.compile(rf"{_NOT_AFTER_NUMBER}(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_NOT_BEFORE_NUMBER}")
# 20 december 2026, 1 mei, 3rd of March 2026, 20 dec. 2026 (the dot of "3 jan." may end the sentence,
# so it is only taken along before a year). No dot after the day: "1. Jan 2. Piet" is a list.
_DAY_MONTH = re.compile(
    rf"{_NOT_AFTER_NUMBER}{_DAY}(?:ste|de|e|st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\.?,?\s+{_YEAR})?(?!\w)"
)
# December 20, 2026 and Dec 20th (not "May 2026", which is a month, nor "May 10:30").
_MONTH_DAY = re.compile(
    rf"(?<!\w){_MONTH_BEFORE_DAY}\s+{_DAY}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?(?!\w)(?!:\d){_NOT_BEFORE_NUMBER}"
)
# 20/12 without a year: both parts two digits, so that scores such as 4/5 and 8/10 stay; 10/10 is
# read as a perfect score, not as 10 October.
_DAY_SLASH_MONTH = re.compile(
    rf"{_NOT_AFTER_NUMBER}(?!10/10)(?:0[1-9]|[12]\d|3[01])/(?:0[1-9]|1[0-2]){_NOT_BEFORE_NUMBER}"
)

# A month with its year is as telling as a date in a team of ten: "in maart 2026", "May '24",
# "sinds mrt. 2019". So are a season or a quarter with its year and a week number.
_YEAR_OR_SHORT = rf"(?:{_YEAR}|['’]\d{{2}})"
_MONTH_YEAR = re.compile(rf"(?<!\w){_MONTH}\.?,?\s+{_YEAR_OR_SHORT}(?!\w)(?![-/.,]\d)")
_SEASONS = "voorjaar|najaar|lente|zomer|herfst|winter|spring|summer|autumn|fall"
_SEASON_YEAR = re.compile(
    rf"(?<!\w)(?:(?i:{_SEASONS})|(?i:Q|K)[1-4])(?:\s+(?:of|van))?\s+{_YEAR_OR_SHORT}(?!\w)(?![-/.,]\d)"
)
# Not "per week 40 uur" / "a week 3 times": a number of hours or times is no week number.
_WEEK = re.compile(
    rf"(?<!\w)(?<!per )(?<!a )(?<!each )(?<!elke )(?i:week|wk)\.?\s*(?:[1-9]|[1-4]\d|5[0-3])(?!\d)"
    rf"(?!\s*(?:uur|u\b|hours?|hrs?|h\b|keer|times|x\b|dagen|days|minuten|minutes|%))"
    rf"(?:(?:\s+(?:of|van))?\s+{_YEAR})?(?!\w)"
)


def scrub_dates(text: str, language: str = "nl") -> str:
    """`text` with every date replaced by `[datum]` / `[date]`.

    Highlights in the digest must never carry a date (a leaving date points at one person): exact
    dates, a month with its year ("maart 2026"), a season or quarter with its year ("zomer 2025",
    "Q3 2026") and week numbers ("week 12"). A year alone ("since 2019"), a month alone ("in maart"),
    times (10:30) and scores stay.
    """
    date = placeholders(language).date
    text = _SLACK_DATE.sub(date, text)
    text = _ISO_DATE.sub(date, text)
    text = _NUMERIC_DATE.sub(lambda m: date if _is_numeric_date(m) else m.group(0), text)
    text = _DAY_MONTH.sub(date, text)
    text = _MONTH_DAY.sub(date, text)
    text = _MONTH_YEAR.sub(date, text)
    text = _SEASON_YEAR.sub(date, text)
    text = _WEEK.sub(date, text)
    return _DAY_SLASH_MONTH.sub(date, text)


def _is_numeric_date(match: re.Match[str]) -> bool:
    """Day and month (either order, as the Americans write it) in range; a dotted one has four-digit years."""
    first, separator, second, year = match.groups()
    if separator == "." and len(year) != 4:
        return False
    if len(year) == 4 and not year.startswith(("19", "20")):
        return False
    day, month = int(first), int(second)
    return (1 <= day <= 31 and 1 <= month <= 12) or (1 <= month <= 31 and 1 <= day <= 12)


# --- phone numbers ------------------------------------------------------------------------------

# Between two digits of a phone number: nothing, a space, or a dash, slash or dot (spaced or not).
_SEP = r"(?:[ \u00a0]?[-/.][ \u00a0]?|[ \u00a0])?"
# A phone number does not continue a word or another number, nor start with a "+" within one.
_PHONE_START = r"(?<![\w+])"
# Dutch national numbers are ten digits from the trunk 0: 06-12345678, 020-1234567, 010 123 4567,
# 0612345678, and with the area code in parentheses, (020) 123 4567.
_DUTCH_PHONE = re.compile(
    _PHONE_START
    + r"(?:"
    + rf"0[1-9](?:{_SEP}\d){{8}}"
    + rf"|\(0[1-9]\)[ \u00a0]?\d(?:{_SEP}\d){{7}}"
    + rf"|\(0[1-9]\d\)[ \u00a0]?\d(?:{_SEP}\d){{6}}"
    + rf"|\(0[1-9]\d\d\)[ \u00a0]?\d(?:{_SEP}\d){{5}}"
    + r")(?!\d)"
)
# North American numbers without the country code: (555) 123-4567, 555-123-4567, 555.123.4567.
_NORTH_AMERICAN_PHONE = re.compile(
    rf"{_PHONE_START}(?<!\d[ \u00a0])(?:\([2-9]\d\d\)[ \u00a0]?|[2-9]\d\d([-.])(?=\d{{3}}\1))"
    r"\d{3}[-. \u00a0]\d{4}(?!\d)(?![-/.,]\d)"
)
# +31 and 0031 numbers have nine digits after the country code, with an optional "(0)".
_DUTCH_INTERNATIONAL_PHONE = re.compile(
    rf"{_PHONE_START}(?:\+|00)[ \u00a0]?31[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9](?:{_SEP}\d){{8}}(?!\d)"
)
# Other international numbers: + or 00, a country code and groups (one may be in parentheses);
# `_is_international_phone` then wants 8 to 15 digits in all (E.164), so "+5%" or "+3000" stay.
_INTERNATIONAL_PHONE = re.compile(
    rf"{_PHONE_START}(?:\+|00)[1-9]\d{{0,3}}(?:{_SEP}(?:\(\d{{1,4}}\)|\d{{1,6}})){{1,6}}(?!\d)"
)


def _scrub_phones(text: str, placeholder: str) -> str:
    text = _DUTCH_INTERNATIONAL_PHONE.sub(placeholder, text)
    text = _INTERNATIONAL_PHONE.sub(lambda m: placeholder if _is_international_phone(m.group(0)) else m.group(0), text)
    text = _DUTCH_PHONE.sub(placeholder, text)
    return _NORTH_AMERICAN_PHONE.sub(placeholder, text)


def _is_international_phone(candidate: str) -> bool:
    return 8 <= sum(char.isdigit() for char in candidate.replace("(0)", "")) <= 15


# --- BSN --------------------------------------------------------------------------------------

# Nine digits, as 123456782, 1234.56.782, 123 456 782 or 123-456-782, and not an amount (€ 123456782).
_BSN = re.compile(
    r"(?<![\w.,/€$£+-])(?<![€$£] )(?:\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}([ -])\d{3}\1\d{3})(?!\w)(?![.,/-]\d)"
)


def is_valid_bsn(number: str) -> bool:
    """The 11-check of a burgerservicenummer: weights 9 down to 2, and -1 for the last digit."""
    digits = [int(char) for char in number if char.isdigit()]
    if len(digits) != 9 or not any(digits):
        return False
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits, strict=False)) - digits[-1]
    return total % 11 == 0


# --- addresses --------------------------------------------------------------------------------

_UPPER = "A-ZÀ-ÖØ-Þ"
# Dutch street names end in one of these. Not -dam, -ring or -rade: "Rotterdam 3 jaar", "During 2024"
# and "Kerkrade 5" are no addresses.
_STREET_SUFFIX = (
    "straat|laan|weg|plein|gracht|kade|singel|dijk|pad|steeg|hof|park|dreef|plantsoen|markt|wal|baan"
    "|allee|boulevard|burgwal|haven|veld|hoek|kant|brink|vaart|wetering|oever"
)
# Words that open a multi-word street name: Van Woustraat, Prins Hendrikkade, Jan van Galenstraat.
_STREET_OPENER = (
    r"(?:Van|De|Den|Der|Het|'t|Prins|Prinses|Koning|Koningin|Burgemeester|Dokter|Dr\.|Sint|St\.|Oude|Nieuwe"
    r"|Korte|Lange|Eerste|Tweede|Derde|Kleine|Grote|Hoge|Lage|Binnen|Buiten|Noord|Zuid|Oost|West|Jan|Pieter"
    r"|Willem|Johan|Hendrik|Graaf|Admiraal|President|Generaal|Kapitein|Professor|Prof\.|Stadhouder|Mr\.)"
)
_STREET_NAME = (
    rf"(?:{_STREET_OPENER}\s+(?:(?:{_STREET_OPENER}|van|de|der|den|het|'t|ten|ter|te)\s+){{0,3}})?"
    rf"[{_UPPER}][\w'’-]+?(?:{_STREET_SUFFIX})"
)
# 12, 12a, 12-1, 12 A, 12 hs, 12-II; a year (1900-2099) is no house number: "Spring 2026".
_HOUSE_NUMBER = (
    r"(?!(?:19|20)\d\d(?!\d))\d{1,4}"
    r"(?:[a-zA-Z]{1,2}(?!\w)"
    r"|[ \u00a0]?-[ \u00a0]?(?:\d{1,4}|[A-Za-z]{1,4})(?!\w)"
    r"|[ \u00a0](?:[A-Z]{1,2}|hs|bis|I{1,3})(?!\w))?"
)
# A Dutch postcode: four digits (no leading 0) and two letters (never SA, SD or SS).
_POSTCODE = r"[1-9]\d{3}[ \u00a0]?(?![Ss][AaDdSs])[A-Za-z]{2}"
_UPPER_POSTCODE = r"[1-9]\d{3}[ \u00a0]?(?!S[ADS])[A-Z]{2}"
# A town after a postcode, on the same line: Amsterdam, Den Haag, 's-Hertogenbosch, Alphen aan den Rijn.
_CITY = (
    rf"(?:'s-|Den[ \u00a0]|De[ \u00a0])?[{_UPPER}][\w'’-]+"
    rf"(?:(?:[ \u00a0](?:aan|op|bij|in|den|de|van|a/d)){{1,2}}[ \u00a0][{_UPPER}][\w'’-]+)?"
)
_SAME_LINE = r"[ \t\u00a0]"

# Hoofdstraat 12, 1234 AB Amsterdam / Prins Hendrikkade 12 / Kalverstraat 92-1.
_STREET_ADDRESS = re.compile(
    rf"(?<![\w]){_STREET_NAME}[ \u00a0]+{_HOUSE_NUMBER}(?:,?\s+{_POSTCODE}(?:,?{_SAME_LINE}+{_CITY})?)?(?!\w)"
)
# 1234AB 12 / 1234 AB, nr. 5 / 1234 ab, huisnummer 5.
_POSTCODE_HOUSE_NUMBER = re.compile(
    rf"(?<![\w.,]){_POSTCODE}(?!\w),?{_SAME_LINE}*(?P<keyword>(?:huisnummer|huisnr\.?|nummer|nr\.?|no\.?){_SAME_LINE}*)?"
    rf"{_HOUSE_NUMBER}(?!\w)(?:,?{_SAME_LINE}+{_CITY})?"
)
# 1234 AB Amsterdam, or an upper-case postcode on its own.
_POSTCODE_CITY = re.compile(rf"(?<![\w.,]){_UPPER_POSTCODE}(?!\w)(?P<city>,?{_SAME_LINE}+{_CITY})?")
# Letter pairs after a four-digit number that are units or abbreviations rather than a postcode.
_NOT_POSTCODE_LETTERS = frozenset({"MB", "KB", "GB", "TB", "PB", "PK", "CC", "KM", "KG", "AD", "BC", "EU", "US", "UK"})
# 221B Baker Street, 10 Downing Street.
_ENGLISH_ADDRESS = re.compile(
    r"(?<![\w.,])\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z'’-]+\s+){1,3}"
    r"(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive|Boulevard|Blvd\.|Place|Square|Court|Close|Crescent|Terrace"
    r"|Gardens|Mews|Grove)(?!\w)"
)


def _scrub_addresses(text: str, placeholder: str) -> str:
    text = _STREET_ADDRESS.sub(placeholder, text)
    text = _ENGLISH_ADDRESS.sub(placeholder, text)
    text = _POSTCODE_HOUSE_NUMBER.sub(lambda m: placeholder if _is_postcode_house_number(m) else m.group(0), text)
    return _POSTCODE_CITY.sub(lambda m: placeholder if _is_postcode(m) else m.group(0), text)


def _is_postcode_house_number(match: re.Match[str]) -> bool:
    """A lower-case postcode written with a space ("2024 en 5") needs the word huisnummer or nr."""
    postcode = match.group(0)[:7]
    return postcode[4:6].isupper() or postcode[4] not in " \u00a0" or bool(match.group("keyword"))


def _is_postcode(match: re.Match[str]) -> bool:
    return bool(match.group("city")) or match.group(0)[-2:] not in _NOT_POSTCODE_LETTERS


# --- places -----------------------------------------------------------------------------------

# In a team of ten, "since I moved to Zwolle" or "the Eindhoven office" points at one person, so the
# larger Dutch and Belgian towns and the foreign cities people move to most are replaced, written with
# a capital as a whole word. A short list on purpose: towns that are also ordinary words or common
# surnames (Best, Goes, Born, Ede ...) would cost more in readability than they protect, and a postcode
# with its town is caught as an address anyway.
_PLACES = (
    "Amsterdam", "Rotterdam", "Den Haag", "'s-Gravenhage", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Arnhem", "Haarlem", "Haarlemmermeer", "Hoofddorp", "Enschede",
    "Amersfoort", "Zaanstad", "Zaandam", "'s-Hertogenbosch", "Den Bosch", "Zwolle", "Leiden", "Zoetermeer",
    "Leeuwarden", "Maastricht", "Dordrecht", "Alphen aan den Rijn", "Alkmaar", "Emmen", "Delft", "Venlo",
    "Deventer", "Helmond", "Hilversum", "Amstelveen", "Heerlen", "Sittard", "Roermond", "Hengelo", "Assen",
    "Lelystad", "Gouda", "Schiedam", "Vlaardingen", "Rijswijk", "Purmerend", "Middelburg", "Vlissingen",
    "Capelle aan den IJssel", "Nieuwegein", "Veenendaal", "Harderwijk", "Wageningen", "Doetinchem", "Zutphen",
    "Roosendaal", "Bergen op Zoom", "Waalwijk", "Zeist", "Oss", "Hoorn", "Den Helder", "Heerenveen",
    "Brussel", "Brussels", "Bruxelles", "Antwerpen", "Antwerp", "Gent", "Ghent", "Leuven", "Brugge", "Bruges",
    "Mechelen", "Hasselt", "Luik", "Liège", "London", "Londen", "Manchester", "Birmingham", "Edinburgh",
    "Dublin", "Berlijn", "Berlin", "Parijs", "Paris", "Keulen", "Cologne", "Düsseldorf", "Frankfurt", "München",
    "Munich", "Hamburg", "Madrid", "Barcelona", "Lissabon", "Lisbon", "New York", "San Francisco",
)  # fmt: skip
_PLACE = re.compile(
    r"(?<![\w'’-])(?:"
    + "|".join(re.escape(place).replace(r"\ ", r"\s+") for place in sorted(_PLACES, key=len, reverse=True))
    + r")(?![\w-])"
)


# --- names ------------------------------------------------------------------------------------

# Dutch (and a few other) surname prefixes: part of a name, never a name on their own.
TUSSENVOEGSELS = frozenset(
    {
        "van", "de", "der", "den", "het", "'t", "’t", "te", "ten", "ter", "in", "op", "onder", "over", "uit",
        "aan", "bij", "voor", "tot", "'s", "’s", "vd", "v.d.", "v/d", "d'", "d’", "l'", "la", "le", "les", "du",
        "da", "di", "del", "della", "dos", "das", "do", "von", "zu", "zum", "zur", "y", "e", "al", "el", "bin",
    }
)  # fmt: skip
# Titles, pronouns (display names like "Jan (hij/hem)") and the placeholders themselves.
_NOT_A_NAME = frozenset(
    {
        "mr", "mrs", "ms", "mx", "dr", "drs", "ir", "ing", "prof", "jr", "sr", "dhr", "mevr", "mw", "bc", "msc",
        "he", "him", "his", "she", "her", "hers", "they", "them", "their", "hij", "zij", "ze", "hem", "haar",
        "hen", "hun", "die", "and", "en", "the", "of", "naam", "name", "persoon", "email", "e-mail", "mail",
        "telefoon", "phone", "iban", "bsn", "adres", "address", "url", "kanaal", "channel", "groep", "group",
        "datum", "date", "plaats", "place",
    }
)  # fmt: skip
# First names and surnames that are also ordinary Dutch or English words: these are replaced only
# when written with a capital, so "I will miss Will" keeps its verb and "de bakker" its baker.
COMMON_WORD_NAMES = frozenset(
    {
        # given names
        "mark", "will", "bill", "rob", "bob", "hope", "joy", "frank", "roos", "bas", "iris", "rose", "faith",
        "grace", "max", "ben", "art", "dean", "guy", "jack", "pat", "sue", "don", "ray", "drew", "chase", "ivy",
        "holly", "lily", "daisy", "amber", "ruby", "pearl", "dawn", "eve", "summer", "autumn", "april", "may",
        "june", "august", "penny", "sandy", "rich", "miles", "cliff", "dale", "glen", "herb", "lance", "norm",
        "nick", "gene", "sunny", "sky", "wade", "reed", "chip", "jade", "fleur", "floor", "merel", "mees", "job",
        "wil", "ad", "lot", "els", "door", "toon", "kick", "kas", "pier", "lieve", "dan", "al", "storm", "nova",
        "bram", "hazel", "olive", "victor", "jasmijn", "puck", "engel",
        # surnames
        "groot", "klein", "smit", "bakker", "molenaar", "dekker", "jong", "wit", "boer", "post", "koning",
        "brand", "winter", "zomer", "lente", "vos", "haan", "mulder", "bos", "berg", "dijk", "hoek", "veen",
        "beek", "dam", "meer", "kok", "bruin", "zwart", "rood", "groen", "blauw", "lang", "kort", "sterk",
        "wolf", "vogel", "haas", "hart", "prins", "keizer", "ridder", "graaf", "baas", "held", "bloem", "mol",
        "vink", "kramer", "jager", "brouwer", "schilder", "visser", "timmerman", "schipper", "koster",
        "kuiper", "herder", "koopman", "meester", "steen", "akker", "kamp", "smith", "baker", "miller",
        "cook", "hunter", "fisher", "carter", "mason", "porter", "turner", "walker", "parker", "shepherd",
        "young", "king", "bell", "hill", "wood", "lane", "field", "black", "white", "brown", "green", "gray",
        "grey", "long", "short", "price", "page", "stone",
    }
)  # fmt: skip

# Decorations in a display name that are not part of the name: emoji codes, bracketed notes
# ("(hij/hem)", "[HR]"), and everything after a separator ("Jan | Sales", "Jan - HR", "Jan, CFO").
_NAME_DECORATION = re.compile(r":[a-z0-9_+-]+:|\([^)]*\)|\[[^\]]*\]")
_NAME_SEPARATOR = re.compile(r"\s[-–—|]\s|[|/,@]")
_TOKEN_PUNCTUATION = ',;:!?"“”()[]{}<>*~'
_APOSTROPHES = "'’ʼ"
_HYPHENS = "-‐‑–"
# Initials before a name, "J. de Vries", "A.B. Jansen", go with it.
_INITIALS = r"(?:[A-Z]\.[ \t]?){1,4}"
# A possessive ending stays after the placeholder: Jan's, Jan’s, Jans, Kees'.
_POSSESSIVE = r"(?P<suffix>['’]s|['’](?!\w)|s)?"
# Letter runs, to check cheaply which of thousands of names can occur in a text at all.
_ATOM_SPLIT = re.compile(r"[\W_]+")
# Letters that fold to another letter without being a combining accent.
_LETTER_FOLDS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents: José, JOSÉ and Jose all fold to "jose"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTER_FOLDS))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _letter_variants() -> dict[str, tuple[str, str]]:
    """Per folded letter, its (lower-case, upper-case) spellings with and without accents."""
    lower: dict[str, set[str]] = {}
    upper: dict[str, set[str]] = {}
    for code in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250)]:
        char = chr(code)
        base = fold(char)
        if len(base) == 1 and base.isalpha() and base.isascii():
            (upper if char.isupper() else lower).setdefault(base, set()).add(char)
    return {base: ("".join(sorted(lower.get(base, ()))), "".join(sorted(upper.get(base, ())))) for base in lower}


_VARIANTS = _letter_variants()


@dataclass(frozen=True)
class _Phrase:
    """One way a member may be referred to: a name part, or several words ("van den Berg")."""

    words: tuple[str, ...]
    capital_required: bool  # a single ordinary word ("Mark") must be written with a capital
    atoms: frozenset[str]  # the folded letter runs a text must contain for the phrase to occur in it

    @classmethod
    def of(cls, words: tuple[str, ...]) -> _Phrase:
        atoms = frozenset(atom for word in words for atom in _ATOM_SPLIT.split(fold(word)) if atom)
        return cls(words=words, capital_required=_needs_capital(words), atoms=atoms)


@lru_cache(maxsize=32)
def _name_phrases(names: tuple[str, ...]) -> tuple[_Phrase, ...]:
    """Every phrase of every member, longest first (the workspace's list is the same call after call)."""
    phrases: set[_Phrase] = set()
    for name in names:
        if name:
            phrases |= _phrases_of(name)
    return tuple(sorted(phrases, key=lambda phrase: (-len(" ".join(phrase.words)), phrase.words)))


def _phrases_of(name: str) -> set[_Phrase]:
    """The ways to refer to one member: the full name, the surname with its tussenvoegsels, and
    every part of at least two letters (hyphenated parts, and the pieces of "jan.de_vries", too)."""
    words = _name_words(name)
    phrases: set[tuple[str, ...]] = set()
    if len(words) > 1:
        phrases.add(tuple(words))
    for i, word in enumerate(words):
        if _is_tussenvoegsel(word) and (i == 0 or not _is_tussenvoegsel(words[i - 1])):
            rest = tuple(words[i:])
            if not all(_is_tussenvoegsel(w) for w in rest):
                phrases.add(rest)
        elif not _is_tussenvoegsel(word):
            phrases |= {(part,) for part in [word, *re.split(r"[-‐‑._]+", word)] if _is_name_part(part)}
    return {_Phrase.of(phrase) for phrase in phrases}


def _name_words(name: str) -> list[str]:
    name = _NAME_SEPARATOR.split(_NAME_DECORATION.sub(" ", normalise(name)))[0]
    words = (word.strip(_TOKEN_PUNCTUATION) for word in name.split())
    return [
        word for word in words if any(char.isalpha() for char in word) and fold(word).rstrip(".") not in _NOT_A_NAME
    ]


def _is_tussenvoegsel(word: str) -> bool:
    return fold(word) in TUSSENVOEGSELS


def _is_name_part(part: str) -> bool:
    return sum(char.isalpha() for char in part) >= 2 and not _is_tussenvoegsel(part) and fold(part) not in _NOT_A_NAME


def _needs_capital(words: tuple[str, ...]) -> bool:
    """Only a phrase with a single real name in it can be an ordinary word ("de boer", "mark")."""
    core = [word for word in words if not _is_tussenvoegsel(word)]
    return len(core) == 1 and fold(core[0]) in COMMON_WORD_NAMES


def _scrub_names(text: str, phrases: tuple[_Phrase, ...], placeholder: str) -> str:
    present = _text_atoms(text)
    wanted = tuple(phrase for phrase in phrases if phrase.atoms <= present)
    if not wanted:
        return text
    return _names_pattern(wanted).sub(lambda m: placeholder + (m.group("suffix") or ""), text)


def _text_atoms(text: str) -> frozenset[str]:
    """The folded letter runs of a text, and each without a possessive s (Jans → jan)."""
    atoms = {atom for atom in _ATOM_SPLIT.split(fold(text)) if atom}
    return frozenset(atoms | {atom[:-1] for atom in atoms if atom.endswith("s")})


@lru_cache(maxsize=256)
def _names_pattern(phrases: tuple[_Phrase, ...]) -> re.Pattern[str]:
    """One regex for the phrases, longest first, each a whole word, optionally @-mentioned."""
    alternatives = "|".join(_phrase_pattern(phrase) for phrase in phrases)
    return re.compile(rf"(?<![\w@])@?(?:{_INITIALS})?(?:{alternatives}){_POSSESSIVE}(?!\w)")


def _phrase_pattern(phrase: _Phrase) -> str:
    return r"\s+".join(
        _word_pattern(word, capital=phrase.capital_required and not _is_tussenvoegsel(word)) for word in phrase.words
    )


def _word_pattern(word: str, capital: bool) -> str:
    """Each letter matches itself in either case and with or without accents; `capital`: the first
    letter only in upper case."""
    parts, first_letter = [], True
    for char in word:
        if char.isalpha():
            parts.append(_letter_pattern(char, upper_only=capital and first_letter))
            first_letter = False
        elif char in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        elif char in _HYPHENS:
            parts.append(f"[{_HYPHENS}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _letter_pattern(char: str, upper_only: bool) -> str:
    base = fold(char)
    if base in _VARIANTS:
        lower, upper = _VARIANTS[base]
        return f"[{upper}]" if upper_only else f"[{lower}{upper}]"
    spellings = {char.upper(), char.title()} if upper_only else {char, char.lower(), char.upper()}
    return "(?:" + "|".join(re.escape(spelling) for spelling in sorted(spellings, key=len, reverse=True)) + ")"


# --- the same placeholder twice -------------------------------------------------------------------

_ALL_PLACEHOLDERS = sorted({word for words in PLACEHOLDERS.values() for word in vars(words).values()})
# "[naam] [naam]", "[naam]-[naam]", "[naam] ([naam])", "[e-mail][e-mail]": what was one person (or one
# number) is one placeholder.
_REPEATED_PLACEHOLDER = re.compile(
    "(" + "|".join(re.escape(word) for word in _ALL_PLACEHOLDERS) + r")"
    r"(?:[ \t\u00a0]*[-‐‑–][ \t\u00a0]*\1|[ \t\u00a0]*\1|[ \t\u00a0]*\(\1\))+"
)


def _collapse(text: str) -> str:
    while (collapsed := _REPEATED_PLACEHOLDER.sub(r"\1", text)) != text:
        text = collapsed
    return text


# --- tenure -----------------------------------------------------------------------------------

# (upper bound in years, exclusive; label per language). A lower bound is inclusive: 2.0 is "2–5".
_TENURE_BANDS = (
    (1.0, {"nl": "< 1 jaar", "en": "< 1 year"}),
    (2.0, {"nl": "1–2 jaar", "en": "1–2 years"}),
    (5.0, {"nl": "2–5 jaar", "en": "2–5 years"}),
    (10.0, {"nl": "5–10 jaar", "en": "5–10 years"}),
    (math.inf, {"nl": "10+ jaar", "en": "10+ years"}),
)


def tenure_band(years: float, language: str = "nl") -> str:
    """A tenure as a coarse band, so that a digest never gives away a start date: "2–5 jaar"."""
    placeholders(language)  # the language check
    if not math.isfinite(years) or years < 0:
        raise ValueError(f"a tenure is a finite number of years, at least 0; got {years!r}")
    return next(labels[language] for upper, labels in _TENURE_BANDS if years < upper)
