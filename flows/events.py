"""What happened, as plain data: the domain events an operation records with its change.

An operation stores its change and, in the same transaction, the event saying what happened; after
the commit the event is delivered to its follow-ups (bot.subscribers), and a sweep delivers what a
crash left undelivered. Events carry ids and plain values only (no names, no answers): a follow-up
reads what it needs from the database when it runs, and nothing personal lingers in the event table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Event:
    """Base of every domain event; `name` is the stable name it is stored under."""

    @classmethod
    def name(cls) -> str:
        return cls.__name__


@dataclass(frozen=True)
class DepartureRegistered(Event):
    """HR (or a workflow, an import) registered a departure; its invitation is due at `invite_at`
    (ISO 8601, UTC). `refresh_home=False`: the caller refreshes HR's Home itself (after the ack, once
    after an import) or not at all (the command line)."""

    departure_id: int
    invite_at: str
    refresh_home: bool = True


@dataclass(frozen=True)
class RegistrationCancelled(Event):
    """HR withdrew a registration; `interview_id` is the questionnaire that was closed with it."""

    departure_id: int
    interview_id: int | None = None


@dataclass(frozen=True)
class ChoiceMade(Event):
    """The leaver chose on the invitation: `choice` is a flows.invitation.Choice value."""

    departure_id: int
    choice: str


@dataclass(frozen=True)
class ChoiceReconsidered(Event):
    """After "no thanks" the leaver asked for the offer again."""

    departure_id: int


@dataclass(frozen=True)
class ReminderSentByHr(Event):
    """HR's "Remind now" sent the reminder."""

    departure_id: int


@dataclass(frozen=True)
class InterviewSubmitted(Event):
    """A questionnaire was sent, or the notes of a talk were finished (`mode` "self" or "talk")."""

    interview_id: int
    mode: str


@dataclass(frozen=True)
class InterviewWithdrawn(Event):
    """The leaver took their answers back."""

    interview_id: int


@dataclass(frozen=True)
class ReviewPosted(Event):
    """The review card of an interview reached HR."""

    review_id: int


@dataclass(frozen=True)
class ReviewDecided(Event):
    """HR approved the answers or kept them private (`decision`)."""

    review_id: int
    interview_id: int
    decision: str


@dataclass(frozen=True)
class DeparturesImported(Event):
    """An import registered `registered` departures (each a DepartureRegistered of its own)."""

    registered: int


@dataclass(frozen=True)
class NudgeResolved(Event):
    """HR settled a nudge about someone who may be leaving."""

    nudge_id: int


@dataclass(frozen=True)
class DigestPosted(Event):
    """A digest reached the managers' channel."""

    digest_id: int


EVENTS: dict[str, type[Event]] = {
    kind.name(): kind
    for kind in (DepartureRegistered, RegistrationCancelled, ChoiceMade, ChoiceReconsidered, ReminderSentByHr,
                 InterviewSubmitted, InterviewWithdrawn, ReviewPosted, ReviewDecided, DeparturesImported,
                 NudgeResolved, DigestPosted)
}


def to_json(event: Event) -> str:
    return json.dumps(asdict(event), sort_keys=True)


def from_json(name: str, payload: str) -> Event:
    """The event stored under `name`; unknown fields are ignored, so an older row still reads."""
    kind = EVENTS.get(name)
    if kind is None:
        raise ValueError(f"unknown event {name!r}")
    data = json.loads(payload)
    known = {f.name for f in fields(kind)}
    return kind(**{key: value for key, value in data.items() if key in known})
