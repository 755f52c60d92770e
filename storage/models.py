"""Typed SQLAlchemy 2 models. Store Slack ids and what the interview needs, not whole profiles."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.crypto import EncryptedJSON, EncryptedText


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Departure(Base):
    """One leaver's registered departure and where their exit interview stands."""

    __tablename__ = "departures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(32))
    manager_id: Mapped[str | None] = mapped_column(String(32))
    interviewer_id: Mapped[str] = mapped_column(String(32))
    registered_by: Mapped[str] = mapped_column(String(32))
    last_day: Mapped[date] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(5))
    offer: Mapped[str] = mapped_column(String(16))
    employee_tz: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(24), index=True)
    invite_at: Mapped[datetime] = mapped_column(UTCDateTime)
    choice: Mapped[str | None] = mapped_column(String(16))
    choice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the registration no longer blocks a new one for the same person.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(32))
    # Set when the retention period ended: personal ids and free text are gone, aggregates stay.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optional, for HR's breakdowns per team and tenure band: the form, the CSV import or Slack's profile.
    department: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(100))
    started_on: Mapped[date | None] = mapped_column(Date)

    messages: Mapped[list[SentMessage]] = relationship(back_populates="departure", cascade="all, delete-orphan")

    __table_args__ = (
        # At most one open registration per person, also under concurrent registrations.
        Index(
            "uq_departures_open_employee",
            "employee_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )


class SentMessage(Base):
    """A message the bot sent (or is sending) on behalf of a departure, at most once per purpose.

    The row is claimed before posting (`ts` empty) and completed with the message ts after; the
    unique constraint is what makes a second invitation impossible under retries and races.
    """

    __tablename__ = "sent_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    departure: Mapped[Departure] = relationship(back_populates="messages")

    __table_args__ = (UniqueConstraint("departure_id", "purpose", name="uq_sent_messages_purpose"),)


class InterviewTemplate(Base):
    """An installed version of the company's interview template, kept as its YAML source.

    Interviews point at (key, version), so older versions stay readable for the interviews that
    used them; exactly one version is active for new interviews.
    """

    __tablename__ = "interview_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    installed_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("key", "version", name="uq_interview_templates_version"),)


class Interview(Base):
    """The answers of one departure: self-service in the DM, or the interviewer's notes of a talk.

    `state` is the questionnaire state (answers, position, phase) as JSON, encrypted at rest like
    `excluded_quotes`; `revision` guards against two clicks changing it at the same time (the
    second one is stale).
    """

    __tablename__ = "interviews"
    # PostgreSQL: the dashboard's join reads a departure's interview id from the index alone (0018).
    __table_args__ = (Index("ix_interviews_departure_id_id", "departure_id", "id").ddl_if(dialect="postgresql"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[str] = mapped_column(String(16))  # "self" or "talk"
    template_key: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict | None] = mapped_column(EncryptedJSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    # The message showing the question being asked (updated in place once answered).
    question_ts: Mapped[str | None] = mapped_column(String(32))
    # The intro message: its Withdraw button goes once withdrawing no longer works.
    intro_ts: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pause_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(32))
    # The newest DM message (ts) taken as an answer: a redelivered event is not taken twice.
    last_message_ts: Mapped[str | None] = mapped_column(String(32))
    # Quotes (by question id) the leaver chose to leave out of what management may see.
    excluded_quotes: Mapped[list | None] = mapped_column(EncryptedJSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": revision}


class Review(Base):
    """HR's review of one submitted interview: the highlights, the decision, where the cards are."""

    __tablename__ = "reviews"
    # PostgreSQL: the dashboard reads the stage of every listed departure's review from this index
    # alone (0018), not from the table's rows with their encrypted highlights.
    __table_args__ = (Index("ix_reviews_interview_id_stage", "interview_id",
                            postgresql_include=["id", "decision", "published_digest_id"]).ddl_if(dialect="postgresql"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), unique=True)
    highlights: Mapped[str] = mapped_column(EncryptedText, default="")
    decision: Mapped[str | None] = mapped_column(String(16))  # approved | private
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inform_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    # The body of the named message to the direct manager, as HR checked it (only with the leaver's
    # consent to manager feedback); None: no such message, at most a notice that the interview took place.
    manager_note: Mapped[str | None] = mapped_column(EncryptedText)
    cards: Mapped[list | None] = mapped_column(JSON)  # [[channel, ts], ...]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"), index=True)


class Digest(Base):
    """One digest to the managers' channel; its reviews are published in it exactly once."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by: Mapped[str | None] = mapped_column(String(32))
    interview_count: Mapped[int] = mapped_column(Integer)
    # Category averages of this digest, for "the change against the previous digest".
    stats: Mapped[dict | None] = mapped_column(JSON)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    messages: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # posting | posted


class AuditEntry(Base):
    """Who did what with personal data: HR's access exports and erasures, purges, key rotations.

    `subject` is the Slack user id the action was about ('purged' for retention purges, empty for
    key rotations); `detail` holds counts and ids, never answers or names.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[dict | None] = mapped_column(JSON)


class DeactivationNudge(Base):
    """HR was asked about a deactivated account that had no departure: at most one open nudge per person.

    The row is the claim (the partial unique index makes a redelivered or concurrent `user_change`
    post nothing twice); `cards` are the posted copies ([channel, ts, language]); `resolution` is
    set once, by a conditional update, with who decided and the departure it recorded. A
    reactivated account closes its nudge (`reactivated_at`), so a later deactivation asks again.
    """

    __tablename__ = "deactivation_nudges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(32))
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cards: Mapped[list | None] = mapped_column(JSON)
    resolution: Mapped[str | None] = mapped_column(String(16))  # talk | missed | registered
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    departure_id: Mapped[int | None] = mapped_column(ForeignKey("departures.id", ondelete="SET NULL"))
    reactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(
            "uq_deactivation_nudges_open_employee",
            "employee_id",
            unique=True,
            sqlite_where=text("reactivated_at IS NULL"),
            postgresql_where=text("reactivated_at IS NULL"),
        ),
    )


class Setting(Base):
    """A setting HR changed in Slack (the settings modal); it overrides the environment's value.

    `value` is JSON (a list for a set of ids, null for "not set"). The newest change is here with
    who made it and when; every change is also in the audit log (action 'setting_changed').
    """

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object | None] = mapped_column(JSON(none_as_null=False))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TemplateDraft(Base):
    """An interview template HR sent from Slack, previewed in their DM until Activate or Discard.

    `status` moves once, by a conditional update: pending → activated | discarded | refused.
    `messages` are the preview messages ([channel, ts]) whose buttons go when it is decided.
    """

    __tablename__ = "template_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(32))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The Slack file it came from (None when pasted): a redelivered file_share event adds nothing.
    file_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    messages: Mapped[list | None] = mapped_column(JSON)


class OutboxMessage(Base):
    """A notice Slack would not take (an outage, a rate limit that outlasted the retries): kept here
    and retried by the sweep with growing pauses, never dropped."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(EncryptedText)
    blocks: Mapped[list | None] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))


class LoopAction(Base):
    """"You said, we did": an action HR took on what leavers told us (issue 5, closing the loop).

    `subject` is the signal it answers as "<kind>:<subject>" (e.g. "category:work_content",
    "reason:pay") or "general"; `owner_id` is the employee who took the action (never a leaver).
    """

    __tablename__ = "loop_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    what: Mapped[str] = mapped_column(Text)
    done_on: Mapped[date] = mapped_column(Date, index=True)
    owner_id: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(80))
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class InterviewNumber(Base):
    """The numbers of one submitted interview, in plain columns: what every figure is counted from.

    Written in the same transaction as the interview's submission, HR's decision and the digest
    that publishes it (storage.numbers); erased with the interview, recomputed by a purge. No free
    text and no Slack ids: codes (option ids), numbers, dates and states only. Breakdowns join the
    departure for what they group by.
    """

    __tablename__ = "interview_numbers"

    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    departure_id: Mapped[int] = mapped_column(ForeignKey("departures.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # self | talk
    template_key: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    submitted_on: Mapped[date] = mapped_column(Date, index=True)  # the company's day (TIMEZONE)
    submitted_month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM of submitted_on
    last_day: Mapped[date] = mapped_column(Date, index=True)
    last_day_month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    review_state: Mapped[str] = mapped_column(String(16), index=True)  # pending | approved | private
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"), index=True)
    enps_score: Mapped[int | None] = mapped_column(Integer)  # 0-10
    come_back: Mapped[str | None] = mapped_column(String(40))  # option id
    main_reason: Mapped[str | None] = mapped_column(String(40))  # option id
    consent: Mapped[bool | None] = mapped_column(Boolean)
    # The reasons for leaving picked, as option ids between spaces (" pay career "): a breakdown
    # counts them per group from this row. Option ids only, no text.
    reason_codes: Mapped[str | None] = mapped_column(Text)
    # The rating answers per standard category (storage.numbers.RATED_CATEGORIES) again, added up:
    # how many, their sum and sum of squares. The breakdowns read them here, one row per interview,
    # instead of joining five answer rows each to the departure (seconds at 100,000 interviews).
    rating_working_conditions_n: Mapped[int | None] = mapped_column(Integer)
    rating_working_conditions_sum: Mapped[float | None] = mapped_column(Float)
    rating_working_conditions_squares: Mapped[float | None] = mapped_column(Float)
    rating_work_content_n: Mapped[int | None] = mapped_column(Integer)
    rating_work_content_sum: Mapped[float | None] = mapped_column(Float)
    rating_work_content_squares: Mapped[float | None] = mapped_column(Float)
    rating_working_relations_n: Mapped[int | None] = mapped_column(Integer)
    rating_working_relations_sum: Mapped[float | None] = mapped_column(Float)
    rating_working_relations_squares: Mapped[float | None] = mapped_column(Float)
    rating_employment_terms_n: Mapped[int | None] = mapped_column(Integer)
    rating_employment_terms_sum: Mapped[float | None] = mapped_column(Float)
    rating_employment_terms_squares: Mapped[float | None] = mapped_column(Float)
    rating_manager_n: Mapped[int | None] = mapped_column(Integer)
    rating_manager_sum: Mapped[float | None] = mapped_column(Float)
    rating_manager_squares: Mapped[float | None] = mapped_column(Float)


class AnswerNumber(Base):
    """One number or code of one answer of a submitted interview (a multiple choice gives a row per
    option picked): ratings, scores, choices and yes/no, never text (flows.numbers)."""

    __tablename__ = "answer_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_numbers.interview_id", ondelete="CASCADE"), index=True
    )
    # The interview's submitted_on again, so a period's figures need no join (one index range).
    submitted_on: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))  # rating | score | choice | yes_no
    code: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_answer_numbers_question_code", "question_id", "code"),
                      # Covers the daily tallies (storage.numbers.daily_tallies): read from the index alone.
                      Index("ix_answer_numbers_tally", "kind", "submitted_on", "question_id", "category", "code",
                            "value"))


class InboxRequest(Base):
    """A request from Slack (command, click, view submission, event), written before Slack gets
    its 200 and kept until it was handled: a process that dies in between leaves it here for another
    to finish. `key` is the request's natural key, hashed (event_id; action_ts + user + action;
    user + the whole view; trigger_id + response_url), unique, so a retry or a second delivery is recognised.
    `payload` (encrypted, it holds what people typed) is wiped once the request was handled."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict | None] = mapped_column(EncryptedJSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Until when the process that holds it is expected to finish it (renewed while it works).
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_inbox_unhandled", "handled_at", "lease_until"),)


class JobFailure(Base):
    """One item a scheduled job could not handle (issue 12): retried with growing pauses, parked
    after too many attempts, so one bad item never stops the job for the others. No personal data:
    the item is an id ("interview:12"), the error only its class name."""

    __tablename__ = "job_failures"
    __table_args__ = (UniqueConstraint("job", "item", name="uq_job_failures_job_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    item: Mapped[str] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(120))
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DomainEvent(Base):
    """What an operation did (flows.events), written in the same transaction as the change, and
    delivered to its follow-ups after the commit (bot.domain_events). `due_at`: when the sweep may
    take it (a lease while the process that wrote it delivers it; after a failure, the next attempt).
    The payload holds ids and plain values only, never personal data."""

    __tablename__ = "domain_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_domain_events_undelivered", "delivered_at", "due_at"),)


class EventDelivery(Base):
    """One follow-up of one event: done (never run again, also when the event is delivered twice),
    or failing (attempts, the error's class) and parked after too many attempts."""

    __tablename__ = "event_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "subscriber", name="uq_event_deliveries_event_subscriber"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("domain_events.id", ondelete="CASCADE"))
    subscriber: Mapped[str] = mapped_column(String(60))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(120))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrustedWorkflow(Base):
    """An approval code HR created (`/exit-interview workflows new NAME`) for workflows nobody in HR
    runs (a webhook from an HRIS, a schedule): a run of the step carrying it registers directly, in
    the name of who created it (while in HR). Only the code's SHA-256 is kept, never the code; one row
    per code while it is trusted; untrusting deletes it (the audit log keeps the history)."""

    __tablename__ = "trusted_workflows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    trusted_by: Mapped[str] = mapped_column(String(32))
    trusted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkflowRun(Base):
    """A run of the step that no HR member started and no trusted workflow made: kept until HR
    decides on its card (register, refuse), or until it expires. The Slack step stays
    in progress meanwhile; `completed_at` is set once Slack took the outcome (`outputs` or `error`),
    so a completion Slack did not take is sent again by the sweep. `cards` are the posted copies
    ([channel, ts, language]). `status`: pending | deciding | registered | refused | rejected | expired."""

    __tablename__ = "workflow_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    execution_id: Mapped[str] = mapped_column(String(64), unique=True)
    workflow_execution_id: Mapped[str | None] = mapped_column(String(64))
    # The run carried an approval code that is not (or no longer) HR's: the card says so.
    unknown_code: Mapped[bool] = mapped_column(Boolean, default=False)
    employee_id: Mapped[str] = mapped_column(String(32), index=True)
    last_day: Mapped[date] = mapped_column(Date)
    manager_id: Mapped[str | None] = mapped_column(String(32))
    interviewer_id: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    cards: Mapped[list | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    departure_id: Mapped[int | None] = mapped_column(ForeignKey("departures.id", ondelete="SET NULL"))
    outputs: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
