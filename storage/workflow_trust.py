"""Approval codes HR trusts (only their hash), and the Workflow Builder step's runs that wait for HR (issue 15): the
queries behind bot/operations/workflow_step.py. A run is claimed by a conditional update, so two HR
members clicking at once (or a click and the expiry sweep) decide it once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AuditEntry, TrustedWorkflow, WorkflowRun

# refused: by HR; rejected: HR chose Register and the registration checks refused it.
PENDING, DECIDING, REGISTERED, REFUSED, REJECTED, EXPIRED = (
    "pending", "deciding", "registered", "refused", "rejected", "expired")
# What an erasure leaves in place of the person in someone else's records (as storage.repositories).
ERASED = "purged"


# -- trusted workflows ---------------------------------------------------------------------------------


def trusted(session: Session, code_hash: str | None) -> TrustedWorkflow | None:
    """The approval code with this hash (a hash: the code itself is never stored)."""
    if not code_hash:
        return None
    return session.scalars(select(TrustedWorkflow).where(TrustedWorkflow.code_hash == code_hash)).first()


def trust(session: Session, code_hash: str, name: str, by: str, now: datetime) -> TrustedWorkflow | None:
    """Trust runs carrying the code with this hash from now on; None when the hash is taken already."""
    if trusted(session, code_hash) is not None:
        return None
    row = TrustedWorkflow(code_hash=code_hash, name=name, trusted_by=by, trusted_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def untrust(session: Session, trust_id: int) -> TrustedWorkflow | None:
    """Stop trusting; the row as it was, or None when it was not trusted (any more)."""
    found = session.get(TrustedWorkflow, trust_id)
    if found is None:
        return None
    session.execute(delete(TrustedWorkflow).where(TrustedWorkflow.id == trust_id))
    return found


def trusted_workflows(session: Session) -> Sequence[TrustedWorkflow]:
    return session.scalars(select(TrustedWorkflow).order_by(TrustedWorkflow.trusted_at, TrustedWorkflow.id)).all()


# -- runs that wait for HR -------------------------------------------------------------------------------


def keep_run(session: Session, run: WorkflowRun) -> WorkflowRun:
    """Store a waiting run; the one already stored for this execution when it came before (a replay)."""
    existing = run_of_execution(session, run.execution_id)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return run_of_execution(session, run.execution_id)
    return run


def run_of_execution(session: Session, execution_id: str) -> WorkflowRun | None:
    return session.scalars(select(WorkflowRun).where(WorkflowRun.execution_id == execution_id)).first()


def run_by_id(session: Session, run_id: int) -> WorkflowRun | None:
    return session.get(WorkflowRun, run_id)


def set_cards(session: Session, run_id: int, cards: list) -> None:
    session.execute(update(WorkflowRun).where(WorkflowRun.id == run_id).values(cards=cards))


def claim(session: Session, run_id: int, by: str, now: datetime, status: str = DECIDING) -> bool:
    """Take the decision on a waiting run; False when it was decided (or expired) already."""
    return session.execute(
        update(WorkflowRun).where(WorkflowRun.id == run_id, WorkflowRun.status == PENDING)
        .values(status=status, decided_by=by, decided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def settle(session: Session, run_id: int, status: str, *, departure_id: int | None = None,
           outputs: dict | None = None, error: str | None = None) -> None:
    """The outcome to report to Slack (`outputs` on success, else `error`)."""
    session.execute(update(WorkflowRun).where(WorkflowRun.id == run_id).values(
        status=status, departure_id=departure_id, outputs=outputs, error=error))


def mark_completed(session: Session, run_id: int, now: datetime) -> None:
    session.execute(update(WorkflowRun).where(WorkflowRun.id == run_id).values(completed_at=now))


def due_to_expire(session: Session, now: datetime) -> list[int]:
    return list(session.scalars(select(WorkflowRun.id).where(WorkflowRun.status == PENDING,
                                                             WorkflowRun.expires_at <= now)))


def not_completed(session: Session) -> list[int]:
    """Runs with an outcome Slack has not taken yet."""
    return list(session.scalars(select(WorkflowRun.id).where(
        WorkflowRun.status.in_((REGISTERED, REFUSED, REJECTED, EXPIRED)), WorkflowRun.completed_at.is_(None))))


def waiting(session: Session) -> Sequence[WorkflowRun]:
    return session.scalars(select(WorkflowRun).where(WorkflowRun.status == PENDING)
                           .order_by(WorkflowRun.received_at)).all()


def forget_done(session: Session, before: datetime) -> int:
    """Runs decided and reported before `before`: nothing is left to do with them."""
    return session.execute(delete(WorkflowRun).where(
        WorkflowRun.completed_at.is_not(None), WorkflowRun.completed_at < before)).rowcount


# -- privacy ---------------------------------------------------------------------------------------------


def erase_person(session: Session, user_id: str) -> int:
    """The right to erasure: the person's runs go (waiting or not), and their id leaves other runs
    and the approval codes. Returns how many runs were about them."""
    removed = session.execute(delete(WorkflowRun).where(WorkflowRun.employee_id == user_id)).rowcount
    for column, value in ((WorkflowRun.manager_id, None), (WorkflowRun.interviewer_id, None),
                          (WorkflowRun.decided_by, ERASED)):
        session.execute(update(WorkflowRun).where(column == user_id).values({column.key: value})
                        .execution_options(synchronize_session=False))
    # A code created by someone erased is trusted by nobody in HR: its runs wait for HR again.
    session.execute(update(TrustedWorkflow).where(TrustedWorkflow.trusted_by == user_id)
                    .values(trusted_by=ERASED).execution_options(synchronize_session=False))
    return removed


def audit(session: Session, *, at: datetime, actor: str, action: str, subject: str | None,
          detail: dict | None = None) -> None:
    """One line in the audit log (the same table HR's `/exit-interview audit` reads)."""
    session.add(AuditEntry(at=at, actor=actor, action=action, subject=subject, detail=detail))
    session.flush()
