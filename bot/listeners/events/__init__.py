from slack_bolt import App

from bot.listeners.events.app_home import handle_app_home_opened
from bot.listeners.events.direct_messages import handle_message


def register(app: App) -> None:
    app.event("message")(handle_message)
    app.event("app_home_opened")(handle_app_home_opened)
    # Subscribed in the manifest for noticing deactivated leavers nobody registered (not built yet).
    app.event("user_change")(lambda ack: ack())
