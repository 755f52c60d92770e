"""The App Home: HR's dashboard, a leaver's own status, and a friendly word for everyone else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks.loop import record_button
from bot.blocks.review import EXPORT_RECORD_ACTION
from bot.blocks.text import mention
from bot.i18n import Translator

# The order HR reads the dashboard in: what needs action first.
STAGE_ORDER = (
    "awaiting_review", "talk_requested", "answering", "invited", "registered", "unreachable", "approved",
    "published", "kept_private", "declined", "withdrawn", "expired",
)
PAGE_SIZE = 30  # two blocks per departure: well under Slack's 100 blocks per Home view


@dataclass(frozen=True)
class HomeRow:
    departure_id: int
    employee_id: str
    last_day: date
    stage: str
    review_id: int | None = None
    can_remind: bool = False


@dataclass(frozen=True)
class Figures:
    interviews_this_quarter: int
    participation: float | None
    pending_reviews: int
    next_digest: datetime | None


def hr_home(_: Translator, rows: list[HomeRow], figures: Figures, page: int = 0) -> dict:
    participation = f"{round(figures.participation * 100)}%" if figures.participation is not None else "–"
    next_digest = _.moment(figures.next_digest) if figures.next_digest else "–"
    blocks: list = [
        HeaderBlock(text=_("home.hr.header")),
        SectionBlock(fields=[
            MarkdownTextObject(text=_("home.figure.quarter", count=figures.interviews_this_quarter)),
            MarkdownTextObject(text=_("home.figure.participation", rate=participation)),
            MarkdownTextObject(text=_("home.figure.reviews", count=figures.pending_reviews)),
            MarkdownTextObject(text=_("home.figure.digest", date=next_digest)),
        ]),
        ActionsBlock(block_id="home-top", elements=[
            ButtonElement(text=_("home.button.register"), action_id="home:register", style="primary", value="new"),
            ButtonElement(text=_("home.button.export_all"), action_id="home:export_all", value="all"),
            ButtonElement(text=_("home.button.import"), action_id="home:import", value="csv"),
            ButtonElement(text=_("home.button.templates"), action_id="home:templates", value="templates"),
            ButtonElement(text=_("home.button.settings"), action_id="home:settings", value="settings"),
            record_button(_),
        ]),
    ]
    ordered = sorted(rows, key=lambda r: (STAGE_ORDER.index(r.stage) if r.stage in STAGE_ORDER else 99,
                                          r.last_day, r.departure_id))
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = ordered[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    if not shown:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("home.hr.empty"))))
    current = None
    for row in shown:
        if row.stage != current:
            current = row.stage
            blocks.append(DividerBlock())
            blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{_(f'home.stage.{row.stage}')}*")))
        text = _("home.row", employee=mention(row.employee_id), last_day=_.date(row.last_day),
                 next=_(f"home.next.{row.stage}"))
        buttons = _row_buttons(_, row)
        if buttons:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
            blocks.append(ActionsBlock(block_id=f"home-row-{row.departure_id}", elements=buttons))
        else:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text)]))
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(ButtonElement(text=_("home.button.previous"), action_id="home:page", value=str(page - 1)))
        if page < pages - 1:
            nav.append(ButtonElement(text=_("home.button.next"), action_id="home:page", value=str(page + 1)))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("home.page", page=page + 1, pages=pages))]))
        blocks.append(ActionsBlock(block_id="home-pages", elements=nav))
    return View(type="home", blocks=blocks[:100]).to_dict()


def _row_buttons(_: Translator, row: HomeRow) -> list[ButtonElement]:
    value = str(row.departure_id)
    buttons = []
    if row.review_id is not None and row.stage == "awaiting_review":
        buttons.append(ButtonElement(text=_("home.button.review"), action_id="review:view", value=str(row.review_id)))
    if row.review_id is not None:  # the listener (bot/listeners/actions/records.py) takes the review id
        buttons.append(ButtonElement(text=_("loop.home.export_record"), action_id=EXPORT_RECORD_ACTION,
                                     value=str(row.review_id)))
    if row.can_remind:
        buttons.append(ButtonElement(text=_("home.button.remind"), action_id="home:remind", value=value))
    if row.stage in ("talk_requested", "invited", "declined", "unreachable"):
        buttons.append(ButtonElement(text=_("home.button.notes"), action_id="talk.record_notes", value=value))
    if row.stage in ("registered", "invited", "answering", "talk_requested", "unreachable"):
        buttons.append(ButtonElement(
            text=_("home.button.cancel"), action_id="home:cancel", value=value, style="danger",
            confirm=ConfirmObject(title=_("home.cancel.title"), text=_("home.cancel.text"),
                                  confirm=_("home.cancel.confirm"), deny=_("home.cancel.deny")),
        ))
    return buttons


def leaver_home(_: Translator, *, stage: str, last_day: date, interview_id: int | None, paused: bool,
                can_withdraw: bool, min_group: int) -> dict:
    """A leaver's own status; Withdraw only while it works, and the text says which is the case."""
    blocks: list = [
        HeaderBlock(text=_("home.leaver.header")),
        SectionBlock(text=MarkdownTextObject(text=_(f"home.leaver.{stage}", last_day=_.date(last_day)))),
    ]
    buttons = []
    if interview_id is not None and paused:
        buttons.append(ButtonElement(text=_("q.button.resume"), action_id="q:resume", style="primary",
                                     value=f"{interview_id}||"))
    if interview_id is not None and can_withdraw:
        buttons.append(ButtonElement(
            text=_("q.button.withdraw"), action_id="q:withdraw", style="danger", value=f"{interview_id}||",
            confirm=ConfirmObject(title=_("q.withdraw.title"), text=_("q.withdraw.text"),
                                  confirm=_("q.withdraw.confirm"), deny=_("q.withdraw.deny"), style="danger"),
        ))
    if buttons:
        blocks.append(ActionsBlock(block_id="home-leaver", elements=buttons))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("home.privacy", k=min_group))]))
    return View(type="home", blocks=blocks).to_dict()


def everyone_home(_: Translator, min_group: int) -> dict:
    return View(type="home", blocks=[
        HeaderBlock(text=_("home.everyone.header")),
        SectionBlock(text=MarkdownTextObject(text=_("home.everyone.body"))),
        ContextBlock(elements=[MarkdownTextObject(text=_("home.privacy", k=min_group))]),
    ]).to_dict()
