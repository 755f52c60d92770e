from slack_bolt import App

from bot.blocks.notes import NOTES_CALLBACK
from bot.blocks.questionnaire import TEXT_CALLBACK
from bot.blocks.registration import REGISTER_CALLBACK
from bot.blocks.review import HIGHLIGHTS_CALLBACK
from bot.listeners.views.answer_text import handle_answer_text
from bot.listeners.views.highlights import handle_highlights
from bot.listeners.views.notes import handle_notes_submission
from bot.listeners.views.registration import handle_registration_submission


def register(app: App) -> None:
    app.view(REGISTER_CALLBACK)(handle_registration_submission)
    app.view(TEXT_CALLBACK)(handle_answer_text)
    app.view(NOTES_CALLBACK)(handle_notes_submission)
    app.view(HIGHLIGHTS_CALLBACK)(handle_highlights)
