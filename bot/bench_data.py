"""`exit-interview bench-data`: a realistic, synthetic history of departures and interviews, for
trying the dashboards and for the benchmark (benchmarks/insight_scale.py).

N submitted interviews (self-service and talk notes) over the last M months, plus the departures
that did not lead to one (declined, unreachable, expired, still open). Most are approved and
published in monthly digests on the first of each month; those approved since the last digest
wait for the next one; the newest ones wait for HR's review; about one in ten was kept private.
Answers follow the standard template, with ratings that lean on the reasons for leaving, and
free texts made of stock sentences (no real person's words). Everything is stored as the bot
stores it (encrypted answers, the numbers store), with bulk inserts.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.operations.digest import digest_record
from flows import highlights
from flows.aggregates import Roles, Tally, tally_of
from flows.insights import Thresholds
from flows.numbers import numbers_of
from flows.questionnaire import STATE_FORMAT
from flows.template import default_template
from storage import bench
from storage import numbers as store
from storage.db import Database
from storage.models import Departure, Digest, Interview, InterviewNumber, Review

HR_ID = "UBENCHHR01"
MANAGERS = [f"UBMGR{n:05d}" for n in range(60)]
TENURE_YEARS = ((0, 1, 22), (1, 3, 34), (3, 6, 24), (6, 12, 14), (12, 30, 6))  # from, to, weight
REASON_WEIGHTS = {"pay": 24, "career": 22, "leadership": 12, "workload": 14, "work_content": 10, "culture": 8,
                  "hours": 5, "commute": 6, "personal": 6, "retirement": 2, "contract_end": 4, "other": 3}
# Which category suffers with which reason: ratings are lower there.
REASON_HITS = {"pay": "employment_terms", "career": "work_content", "leadership": "manager",
               "workload": "working_conditions", "work_content": "work_content", "culture": "working_relations",
               "hours": "working_conditions"}
TEXTS = [
    "Meer duidelijkheid over doorgroeimogelijkheden zou helpen.",
    "De werkdruk was de laatste maanden te hoog.",
    "Fijne collega's en een goede sfeer in het team.",
    "Het salaris bleef achter bij de markt.",
    "Betere begeleiding van nieuwe collega's graag.",
    "Meer thuiswerken had het reizen draaglijker gemaakt.",
    "Ik heb veel geleerd en kwam met plezier naar mijn werk.",
    "Beslissingen werden laat en zonder uitleg genomen.",
    "More room for feedback from leadership, please.",
    "The onboarding was great, the career path less so.",
]
# Teams of a technical company, with their weight; each manager leads one of them.
DEPARTMENTS = (("Engineering", 34), ("Field service", 16), ("Production", 18), ("Sales", 10), ("Support", 9),
               ("Finance", 5), ("HR", 3), ("Research", 5))
ROLES = {"Engineering": ["Software engineer", "Test engineer", "Mechanical engineer"],
         "Field service": ["Service engineer", "Planner"], "Production": ["Operator", "Team lead"],
         "Sales": ["Account manager", "Inside sales"], "Support": ["Support engineer"],
         "Finance": ["Controller", "Bookkeeper"], "HR": ["HR advisor"], "Research": ["Researcher", "Data scientist"]}
DESTINATIONS = ["Een scale-up in de regio", "Een concurrent met een groter platformteam", "Eigen onderneming",
                "A master's in data science", "Een overheidsdienst met een IT-afdeling"]
# Where leavers go (destination_type) and what attracts them there (attractions), as choice answers:
# most to another tech company, and which attractions follow from why they leave.
DESTINATION_WEIGHTS = {"competitor": 45, "other_industry": 22, "own_business": 8, "study": 5, "not_working": 12,
                       "other": 8}
ATTRACTIONS_BY_REASON = {"pay": ["pay", "benefits"], "career": ["career"], "leadership": ["leadership"],
                         "workload": ["flexibility", "stability"], "work_content": ["work_content", "technology"],
                         "culture": ["culture"], "hours": ["flexibility"], "commute": ["location", "flexibility"]}
ATTRACTIONS = ["pay", "benefits", "career", "work_content", "technology", "leadership", "culture", "flexibility",
               "location", "stability", "other"]
OTHER_STAGES = (("declined", 45), ("expired", 20), ("unreachable", 10), ("withdrawn", 5), ("invited", 10),
                ("registered", 10))
OTHER_STAGE_NAMES = [stage for stage, _weight in OTHER_STAGES]
OTHER_STAGE_WEIGHTS = [weight for _stage, weight in OTHER_STAGES]
REASONS, REASON_WEIGHT_LIST = list(REASON_WEIGHTS), list(REASON_WEIGHTS.values())


@dataclass
class Summary:
    departures: int = 0
    interviews: int = 0
    talks: int = 0
    published: int = 0
    digests: int = 0
    waiting_for_digest: int = 0
    awaiting_review: int = 0
    private: int = 0
    other_stages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        others = ", ".join(f"{stage} {count}" for stage, count in sorted(self.other_stages.items()))
        return [
            f"{self.departures} departures, {self.interviews} submitted interviews ({self.talks} talk notes)",
            f"  published in {self.digests} monthly digests: {self.published}",
            f"  approved, waiting for the next digest: {self.waiting_for_digest}",
            f"  waiting for HR's review: {self.awaiting_review}",
            f"  kept private: {self.private}",
            f"  departures without an interview: {others}",
            f"took {self.seconds:.1f} s",
        ]


class NotEmpty(Exception):
    """The database already holds departures: bench data never mixes with real (or earlier) data."""


def _first_of_months(today: date, months: int) -> list[date]:
    """The first day of each month from `months` ago up to this month (the digest days)."""
    firsts, year, month = [], today.year, today.month
    for _ in range(months + 1):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(firsts)


def _answers(rng: random.Random, reasons: list[str], talk: bool, where: random.Random | None = None) -> dict:
    template_ids = ["working_conditions", "work_content", "working_relations", "employment_terms", "manager_support"]
    categories = {"working_conditions": "working_conditions", "work_content": "work_content",
                  "working_relations": "working_relations", "employment_terms": "employment_terms",
                  "manager_support": "manager"}
    hit = {REASON_HITS[r] for r in reasons if r in REASON_HITS}
    answers: dict = {}
    for question_id in template_ids:
        centre = 2.4 if categories[question_id] in hit else 3.7
        value = min(5, max(1, round(rng.gauss(centre, 0.9))))
        comment = rng.choice(TEXTS) if rng.random() < 0.15 else None
        answers[question_id] = {"value": value, "comment": comment}
    for question_id in ("improvements", "strengths"):
        answers[question_id] = {"value": rng.choice(TEXTS)} if rng.random() < 0.55 else {"skipped": True}
    answers["reasons"] = {"values": reasons, "other": "Iets anders" if "other" in reasons else None}
    answers["reasons_detail"] = {"value": rng.choice(TEXTS)} if rng.random() < 0.3 else {"skipped": True}
    if len(reasons) > 1:
        answers["reason_main"] = {"value": rng.choice(reasons)}
    # Drawn from their own generator: the rest of the history stays what it was for a given seed.
    _where_they_go(where or rng, reasons, answers)
    mood = sum(a["value"] for k, a in answers.items() if k in template_ids) / len(template_ids)
    answers["recommend"] = {"value": min(10, max(0, round(rng.gauss(mood * 2 - 0.5, 2.0))))}
    answers["come_back"] = {"value": rng.choices(["yes", "maybe", "no"], [3, 4, 3] if mood > 3 else [1, 3, 6])[0]}
    answers["anything_else"] = {"value": rng.choice(TEXTS)} if rng.random() < 0.2 else {"skipped": True}
    answers["consent"] = {"value": rng.random() < (0.9 if not talk else 0.7)}
    return answers


def _where_they_go(rng: random.Random, reasons: list[str], answers: dict) -> None:
    """destination_type, attractions (leaning on the reasons) and the optional detail."""
    if rng.random() < 0.15:
        answers["destination_type"] = {"skipped": True}
    else:
        kind = rng.choices(list(DESTINATION_WEIGHTS), list(DESTINATION_WEIGHTS.values()))[0]
        answers["destination_type"] = {"value": kind}
    kind = answers["destination_type"].get("value")
    if kind in (None, "not_working", "study") or rng.random() < 0.1:
        answers["attractions"] = {"skipped": True}
    else:
        picked = {a for r in reasons for a in ATTRACTIONS_BY_REASON.get(r, []) if rng.random() < 0.7}
        picked |= set(rng.sample(ATTRACTIONS[:-1], k=rng.choice((0, 1, 1, 2))))
        picked = picked or {rng.choice(ATTRACTIONS[:-1])}
        answers["attractions"] = {"values": [a for a in ATTRACTIONS if a in picked], "other": None}
    detail = rng.random() < 0.35
    answers["competitor_offer"] = {"value": rng.choice(DESTINATIONS)} if detail else {"skipped": True}


CHUNK = 5000  # departures generated and written per round: memory stays flat at any size
WAITING_FOR_DIGEST = 5  # at least this many approved interviews wait for the next digest


def fill(db: Database, *, interviews: int, months: int = 24, seed: int = 1, tz: str = "Europe/Amsterdam",
         now: datetime | None = None) -> Summary:
    """Write the history; raises NotEmpty when the database holds departures already."""
    started = time.monotonic()
    rng = random.Random(seed)
    where = random.Random(seed * 7919 + 1)
    now = now or datetime.now(UTC)
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    template = default_template()
    digest_days = [d for d in _first_of_months(today, months) if d <= today]
    span = max(1, (today - digest_days[0]).days)
    summary = Summary()
    others = max(0, round(interviews * 0.25))
    digest_tallies: dict[int, Tally] = {}
    roles = Roles.of([template])

    with db.session() as session:
        if bench.holds_departures(session):
            raise NotEmpty()
        # A digest on the first of every month (id = its place); the empty ones go at the end.
        bench.insert_rows(session, Digest, [_digest_row(index + 1, day, zone) for index, day in enumerate(digest_days)])
        for first in range(0, interviews + others, CHUNK):
            rows = _Rows()
            for number in range(first, min(first + CHUNK, interviews + others)):
                _one(rows, number, number < interviews, rng=rng, where=where, template=template, today=today, now=now,
                     zone=zone, span=span, digest_days=digest_days, summary=summary, tz=tz)
            for digest_id, tally in rows.digest_tallies.items():
                digest_tallies.setdefault(digest_id, Tally()).add(tally)
            rows.write(session)
        for index, _day in enumerate(digest_days):
            digest_id = index + 1
            tally = digest_tallies.get(digest_id)
            if tally is None:
                bench.delete_digest(session, digest_id)
            else:
                bench.set_digest_figures(session, digest_id, tally.count, digest_record(tally, roles, Thresholds()))
        bench.advance_sequences(session)
    bench.vacuum_analyze(db.engine)
    summary.digests = len(digest_tallies)
    summary.seconds = time.monotonic() - started
    return summary


def _digest_row(digest_id: int, day: date, zone) -> dict:
    at = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC) + timedelta(hours=9)
    return {"id": digest_id, "created_at": at, "posted_at": at, "requested_by": None, "interview_count": 0,
            "stats": None, "channel_id": "CBENCHMGR", "messages": [f"{at.timestamp():.6f}"], "status": "posted"}


def _department_of(manager_id: str) -> str:
    """Each manager leads one team, always the same one (weighted like a technical company)."""
    names = [name for name, weight in DEPARTMENTS for _ in range(weight)]
    return names[int(manager_id[-5:]) * 7 % len(names)]


@dataclass
class _Rows:
    departures: list[dict] = field(default_factory=list)
    interviews: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    heads: list[dict] = field(default_factory=list)
    answers: list[tuple[int, date, object]] = field(default_factory=list)
    digest_tallies: dict[int, Tally] = field(default_factory=dict)

    def write(self, session) -> None:
        bench.insert_rows(session, Departure, self.departures)
        bench.insert_rows(session, Interview, self.interviews)
        bench.insert_rows(session, Review, self.reviews)
        bench.insert_rows(session, InterviewNumber, self.heads)
        for start in range(0, len(self.answers), 200):
            store.add_answer_numbers(session, self.answers[start:start + 200])


def _one(rows: _Rows, number: int, has_interview: bool, *, rng: random.Random, where: random.Random, template,
         today: date, now: datetime, zone, span: int, digest_days: list[date], summary: Summary, tz: str) -> None:
    """One departure (and its interview, review and numbers when it has one)."""
    departure_id = number + 1
    # Spread over the period; the newest week holds the interviews still waiting for review. The
    # first few were approved yesterday, after the last digest: they wait for the next one.
    waiting = has_interview and number < WAITING_FOR_DIGEST
    submitted_on = today - timedelta(days=rng.randint(2, 9) if waiting else int(rng.random() ** 0.97 * span))
    submitted_at = datetime.combine(submitted_on, datetime.min.time(), tzinfo=zone).astimezone(UTC) + \
        timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59))
    submitted_at = min(submitted_at, now - timedelta(minutes=1))
    submitted_on = submitted_at.astimezone(zone).date()
    last_day = submitted_on + timedelta(days=rng.randint(0, 6))
    if waiting:
        last_day = min(last_day, today - timedelta(days=1))
    invite_at = submitted_at - timedelta(days=rng.randint(1, 4))
    talk = has_interview and rng.random() < 0.1
    stage = "submitted" if has_interview else rng.choices(OTHER_STAGE_NAMES, OTHER_STAGE_WEIGHTS)[0]
    summary.departures += 1
    if not has_interview:
        summary.other_stages[stage] = summary.other_stages.get(stage, 0) + 1
        if stage in ("invited", "registered"):  # still open: the last day is still ahead
            last_day = today + timedelta(days=rng.randint(1, 30))
    choice = None if stage in ("registered", "invited", "unreachable") else (
        "talk" if talk else "decline" if stage == "declined" else "answer")
    manager_id = rng.choice(MANAGERS)
    department = _department_of(manager_id)
    # About one in eight registrations leaves the profile out (no form field filled, no Slack field).
    profiled = rng.random() >= 0.125
    low, high, _weight = rng.choices(TENURE_YEARS, [band[2] for band in TENURE_YEARS])[0]
    started_on = last_day - timedelta(days=round(rng.uniform(low, high) * 365.25) + 1)
    rows.departures.append({
        "id": departure_id, "employee_id": f"UBENCH{number:06d}", "manager_id": manager_id,
        "department": department if profiled else None,
        "role": rng.choice(ROLES[department]) if profiled and rng.random() < 0.8 else None,
        "started_on": started_on if profiled else None,
        "interviewer_id": HR_ID, "registered_by": HR_ID, "last_day": last_day,
        "language": "nl" if rng.random() < 0.8 else "en", "offer": "both", "employee_tz": tz, "stage": stage,
        "invite_at": invite_at, "choice": choice, "choice_at": invite_at + timedelta(hours=3) if choice else None,
        "created_at": invite_at - timedelta(days=rng.randint(3, 20)), "closed_at": None,
    })
    if not has_interview:
        return
    interview_id = departure_id
    reasons = list(dict.fromkeys(rng.choices(REASONS, REASON_WEIGHT_LIST, k=rng.choices([1, 2, 3], [5, 3, 1])[0])))
    answers = _answers(rng, reasons, talk, where)
    state = {"format": STATE_FORMAT, "template": {"id": template.id, "version": template.version},
             "phase": "submitted", "position": len(template.questions), "editing": False, "answers": answers}
    rows.interviews.append({
        "id": interview_id, "departure_id": departure_id, "mode": "talk" if talk else "self",
        "template_key": template.id, "template_version": template.version, "state": state,
        "status": "submitted", "channel_id": None if talk else f"DB{number:08d}", "question_ts": None,
        "started_at": invite_at + timedelta(hours=3), "updated_at": submitted_at, "submitted_at": submitted_at,
        "expires_at": submitted_at + timedelta(days=14), "recorded_by": HR_ID if talk else None, "revision": 3,
    })
    summary.interviews += 1
    summary.talks += talk
    # Reviewed within a week; the digest of the first of the next month publishes the approved ones
    # of leavers whose last day had passed by then.
    reviewed_on = today - timedelta(days=1) if waiting else submitted_on + timedelta(days=rng.randint(0, 6))
    decision = None if reviewed_on >= today else ("private" if rng.random() < 0.1 and not waiting else "approved")
    digest_index = next((i for i, day in enumerate(digest_days) if day > max(reviewed_on, last_day)), None)
    digest_id = digest_index + 1 if decision == "approved" and digest_index is not None and not waiting else None
    consented = answers["consent"]["value"]
    quotes = [highlights.Quote(q, answers[q]["value"]) for q in ("improvements", "strengths")
              if consented and "value" in answers[q]]
    decided_at = datetime.combine(reviewed_on, datetime.min.time(), tzinfo=zone).astimezone(UTC) + timedelta(hours=10)
    rows.reviews.append({
        "id": interview_id, "interview_id": interview_id, "highlights": highlights.draft(quotes),
        "decision": decision, "decided_by": HR_ID if decision else None,
        "decided_at": max(decided_at, submitted_at) if decision else None, "inform_manager": False,
        "cards": [["DBHR000001", f"{submitted_at.timestamp():.6f}", "nl"]], "created_at": submitted_at,
        "published_digest_id": digest_id,
    })
    if decision is None:
        summary.awaiting_review += 1
    elif decision == "private":
        summary.private += 1
    elif digest_id is None:
        summary.waiting_for_digest += 1
    else:
        summary.published += 1
    numbers = numbers_of(template, answers)
    rows.heads.append({
        "interview_id": interview_id, "departure_id": departure_id, "mode": "talk" if talk else "self",
        "template_key": template.id, "template_version": template.version, "submitted_at": submitted_at,
        "submitted_on": submitted_on, "submitted_month": store.month_of(submitted_on), "last_day": last_day,
        "last_day_month": store.month_of(last_day), "review_state": decision or store.PENDING,
        "digest_id": digest_id, "enps_score": numbers.enps_score, "come_back": numbers.come_back,
        "main_reason": numbers.main_reason, "consent": numbers.consent, **store.rating_columns(numbers),
    })
    rows.answers.append((interview_id, submitted_on, numbers))
    if digest_id is not None:
        rows.digest_tallies.setdefault(digest_id, Tally()).add(tally_of(numbers))
