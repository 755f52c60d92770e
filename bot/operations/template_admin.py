"""HR manages the interview template from Slack (HR only, every step checked again):

1. download any installed version, or the active one, as a YAML file in their DM;
2. send a new one, pasted in a modal or shared as a .yml file in the DM with the bot;
3. a template with problems is refused with every issue in plain words (flows.template);
4. a good one is previewed in the DM as a leaver would see it, with Activate / Discard;
   Activate installs it (bot.operations.templates.install), so new interviews use it, while
   interviews already begun keep the version they started with;
5. or edit the questions in Slack itself (the question editor): add, reword, reorder, remove,
   checked at every step; Save installs the working copy as a new version, like an import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks import template_admin as view
from bot.i18n import Translator
from bot.operations import templates
from bot.services import Services
from bot.slack_api import FileRefused, download_file
from flows import template_edit as edit
from flows.registration import Problem
from flows.template import DEFAULT_TEMPLATE_PATH, Template, TemplateError, default_template, parse_template
from storage import repositories as repo

log = logging.getLogger(__name__)

MAX_TEMPLATE_BYTES = 200_000  # the standard template is 8 KB
TEMPLATE_ACTIVATED = "template_activated"  # audit log action
YAML_SUFFIXES = (".yml", ".yaml")


def _translator(services: Services, user_id: str) -> Translator:
    return Translator(services.directory.language(user_id))


# -- versions and downloads ------------------------------------------------------------------------


def versions(services: Services, language: str) -> list[view.VersionRow]:
    """Every installed version, newest first, and the shipped standard when it was never installed."""
    default = default_template()
    with services.db.session() as session:
        installed = [(r.id, r.key, r.version, r.installed_at, r.installed_by, r.active)
                     for r in repo.template_versions(session)]
    rows: list[view.VersionRow] = []
    for row_id, key, version, installed_at, installed_by, active in reversed(installed):
        try:
            name = templates.template_for(services.db, key, version).name.get(language, key)
        except (LookupError, TemplateError):
            name = key
        rows.append(view.VersionRow(key, version, name, installed_at, installed_by, active, str(row_id)))
    if not any((row.key, row.version) == (default.id, default.version) for row in rows):
        rows.append(view.VersionRow(default.id, default.version, default.name.get(language, default.id), None, None,
                                    not any(row.active for row in rows), "default"))
    return rows


def _source(services: Services, ref: str) -> tuple[str, int, str] | None:
    """(key, version, YAML) of `ref`: 'active', 'default' or an installed row's id."""
    default = default_template()
    with services.db.session() as session:
        if ref == "active":
            row = repo.active_template(session)
        elif ref.isdigit():
            row = next((r for r in repo.template_versions(session) if r.id == int(ref)), None)
            if row is None:
                return None
        else:
            row = None
        if row is not None:
            return row.key, row.version, row.source
    if ref not in ("active", "default"):
        return None
    return default.id, default.version, DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")


def send_yaml(services: Services, user_id: str, ref: str) -> Problem | None:
    """A template version as a .yml file in the HR member's DM, ready to edit and send back."""
    if not services.directory.is_hr(user_id):
        return Problem("hr.only")
    found = _source(services, ref)
    if found is None:
        return Problem("tpl.unknown_version")
    key, version, source = found
    _ = _translator(services, user_id)
    try:
        channel = services.client.conversations_open(users=user_id)["channel"]["id"]
        services.client.files_upload_v2(
            channel=channel, content=source.encode("utf-8"), filename=f"{key}-v{version}.yml",
            title=_("tpl.download.title", template=key, version=version),
            initial_comment=_("tpl.download.comment", template=key, version=version),
        )
    except SlackClientError as error:
        log.warning("could not send template %s v%s to %s: %s", key, version, user_id, error)
        return Problem("tpl.download.failed")
    return None


# -- receiving a new template ------------------------------------------------------------------------


@dataclass
class Checked:
    template: Template | None = None
    issues: list[str] = field(default_factory=list)
    problem: Problem | None = None


def normalise(source: str) -> str:
    return source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def check_source(services: Services, source: str, origin: str) -> Checked:
    """Is this a template that could be installed? Fast and without Slack: a modal waits for it."""
    source = normalise(source)
    if not source.strip():
        return Checked(problem=Problem("tpl.empty"))
    if len(source.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        return Checked(problem=Problem("tpl.too_large", {"limit": str(MAX_TEMPLATE_BYTES // 1000)}))
    try:
        template = parse_template(source, origin)
    except TemplateError as error:
        return Checked(issues=[str(issue) for issue in error.issues])
    taken = version_taken(services, template, source)
    if taken:
        return Checked(problem=taken)
    return Checked(template=template)


def version_taken(services: Services, template: Template, source: str) -> Problem | None:
    """This id and version are installed already with other content (the shipped standard too)."""
    default = default_template()
    taken = (template.id, template.version) == (default.id, default.version) and (
        source.strip() != DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8").strip()
    )
    if not taken:
        with services.db.session() as session:
            row = repo.template_version(session, template.id, template.version)
            taken = row is not None and row.source != source
    if not taken:
        return None
    with services.db.session() as session:
        highest = max([r.version for r in repo.template_versions(session) if r.key == template.id]
                      + [default.version if default.id == template.id else 0, template.version])
    return Problem("tpl.version_taken", {"template": template.id, "version": str(template.version),
                                         "next": str(highest + 1)})


def refuse(services: Services, user_id: str, origin: str, checked: Checked) -> None:
    """Tell the HR member in the DM why the template was not taken."""
    _ = _translator(services, user_id)
    if checked.problem is not None:
        message = view.plain(_(checked.problem.key, **checked.problem.params))
    else:
        message = view.issues_message(_, origin, checked.issues)
    _post(services, user_id, message)


def preview(services: Services, user_id: str, source: str, template: Template, file_id: str | None = None) -> int:
    """Keep the template as a draft and show it in the DM as a leaver would see it, then the
    outline with Activate / Discard. Returns the draft's id."""
    now = services.clock.now()
    with services.db.session() as session:
        draft_id = repo.add_template_draft(session, key=template.id, version=template.version,
                                           source=normalise(source), uploaded_by=user_id, now=now,
                                           file_id=file_id).id
    _ = _translator(services, user_id)
    posted = []
    channel = _dm_channel(services, user_id)
    if channel is not None:
        for message in view.preview_messages(_, template):
            _post(services, channel, message)
        decision = _post(services, channel, view.decision_message(_, template, draft_id))
        if decision is not None:
            posted.append(list(decision))
    with services.db.session() as session:
        repo.set_draft_messages(session, draft_id, posted)
    log.info("template %s v%s previewed for %s (draft %s)", template.id, template.version, user_id, draft_id)
    return draft_id


def receive(services: Services, user_id: str, source: str, origin: str, file_id: str | None = None) -> int | None:
    """A template HR sent: refused with its problems, or previewed. The draft's id when previewed."""
    checked = check_source(services, source, origin)
    if checked.template is None:
        refuse(services, user_id, origin, checked)
        return None
    return preview(services, user_id, source, checked.template, file_id)


def receive_file(services: Services, user_id: str, shared: dict) -> int | None:
    """A file HR shared in the DM with the bot (a `file_share` message): read it as a template."""
    if not services.directory.is_hr(user_id):
        return None
    file_id = shared.get("id")
    if not isinstance(file_id, str) or not file_id:
        return None
    with services.db.session() as session:
        if repo.template_draft_from_file(session, file_id) is not None:
            return None  # Slack delivered the event again
    _ = _translator(services, user_id)
    content = download(services, file_id)
    if isinstance(content, Problem):
        _post(services, user_id, view.plain(_(content.key, **content.params)))
        return None
    name, text = content
    return receive(services, user_id, text, name, file_id=file_id)


def download(services: Services, file_id: str) -> tuple[str, str] | Problem:
    """(file name, text) of a file shared with the bot: files.info for its private download URL,
    then a GET with the bot token. Only from Slack's own hosts (the token goes along)."""
    try:
        info = services.client.files_info(file=file_id)["file"]
    except SlackApiError as error:
        log.warning("files.info refused file %s: %s", file_id, error.response.get("error"))
        return Problem("tpl.file.unreadable")
    except SlackClientError as error:
        log.warning("files.info failed for %s: %s", file_id, error)
        return Problem("tpl.file.unreadable")
    name = str(info.get("name") or info.get("title") or file_id)
    if not name.lower().endswith(YAML_SUFFIXES) and info.get("filetype") != "yaml":
        return Problem("tpl.file.not_yaml", {"name": name})
    if int(info.get("size") or 0) > MAX_TEMPLATE_BYTES:
        return Problem("tpl.too_large", {"limit": str(MAX_TEMPLATE_BYTES // 1000)})
    url = info.get("url_private_download") or info.get("url_private")
    try:
        data = download_file(services.client, url if isinstance(url, str) else "", MAX_TEMPLATE_BYTES,
                             services.client.base_url)
    except FileRefused as refused:
        if refused.reason == "too_big":
            return Problem("tpl.too_large", {"limit": str(MAX_TEMPLATE_BYTES // 1000)})
        log.warning("not downloading file %s: %s", file_id, refused.reason)
        return Problem("tpl.file.unreadable")
    try:
        return name, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Problem("tpl.file.not_text", {"name": name})


# -- deciding ------------------------------------------------------------------------------------------


@dataclass
class Decision:
    problem: Problem | None = None
    key: str = ""
    version: int = 0


def activate(services: Services, draft_id: int, user_id: str) -> Decision:
    """Install the previewed template: the standard for new interviews from now on."""
    if not services.directory.is_hr(user_id):
        return Decision(Problem("hr.only"))
    now = services.clock.now()
    with services.db.session() as session:
        draft = repo.template_draft(session, draft_id)
        if draft is None:
            return Decision(Problem("tpl.draft.unknown"))
        if not repo.decide_template_draft(session, draft_id, repo.DRAFT_ACTIVATED, user_id, now):
            return Decision(Problem("tpl.draft.decided"))
        source, key, version, messages = draft.source, draft.key, draft.version, draft.messages or []
        uploader = draft.uploaded_by
    try:
        template = templates.install(services.db, source, user_id, now, origin=f"{key} v{version}")
    except (repo.TemplateVersionTaken, TemplateError) as error:
        with services.db.session() as session:
            repo.decide_template_draft(session, draft_id, repo.DRAFT_REFUSED, user_id, now,
                                       from_status=repo.DRAFT_ACTIVATED)
        if isinstance(error, TemplateError):
            return Decision(Problem("tpl.invalid_now"), key, version)
        template = parse_template(source, f"{key} v{version}")
        return Decision(version_taken(services, template, source) or Problem("tpl.invalid_now"), key, version)
    except Exception:  # e.g. the database went away: the draft can be activated again
        with services.db.session() as session:
            repo.decide_template_draft(session, draft_id, repo.DRAFT_PENDING, user_id, now,
                                       from_status=repo.DRAFT_ACTIVATED)
        raise
    with services.db.session() as session:
        repo.add_audit(session, at=now, actor=user_id, action=TEMPLATE_ACTIVATED, subject=None,
                       detail={"key": template.id, "version": template.version, "draft": draft_id})
    _show_decided(services, uploader, messages, key, version, "activated", user_id, now)
    log.info("template %s v%s activated by %s", key, version, user_id)
    return Decision(None, key, version)


def discard(services: Services, draft_id: int, user_id: str) -> Decision:
    if not services.directory.is_hr(user_id):
        return Decision(Problem("hr.only"))
    now = services.clock.now()
    with services.db.session() as session:
        draft = repo.template_draft(session, draft_id)
        if draft is None:
            return Decision(Problem("tpl.draft.unknown"))
        if not repo.decide_template_draft(session, draft_id, repo.DRAFT_DISCARDED, user_id, now):
            return Decision(Problem("tpl.draft.decided"))
        key, version, messages, uploader = draft.key, draft.version, draft.messages or [], draft.uploaded_by
    _show_decided(services, uploader, messages, key, version, "discarded", user_id, now)
    return Decision(None, key, version)


def _show_decided(services: Services, uploader: str, messages: list, key: str, version: int, outcome: str,
                  by: str, at) -> None:
    """The preview's decision message (in the uploader's DM) loses its buttons and says what happened."""
    _ = _translator(services, uploader)
    text, blocks = view.decided_message(_, key, version, outcome, by, at.astimezone(services.settings.tz))
    for channel, ts in messages:
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackClientError as error:
            log.warning("could not update the template preview %s: %s", ts, error)


def _dm_channel(services: Services, user_id: str) -> str | None:
    try:
        return services.client.conversations_open(users=user_id)["channel"]["id"]
    except SlackClientError as error:
        log.warning("could not open the DM with %s: %s", user_id, error)
        return None


def _post(services: Services, channel: str | None, message: tuple[str, list[dict]]) -> tuple[str, str] | None:
    """Post in a DM channel (D…), or in the DM with a user id (U…)."""
    if channel is not None and channel.startswith(("U", "W")):
        channel = _dm_channel(services, channel)
    if channel is None:
        return None
    text, blocks = message
    try:
        response = services.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackClientError as error:
        log.warning("could not post to %s: %s", channel, error)
        return None
    return response["channel"], response["ts"]


# -- the question editor -------------------------------------------------------------------------------
# HR edits a working copy of the active template, kept as a draft row (a modal holds at most 3000
# characters of private_metadata; the standard template is 8 KB), so nothing typed is lost between
# the editor, a question's form and a restart. Saving installs it as a new version, exactly as an
# imported YAML file is installed: interviews already begun keep the version they started with.


@dataclass
class Working:
    """A working copy in the editor, or why there is none."""

    draft_id: int = 0
    data: dict = field(default_factory=dict)
    base: dict = field(default_factory=dict)  # the version it was started from
    next_version: int = 0
    problem: Problem | None = None

    @property
    def changed(self) -> bool:
        return not edit.same_questions(self.data, self.base)


def _next_version(services: Services, key: str) -> int:
    with services.db.session() as session:
        installed = [row.version for row in repo.template_versions(session) if row.key == key]
    return edit.next_version(installed, key, default_template())


def open_working_copy(services: Services, user_id: str) -> Working:
    """The HR member's working copy: the one they left, when it was started from the version that is
    still active; else a fresh copy of the active version."""
    if not services.directory.is_hr(user_id):
        return Working(problem=Problem("hr.only"))
    found = _source(services, "active")
    if found is None:  # pragma: no cover - "active" always has a source
        return Working(problem=Problem("tpl.unknown_version"))
    key, version, source = found
    now = services.clock.now()
    with services.db.session() as session:
        draft = repo.editing_draft(session, user_id)
        if draft is not None and (draft.key, draft.version) != (key, version):
            repo.decide_template_draft(session, draft.id, repo.DRAFT_DISCARDED, user_id, now,
                                       from_status=repo.DRAFT_EDITING)
            draft = None
        if draft is None:
            draft = repo.add_template_draft(session, key=key, version=version, source=edit.dump(edit.load(source)),
                                            uploaded_by=user_id, now=now, status=repo.DRAFT_EDITING)
        draft_id, working = draft.id, draft.source
    return Working(draft_id, edit.load(working), edit.load(source), _next_version(services, key))


def working_copy(services: Services, user_id: str, draft_id: int | None) -> Working:
    """A working copy by its id: only its owner's, only while it is being edited."""
    if not services.directory.is_hr(user_id):
        return Working(problem=Problem("hr.only"))
    with services.db.session() as session:
        draft = repo.template_draft(session, draft_id) if draft_id is not None else None
        if draft is None or draft.uploaded_by != user_id or draft.status != repo.DRAFT_EDITING:
            return Working(problem=Problem("tpled.error.draft_gone"))
        key, version, source = draft.key, draft.version, draft.source
    try:
        base = edit.load(templates_source(services, key, version))
    except LookupError:
        base = {}
    return Working(draft_id, edit.load(source), base, _next_version(services, key))


def templates_source(services: Services, key: str, version: int) -> str:
    default = default_template()
    with services.db.session() as session:
        row = repo.template_version(session, key, version)
        if row is not None:
            return row.source
    if (key, version) == (default.id, default.version):
        return DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
    raise LookupError(f"{key} v{version}")


def _keep(services: Services, working: Working, data: dict) -> Problem | None:
    with services.db.session() as session:
        if not repo.set_draft_source(session, working.draft_id, edit.dump(data), expected=edit.dump(working.data)):
            return Problem("tpled.error.changed_meanwhile")
    working.data = data
    return None


def keep_texts(services: Services, user_id: str, draft_id: int | None, names: dict[str, str],
               intros: dict[str, str]) -> None:
    """The name and intro as typed on the editor, kept in the working copy when they are complete
    (an incomplete one is checked when saving)."""
    working = working_copy(services, user_id, draft_id)
    if working.problem is not None or not any(names.values()):
        return
    edited = edit.rename(working.data, names, intros)
    if edited.data is not None and edited.data != working.data:
        _keep(services, working, edited.data)


def standard_data() -> dict:
    """The shipped standard template's data: where a new rating's labels come from when the
    template has no rating yet."""
    return edit.load(DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8"))


def change_list(services: Services, user_id: str, draft_id: int | None, verb: str, question_id: str) -> Working:
    """Move a question up or down, or remove it, in the working copy; `problem` says why not."""
    working = working_copy(services, user_id, draft_id)
    if working.problem is not None:
        return working
    index = edit.index_of(working.data, question_id)
    if index is None:
        working.problem = Problem("tpled.error.question_gone")
        return working
    if verb == "remove":
        edited = edit.remove(working.data, question_id)
    elif verb in ("up", "down"):
        edited = edit.move(working.data, question_id, index + 1 + (-1 if verb == "up" else 1))
    else:
        working.problem = Problem("tpled.error.question_gone")
        return working
    if edited.data is None:
        working.problem = edited.problem or Problem("tpled.error.invalid", {"detail": ""})
        return working
    working.problem = _keep(services, working, edited.data)
    return working


def change_question(services: Services, user_id: str, draft_id: int | None, original_id: str | None,
                    form: edit.QuestionInput) -> tuple[Working, dict[str, Problem]]:
    """A question's form submitted: the working copy changed, or the problems per field."""
    working = working_copy(services, user_id, draft_id)
    if working.problem is not None:
        return working, {}
    edited = edit.apply_question(working.data, original_id, form)
    if edited.data is None:
        if not edited.errors:
            working.problem = edited.problem
        return working, edited.errors
    working.problem = _keep(services, working, edited.data)
    return working, {}


def start_over(services: Services, user_id: str, draft_id: int | None) -> Working:
    """Throw the working copy away and start again from the active version."""
    working = working_copy(services, user_id, draft_id)
    if working.problem is not None:
        return working
    with services.db.session() as session:
        repo.decide_template_draft(session, working.draft_id, repo.DRAFT_DISCARDED, user_id, services.clock.now(),
                                   from_status=repo.DRAFT_EDITING)
    return open_working_copy(services, user_id)


@dataclass
class Saved:
    errors: dict[str, Problem] = field(default_factory=dict)
    problem: Problem | None = None
    key: str = ""
    version: int = 0
    questions: int = 0


def save(services: Services, user_id: str, draft_id: int | None, names: dict[str, str],
         intros: dict[str, str]) -> Saved:
    """The working copy (with the name and intro as typed) installed as a new version and active
    for new interviews, exactly like an imported template; the draft is done."""
    working = working_copy(services, user_id, draft_id)
    if working.problem is not None:
        return Saved(problem=working.problem)
    edited = edit.rename(working.data, names, intros)
    if edited.data is None:
        return Saved(errors=edited.errors)
    key = str(edited.data.get("id"))
    if edit.same_questions(edited.data, working.base):
        return Saved(errors={"name_nl": Problem("tpled.error.nothing_changed")})
    default = default_template()
    with services.db.session() as session:
        active = repo.active_template(session)
        active_now = (active.key, active.version) if active is not None else (default.id, default.version)
        draft = repo.template_draft(session, working.draft_id)
        started_from = (draft.key, draft.version) if draft is not None else None
    if started_from != active_now:  # another HR member installed a version meanwhile: theirs stays
        return Saved(errors={"name_nl": Problem("tpled.error.other_version", {
            "template": active_now[0], "version": str(active_now[1])})})
    version = working.next_version
    source = edit.dump(edit.with_version(edited.data, version))
    now = services.clock.now()
    with services.db.session() as session:
        if not repo.decide_template_draft(session, working.draft_id, repo.DRAFT_ACTIVATED, user_id, now,
                                          from_status=repo.DRAFT_EDITING):
            return Saved(problem=Problem("tpled.error.draft_gone"))
    try:
        template = templates.install(services.db, source, user_id, now, origin=f"{key} v{version}")
    except (repo.TemplateVersionTaken, TemplateError) as error:
        with services.db.session() as session:
            repo.decide_template_draft(session, working.draft_id, repo.DRAFT_EDITING, user_id, now,
                                       from_status=repo.DRAFT_ACTIVATED)
        log.warning("the edited template %s v%s was not installed: %s", key, version, error)
        return Saved(errors={"name_nl": Problem("tpl.invalid_now")})
    except Exception:  # e.g. the database went away: the working copy stays
        with services.db.session() as session:
            repo.decide_template_draft(session, working.draft_id, repo.DRAFT_EDITING, user_id, now,
                                       from_status=repo.DRAFT_ACTIVATED)
        raise
    with services.db.session() as session:
        repo.add_audit(session, at=now, actor=user_id, action=TEMPLATE_ACTIVATED, subject=None,
                       detail={"key": template.id, "version": template.version, "draft": working.draft_id})
    _ = _translator(services, user_id)
    _post(services, user_id, view.saved_message(_, template.id, template.version, len(template.questions)))
    log.info("template %s v%s saved from the editor by %s", template.id, template.version, user_id)
    return Saved(key=template.id, version=template.version, questions=len(template.questions))
