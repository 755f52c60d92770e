"""Domain rules of the exit-interview practice, in plain Python: no Slack, no SQL."""
