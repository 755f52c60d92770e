"""The small demo workspace the shell plays in: HR, three leavers, a manager and the managers' channel.

One cast per language: `nl` is a Dutch company with Dutch-speaking people (and one in Belgium),
`en` a British one with English-speaking people in London, New York and Dublin.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator import SlackEmulator


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str  # the Slack display name, typed as @name
    real_name: str
    locale: str
    tz: str
    email: str

    @property
    def first_name(self) -> str:
        return self.real_name.split()[0]


@dataclass(frozen=True)
class Cast:
    language: str
    company_tz: str
    holiday_country: str
    hr: Person
    leavers: tuple[Person, ...]
    manager: Person
    colleague: Person
    channel_id: str
    channel_name: str

    @property
    def everyone(self) -> tuple[Person, ...]:
        return (self.hr, *self.leavers, self.manager, self.colleague)

    def find(self, name: str) -> Person | None:
        """A person by @name, first name, full name or user id (case-insensitive)."""
        wanted = name.strip().lstrip("@").casefold()
        if not wanted:
            return None
        for person in self.everyone:
            if wanted in (person.name.casefold(), person.user_id.casefold(), person.real_name.casefold(),
                          person.first_name.casefold()):
                return person
        return None

    def by_id(self, user_id: str) -> Person | None:
        return next((p for p in self.everyone if p.user_id == user_id), None)

    def role_of(self, person: Person) -> str:
        if person == self.hr:
            return "hr"
        if person == self.manager:
            return "manager"
        if person in self.leavers:
            return "leaver"
        return "colleague"


def _person(user_id: str, name: str, real_name: str, locale: str, tz: str) -> Person:
    return Person(user_id, name, real_name, locale, tz, f"{name}@example.com")


CASTS = {
    "nl": Cast(
        language="nl",
        company_tz="Europe/Amsterdam",
        holiday_country="NL",
        hr=_person("UANNA0001", "anna", "Anna de Vries", "nl-NL", "Europe/Amsterdam"),
        leavers=(
            _person("UJAN00001", "jan", "Jan Bakker", "nl-NL", "Europe/Amsterdam"),
            _person("UFLEUR001", "fleur", "Fleur Visser", "nl-NL", "Europe/Amsterdam"),
            _person("UDAAN0001", "daan", "Daan Peeters", "nl-BE", "Europe/Brussels"),
        ),
        manager=_person("UMIRA0001", "mira", "Mira de Jong", "nl-NL", "Europe/Amsterdam"),
        colleague=_person("UCEES0001", "cees", "Cees Dekker", "nl-NL", "Europe/Amsterdam"),
        channel_id="CMANAGERS",
        channel_name="managers",
    ),
    "en": Cast(
        language="en",
        company_tz="Europe/London",
        holiday_country="GB",
        hr=_person("UEMMA0001", "emma", "Emma Clarke", "en-GB", "Europe/London"),
        leavers=(
            _person("UOLIVER01", "oliver", "Oliver Hughes", "en-GB", "Europe/London"),
            _person("USOPHIE01", "sophie", "Sophie Turner", "en-US", "America/New_York"),
            _person("ULIAM0001", "liam", "Liam Walsh", "en-IE", "Europe/Dublin"),
        ),
        manager=_person("UJAMES001", "james", "James Carter", "en-GB", "Europe/London"),
        colleague=_person("UPRIYA001", "priya", "Priya Shah", "en-GB", "Europe/London"),
        channel_id="CMANAGERS",
        channel_name="managers",
    ),
}


def populate(emulator: SlackEmulator, cast: Cast) -> None:
    """Put the cast and the managers' channel into the emulated workspace."""
    for person in cast.everyone:
        emulator.add_user(person.user_id, person.name, real_name=person.real_name, locale=person.locale,
                          tz=person.tz, email=person.email)
    emulator.add_channel(cast.channel_id, cast.channel_name, members=[cast.manager.user_id, cast.hr.user_id])
