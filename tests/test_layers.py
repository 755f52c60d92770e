"""The layering the README promises: only bot/ speaks to Slack; flows/ and storage/ never import it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_bot_layer_imports_slack():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for folder in ("flows", "storage")
        for path in (ROOT / folder).rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in ("slack_sdk", "slack_bolt") or name.split(".")[0] == "bot"
    )
    assert offenders == []
