import re

from slack_bolt import App

from bot.listeners.actions.invitation_choice import handle_invitation_choice


def register(app: App) -> None:
    app.action(re.compile(r"^invitation\.(answer|talk|decline)$"))(handle_invitation_choice)
