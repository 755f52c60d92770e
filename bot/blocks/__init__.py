"""Block Kit builders: pure functions, data in, `(fallback text, blocks)` or a View out.

Built with slack_sdk.models so Slack's limits are checked when the JSON is made.
"""
