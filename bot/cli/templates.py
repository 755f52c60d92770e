"""`exit-interview template validate|show|install|list`: the interview template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import _common, _spaces


def register(commands) -> None:
    from flows.template import LANGUAGES

    template = commands.add_parser("template", help="check, show and install the interview template")
    template_commands = template.add_subparsers(dest="template_command", required=True)
    validate = template_commands.add_parser("validate", help="check a template file (no database needed)")
    validate.add_argument("file", help="the YAML template file")
    show = template_commands.add_parser("show", help="print the template new interviews use")
    show.add_argument("--lang", choices=LANGUAGES, default="nl", help="the language of the texts (default nl)")
    show.add_argument("--yaml", action="store_true", help="print the YAML source instead of an outline")
    _spaces.add_options(show)
    install = template_commands.add_parser("install", help="validate a file and make it the standard")
    install.add_argument("file", help="the YAML template file")
    install.add_argument("--by", default="cli", help="who installs it (recorded; default 'cli')")
    _spaces.add_options(install)
    _spaces.add_options(template_commands.add_parser("list", help="the installed versions, the active one marked"))
    template.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.template_command == "validate":
        return _template_validate(args.file)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with _spaces.opened(args) as database:
            if args.template_command == "show":
                return _template_show(database, args.lang, args.yaml)
            if args.template_command == "install":
                return _template_install(database, args.file, args.by)
            return _template_list(database)
    except SQLAlchemyError as error:
        return _common.database_error(error)


def _read_template_file(file: str) -> str | None:
    """The file's text, or None after one line on stderr saying why it cannot be read."""
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"exit-interview: {file}: no such file", file=sys.stderr)
    except IsADirectoryError:
        print(f"exit-interview: {file}: is a folder, not a template file", file=sys.stderr)
    except UnicodeDecodeError:
        print(f"exit-interview: {file}: not a UTF-8 text file", file=sys.stderr)
    except OSError as error:
        print(f"exit-interview: {file}: cannot be read: {error.strerror or error}", file=sys.stderr)
    return None


def _print_issues(error: Exception) -> None:
    for issue in getattr(error, "issues", None) or [error]:
        print(str(issue), file=sys.stderr)


def _template_validate(file: str) -> int:
    from flows.template import TemplateError, parse_template

    text = _read_template_file(file)
    if text is None:
        return 1
    try:
        template = parse_template(text, source=file)
    except TemplateError as error:
        _print_issues(error)
        return 1
    print(f"{file}: valid template '{template.id}' version {template.version} with {len(template.questions)} questions")
    return 0


def _template_show(database, language: str, as_yaml: bool) -> int:
    from bot.operations.templates import active_template
    from flows.template import DEFAULT_TEMPLATE_PATH
    from storage import repositories as repo

    with database.session() as session:
        row = repo.active_template(session)
        source = row.source if row is not None else None
    if as_yaml:
        text = source if source is not None else DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    template = active_template(database)
    print(_outline(template, language, installed=source is not None))
    return 0


def _outline(template, language: str, installed: bool) -> str:
    import textwrap

    origin = "installed" if installed else "default (built in)"
    lines = [template.name[language], f"{template.id} version {template.version}, {origin}", ""]
    lines += textwrap.wrap(template.intro[language], width=100)
    for number, question in enumerate(template.questions, start=1):
        need = "required" if question.required else "optional"
        lines += ["", f"{number}. [{question.type} | {question.category} | {need}] {question.id}"]
        lines += textwrap.wrap(question.text[language], width=100, initial_indent="   ", subsequent_indent="   ")
        if question.help:
            lines += textwrap.wrap(
                f"({question.help[language]})", width=100, initial_indent="   ", subsequent_indent="    "
            )
        lines += [f"   {line}" for line in _answer_lines(template, question, language)]
    return "\n".join(lines)


def _answer_lines(template, question, language: str) -> list[str]:
    from flows.template import QuestionType

    lines: list[str] = []
    if question.type is QuestionType.RATING:
        labels = question.labels[language]
        lines.append("scale: " + ", ".join(f"{point} {label}" for point, label in enumerate(labels, start=1)))
        if question.allow_comment:
            lines.append("with a comment")
    elif question.type is QuestionType.SCALE_0_10:
        low, high = question.labels[language]
        lines.append(f"scale: 0 {low} ... 10 {high}")
    elif question.choices_from is not None:
        number = (template.index(question.choices_from) or 0) + 1
        lines.append(f"options: the ones picked at question {number} ({question.choices_from})")
    elif question.options:
        lines.append("options:" if question.type is QuestionType.SINGLE_CHOICE else "options (several allowed):")
        lines += [f"  - {option.id}: {option.text[language]}" for option in question.options]
        if question.allow_other:
            lines.append("  ('other' comes with a free text)")
    if question.max_length is not None:
        lines.append(f"at most {question.max_length} characters")
    return lines


def _template_install(database, file: str, installed_by: str) -> int:
    from datetime import UTC, datetime

    from bot.operations.templates import install
    from flows.template import TemplateError
    from storage.repositories import TemplateVersionTaken

    text = _read_template_file(file)
    if text is None:
        return 1
    try:
        template = install(database, text, installed_by=installed_by, now=datetime.now(UTC), origin=file)
    except TemplateError as error:
        _print_issues(error)
        print(f"exit-interview: {file} was not installed; nothing changed", file=sys.stderr)
        return 1
    except TemplateVersionTaken as error:
        print(
            f"exit-interview: template {error} is already installed with different content; "
            f"raise `version` in {file} and install again",
            file=sys.stderr,
        )
        return 1
    print(f"installed '{template.id}' version {template.version}; new interviews use it")
    return 0


def _template_list(database) -> int:
    from flows.template import default_template
    from storage import repositories as repo

    with database.session() as session:
        rows = [
            (row.active, row.key, row.version, row.installed_at, row.installed_by)
            for row in repo.template_versions(session)
        ]
    if not rows:
        default = default_template()
        print(f"* {default.id} version {default.version}  default (built in)")
        return 0
    for active, key, version, installed_at, installed_by in rows:
        marker = "*" if active else " "
        when = installed_at.strftime("%Y-%m-%d %H:%M UTC") if installed_at else "?"
        print(f"{marker} {key} version {version}  installed {when} by {installed_by or 'unknown'}")
    print("(* = active: new interviews use it)")
    return 0

