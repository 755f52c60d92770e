"""Custom steps the app offers in Slack's Workflow Builder (Bolt custom functions, `app.function`);
each is declared under `functions:` in manifest.yml with the same callback id."""

from slack_bolt import App

from bot.listeners.functions.start_exit_interview import handle_start_exit_interview
from flows.workflow_step import CALLBACK_ID


def register(app: App) -> None:
    app.function(CALLBACK_ID)(handle_start_exit_interview)
