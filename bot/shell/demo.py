"""`exit-interview shell --demo`: the whole story, played by itself, printed as a transcript.

HR registers three leavers (by command and with the form), the invitations go out, one leaver
answers everything (with a name, an e-mail address and a phone number in a free text), one asks for
a talk whose notes HR records, one more answers; HR reads, edits and approves; a month later the
digest reaches the managers' channel, with numbers and without names; HR asks for the report.

Every step is typed into the shell exactly as a person would (commands, numbers, form fields), and
then checked against what the bot really did. A step that did not happen stops the demo with its
name and a non-zero exit code.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from bot.blocks.notes import RECORD_NOTES_ACTION
from bot.shell.forms import FormCancelled, FormRejected, by_value
from bot.shell.people import CASTS, Person
from bot.shell.session import Shell, ShellError
from storage import repositories as repo

STEP_TIMEOUT = 10.0


class DemoFailed(Exception):
    def __init__(self, step: str, detail: str):
        super().__init__(f"{step}: {detail}")
        self.step = step
        self.detail = detail


# -- what the people say and choose ---------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """Typed as a reply in the DM."""

    text: str


@dataclass(frozen=True)
class InForm:
    """Written in the step's form (the "Answer" button)."""

    text: str


@dataclass(frozen=True)
class Picks:
    """Several options of a multi-select in the step's form."""

    values: tuple[str, ...]


SKIP = "skip"

STORY: dict[str, dict[str, Any]] = {
    "nl": {
        "first": {
            "working_conditions": 4, "work_content": Typed("3 - te veel werkdruk in de laatste maanden"),
            "working_relations": 4, "employment_terms": 2, "manager_support": 3,
            "improvements": Typed("Meer overleg tussen teams. Mijn manager Mira de Jong plande alles op het laatste "
                                  "moment; bel me gerust op 06-12345678 of mail jan.bakker@example.com."),
            "strengths": InForm("Fijne collega's en veel vrijheid in hoe ik mijn werk deed."),
            "reasons": Picks(("pay", "career")), "reason_main": "career", "destination_type": "competitor",
            "attractions": Picks(("career", "technology")), "competitor_offer": InForm("Een scale-up in Utrecht"),
            "recommend": 7, "come_back": "maybe", "consent": "yes",
        },
        "third": {
            "working_conditions": 3, "work_content": 2, "working_relations": 4, "employment_terms": 3,
            "manager_support": 4,
            "improvements": Typed("Te veel overwerk in de laatste maanden; plan de releases rustiger."),
            "reasons": Picks(("career", "workload")), "recommend": 5, "come_back": "no", "consent": "yes",
        },
        "edited": "Meer overleg tussen teams; de planning kwam vaak op het laatste moment.\\n\\n"
                  "Te veel werkdruk in de laatste maanden.\\n\\nFijne collega's en veel vrijheid.",
        "notes": {
            "q:working_conditions": by_value("4"), "c:working_conditions": "Prettige werkplek, maar het kantoor is "
            "te lawaaiig.", "q:employment_terms": by_value("3"),
            "q:improvements": "Duidelijkere doorgroeimogelijkheden en een vast aanspreekpunt voor opleidingen.",
            "q:reasons": by_value("career", "workload"), "q:reason_main": by_value("career"),
            "q:recommend": by_value("6"), "q:come_back": by_value("maybe"), "q:consent": by_value("yes"),
            "status": by_value("finished"),
        },
    },
    "en": {
        "first": {
            "working_conditions": 4, "work_content": Typed("3 - too much pressure in the last months"),
            "working_relations": 4, "employment_terms": 2, "manager_support": 3,
            "improvements": Typed("More talking between teams. My manager James Carter planned everything at the "
                                  "last minute; call me on +44 7700 900123 or mail oliver.hughes@example.com."),
            "strengths": InForm("Great colleagues and a lot of freedom in how I did my work."),
            "reasons": Picks(("pay", "career")), "reason_main": "career", "destination_type": "competitor",
            "attractions": Picks(("career", "technology")), "competitor_offer": InForm("A scale-up in Manchester"),
            "recommend": 7, "come_back": "maybe", "consent": "yes",
        },
        "third": {
            "working_conditions": 3, "work_content": 2, "working_relations": 4, "employment_terms": 3,
            "manager_support": 4,
            "improvements": Typed("Too much overtime in the last months; plan the releases more calmly."),
            "reasons": Picks(("career", "workload")), "recommend": 5, "come_back": "no", "consent": "yes",
        },
        "edited": "More talking between teams; the planning often came at the last minute.\\n\\n"
                  "Too much pressure in the last months.\\n\\nGreat colleagues and a lot of freedom.",
        "notes": {
            "q:working_conditions": by_value("4"), "c:working_conditions": "A pleasant workplace, but the office is "
            "too noisy.", "q:employment_terms": by_value("3"),
            "q:improvements": "Clearer ways to grow, and one person to go to about training.",
            "q:reasons": by_value("career", "workload"), "q:reason_main": by_value("career"),
            "q:recommend": by_value("6"), "q:come_back": by_value("maybe"), "q:consent": by_value("yes"),
            "status": by_value("finished"),
        },
    },
}

# Monday 2 November 2026, 09:00 in the company's time zone: a fixed start, so every run tells the same story.
START = (2026, 11, 2, 9, 0)


class Demo:
    def __init__(self, shell: Shell):
        self.shell = shell
        self.cast = shell.cast
        self.story = STORY[shell.lang]
        self.step_name = "starting the bot"
        self.steps = 0

    # -- telling and typing ------------------------------------------------------------------------------------

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.steps += 1
        self.step_name = title
        self.shell.console.print()
        self.shell.console.print(Rule(Text(f"{self.steps}. {title}", style="bold"), align="left", style="bold"))
        try:
            yield
        except DemoFailed:
            raise
        except (TimeoutError, ShellError, FormRejected, FormCancelled, AssertionError) as problem:
            raise DemoFailed(title, str(problem) or type(problem).__name__) from problem

    def tell(self, text: str) -> None:
        self.shell.say(Text(text, style="italic"))

    def type(self, line: str) -> None:
        self.shell.echo(self.shell.prompt(), line)
        if not self.shell.handle(line):
            raise DemoFailed(self.step_name, "the shell stopped")

    def as_(self, who: str) -> None:
        self.type(f"as {who}")

    def fail(self, detail: str) -> None:
        raise DemoFailed(self.step_name, detail)

    def expect(self, condition: Callable[[], Any], what: str, timeout: float | None = None) -> Any:
        timeout = STEP_TIMEOUT if timeout is None else timeout
        try:
            return self.shell.slack.wait_for(condition, timeout, what)
        except TimeoutError:
            self.fail(f"{what} did not happen within {timeout:.0f} s")

    def number(self, action_id: str, *, value: str | None = None, source=None, kind: str | None = None) -> int:
        """The number the person would type for this button or option (after `show` if it is not on screen)."""
        for attempt in range(2):
            found = [n for n, c in sorted(self.shell.choices().items(), key=lambda item: item[0])
                     if c.action_id == action_id and (value is None or c.value == value)
                     and (source is None or c.source == source) and (kind is None or c.kind == kind)]
            if found:
                return found[0]
            if attempt == 0:
                self.type("show")
        self.fail(f"there is no {action_id}{' ' + value if value else ''} to choose")
        raise AssertionError  # unreachable

    def choose(self, action_id: str, **where) -> None:
        self.type(str(self.number(action_id, **where)))

    def with_form(self, answers: dict[str, Any]) -> None:
        """The answers for the next form that opens, typed field by field."""
        self.shell.form_script = answers

    # -- what the bot holds --------------------------------------------------------------------------------

    def departure(self, person: Person):
        with self.shell.services.db.session() as session:
            return repo.latest_registration_of(session, person.user_id)

    def stage(self, person: Person) -> str | None:
        departure = self.departure(person)
        return departure.stage if departure is not None else None

    def reviews(self) -> list:
        with self.shell.services.db.session() as session:
            return list(repo.all_reviews(session))

    def dms(self, person: Person):
        return self.shell.slack.dms_to(person.user_id)

    def card_of(self, leaver: Person):
        """HR's review card for this leaver's interview."""
        for message in self.dms(self.cast.hr):
            text = str(message.blocks)
            if f"<@{leaver.user_id}>" in text and "review:view" in text:
                return message
        return None

    # -- the leaver's side ----------------------------------------------------------------------------------

    def current_step(self, person: Person):
        """The newest message in the DM that asks something: (message, the first question id of its
        step, or 'summary')."""
        for message in reversed(self.dms(person)):
            buttons = [e for b in message.blocks for e in (b.get("elements") or []) if b.get("type") == "actions"]
            if any(e.get("action_id") == "q:submit" for e in buttons):
                return message, "summary"
            for element in buttons:
                value = str(element.get("value") or "")
                if element.get("action_id") == "q:next" and value.count("|") == 2:
                    return message, value.split("|")[1]
        return None, None

    def step_questions(self, first: str) -> list[str]:
        from bot.operations import templates

        template = templates.active_template(self.shell.services.db)
        for step in template.steps:
            if step[0].id == first:
                return [question.id for question in step]
        self.fail(f"no step begins with '{first}'")
        return []

    def answer_questionnaire(self, person: Person, answers: dict[str, Any]) -> None:
        """Step by step: the buttons of a step of buttons (a typed score where the story types it),
        else what is typed, then the step's form with the rest; Next leaves out what is not there."""
        for _ in range(20):
            message, first = self.current_step(person)
            if message is None:
                self.fail(f"no question reached @{person.name}")
            source = ("message", message.channel, message.ts)
            if first == "summary":
                self.choose("q:submit", source=source)
                self.expect(lambda: self.stage(person) == "submitted", f"@{person.name}'s answers to arrive")
                return
            before = len(self.dms(person)), message.updates
            step = {question_id: answers.get(question_id, SKIP) for question_id in self.step_questions(first)}
            buttons = any(str(e.get("action_id", "")).startswith("q:choose:")
                          for b in message.blocks for e in (b.get("elements") or []))
            rest = {q: a for q, a in step.items() if a != SKIP and not isinstance(a, Typed)}
            for answer in step.values():  # in order: a typed score goes to the first open one
                if isinstance(answer, Typed):
                    self.type(answer.text)
                elif buttons and answer != SKIP:
                    # Typed as a score ("4/5"; a bare number picks a numbered choice in the shell): it
                    # goes to the first rating still open in the step.
                    self.type(f"{answer}/5")
            if buttons:
                if SKIP in step.values():
                    self.choose("q:next", source=source)
            elif rest:
                self.with_form({q: _in_form(a) for q, a in rest.items()})
                self.choose("q:form", source=source)
            else:
                self.choose("q:next", source=source)
            self.expect(lambda m=message, b=before: (len(self.dms(person)), self.shell.slack.message(
                m.channel, m.ts).updates) != b, f"@{person.name}'s answers to step '{first}' to be taken")
        self.fail(f"@{person.name} never reached the end of the questionnaire")


def _in_form(answer: Any) -> Any:
    """An answer as the form takes it: options by their values, texts as they are."""
    if isinstance(answer, Picks):
        return by_value(*answer.values)
    if isinstance(answer, InForm):
        return answer.text
    return by_value(str(answer))


def _moment(moment: datetime, tz: ZoneInfo) -> str:
    """The next half hour after a moment, as typed after `wait until`."""
    local = moment.astimezone(tz) + timedelta(minutes=30)
    local = local.replace(minute=local.minute // 30 * 30, second=0, microsecond=0)
    return f"{local:%Y-%m-%d %H:%M}"


def story(demo: Demo) -> None:
    shell, cast, words = demo.shell, demo.cast, demo.story
    hr, manager = cast.hr, cast.manager
    first, second, third = cast.leavers
    calendar, today = shell.services.calendar, shell.services.today()
    last_day = calendar.working_days_after(today, 14)
    later_day = calendar.working_days_after(today, 15)

    with demo.step(f"{hr.first_name} (HR) registers {first.first_name} with the command"):
        demo.tell(f"It is {shell.when()}. {first.first_name} leaves on {last_day:%d %B}; "
                  f"{manager.first_name} is the manager.")
        demo.type(f"/exit-interview start @{first.name} {last_day.isoformat()} @{manager.name}")
        demo.expect(lambda: demo.stage(first) == "registered", f"the registration of @{first.name}")

    with demo.step(f"{hr.first_name} registers {second.first_name} with the form"):
        demo.with_form({"employee": second.name, "last_day": last_day.isoformat(), "manager": manager.name})
        demo.type("/exit-interview start")
        demo.expect(lambda: demo.stage(second) == "registered", f"the registration of @{second.name}")

    with demo.step(f"... and {third.first_name}, and looks at the list"):
        demo.type(f"/exit-interview start @{third.name} {later_day.isoformat()}")
        demo.expect(lambda: demo.stage(third) == "registered", f"the registration of @{third.name}")
        responses = len(shell.slack.workspace.responses)
        demo.type("/exit-interview list")
        demo.expect(lambda: len(shell.slack.workspace.responses) > responses, "the list of departures")

    with demo.step("Ten working days before the last day, at 10:00 their time, the invitations go out"):
        latest = max(demo.departure(p).invite_at for p in cast.leavers)
        demo.type(f"wait until {_moment(latest, shell.tz)}")
        for person in cast.leavers:
            demo.expect(lambda p=person: demo.stage(p) == "invited", f"the invitation to @{person.name}")

    with demo.step(f"{first.first_name} answers every question, in three steps"):
        demo.as_(f"leaver {first.name}")
        demo.choose("invitation.answer")
        demo.answer_questionnaire(first, words["first"])
        demo.expect(lambda: demo.card_of(first), "the review card for HR")

    with demo.step(f"{second.first_name} would rather talk in person"):
        demo.as_(f"leaver {second.name}")
        demo.choose("invitation.talk")
        demo.expect(lambda: demo.stage(second) == "talk_requested", f"@{second.name}'s choice for a talk")

    with demo.step(f"{hr.first_name} holds the talk and records the notes in the form"):
        demo.as_("hr")
        demo.with_form(words["notes"])
        demo.choose(RECORD_NOTES_ACTION)
        demo.expect(lambda: demo.stage(second) == "submitted", "the finished notes of the talk")
        demo.expect(lambda: demo.card_of(second), "the review card of the talk")

    with demo.step(f"{third.first_name} answers too"):
        demo.as_(f"leaver {third.name}")
        demo.choose("invitation.answer")
        demo.answer_questionnaire(third, words["third"])

    with demo.step(f"{hr.first_name} reviews: reads everything, edits the highlights, approves"):
        demo.as_("hr")
        cards = {p: demo.expect(lambda p=p: demo.card_of(p), f"the review card of @{p.name}") for p in cast.leavers}
        card = cards[first]
        source = ("message", card.channel, card.ts)
        opened = len(shell.slack.calls_to("views.open"))
        demo.choose("review:view", source=source)
        demo.expect(lambda: len(shell.slack.calls_to("views.open")) > opened, "the window with all answers")
        demo.with_form({"highlights": words["edited"]})
        demo.choose("review:edit", source=source)
        edited = words["edited"].replace("\\n", "\n")
        demo.expect(lambda: any(r.highlights == edited for r in demo.reviews()), "the edited highlights")
        for person in cast.leavers:
            card = cards[person]
            demo.choose("review:approve", source=("message", card.channel, card.ts))
        demo.expect(lambda: [r.decision for r in demo.reviews()] == ["approved"] * 3, "three approved interviews")

    with demo.step("A month later, on the first working day, the digest goes to the managers"):
        now = shell.local()
        first_of_month = (now.date().replace(day=1) + timedelta(days=32)).replace(day=1)
        while not calendar.is_working_day(first_of_month):
            first_of_month += timedelta(days=1)
        demo.type(f"wait until {first_of_month.isoformat()} 09:30")
        demo.expect(lambda: shell.slack.messages_in(cast.channel_id), "the digest in the managers' channel")

    with demo.step(f"{manager.first_name} reads the digest in #{cast.channel_name}"):
        demo.as_("manager")
        digest = " ".join(str(m.blocks) + " " + m.text for m in shell.slack.messages_in(cast.channel_id))
        for person in (*cast.leavers, manager):
            for word in (person.real_name, person.first_name, person.name, person.user_id, person.email):
                if re.search(rf"\b{re.escape(word)}\b", digest, re.IGNORECASE):
                    demo.fail(f"the digest shows '{word}'")
        if re.search(r"[\w.]+@[\w.]+\.\w+", digest):
            demo.fail("the digest shows an e-mail address")

    with demo.step(f"{hr.first_name} asks for the full report"):
        demo.as_("hr")
        responses = len(shell.slack.workspace.responses)
        demo.type("/exit-interview report")
        demo.expect(lambda: any(r.get("blocks") for r in shell.slack.workspace.responses[responses:]),
                    "HR's report")


def _no_input(prompt: str) -> str | None:
    raise ShellError(f"the demo was asked to type something ({prompt.strip()})")


def play(*, lang: str = "nl", db: str | None = None, console: Console | None = None) -> int:
    """Play the story; 0 when every step happened, 1 with the failed step named on stderr."""
    cast = CASTS[lang]
    tz = ZoneInfo(cast.company_tz)
    start = datetime(*START, tzinfo=tz).astimezone(UTC)
    shell = Shell(lang=lang, db_path=db, console=console, reader=_no_input, start_at=start)
    began = time.monotonic()
    demo = Demo(shell)
    try:
        shell.start()
        shell.console.print(Text("exit-interview: the whole story, played in a pretend Slack", style="bold"))
        shell.say(Text(f"People: {cast.hr.real_name} (HR), " + ", ".join(p.real_name for p in cast.leavers)
                       + f" (leaving), {cast.manager.real_name} (manager). Channel: #{cast.channel_name}.",
                       style="dim"))
        story(demo)
    except DemoFailed as failed:
        shell.console.print()
        print(f"exit-interview: the demo failed at step {demo.steps} ({failed.step}): {failed.detail}",
              file=sys.stderr)
        return 1
    except Exception as error:  # the bot or the shell broke: still name the step
        shell.console.print()
        print(f"exit-interview: the demo failed at step {demo.steps} ({demo.step_name}): "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        shell.stop()
    shell.console.print()
    shell.console.print(Text(f"✔ The demo played all {demo.steps} steps in {time.monotonic() - began:.1f} s.",
                             style="bold green"))
    return 0
