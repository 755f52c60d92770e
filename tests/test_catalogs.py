"""The Dutch and English catalogs are complete, agree with each other, and cover every key the code uses."""

from __future__ import annotations

import ast
import re
import string
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

import bot.i18n as i18n
from bot.i18n import LANGUAGES, LOCALES, Translator, catalog, language_of, long_date, moment, t, weekday_date
from flows.invitation import Choice, Stage
from flows.registration import Offer

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILES = sorted(p for folder in ("bot", "flows") for p in (REPO_ROOT / folder).rglob("*.py"))

# Messages that are rightly the same in Dutch and English.
SAME_IN_BOTH = {
    "register.field.interviewer",  # "Interviewer" is Dutch too
    "language.nl",  # a language is named in its own language in a picker
    "language.en",
    "q.progress",  # "3/15"
    "q.scale_legend",  # "0 = {low} · 10 = {high}": the labels come translated
    "q.modal.rating",  # "Score" is Dutch too
}

# Dotted string literals in the code that are key prefixes (bot/operations/registration.py `_FIELD_OF`),
# not keys themselves.
KEY_PREFIXES = {"register.employee", "register.manager", "register.interviewer", "register.last_day"}

_FORMATTER = string.Formatter()


def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """The texts of a message: one, or one per plural form."""
    return (text,) if isinstance(text, str) else text


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    """The placeholders of a message; for a plural entry, those of all its forms together."""
    return {name for form in forms(text) for _, name, _, _ in _FORMATTER.parse(form) if name is not None}


def sample_params(text: str | tuple[str, ...], count: int = 2) -> dict[str, object]:
    """Values for every placeholder; a plural entry gets a real number as its count."""
    params: dict[str, object] = {name: "X" for name in placeholders(text)}
    if not isinstance(text, str):
        params["count"] = count
    return params


@pytest.fixture(scope="module")
def nl() -> dict[str, str]:
    return catalog("nl")


@pytest.fixture(scope="module")
def en() -> dict[str, str]:
    return catalog("en")


# --- the catalogs agree --------------------------------------------------------------------------


def test_both_catalogs_are_substantial(nl, en):
    assert len(en) > 50
    assert len(nl) > 50


def test_both_catalogs_have_exactly_the_same_keys(nl, en):
    assert sorted(set(nl) - set(en)) == [], "only in nl"
    assert sorted(set(en) - set(nl)) == [], "only in en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_in_the_po_file_is_untranslated_or_fuzzy(language):
    messages = []
    for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po")):
        with open(path, "rb") as handle:
            messages += [m for m in read_po(handle, locale=language) if m.id]
    assert messages
    assert [m.id for m in messages if not m.string] == []
    assert [m.id for m in messages if m.fuzzy] == []
    # catalog() keeps every message: none lost to a duplicate id or an empty translation.
    assert len(catalog(language)) == len(messages)


def test_placeholders_are_the_same_in_nl_and_en(nl, en):
    mismatched = {
        key: (sorted(placeholders(nl[key])), sorted(placeholders(en[key])))
        for key in nl.keys() & en.keys()
        if placeholders(nl[key]) != placeholders(en[key])
    }
    assert mismatched == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_formats_with_its_own_placeholders(language):
    for key, text in catalog(language).items():
        names = placeholders(text)
        assert all(name.isidentifier() for name in names), (key, names)  # no {0} or {a.b} or {}
        if not isinstance(text, str):
            # A plural entry: every form formats, and each count picks a form that fits it.
            for count in (0, 1, 2):
                params = {name: f"<{name}>" for name in names} | {"count": count}
                rendered = t(language, key, **params)
                assert "{" not in rendered and "}" not in rendered, (key, count, rendered)
            continue
        params = {name: f"<{name}>" for name in names}
        rendered = t(language, key, **params)
        for name in names:
            assert f"<{name}>" in rendered, (key, name)
        if not names:
            # Shown without formatting: an escaped {{ would reach the user doubled.
            assert "{" not in text and "}" not in text, key


def test_dutch_messages_are_translated(nl, en):
    identical = {key for key in nl.keys() & en.keys() if nl[key] == en[key]}
    assert identical == SAME_IN_BOTH


# --- keys used in the code -----------------------------------------------------------------------

_KEY = r"""["']([a-z_]+(?:\.[a-z_]+)+)["']"""  # catalog keys are dotted: `invite.header`
_KEY_USES = [
    re.compile(r"\b_\(\s*" + _KEY),  # _("key", ...)
    re.compile(r"\bProblem\(\s*" + _KEY),  # Problem("key", ...)
    re.compile(r"\bt\(\s*\w+\s*,\s*" + _KEY),  # t(lang, "key", ...)
    re.compile(r"\)\(\s*" + _KEY),  # Translator(lang)("key")
    re.compile(r"""\bnotify_(?:hr|user)\([^"')]*""" + _KEY),  # notify_hr(services, "key", ...)
]


def keys_in_source() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in SOURCE_FILES:
        source = path.read_text(encoding="utf-8")
        for pattern in _KEY_USES:
            for key in pattern.findall(source):
                found.setdefault(key, set()).add(str(path.relative_to(REPO_ROOT)))
    return found


def test_the_source_scan_finds_keys():
    found = keys_in_source()
    # Guards the regexes: a scan that finds nothing would pass the next test vacuously.
    for key in ("invite.header", "command.not_a_date", "slack.unavailable", "hr.talk_requested", "hr.only"):
        assert key in found, key
    assert len(found) > 40


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_used_in_the_code_is_in_the_catalog(language):
    messages = catalog(language)
    missing = {key: sorted(files) for key, files in keys_in_source().items() if key not in messages}
    assert not missing, f"keys used in the code but missing from the {language} catalog: " + ", ".join(
        f"{key} ({', '.join(files)})" for key, files in sorted(missing.items())
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dotted_key_like_literal_in_the_code_is_in_the_catalog(language):
    """Also keys passed around in variables, e.g. `key = "register.done.now" if ... else ...`."""
    messages = catalog(language)
    namespaces = {key.split(".")[0] for key in messages}
    key_like = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
    missing = set()
    for path in SOURCE_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and key_like.match(node.value)
                    and node.value.split(".")[0] in namespaces and node.value not in KEY_PREFIXES
                    and node.value not in messages):
                missing.add(f"{path.relative_to(REPO_ROOT)}: {node.value}")
    assert missing == set()


def test_the_key_prefixes_really_are_prefixes(en):
    for prefix in KEY_PREFIXES:
        assert prefix not in en
        assert any(key.startswith(prefix + "_") for key in en), prefix


# --- dynamic key families ------------------------------------------------------------------------


def dynamic_keys() -> list[str]:
    keys = [f"invite.button.{c.value}" for c in Choice] + [f"invite.chosen.{c.value}" for c in Choice]
    keys += [f"stage.{s.value}" for s in Stage]
    keys += [f"offer.{o.value}" for o in Offer]
    keys += [f"language.{code}" for code in LANGUAGES]
    keys += [f"register.{role}_{what}" for role in ("employee", "manager", "interviewer")
             for what in ("unknown", "bot", "deactivated")]
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", dynamic_keys())
def test_dynamic_key_exists(language, key):
    assert catalog(language).get(key), key


def test_dynamic_families_cover_every_enum_member():
    keys = dynamic_keys()
    assert len(keys) == 2 * len(Choice) + len(Stage) + len(Offer) + len(LANGUAGES) + 9
    assert len(Stage) == 10
    assert len(Choice) == 3


@pytest.mark.parametrize("role", ["employee", "manager", "interviewer"])
@pytest.mark.parametrize("what", ["unknown", "bot", "deactivated"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_person_problems_mention_the_user(role, what, language):
    # flows.registration passes {"user": id}; the message must use it (and only it).
    assert placeholders(catalog(language)[f"register.{role}_{what}"]) == {"user"}


# --- languages and formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nl-NL", "nl"),
        ("nl_BE", "nl"),
        ("nl", "nl"),
        ("NL-nl", "nl"),
        ("en-GB", "en"),
        ("EN-us", "en"),
        ("en_US", "en"),
        ("de-DE", None),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_language_of(locale, language):
    assert language_of(locale) == language


def test_long_date():
    assert long_date(date(2026, 12, 20), "nl") == "20 december 2026"
    assert long_date(date(2026, 12, 20), "en") == "December 20, 2026"


def test_weekday_date():
    assert weekday_date(date(2026, 12, 7), "nl") == "maandag 7 december 2026"
    assert weekday_date(date(2026, 12, 7), "en") == "Monday, December 7, 2026"


def test_moment_is_shown_in_the_values_own_zone():
    tokyo = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert moment(tokyo, "nl") == "maandag 7 december 2026 om 10:00"
    assert moment(tokyo, "en") == "Monday, December 7, 2026 at 10:00"
    assert moment(tokyo.astimezone(ZoneInfo("Europe/Amsterdam")), "nl") == "maandag 7 december 2026 om 02:00"


def test_t_formats_placeholders():
    assert t("en", "command.too_long", limit=500) == "That command is too long (at most 500 characters)."
    assert "500" in t("nl", "command.too_long", limit=500)


def test_t_without_params_leaves_braces_alone():
    # Messages are only formatted when params are given.
    assert t("en", "command.too_long") == catalog("en")["command.too_long"]


def test_translator_for_dutch_uses_the_dutch_catalog(nl):
    _ = Translator("nl")
    assert _.language == "nl"
    assert _("invite.header") == nl["invite.header"]
    assert _.date(date(2026, 12, 20)) == "20 december 2026"


@pytest.mark.parametrize("language", ["de", "fr", "", "NL"])
def test_translator_falls_back_to_english(language, en):
    _ = Translator(language)
    assert _.language == "en"
    assert _("invite.header") == en["invite.header"]
    assert _.date(date(2026, 12, 20)) == "December 20, 2026"


def test_a_plural_entry_takes_the_form_of_its_count(monkeypatch):
    fake = {
        "nl": {"talks": ("{count} gesprek", "{count} gesprekken")},
        "en": {"talks": ("{count} talk", "{count} talks"), "only.en": ("one {count}", "many {count}")},
    }
    monkeypatch.setattr(i18n, "catalog", lambda language: fake[language])
    assert [t("nl", "talks", count=n) for n in (0, 1, 2)] == ["0 gesprekken", "1 gesprek", "2 gesprekken"]
    assert [t("en", "talks", count=n) for n in (0, 1, 2)] == ["0 talks", "1 talk", "2 talks"]
    assert t("nl", "only.en", count=1) == "one 1"  # the English fallback uses the English rule
    with pytest.raises(KeyError):
        t("en", "talks")  # a plural entry without a count is a bug the catalog tests catch


def test_plural_entries_in_the_po_files_are_read_as_forms(tmp_path, monkeypatch):
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "x.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "x.talks"\nmsgid_plural "x.talks.plural"\nmsgstr[0] "{count} gesprek"\nmsgstr[1] "{count} gesprekken"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalog.cache_clear()
    try:
        assert i18n.catalog("nl") == {"x.talks": ("{count} gesprek", "{count} gesprekken")}
        assert t("nl", "x.talks", count=1) == "1 gesprek"
    finally:
        monkeypatch.undo()
        i18n.catalog.cache_clear()


def test_a_key_missing_in_dutch_falls_back_to_english_then_to_the_key(monkeypatch):
    fake = {"nl": {"only.nl": "alleen NL"}, "en": {"only.en": "English {x}", "only.nl": "not used"}}
    monkeypatch.setattr(i18n, "catalog", lambda language: fake[language])
    assert t("nl", "only.nl") == "alleen NL"
    assert t("nl", "only.en", x=1) == "English 1"
    assert t("nl", "no.such.key") == "no.such.key"
    assert Translator("nl")("no.such.key") == "no.such.key"


# --- every translation call, whatever its key looks like -----------------------------------------
# The regexes above only see dotted keys; a typo such as "q:withdraw.title" slipped past them and
# reached every leaver as a raw key. This scan reads the code's syntax tree instead: every string
# handed to a translation call is a key, and must render in both languages.


def _translation_key_arguments(node: ast.Call) -> list[ast.expr]:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name in ("_", "Problem") and node.args:
        return [node.args[0]]
    if name == "t" and len(node.args) >= 2:
        return [node.args[1]]
    if name in ("notify_hr", "notify_user") and len(node.args) >= 2:
        return [node.args[1]]
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "Translator" and node.args:
        return [node.args[0]]  # Translator(language)("key")
    return []


def translation_calls() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Keys given as literals, and the fixed beginnings of keys built with an f-string, with where."""
    keys: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    for path in SOURCE_FILES:
        where = str(path.relative_to(REPO_ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for argument in _translation_key_arguments(node):
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    keys.setdefault(argument.value, set()).add(f"{where}:{node.lineno}")
                elif isinstance(argument, ast.JoinedStr) and argument.values:
                    first = argument.values[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        prefixes.setdefault(first.value, set()).add(f"{where}:{node.lineno}")
    return keys, prefixes


def test_the_syntax_scan_finds_translation_calls_of_every_shape():
    keys, prefixes = translation_calls()
    for key in ("invite.header", "q.withdraw.title", "hr.only", "hr.withdrawn", "review.header"):
        assert key in keys, key
    assert "review.mode." in prefixes and "home.leaver." in prefixes
    assert len(keys) > 300


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_call_renders_in_both_languages(language):
    keys, prefixes = translation_calls()
    messages = catalog(language)
    missing = {key: sorted(where) for key, where in keys.items() if key not in messages}
    missing.update({prefix + "…": sorted(where) for prefix, where in prefixes.items()
                    if not any(key.startswith(prefix) for key in messages)})
    assert not missing, f"translation calls without a {language} message: {missing}"
    for key in keys:
        text = messages[key]
        for count in ((0, 1, 2) if not isinstance(text, str) else (2,)):
            rendered = Translator(language)(key, **sample_params(text, count))
            assert rendered != key and "{" not in rendered, (key, rendered)
