"""What the bot does for a listener or a job: Slack look-ups, a `flows` decision, `storage`, replies.

Listeners stay a few lines: they parse the payload, call one operation and render its outcome.
"""
