"""The `/exit-interview` command language, the registration rules, and the leaver's choice."""

from __future__ import annotations

import typing
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows import registration
from flows.invitation import (
    CHOICE_STAGE,
    OPEN_STAGES,
    Choice,
    Stage,
    can_cancel,
    check_choice,
    choices_offered,
)
from flows.registration import (
    MAX_COMMAND_LENGTH,
    Cancel,
    Help,
    ListDepartures,
    Offer,
    OpenRegistrationForm,
    Person,
    Problem,
    Register,
    Verdict,
    check_registration,
    parse_command,
    parse_date,
    parse_user,
)

HR = "UHRANNA01"
LEAVER = "U123ABC"
MANAGER = "UMANAGE01"
INTERVIEWER = "UINTERV01"
TODAY = date(2026, 12, 1)
DEC_20 = date(2026, 12, 20)

COMMAND_TYPES = (*typing.get_args(registration.Command), Problem)


# --- parse_command: help and unknown words -------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_command_is_help(text):
    assert parse_command(text) == Help()


@pytest.mark.parametrize("text", ["help", "HELP", "Help", "hulp", "Hulp", "?", "  help  ", "help me please"])
def test_help_words(text):
    assert parse_command(text) == Help(unknown=None)


@pytest.mark.parametrize(("text", "word"), [("frobnicate", "frobnicate"), ("Delete <@U123ABC>", "Delete")])
def test_unknown_word_is_help_naming_the_word(text, word):
    assert parse_command(text) == Help(unknown=word)


def test_unknown_word_is_cut_to_forty_characters():
    word = "x" * 100
    assert parse_command(word) == Help(unknown="x" * 40)


# --- parse_command: start ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["start", "START", "register", "registreer", "Registreer", "  start  "])
def test_start_alone_opens_the_form(text):
    assert parse_command(text) == OpenRegistrationForm()


def test_start_with_a_mention_and_iso_date():
    assert parse_command("start <@U123ABC|jan> 2026-12-20") == Register(LEAVER, DEC_20, None)


def test_start_with_a_mention_without_a_name():
    assert parse_command("start <@U123ABC> 2026-12-20") == Register(LEAVER, DEC_20)


def test_start_with_a_manager():
    assert parse_command("start <@U123ABC|jan> 2026-12-20 <@UMANAGE01|mira>") == Register(LEAVER, DEC_20, MANAGER)


def test_start_with_a_manager_mention_without_a_name():
    assert parse_command("start <@U123ABC> 2026-12-20 <@UMANAGE01>").manager_id == MANAGER


def test_start_with_a_w_user_id():
    # Enterprise Grid users have W ids.
    assert parse_command("start <@W0123ABC|jan> 2026-12-20") == Register("W0123ABC", DEC_20)


def test_start_with_a_bare_id():
    assert parse_command("start U123ABCD 2026-12-20") == Register("U123ABCD", DEC_20)
    assert parse_command("start @U123ABCD 2026-12-20") == Register("U123ABCD", DEC_20)


@pytest.mark.parametrize("verb", ["start", "Start", "START", "register", "REGISTER", "registreer", "REGISTREER"])
def test_start_verbs_in_any_case(verb):
    assert parse_command(f"{verb} <@U123ABC|jan> 2026-12-20") == Register(LEAVER, DEC_20)


@pytest.mark.parametrize("written", ["2026-12-20", "20-12-2026", "20/12/2026", "20.12.2026", "2026-12-20"])
def test_dates_in_iso_and_dutch_notation(written):
    assert parse_command(f"start <@U123ABC|jan> {written}") == Register(LEAVER, DEC_20)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5-1-2027", date(2027, 1, 5)),  # day first, as the Dutch write it
        ("05-01-2027", date(2027, 1, 5)),
        ("2027-1-5", date(2027, 1, 5)),
        ("1/5/2027", date(2027, 5, 1)),  # never month first
        ("29-02-2028", date(2028, 2, 29)),  # a leap day
    ],
)
def test_parse_date_reads_day_before_month(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    "written",
    ["31-02-2026", "2026-13-01", "tomorrow", "29-02-2027", "2026-00-10", "00-12-2026", "20-12-26", "20122026",
     "2026/12/20", "20-12-2026x"],
)
def test_invalid_dates_are_a_problem_naming_the_text(written):
    assert parse_command(f"start <@U123ABC|jan> {written}") == Problem("command.not_a_date", {"text": written})


@pytest.mark.parametrize("written", ["31-02-2026", "2026-13-01", "tomorrow", ""])
def test_parse_date_returns_none_for_invalid_dates(written):
    assert parse_date(written) is None


@pytest.mark.parametrize("user", ["jan", "@jan", "<@jan>", "<@u123abc>", "<#C123ABC|general>", "<!channel>",
                                  "<!here>", "<@U1>", "U12"])
def test_a_garbled_user_is_not_a_user(user):
    assert parse_command(f"start {user} 2026-12-20") == Problem("command.not_a_user", {"text": user})


def test_a_garbled_manager_is_not_a_user():
    assert parse_command("start <@U123ABC|jan> 2026-12-20 mira") == Problem("command.not_a_user", {"text": "mira"})


def test_the_user_is_checked_before_the_date():
    assert parse_command("start jan tomorrow") == Problem("command.not_a_user", {"text": "jan"})


@pytest.mark.parametrize(
    "text",
    [
        "start <@U123ABC|jan>",
        "start 2026-12-20",
        "start <@U123ABC|jan> 2026-12-20 <@UMANAGE01> extra",
        "start a b c d e",
    ],
)
def test_wrong_number_of_start_arguments_shows_usage(text):
    assert parse_command(text) == Problem("command.start_usage")


def test_text_over_the_limit_is_too_long():
    text = "start <@U123ABC|jan> 2026-12-20 " + "x" * 600
    assert parse_command(text) == Problem("command.too_long", {"limit": str(MAX_COMMAND_LENGTH)})
    assert parse_command("x" * 600) == Problem("command.too_long", {"limit": "500"})


def test_text_at_the_limit_is_parsed():
    assert parse_command("y" * MAX_COMMAND_LENGTH) == Help(unknown="y" * 40)
    assert parse_command("y" * (MAX_COMMAND_LENGTH + 1)) == Problem("command.too_long", {"limit": "500"})


def test_surrounding_whitespace_does_not_count_toward_the_limit():
    assert parse_command(" " * 1000 + "list" + " " * 1000) == ListDepartures()


# --- parse_command: cancel and list --------------------------------------------------------------


@pytest.mark.parametrize("verb", ["cancel", "CANCEL", "Cancel", "annuleer", "Annuleer"])
def test_cancel_a_mentioned_user(verb):
    assert parse_command(f"{verb} <@U123ABC|jan>") == Cancel(LEAVER)
    assert parse_command(f"{verb} <@U123ABC>") == Cancel(LEAVER)


@pytest.mark.parametrize("text", ["cancel", "annuleer", "cancel <@U123ABC> <@UMANAGE01>"])
def test_cancel_needs_exactly_one_user(text):
    assert parse_command(text) == Problem("command.cancel_usage")


@pytest.mark.parametrize("user", ["jan", "<!channel>", "<!everyone>"])
def test_cancel_of_a_non_user(user):
    assert parse_command(f"cancel {user}") == Problem("command.not_a_user", {"text": user})


@pytest.mark.parametrize("text", ["list", "LIST", "List", "lijst", "LIJST", "list everything"])
def test_list(text):
    assert parse_command(text) == ListDepartures()


# --- parse_user ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U123ABC|jan>", LEAVER),
        ("<@U123ABC|Jan de Vries>", LEAVER),
        ("<@U123ABC>", LEAVER),
        ("U0123ABCD", "U0123ABCD"),
        ("@U0123ABCD", "U0123ABCD"),
        ("<!channel>", None),
        ("<@U123ABC", None),
        ("U123ABC>", None),
        ("", None),
    ],
)
def test_parse_user(text, expected):
    assert parse_user(text) == expected


# --- property: the parser never fails ------------------------------------------------------------


@given(st.text())
def test_parse_command_never_raises_on_any_text(text):
    result = parse_command(text)
    assert isinstance(result, COMMAND_TYPES)


@given(st.lists(st.sampled_from(["start", "cancel", "list", "help", "<@U123ABC|jan>", "<@UMANAGE01>",
                                 "2026-12-20", "20-12-2026", "31-02-2026", "<!channel>", "lijst", "?"]),
                max_size=6))
def test_parse_command_on_command_like_word_salad(words):
    result = parse_command(" ".join(words))
    assert isinstance(result, COMMAND_TYPES)
    if isinstance(result, Problem):
        assert result.key.startswith("command.")
    if isinstance(result, Register):
        assert result.employee_id == LEAVER
        assert result.last_day == DEC_20


# --- check_registration --------------------------------------------------------------------------


def check(**overrides) -> Verdict:
    arguments = {
        "employee": Person(LEAVER),
        "last_day": DEC_20,
        "today": TODAY,
        "registered_by": HR,
    }
    arguments.update(overrides)
    return check_registration(**arguments)


def test_a_plain_registration_is_accepted_without_warnings():
    verdict = check(manager=Person(MANAGER), interviewer=Person(INTERVIEWER))
    assert verdict.accepted
    assert verdict.problems == ()
    assert verdict.warnings == ()


@pytest.mark.parametrize(
    ("person", "suffix"),
    [
        (Person(LEAVER, exists=False), "unknown"),
        (Person(LEAVER, is_bot=True), "bot"),
        (Person(LEAVER, deleted=True), "deactivated"),
    ],
)
def test_the_employee_must_be_a_live_human_in_slack(person, suffix):
    verdict = check(employee=person)
    assert not verdict.accepted
    assert verdict.problems == (Problem(f"register.employee_{suffix}", {"user": LEAVER}),)


@pytest.mark.parametrize("role", ["manager", "interviewer"])
@pytest.mark.parametrize(
    ("flags", "suffix"),
    [({"exists": False}, "unknown"), ({"is_bot": True}, "bot"), ({"deleted": True}, "deactivated")],
)
def test_manager_and_interviewer_must_be_live_humans(role, flags, suffix):
    verdict = check(**{role: Person("UOTHER001", **flags)})
    assert verdict.problems == (Problem(f"register.{role}_{suffix}", {"user": "UOTHER001"}),)


def test_an_unknown_person_is_reported_once_even_if_also_flagged():
    verdict = check(employee=Person(LEAVER, exists=False, is_bot=True, deleted=True))
    assert verdict.problems == (Problem("register.employee_unknown", {"user": LEAVER}),)


def test_a_bot_is_reported_as_a_bot_even_if_deactivated():
    verdict = check(employee=Person(LEAVER, is_bot=True, deleted=True))
    assert verdict.problems == (Problem("register.employee_bot", {"user": LEAVER}),)


def test_the_manager_cannot_be_the_employee():
    verdict = check(manager=Person(LEAVER))
    assert verdict.problems == (Problem("register.manager_is_employee"),)


def test_the_interviewer_cannot_be_the_employee():
    verdict = check(interviewer=Person(LEAVER))
    assert verdict.problems == (Problem("register.interviewer_is_employee"),)


def test_the_interviewer_may_be_the_registering_hr_user_and_the_manager():
    assert check(interviewer=Person(HR), manager=Person(MANAGER)).accepted
    assert check(interviewer=Person(MANAGER), manager=Person(MANAGER)).accepted


def test_hr_cannot_register_their_own_departure():
    verdict = check(employee=Person(HR), registered_by=HR)
    assert verdict.problems == (Problem("register.self"),)


def test_a_last_day_in_the_past_is_refused():
    verdict = check(last_day=date(2026, 11, 30))
    assert not verdict.accepted
    assert verdict.problems == (Problem("register.last_day_past", {"date": "2026-11-30"}),)
    assert verdict.warnings == ()


def test_a_last_day_today_is_accepted_with_a_warning():
    verdict = check(last_day=TODAY)
    assert verdict.accepted
    assert verdict.problems == ()
    assert verdict.warnings == (Problem("register.last_day_today"),)


def test_tomorrow_has_no_warning():
    verdict = check(last_day=date(2026, 12, 2))
    assert verdict.accepted
    assert verdict.warnings == ()


def test_exactly_two_years_ahead_is_accepted_one_day_more_is_not():
    assert check(last_day=date(2028, 12, 1)).accepted
    verdict = check(last_day=date(2028, 12, 2))
    assert verdict.problems == (Problem("register.last_day_far", {"date": "2028-12-02"}),)


def test_two_years_ahead_from_a_leap_day():
    leap_day = date(2028, 2, 29)
    assert check(today=leap_day, last_day=date(2030, 2, 28)).accepted
    assert not check(today=leap_day, last_day=date(2030, 3, 1)).accepted


def test_an_open_registration_for_the_same_person_is_a_duplicate():
    verdict = check(open_registration_last_day=date(2026, 12, 18))
    assert verdict.problems == (Problem("register.duplicate", {"date": "2026-12-18"}),)


def test_all_problems_are_reported_together():
    verdict = check(
        employee=Person(HR, is_bot=True),
        registered_by=HR,
        manager=Person(HR),
        interviewer=Person("UGONE0001", deleted=True),
        last_day=date(2026, 1, 1),
        open_registration_last_day=date(2026, 12, 31),
    )
    assert not verdict.accepted
    assert verdict.problems == (
        Problem("register.employee_bot", {"user": HR}),
        Problem("register.manager_is_employee"),
        Problem("register.interviewer_deactivated", {"user": "UGONE0001"}),
        Problem("register.self"),
        Problem("register.last_day_past", {"date": "2026-01-01"}),
        Problem("register.duplicate", {"date": "2026-12-31"}),
    )


def test_problems_and_a_warning_together():
    verdict = check(last_day=TODAY, employee=Person(LEAVER, deleted=True))
    assert not verdict.accepted
    assert verdict.problems == (Problem("register.employee_deactivated", {"user": LEAVER}),)
    assert verdict.warnings == (Problem("register.last_day_today"),)


def test_verdict_accepted_follows_problems_not_warnings():
    assert Verdict().accepted
    assert Verdict(warnings=(Problem("x"),)).accepted
    assert not Verdict(problems=(Problem("x"),)).accepted


# --- offers and choices --------------------------------------------------------------------------


def test_offer_properties():
    assert (Offer.BOTH.questionnaire, Offer.BOTH.talk) == (True, True)
    assert (Offer.QUESTIONNAIRE.questionnaire, Offer.QUESTIONNAIRE.talk) == (True, False)
    assert (Offer.TALK.questionnaire, Offer.TALK.talk) == (False, True)


@pytest.mark.parametrize(
    ("offer", "buttons"),
    [
        (Offer.BOTH, [Choice.ANSWER, Choice.TALK, Choice.DECLINE]),
        (Offer.QUESTIONNAIRE, [Choice.ANSWER, Choice.DECLINE]),
        (Offer.TALK, [Choice.TALK, Choice.DECLINE]),
    ],
)
def test_choices_offered_in_order_with_declining_always_last(offer, buttons):
    assert choices_offered(offer) == buttons


def choose(stage=Stage.INVITED, offer=Offer.BOTH, choice=Choice.ANSWER, clicked_by=LEAVER):
    return check_choice(stage=stage, offer=offer, choice=choice, clicked_by=clicked_by, employee_id=LEAVER)


@pytest.mark.parametrize("offer", list(Offer))
def test_every_offered_choice_may_be_made_when_invited(offer):
    for choice in choices_offered(offer):
        assert choose(offer=offer, choice=choice) is None


@pytest.mark.parametrize(
    ("offer", "choice"),
    [(Offer.QUESTIONNAIRE, Choice.TALK), (Offer.TALK, Choice.ANSWER)],
)
def test_a_choice_not_offered_is_refused(offer, choice):
    assert choose(offer=offer, choice=choice) == Problem("choice.not_offered")


def test_someone_else_cannot_choose():
    assert choose(clicked_by=MANAGER) == Problem("choice.not_yours")
    # Checked first: even on a cancelled invitation or an option not offered.
    assert choose(clicked_by=MANAGER, stage=Stage.CANCELLED) == Problem("choice.not_yours")
    assert choose(clicked_by=MANAGER, offer=Offer.TALK) == Problem("choice.not_yours")


def test_a_cancelled_invitation_cannot_be_chosen():
    assert choose(stage=Stage.CANCELLED) == Problem("choice.cancelled")
    assert choose(stage=Stage.CANCELLED, offer=Offer.TALK) == Problem("choice.cancelled")


@pytest.mark.parametrize("stage", [Stage.ANSWERING, Stage.TALK_REQUESTED, Stage.DECLINED])
def test_a_second_choice_is_refused(stage):
    for choice in Choice:
        assert choose(stage=stage, choice=choice) == Problem("choice.already_made")


def test_choices_lead_to_their_stage():
    assert CHOICE_STAGE == {
        Choice.ANSWER: Stage.ANSWERING,
        Choice.TALK: Stage.TALK_REQUESTED,
        Choice.DECLINE: Stage.DECLINED,
    }


@pytest.mark.parametrize(
    ("stage", "cancellable"),
    [
        (Stage.REGISTERED, True),
        (Stage.INVITED, True),
        (Stage.ANSWERING, True),
        (Stage.TALK_REQUESTED, True),
        (Stage.UNREACHABLE, True),
        (Stage.DECLINED, False),
        (Stage.CANCELLED, False),
        (Stage.SUBMITTED, False),
        (Stage.WITHDRAWN, False),
        (Stage.EXPIRED, False),
    ],
)
def test_can_cancel(stage, cancellable):
    assert can_cancel(stage) is cancellable
    assert (stage in OPEN_STAGES) is cancellable


def test_every_stage_is_covered_by_can_cancel_cases():
    assert {s.value for s in Stage} == {
        "registered", "invited", "answering", "talk_requested", "declined", "cancelled", "unreachable",
        "submitted", "withdrawn", "expired",
    }
