from slack_bolt import App

from bot.listeners.events.direct_messages import handle_message


def register(app: App) -> None:
    app.event("message")(handle_message)
    # Subscribed in the manifest; their features come with the App Home and the import issues.
    app.event("app_home_opened")(lambda ack: ack())
    app.event("user_change")(lambda ack: ack())
