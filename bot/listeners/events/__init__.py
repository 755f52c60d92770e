from slack_bolt import App

from bot.listeners.events.app_home import handle_app_home_opened
from bot.listeners.events.deactivation import handle_user_change
from bot.listeners.events.direct_messages import handle_message
from bot.listeners.events.template_files import handle_file_share


def register(app: App) -> None:
    # Before the general message listener: the first matching listener takes the event.
    app.event({"type": "message", "subtype": "file_share"})(handle_file_share)
    app.event("message")(handle_message)
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("user_change")(handle_user_change)
