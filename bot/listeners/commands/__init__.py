from slack_bolt import App

from bot.listeners.commands.exit_interview import handle_exit_interview


def register(app: App) -> None:
    app.command("/exit-interview")(handle_exit_interview)
