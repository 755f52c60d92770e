"""Records and exports, pure: data in, bytes or text out (no Slack, no database).

`document`: one interview's record for the personnel file, as Markdown and as a printable PDF, in
the reader's language. `export`: all interviews as a table (CSV, XLSX) and as a stable, documented
JSON document (see docs/export-format.md). `bot.operations.records` gathers the data and delivers.
"""
