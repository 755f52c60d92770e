from slack_bolt import App

from bot.blocks.registration import REGISTER_CALLBACK
from bot.listeners.views.registration import handle_registration_submission


def register(app: App) -> None:
    app.view(REGISTER_CALLBACK)(handle_registration_submission)
