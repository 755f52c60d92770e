"""The `exit-interview` command is a package with one module per command group (issue 16)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import bot.cli

CLI = Path(bot.cli.__file__).parent
COMMANDS = ("run", "db", "template", "keys", "purge", "erase", "export", "import", "audit", "bench-data", "shell")


def test_every_command_group_module_is_small():
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in CLI.glob("*.py")}
    assert len(sizes) >= 10
    assert {name: lines for name, lines in sizes.items() if lines > 250} == {}


def test_the_help_lists_every_command():
    script = Path(sys.executable).with_name("exit-interview")  # the console script of pyproject.toml
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True,
                            env={**os.environ, "COLUMNS": "120"})
    listed = re.search(r"\{([a-z,-]+)\}", result.stdout).group(1).split(",")
    assert listed == list(COMMANDS)
    for command in COMMANDS:
        assert re.search(rf"^\s+{re.escape(command)}\s+\S", result.stdout, re.MULTILINE), command


def test_the_console_script_and_python_m_bot_use_the_package():
    pyproject = (CLI.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'exit-interview = "bot.cli:main"' in pyproject
    assert "from bot.cli import main" in (CLI.parent / "__main__.py").read_text(encoding="utf-8")
