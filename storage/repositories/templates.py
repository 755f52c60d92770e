"""Interview templates: the installed versions, and the drafts HR uploads or edits in Slack."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import InterviewTemplate, TemplateDraft


class TemplateVersionTaken(Exception):
    """This key and version are installed already, with other content: raise the version."""


def active_template(session: Session) -> InterviewTemplate | None:
    return session.scalar(select(InterviewTemplate).where(InterviewTemplate.active.is_(True)))


def template_version(session: Session, key: str, version: int) -> InterviewTemplate | None:
    return session.scalar(
        select(InterviewTemplate).where(InterviewTemplate.key == key, InterviewTemplate.version == version)
    )


def template_versions(session: Session) -> Sequence[InterviewTemplate]:
    return session.scalars(select(InterviewTemplate).order_by(InterviewTemplate.installed_at)).all()


def install_template(
    session: Session, key: str, version: int, source: str, installed_by: str | None, now: datetime
) -> InterviewTemplate:
    """Make this version the standard for new interviews; older versions stay for their interviews."""
    existing = template_version(session, key, version)
    if existing is not None and existing.source != source:
        raise TemplateVersionTaken(f"{key} v{version}")
    session.execute(update(InterviewTemplate).values(active=False))
    if existing is None:
        existing = InterviewTemplate(key=key, version=version, source=source, installed_at=now,
                                     installed_by=installed_by)
        session.add(existing)
    existing.active = True
    session.flush()
    return existing


# -- drafts: uploaded from Slack, or HR's working copy in the question editor ---------------------

DRAFT_PENDING, DRAFT_ACTIVATED, DRAFT_DISCARDED, DRAFT_REFUSED = "pending", "activated", "discarded", "refused"


def add_template_draft(
    session: Session, *, key: str, version: int, source: str, uploaded_by: str, now: datetime,
    file_id: str | None = None, status: str = DRAFT_PENDING,
) -> TemplateDraft:
    draft = TemplateDraft(key=key, version=version, source=source, uploaded_by=uploaded_by, uploaded_at=now,
                          file_id=file_id, status=status)
    session.add(draft)
    session.flush()
    return draft


def template_draft(session: Session, draft_id: int) -> TemplateDraft | None:
    return session.get(TemplateDraft, draft_id)


def template_draft_from_file(session: Session, file_id: str) -> TemplateDraft | None:
    return session.scalar(select(TemplateDraft).where(TemplateDraft.file_id == file_id).limit(1))


# HR's working copy in the question editor: a draft that is being edited, not yet previewed or
# installed; it moves once to activated (saved as a new version) or discarded (started over).
DRAFT_EDITING = "editing"


def editing_draft(session: Session, user_id: str) -> TemplateDraft | None:
    """The working copy this HR member left in the question editor, newest first."""
    return session.scalar(
        select(TemplateDraft)
        .where(TemplateDraft.uploaded_by == user_id, TemplateDraft.status == DRAFT_EDITING)
        .order_by(TemplateDraft.id.desc())
        .limit(1)
    )


def set_draft_source(session: Session, draft_id: int, source: str, *, expected: str) -> bool:
    """Keep an edit of the working copy made from `expected`; False when it was saved, discarded or
    changed by another click meanwhile (that edit is not lost: this one is refused)."""
    result = session.execute(
        update(TemplateDraft)
        .where(TemplateDraft.id == draft_id, TemplateDraft.status == DRAFT_EDITING,
               TemplateDraft.source == expected)
        .values(source=source)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def set_draft_messages(session: Session, draft_id: int, messages: list[list[str]]) -> None:
    session.execute(update(TemplateDraft).where(TemplateDraft.id == draft_id).values(messages=messages))


def decide_template_draft(
    session: Session, draft_id: int, status: str, decided_by: str, now: datetime, *, from_status: str = DRAFT_PENDING
) -> bool:
    """Move a draft on once: True for the one call that did (a double click changes nothing)."""
    result = session.execute(
        update(TemplateDraft)
        .where(TemplateDraft.id == draft_id, TemplateDraft.status == from_status)
        .values(status=status, decided_by=decided_by, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
