import re

from slack_bolt import App

from bot.blocks.breakdowns import SHARE_MANAGER_ACTION
from bot.blocks.bulk import MISSED_ACTION, TALK_ACTION
from bot.blocks.loop import RECORD_ACTION
from bot.blocks.notes import RECORD_NOTES_ACTION
from bot.blocks.review import ANSWERS_PAGE_ACTION
from bot.blocks.workflow_step import REFUSE_ACTION, REGISTER_ACTION, UNTRUST_ACTION
from bot.listeners.actions import bulk, home, loop, nudge, questionnaire, records, review, settings, template_admin
from bot.listeners.actions.breakdowns import handle_share_manager
from bot.listeners.actions.invitation_choice import handle_invitation_choice, handle_reconsider
from bot.listeners.actions.talk_notes import handle_record_notes
from bot.listeners.actions.template_editor import register_editor
from bot.listeners.actions.workflow_runs import handle_refuse, handle_register, handle_untrust


def register(app: App) -> None:
    app.action(re.compile(r"^invitation\.(answer|talk|decline)$"))(handle_invitation_choice)
    app.action("invitation.reconsider")(handle_reconsider)
    app.action(re.compile(r"^q:choose:"))(questionnaire.handle_choose)
    app.action("q:select")(questionnaire.handle_select)
    app.action("q:multi")(questionnaire.handle_multi_change)
    app.action("q:confirm")(questionnaire.handle_confirm)
    app.action("q:write")(questionnaire.handle_write)
    app.action("q:skip")(questionnaire.handle_skip)
    app.action("q:back")(questionnaire.handle_back)
    app.action("q:next")(questionnaire.handle_next)
    app.action("q:form")(questionnaire.handle_form)
    app.action("q:change")(questionnaire.handle_form)
    app.action("q:pause")(questionnaire.handle_pause)
    app.action("q:resume")(questionnaire.handle_resume)
    app.action("q:edit")(questionnaire.handle_edit)
    app.action("q:submit")(questionnaire.handle_submit)
    app.action("q:withdraw")(questionnaire.handle_withdraw)
    app.action("q:share")(questionnaire.handle_share)
    app.action(RECORD_NOTES_ACTION)(handle_record_notes)
    app.action("review:view")(review.handle_view)
    app.action("review:edit")(review.handle_edit)
    app.action("review:approve")(review.handle_approve)
    app.action("review:approve_manager")(review.handle_approve_manager)
    app.action("review:private")(review.handle_private)
    app.action(ANSWERS_PAGE_ACTION)(review.handle_answers_page)
    app.action(records.EXPORT_ACTION)(records.handle_export)
    app.action("home:register")(home.handle_register)
    app.action("home:export_all")(home.handle_export_all)
    app.action(RECORD_ACTION)(loop.handle_record)
    app.action("home:page")(home.handle_page)
    app.action("home:remind")(home.handle_remind)
    app.action("home:cancel")(home.handle_cancel)
    app.action("home:import")(bulk.handle_import)
    app.action(TALK_ACTION)(nudge.handle_talk)
    app.action(MISSED_ACTION)(nudge.handle_missed)
    app.action("home:settings")(settings.handle_open_settings)
    app.action("home:templates")(template_admin.handle_open_templates)
    app.action("tpl:download")(template_admin.handle_download)
    app.action("tpl:paste")(template_admin.handle_paste)
    app.action("tpl:activate")(template_admin.handle_activate)
    app.action("tpl:discard")(template_admin.handle_discard)
    app.action(re.compile(r"^tpl:preview:"))(template_admin.handle_inert)
    register_editor(app)
    app.action(SHARE_MANAGER_ACTION)(handle_share_manager)
    app.action(REGISTER_ACTION)(handle_register)
    app.action(REFUSE_ACTION)(handle_refuse)
    app.action(UNTRUST_ACTION)(handle_untrust)
