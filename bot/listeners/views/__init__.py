from slack_bolt import App

from bot.blocks.bulk import IMPORT_CALLBACK
from bot.blocks.loop import LOOP_CALLBACK
from bot.blocks.notes import NOTES_CALLBACK
from bot.blocks.questionnaire import STEP_CALLBACK, TEXT_CALLBACK
from bot.blocks.registration import REGISTER_CALLBACK
from bot.blocks.review import HIGHLIGHTS_CALLBACK, MANAGER_CALLBACK
from bot.blocks.settings import SETTINGS_CALLBACK
from bot.blocks.template_admin import EDITOR_CALLBACK, PASTE_CALLBACK, QUESTION_CALLBACK
from bot.listeners.views.answer_step import handle_answer_step
from bot.listeners.views.answer_text import handle_answer_text
from bot.listeners.views.bulk import handle_import_submission
from bot.listeners.views.highlights import handle_highlights, handle_manager_message
from bot.listeners.views.loop import handle_action_submission
from bot.listeners.views.notes import handle_notes_submission
from bot.listeners.views.privacy import ERASE_CALLBACK, handle_erase_submission
from bot.listeners.views.registration import handle_registration_submission
from bot.listeners.views.settings import handle_settings_submission
from bot.listeners.views.template_admin import handle_paste_submission
from bot.listeners.views.template_editor import handle_editor_submission, handle_question_submission


def register(app: App) -> None:
    app.view(REGISTER_CALLBACK)(handle_registration_submission)
    app.view(TEXT_CALLBACK)(handle_answer_text)
    app.view(STEP_CALLBACK)(handle_answer_step)
    app.view(NOTES_CALLBACK)(handle_notes_submission)
    app.view(HIGHLIGHTS_CALLBACK)(handle_highlights)
    app.view(MANAGER_CALLBACK)(handle_manager_message)
    app.view(IMPORT_CALLBACK)(handle_import_submission)
    app.view(ERASE_CALLBACK)(handle_erase_submission)
    app.view(SETTINGS_CALLBACK)(handle_settings_submission)
    app.view(PASTE_CALLBACK)(handle_paste_submission)
    app.view(EDITOR_CALLBACK)(handle_editor_submission)
    app.view(QUESTION_CALLBACK)(handle_question_submission)
    app.view(LOOP_CALLBACK)(handle_action_submission)
