"""Anonymising free-text answers: names, e-mail, phone numbers, IBANs, BSNs, addresses, URLs, Slack
mentions and exact dates become placeholders, and the numbers and words that only look alike stay."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from flows.anonymise import (
    COMMON_WORD_NAMES,
    anonymise,
    fold,
    is_valid_bsn,
    is_valid_iban,
    scrub_dates,
    tenure_band,
)

# The workspace members as Slack knows them: real names and display names.
MEMBERS = (
    "Jan de Vries",
    "jdevries",
    "Anne-Marie van den Berg",
    "José García",
    "Mark Bakker",
    "Will Jansen",
    "Bas Visser",
    "Roos Dekker",
    "Sophie in 't Veld",
    "Kees Maas",
    "Chloë O'Brien",
    "Priya Raman (she/her)",
    "Daan | Sales",
)

CASES = [
    # --- names -------------------------------------------------------------------------------
    ("Ik vond Mark een goede manager.", "nl", "Ik vond [naam] een goede manager."),
    ("We moesten de mark halen voor de bonus.", "nl", "We moesten de mark halen voor de bonus."),
    ("I will miss Will and his jokes.", "en", "I will miss [name] and his jokes."),
    # A capitalised ordinary word is replaced, also at the start of a sentence: privacy first.
    ("Will you miss Will?", "en", "[name] you miss [name]?"),
    ("In januari vertelde Jan dat hij wegging.", "nl", "In januari vertelde [naam] dat hij wegging."),
    ("Meneer Janssen van Facilitair hielp altijd.", "nl", "Meneer Janssen van Facilitair hielp altijd."),
    ("De basis was goed, maar Bas luisterde niet.", "nl", "De basis was goed, maar [naam] luisterde niet."),
    ("Roos en ik dronken koffie; de roos bleef staan.", "nl", "[naam] en ik dronken koffie; de roos bleef staan."),
    ("De bakker op de hoek en Bakker van sales.", "nl", "De bakker op de hoek en [naam] van sales."),
    ("JOSÉ, Jose en josé garcía waren top.", "nl", "[naam], [naam] en [naam] waren top."),
    ("Chloë O'Brien and chloe o’brien both left.", "en", "[name] and [name] both left."),
    ("Jan's feedback, Jans planning en Kees' bureau.", "nl", "[naam]'s feedback, [naam]s planning en [naam]' bureau."),
    ("Mark’s team was great.", "en", "[name]’s team was great."),
    ("Anne-Marie van den Berg was mijn leidinggevende.", "nl", "[naam] was mijn leidinggevende."),
    (
        "Ik sprak met Anne-Marie en later met mevrouw Van den Berg.",
        "nl",
        "Ik sprak met [naam] en later met mevrouw [naam].",
    ),
    (
        "Marie van de receptie en de collega's van het team.",
        "nl",
        "[naam] van de receptie en de collega's van het team.",
    ),
    ("J. de Vries en De Vries zelf vonden het prima.", "nl", "[naam] en [naam] zelf vonden het prima."),
    ("Sophie in 't Veld nam het over, in 't algemeen goed.", "nl", "[naam] nam het over, in 't algemeen goed."),
    ("@jdevries had gelijk over de deadline.", "nl", "[naam] had gelijk over de deadline."),
    ("Jan de Vries (jdevries) regelde het.", "nl", "[naam] regelde het."),
    ("Vraag het Jan Vries maar.", "nl", "Vraag het [naam] maar."),
    ("Priya said she would help her.", "en", "[name] said she would help her."),
    ("Daan van Sales hielp mij.", "nl", "[naam] van Sales hielp mij."),
    # --- e-mail ------------------------------------------------------------------------------
    ("Mail me op Jan.de.Vries+exit@Mail.Example.COM.", "nl", "Mail me op [e-mail]."),
    ("Zijn adres was 'j.devries@example.nl'.", "nl", "Zijn adres was '[e-mail]'."),
    (
        "Contact: hr-team@sub.domain.example.nl or <mailto:hr@example.nl|hr@example.nl>",
        "en",
        "Contact: [e-mail] or [e-mail]",
    ),
    # --- phone numbers -----------------------------------------------------------------------
    ("Bel me op 06-12345678 of 06 1234 5678.", "nl", "Bel me op [telefoon] of [telefoon]."),
    (
        "Mobiel 0612345678, vast 020-1234567 of 010 123 4567.",
        "nl",
        "Mobiel [telefoon], vast [telefoon] of [telefoon].",
    ),
    (
        "Vanuit het buitenland: +31 6 12345678, +31 (0)20 123 4567 of 0031 6 1234 5678.",
        "nl",
        "Vanuit het buitenland: [telefoon], [telefoon] of [telefoon].",
    ),
    ("Call +44 20 7946 0958, +1 (415) 555-2671 or +49 30 1234567.", "en", "Call [phone], [phone] or [phone]."),
    # Years, amounts, percentages, versions, times and scores stay.
    (
        "In 2024 kreeg ik € 4.500 bruto, dus 3000 euro netto en 12,5% meer.",
        "nl",
        "In 2024 kreeg ik € 4.500 bruto, dus 3000 euro netto en 12,5% meer.",
    ),
    (
        "Release 2.10.3 came out at 10:30; I give it a 4/5, an 8 out of 10 and a 10/10.",
        "en",
        "Release 2.10.3 came out at 10:30; I give it a 4/5, an 8 out of 10 and a 10/10.",
    ),
    ("Revenue grew from 1.234.567 to 2,500,000 with 250000 customers.", "en", None),
    # --- BSN ---------------------------------------------------------------------------------
    (
        "Mijn BSN is 123456782, ook wel 1234.56.782 of 123 456 782.",
        "nl",
        "Mijn BSN is [bsn], ook wel [bsn] of [bsn].",
    ),
    ("Ordernummer 123456789 is nooit geleverd.", "nl", None),  # fails the 11-check
    ("Ticket 987654321 and invoice 111 222 334 are still open.", "en", None),
    # --- IBAN --------------------------------------------------------------------------------
    ("Stort het op NL91 ABNA 0417 1643 00 t.n.v. mij.", "nl", "Stort het op [iban] t.n.v. mij."),
    (
        "IBAN: NL91ABNA0417164300, Duitse rekening DE89 3704 0044 0532 0130 00.",
        "nl",
        "IBAN: [iban], Duitse rekening [iban].",
    ),
    (
        "Typo NL12 ABNA 0417 1643 00, but XX12 3456 7890 1234 is no IBAN.",
        "en",
        "Typo [iban], but XX12 3456 7890 1234 is no IBAN.",
    ),
    ("Belgian BE68 5390 0754 7034 mijn oude rekening.", "nl", "Belgian [iban] mijn oude rekening."),
    # --- addresses ---------------------------------------------------------------------------
    ("Ik woon op Hoofdstraat 12, 1234 AB Amsterdam.", "nl", "Ik woon op [adres]."),
    ("Postcode 1234AB 12, of eigenlijk 1234 ab, huisnummer 5.", "nl", "Postcode [adres], of eigenlijk [adres]."),
    ("Kom langs op de Van Woustraat 3-2 in Amsterdam.", "nl", "Kom langs op de [adres] in [plaats]."),
    ("He lived at 221B Baker Street for years.", "en", "He lived at [address] for years."),
    ("In 2024 en 5 teams; Edam 3 jaar; 1024 MB geheugen.", "nl", None),
    # --- URLs --------------------------------------------------------------------------------
    (
        "Zie https://intranet.example.nl/hr/exit?id=42, of www.example.com/jan.",
        "nl",
        "Zie [url], of [url].",
    ),
    (
        "Read <https://example.com/a/b|the handbook>, https://en.wikipedia.org/wiki/Exit_(interview) (or https://x.org/faq).",
        "en",
        "Read [url], [url] (or [url]).",
    ),
    # --- Slack -------------------------------------------------------------------------------
    ("<@U123ABC> en <@U456DEF|jan> hebben het gedaan.", "nl", "[naam] en [naam] hebben het gedaan."),
    ("<!channel> ik vertrek, zie <#C123ABC|general>", "nl", "ik vertrek, zie [kanaal]"),
    ("Thanks <!here>", "en", "Thanks"),
    ("Ask <!subteam^S123ABC|@design> about it.", "en", "Ask [group] about it."),
    # --- dates -------------------------------------------------------------------------------
    ("Mijn laatste dag is 20-12-2026 (of 2026-12-20).", "nl", "Mijn laatste dag is [datum] (of [datum])."),
    (
        "I leave on December 20, 2026, not 20 december 2026; see you 20/12.",
        "en",
        "I leave on [date], not [date]; see you [date].",
    ),
    (
        "Sinds maart 2019 en in 2024 werkte ik hier; op 1 mei begon ik.",
        "nl",
        "Sinds [datum] en in 2024 werkte ik hier; op [datum] begon ik.",
    ),
    # --- everything at once --------------------------------------------------------------------
    (
        "Jan (06-12345678, jan@example.nl) woont op Kerkstraat 1.",
        "nl",
        "[naam] ([telefoon], [e-mail]) woont op [adres].",
    ),
]


@pytest.mark.parametrize(("text", "language", "expected"), CASES, ids=[case[0][:40] for case in CASES])
def test_anonymise(text, language, expected):
    assert anonymise(text, MEMBERS, language) == (text if expected is None else expected)


@pytest.mark.parametrize(("text", "language", "expected"), CASES, ids=[case[0][:40] for case in CASES])
def test_anonymise_is_idempotent_on_the_table(text, language, expected):
    once = anonymise(text, MEMBERS, language)
    assert anonymise(once, MEMBERS, language) == once


def test_there_are_enough_cases():
    assert len(CASES) >= 40


# --- the checks behind the numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("NL91ABNA0417164300", True),
        ("NL91 ABNA 0417 1643 00", True),
        ("nl91abna0417164300", True),
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("BE68539007547034", True),
        ("NL12ABNA0417164300", False),  # check digits wrong
        ("NL91ABNA041716430", False),  # too short for NL
        ("XX91ABNA0417164300", False),  # no such country
    ],
)
def test_iban_mod_97(iban, valid):
    assert is_valid_iban(iban) is valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("123456782", True),
        ("111222333", True),  # 9+8+7 + 2·(6+5+4) + 3·(3+2) - 3 = 66
        ("1234.56.782", True),
        ("123 456 782", True),
        ("123456789", False),
        ("000000000", False),
        ("12345678", False),
    ],
)
def test_bsn_eleven_check(number, valid):
    assert is_valid_bsn(number) is valid


# --- dates on their own ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Laatste dag: 20-12-2026.", "nl", "Laatste dag: [datum]."),
        ("Last day: 2026-12-20.", "en", "Last day: [date]."),
        ("Op 20 december 2026 om 16:00.", "nl", "Op [datum] om 16:00."),
        ("On December 20, 2026 at 4 pm.", "en", "On [date] at 4 pm."),
        ("Uiterlijk 20/12, anders 3 jan.", "nl", "Uiterlijk [datum], anders [datum]."),
        ("From the 3rd of March until Dec 20th.", "en", "From the [date] until [date]."),
        ("Dates like 12/20/2026 and 20.12.2026.", "en", "Dates like [date] and [date]."),
        # A month with its year points at one person in a small team as well as a date does.
        ("Sinds maart 2019, al 7 jaar.", "nl", "Sinds [datum], al 7 jaar."),
        ("Since May 2024 I may 2x as often work remotely.", "en", "Since [date] I may 2x as often work remotely."),
        ("Sinds 2019, al 7 jaar; in maart ging het mis.", "nl", "Sinds 2019, al 7 jaar; in maart ging het mis."),
        ("Score 4/5, 24/7 bereikbaar, versie 1.2.3, 10:30.", "nl", "Score 4/5, 24/7 bereikbaar, versie 1.2.3, 10:30."),
        ("Phone 06-12-34-56-78 is not a date.", "en", "Phone 06-12-34-56-78 is not a date."),
        ("Slack said <!date^1392734382^{date}|Feb 18, 2014>.", "en", "Slack said [date]."),
    ],
)
def test_scrub_dates(text, language, expected):
    assert scrub_dates(text, language) == expected


def test_anonymise_scrubs_dates_too():
    assert anonymise("Ik stop op 1 april 2026.") == "Ik stop op [datum]."


# --- tenure bands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "nl", "en"),
    [
        (0, "< 1 jaar", "< 1 year"),
        (0.99, "< 1 jaar", "< 1 year"),
        (1, "1–2 jaar", "1–2 years"),
        (1.5, "1–2 jaar", "1–2 years"),
        (2, "2–5 jaar", "2–5 years"),
        (4.99, "2–5 jaar", "2–5 years"),
        (5, "5–10 jaar", "5–10 years"),
        (10, "10+ jaar", "10+ years"),
        (42.5, "10+ jaar", "10+ years"),
    ],
)
def test_tenure_band(years, nl, en):
    assert (tenure_band(years, "nl"), tenure_band(years, "en")) == (nl, en)


@pytest.mark.parametrize("years", [-0.1, math.nan, math.inf])
def test_tenure_band_refuses_nonsense(years):
    with pytest.raises(ValueError):
        tenure_band(years, "nl")


@pytest.mark.parametrize(
    ("function", "args"), [(anonymise, ("x", (), "de")), (scrub_dates, ("x", "fr")), (tenure_band, (3, "NL"))]
)
def test_unknown_language_is_refused(function, args):
    with pytest.raises(ValueError, match="unknown language"):
        function(*args)


# --- the names list ----------------------------------------------------------------------------------


def test_no_names_leaves_names_alone():
    assert anonymise("Jan de Vries belde.") == "Jan de Vries belde."


def test_a_single_name_may_be_given_as_a_string():
    assert anonymise("Jan de Vries belde.", "Jan de Vries") == "[naam] belde."


def test_tussenvoegsels_are_never_replaced_on_their_own():
    text = "De manager van de afdeling en het team in 't kantoor ten slotte."
    assert anonymise(text, ["Jan van der Berg", "Piet ten Have", "Sophie in 't Veld", "Eva de Wit"]) == text


def test_display_name_decorations_are_not_names():
    text = "He and she met the HR team in Sales."
    assert anonymise(text, ["Sam (he/him)", "Alex | HR", "Kim - Sales", "Lou, HR :palm_tree:"], "en") == text


def test_thousands_of_members():
    members = [f"Medewerker{n} Achternaam{n}" for n in range(3000)] + ["Jan de Vries"]
    assert anonymise("Jan en Medewerker2999 en Achternaam17", members) == "[naam] en [naam] en [naam]"


# --- properties --------------------------------------------------------------------------------------

# Surrounding text: letters (accented too), digits, punctuation and spaces, but no "@", so that it can
# never hold or complete an e-mail address itself.
_FILLER = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S"), exclude_characters="@\u2028\u2029"),
    max_size=40,
)
_NAMES_IN_TEXT = (
    "Jan",
    "Vries",
    "de Vries",
    "Jan de Vries",
    "Anne-Marie",
    "Anne-Marie van den Berg",
    "José",
    "García",
    "jdevries",
    "Mark",
    "Bakker",
    "Will",
    "Roos",
    "Sophie in 't Veld",
    "Chloë",
    "O'Brien",
    "Priya",
)


def _whole_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(fold(word))}(?!\w)")


def _spellings(name: str) -> st.SearchStrategy[str]:
    """The name as written, in capitals, without accents and, unless it is also a word, in lower case."""
    unaccented = "".join(fold(char).upper() if char.isupper() else fold(char) for char in name)
    spellings = [name, name.upper(), unaccented, unaccented.upper()]
    if not any(fold(part) in COMMON_WORD_NAMES for part in name.split()):
        spellings.append(name.lower())
    return st.sampled_from(spellings)


@settings(max_examples=300)
@given(email=st.emails(), before=_FILLER, after=_FILLER, language=st.sampled_from(["nl", "en"]))
@example(email="Jan.de.Vries+exit@mail.example.co.uk", before="Mail", after="!", language="nl")
def test_an_email_address_never_survives(email, before, after, language):
    scrubbed = anonymise(f"{before} {email} {after}", MEMBERS, language)
    assert email.lower() not in scrubbed.lower()


@settings(max_examples=300)
@given(
    data=st.data(),
    name=st.sampled_from(_NAMES_IN_TEXT),
    before=_FILLER,
    after=_FILLER,
    language=st.sampled_from(["nl", "en"]),
)
def test_a_member_name_never_survives(data, name, before, after, language):
    written = data.draw(_spellings(name), label="written")
    word = _whole_word(written)
    assume(not word.search(fold(before)) and not word.search(fold(after)))
    scrubbed = anonymise(f"{before} {written} {after}", MEMBERS, language)
    assert not word.search(fold(scrubbed)), scrubbed


_PERSONAL = st.sampled_from(
    [
        "Jan de Vries",
        "jan",
        "Mark",
        "mark",
        "Jan's",
        "<@U123ABC|jan>",
        "<!channel>",
        "<#C1|x>",
        "06-12345678",
        "+31 (0)20 123 4567",
        "+44 20 7946 0958",
        "NL91 ABNA 0417 1643 00",
        "123456782",
        "123456789",
        "Hoofdstraat 12, 1234 AB Amsterdam",
        "1234 ab, huisnummer 5",
        "https://x.nl/a_(b)",
        "www.example.com",
        "a.b+c@example.nl",
        "20-12-2026",
        "20 december",
        "20/12",
        "€ 4.500",
        "2024",
        "10:30",
        "[naam]",
        " ",
        "-",
        "(",
        ")",
        "'",
        ".",
        ",",
        "<",
        ">",
        "0",
        "1",
    ]
)


@settings(max_examples=500)
@given(
    parts=st.lists(st.one_of(_PERSONAL, st.text(max_size=12)), max_size=12),
    language=st.sampled_from(["nl", "en"]),
)
def test_anonymise_is_idempotent(parts, language):
    once = anonymise("".join(parts), MEMBERS, language)
    assert anonymise(once, MEMBERS, language) == once


@given(st.text(max_size=200))
def test_anonymise_is_idempotent_on_any_text(text):
    once = anonymise(text, MEMBERS)
    assert anonymise(once, MEMBERS) == once


# --- issue 11: what hides a name, foreign phone numbers, months with their year ---------------------

ZERO_WIDTH_AND_BIDI = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2066\u2067\u2068\u2069\ufeff\u00ad"
)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # zero-width characters and a soft hyphen between the letters of a colleague's name
        ("Ik werkte met J\u200ban de V\u200cr\u200dies.", "nl", "Ik werkte met [naam]."),
        ("Ask Ma\u2060rk Bak\u00adker, or Ma\ufeffrk.", "en", "Ask [name], or [name]."),
        # the name written backwards inside a right-to-left override renders as the plain name
        ("Praat eens met \u202eseirV ed naJ\u202c over de planning.", "nl", "Praat eens met [naam] over de planning."),
        ("Thanks to \u202ekraM", "en", "Thanks to [name]"),
        # full-width letters fold to the name (NFKC)
        ("Ｊａｎ was fijn.", "nl", "[naam] was fijn."),
        # isolates and marks around a name only hide it from the pattern
        ("Groet aan \u2067Kees\u2069 en \u200fJosé\u200e.", "nl", "Groet aan [naam] en [naam]."),
    ],
    ids=["zero-width", "word-joiner-soft-hyphen", "rlo-reversed", "rlo-unclosed", "full-width", "isolates"],
)
def test_invisible_characters_do_not_hide_a_name(text, language, expected):
    result = anonymise(text, MEMBERS, language)
    assert result == expected
    assert not set(result) & set(ZERO_WIDTH_AND_BIDI)


@given(st.text(alphabet=st.sampled_from(list("Jan de Vries wat fijn. ") + list(ZERO_WIDTH_AND_BIDI)), max_size=60))
@settings(max_examples=200, deadline=None)
def test_the_output_never_holds_format_characters(text):
    result = anonymise(text, MEMBERS, "nl")
    assert not set(result) & set(ZERO_WIDTH_AND_BIDI)
    assert anonymise(result, MEMBERS, "nl") == result


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Call me at (555) 123-4567 or 555-123-4567.", "en", "Call me at [phone] or [phone]."),
        ("Or 555.123.4567, or +1 (555) 123-4567.", "en", "Or [phone], or [phone]."),
        ("UK: +44 20 7946 0958; België: +32 2 123 45 67 of +32 470 12 34 56.", "nl",
         "UK: [telefoon]; België: [telefoon] of [telefoon]."),
        ("Bel 0031 6 12345678 of 0032 470 12 34 56.", "nl", "Bel [telefoon] of [telefoon]."),
        # what only looks like one stays
        ("Score 555-123, 3 van de 10 (555) en 12.345.678 euro.", "nl", None),
    ],
    ids=["us-parentheses", "us-dots-and-plus1", "uk-be", "0031-0032", "look-alikes"],
)
def test_international_phone_numbers(text, language, expected):
    assert anonymise(text, MEMBERS, language) == (text if expected is None else expected)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("In maart 2026 zat ik thuis.", "nl", "In [datum] zat ik thuis."),
        ("Sinds mrt. 2019 en vanaf sept '24.", "nl", "Sinds [datum] en vanaf [datum]."),
        ("In the spring of 2025 and in March 2026.", "en", "In the [date] and in [date]."),
        ("In de zomer van 2025, Q3 2026 en in week 12 ging het mis.", "nl",
         "In de [datum], [datum] en in [datum] ging het mis."),
        ("Week 12 of 2026 was hard.", "en", "[date] was hard."),
        # a year, a month or a season alone, and a number of weeks, stay
        ("Sinds 2019; in maart; in de zomer; 12 weken; over 3 weken; per week 40 uur.", "nl", None),
        ("Twice a week 3 hours, each week 2 times.", "en", None),
        ("Since 2019, in March, every summer, for 12 weeks.", "en", None),
    ],
    ids=[
        "nl-month-year", "nl-short", "en-season-month", "nl-season-quarter-week", "en-week-year", "nl-stays",
        "en-stays", "en-per-week",
    ],
)
def test_months_seasons_and_weeks_with_a_year_are_dates(text, language, expected):
    assert anonymise(text, MEMBERS, language) == (text if expected is None else expected)


# --- special categories of personal data (AVG/GDPR art. 9) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In maart 2026 zat ik thuis met een burn-out.", ("health",)),
        ("Ik was overspannen en ging naar de bedrijfsarts.", ("health",)),
        ("I was signed off sick with depression, therapy helped.", ("health",)),
        ("Toen ik zwanger was, kreeg ik geen contractverlenging.", ("pregnancy",)),
        ("Being pregnant here was hard.", ("pregnancy",)),
        ("Er was geen ruimte om te bidden en vrijdag naar de moskee te gaan.", ("religion",)),
        ("Nobody respected my faith during Ramadan.", ("religion",)),
        ("Als lid van de FNV werd ik buitengesloten.", ("union",)),
        ("After I joined the trade union they ignored me.", ("union",)),
        ("Als homo voelde ik me hier niet veilig.", ("sexual_orientation",)),
        ("After my coming out nobody talked to me.", ("sexual_orientation",)),
        ("Opmerkingen over mijn Marokkaanse afkomst.", ("ethnicity",)),
        ("Comments about my ethnic background.", ("ethnicity",)),
        ("Iemand vertelde rond dat ik een strafblad heb.", ("criminal_record",)),
        ("They found out about my criminal record.", ("criminal_record",)),
        ("Burn-out na de zwangerschap.", ("health", "pregnancy")),
        # hidden with a zero-width space, in capitals, with an accent
        ("Ik had een b\u200burn-out.", ("health",)),
        ("ZWANGER en DEPRESSIEF", ("health", "pregnancy")),
        # ordinary words that only look alike
        ("Een homogeen team, ik geloof dat het goed was; de operaties liepen.", ()),
        ("Add more tests, black friday, the christmas party, psychological safety.", ()),
        ("My conviction is that the union of both teams works.", ()),
    ],
)
def test_special_categories_are_detected_in_dutch_and_english(text, expected):
    from flows.sensitive import special_categories

    assert special_categories(text) == expected


def test_hr_extends_the_vocabulary_with_a_file_in_the_template_folder(tmp_path):
    from flows.sensitive import SHIPPED_VOCABULARY, VocabularyError, parse_vocabulary, vocabulary

    (tmp_path / SHIPPED_VOCABULARY.name).write_text(SHIPPED_VOCABULARY.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "special-categories-ours.txt").write_text(
        "# our own words\n[health]\nlong-covid*\n[union]\nAbvakabo\n", encoding="utf-8"
    )
    ours = vocabulary(tmp_path)
    assert ours.categories("Sinds mijn longcovid-klachten") == ("health",)
    assert ours.categories("Lid van Abvakabo") == ("union",)
    assert ours.categories("Ik was overspannen") == ("health",)  # the shipped words still count
    assert vocabulary().categories("Lid van Abvakabo") == ()  # the shipped folder knows nothing of it

    with pytest.raises(VocabularyError, match=r"ours.txt:2: unknown category \[hobbies\]"):
        parse_vocabulary("# x\n[hobbies]\nvissen\n", "ours.txt")
    with pytest.raises(VocabularyError, match=r"ours.txt:1: term 'ziek' before any \[category\]"):
        parse_vocabulary("ziek\n", "ours.txt")


def test_a_special_category_answer_is_never_a_default_highlight():
    from flows.highlights import candidate_quotes, draft, shared_quotes, unedited, withheld_quotes
    from flows.template import default_template

    template = default_template()
    consent = next(q.id for q in template.questions if q.category.value == "consent")
    texts = [q.id for q in template.questions if q.type.value == "long_text"]
    answers = {
        consent: {"value": True},
        texts[0]: {"value": "In maart 2026 zat ik thuis met een burn-out, Jan de Vries wist het."},
        texts[1]: {"value": "De planning kwam vaak te laat."},
    }
    quotes = candidate_quotes(template, answers, MEMBERS, "nl")
    assert [(q.text, q.categories) for q in quotes] == [
        ("In [datum] zat ik thuis met een burn-out, [naam] wist het.", ("health",)),
        ("De planning kwam vaak te laat.", ()),
    ]
    assert draft(shared_quotes(template, answers, (), MEMBERS, "nl")) == "De planning kwam vaak te laat."
    withheld = withheld_quotes(template, answers, (), MEMBERS, "nl")
    assert [q.question_id for q in withheld] == [texts[0]]
    assert withheld_quotes(template, answers, (texts[0],), MEMBERS, "nl") == []  # the leaver left it out
    pasted = "De planning kwam vaak te laat.\n\nIn [datum]  zat ik thuis met een burn-out, [naam] wist het."
    assert unedited(pasted, withheld) == withheld
    assert unedited("De planning kwam vaak te laat.\n\nIemand was een tijd afwezig.", withheld) == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Sinds ik naar Zwolle verhuisde, werd reizen naar het kantoor in Den  Haag lastig.", "nl",
         "Sinds ik naar [plaats] verhuisde, werd reizen naar het kantoor in [plaats] lastig."),
        ("I moved to London; the 's-Hertogenbosch office was far.", "en",
         "I moved to [place]; the [place] office was far."),
        # ordinary words and towns that are also words stay; so does a lower-case "leiden" (to lead)
        ("Goede mensen leiden tot goed werk; best of goes, de delft.", "nl", None),
    ],
    ids=["nl", "en", "words"],
)
def test_towns_are_replaced(text, language, expected):
    assert anonymise(text, MEMBERS, language) == (text if expected is None else expected)
