"""The `exit-interview` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="exit-interview", description="The exit-interview bot for Slack.")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT)")
    run.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    run.add_argument("--role", choices=("all", "web", "scheduler"), default="all",
                     help="all (default): Slack requests and, when it wins the lock, the scheduler; "
                          "web: Slack requests only; scheduler: the scheduled jobs only")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or upgrade the schema to the newest version")
    _add_template_commands(commands)
    _add_privacy_commands(commands)
    _add_export_command(commands)
    _add_import_command(commands)
    _add_audit_command(commands)
    _add_bench_data_command(commands)
    shell = commands.add_parser("shell", help="try the bot without Slack: a terminal that plays the whole story")
    shell.add_argument("--db", metavar="PATH", help="keep the data in this SQLite file (default: a temporary one)")
    shell.add_argument("--lang", choices=("nl", "en"), default="nl", help="the people's language (default nl)")
    shell.add_argument("--demo", action="store_true", help="play a scripted story by itself and print it")

    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        if command == "run":
            return _run(getattr(args, "log_level", "INFO"), getattr(args, "role", "all"))
        if command == "db":
            return _db_upgrade()
        if command == "template":
            return _template(args)
        if command == "keys":
            return _keys(args.keys_command)
        if command == "purge":
            return _purge(args.dry_run)
        if command == "export":
            return _export(args)
        if command == "import":
            return _import(args)
        if command == "audit":
            return _audit(args)
        if command == "bench-data":
            return _bench_data(args)
        if command == "shell":
            from bot.shell import run as run_shell

            return run_shell(db=args.db, lang=args.lang, demo=args.demo)
    except ConfigError as error:
        print(f"exit-interview: configuration error: {error}", file=sys.stderr)
        return 2
    parser.print_help()
    return 2


def _run(log_level: str, role: str = "all") -> int:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot import memory

    memory.limit_arenas()  # before the process starts its threads
    settings = load_settings()
    _configure_encryption(settings.database_url, settings.encryption_key)
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.runtime import BotProcess

    bot = BotProcess(settings, role=role, sweep_seconds=settings.sweep_seconds)
    try:
        bot.start()
    except SlackApiError as error:
        print(f"exit-interview: Slack refused the bot token: {error.response.get('error')}", file=sys.stderr)
        bot.stop()
        return 1
    except SlackClientError as error:
        print(f"exit-interview: cannot reach Slack: {error}", file=sys.stderr)
        bot.stop()
        return 1
    except OSError as error:
        print(f"exit-interview: cannot start: {error}", file=sys.stderr)
        bot.stop()
        return 1
    bot.run_until_signalled()
    return 0


def _database_url() -> str:
    """DATABASE_URL from the environment, else from .env in this folder, else a SQLite file here.

    Needs no Slack tokens, so maintenance commands work on a machine that only reaches the database.
    """
    url = _setting("DATABASE_URL")
    return url or f"sqlite:///{Path.cwd() / 'exit-interview.sqlite3'}"


def _setting(name: str) -> str | None:
    """A setting from the environment, else from .env in this folder (maintenance commands)."""
    from dotenv import dotenv_values

    value = os.environ.get(name) or dotenv_values(Path.cwd() / ".env").get(name)
    return value.strip() if value and value.strip() else None


def _configure_encryption(database_url: str, encryption_key: str | None) -> str:
    """The process's keys for encrypted columns (storage.crypto), once, before the database opens."""
    from storage import crypto
    from storage.db import normalise_url

    try:
        return crypto.configure_for(normalise_url(database_url), encryption_key)
    except crypto.KeyringError as error:
        raise ConfigError(str(error)) from None


def _open_database():
    """The database of DATABASE_URL with the keys of ENCRYPTION_KEY (or the SQLite key file)."""
    from storage.db import Database

    url = _database_url()
    _configure_encryption(url, _setting("ENCRYPTION_KEY"))
    return Database(url)


def _db_upgrade() -> int:
    database = _open_database()
    database.upgrade()
    print(f"database schema is up to date ({database.engine.url.render_as_string(hide_password=True)})")
    return 0


# -- template ----------------------------------------------------------------------------------


def _add_template_commands(commands) -> None:
    from flows.template import LANGUAGES

    template = commands.add_parser("template", help="check, show and install the interview template")
    template_commands = template.add_subparsers(dest="template_command", required=True)
    validate = template_commands.add_parser("validate", help="check a template file (no database needed)")
    validate.add_argument("file", help="the YAML template file")
    show = template_commands.add_parser("show", help="print the template new interviews use")
    show.add_argument("--lang", choices=LANGUAGES, default="nl", help="the language of the texts (default nl)")
    show.add_argument("--yaml", action="store_true", help="print the YAML source instead of an outline")
    install = template_commands.add_parser("install", help="validate a file and make it the standard")
    install.add_argument("file", help="the YAML template file")
    install.add_argument("--by", default="cli", help="who installs it (recorded; default 'cli')")
    template_commands.add_parser("list", help="the installed versions, the active one marked")


def _template(args: argparse.Namespace) -> int:
    if args.template_command == "validate":
        return _template_validate(args.file)
    from sqlalchemy.exc import SQLAlchemyError

    database = _open_database()
    try:
        database.upgrade()
        if args.template_command == "show":
            return _template_show(database, args.lang, args.yaml)
        if args.template_command == "install":
            return _template_install(database, args.file, args.by)
        return _template_list(database)
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


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


# -- privacy: keys and retention ----------------------------------------------------------------------


def _add_privacy_commands(commands) -> None:
    keys = commands.add_parser("keys", help="the encryption keys of the stored answers (ENCRYPTION_KEY)")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser("generate", help="print a new key (changes nothing)")
    keys_commands.add_parser(
        "rotate",
        help="with one key: print a new key and the steps; with NEW,OLD in ENCRYPTION_KEY: re-encrypt "
             "everything with NEW while the bot runs",
    )
    purge = commands.add_parser(
        "purge", help="delete personal data and free text RETENTION_MONTHS (default 24) after the last working day"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would go (counts and departure ids)")


def _keys(keys_command: str) -> int:
    from storage import crypto

    if keys_command == "generate":
        print(crypto.generate_key())
        return 0
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations import privacy

    url = _database_url()
    source = _configure_encryption(url, _setting("ENCRYPTION_KEY"))
    from storage.db import Database

    database = Database(url)
    try:
        database.upgrade()
        if crypto.key_count() == 1:
            new_key = crypto.generate_key()
            privacy.record_new_key(database, now=datetime.now(UTC), actor="cli")
            print(_ROTATE_STEPS.format(new_key=new_key, source=source))
            return 0
        report = privacy.rotate_keys(database, now=datetime.now(UTC), actor="cli")
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"re-encrypted {report.rotated} stored texts with the first of {crypto.key_count()} keys "
          f"({report.current} were under it already)")
    problems = 0
    if report.unreadable:
        problems += 1
        print(f"exit-interview: {report.unreadable} stored texts cannot be decrypted with any configured key; "
              "they were left as they are", file=sys.stderr)
    if report.still_old:
        problems += 1
        print(f"exit-interview: {report.still_old} stored texts are still under an old key (rewritten by a bot that "
              "does not encrypt with the new key yet?): restart the bot with ENCRYPTION_KEY=NEW,OLD and run "
              "`exit-interview keys rotate` again", file=sys.stderr)
    if problems:
        return 1
    print("every stored text is under the first key now. Last step: remove the old key(s) from ENCRYPTION_KEY "
          "(keep only the first) and restart the bot. Keep the old key as long as you keep backups made before "
          "this rotation.")
    return 0


_ROTATE_STEPS = """A new encryption key (not in use yet; put it in your secret store now):

    {new_key}

Rotate without downtime:
  1. Put the new key in front of the current one wherever the bot runs, ENCRYPTION_KEY=NEW,OLD
     (OLD: the key now in {source}), and restart the bot: it encrypts with NEW and still reads OLD.
  2. Run `exit-interview keys rotate` again with that setting: it re-encrypts every stored text with NEW
     while the bot keeps running.
  3. Remove OLD, so ENCRYPTION_KEY=NEW, and restart the bot. Keep OLD as long as you keep database
     backups made before the rotation."""


def _purge(dry_run: bool) -> int:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations import privacy

    raw_months = _setting("RETENTION_MONTHS") or "24"
    if not raw_months.isdigit() or not 1 <= int(raw_months) <= 240:
        raise ConfigError(f"RETENTION_MONTHS must be a whole number between 1 and 240, not {raw_months!r}")
    months = int(raw_months)
    timezone = _setting("TIMEZONE") or "Europe/Amsterdam"
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {timezone!r} is not a known time zone like Europe/Amsterdam") from None
    database = _open_database()
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    try:
        database.upgrade()
        report = privacy.purge(database, today=today, months=months, now=now, actor="cli", dry_run=dry_run)
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"retention: {months} months after the last working day (RETENTION_MONTHS); today is {today} ({timezone})")
    if report.failed_ids:  # one bad departure never stops the others; the log says what failed
        print(f"{len(report.failed_ids)} departures could not be purged: ids "
              f"{', '.join(str(i) for i in report.failed_ids)} (see the log)", file=sys.stderr)
    if not report.departure_ids:
        print("nothing is due")
        return 1 if report.failed_ids else 0
    verb = "would go" if dry_run else "purged"
    print(f"{report.departures} departures {verb}: ids {', '.join(str(i) for i in report.departure_ids)}")
    print(f"  interviews: {report.interviews} (free texts deleted: {report.free_texts}; ratings, scores and "
          "choices stay)")
    print(f"  review highlights deleted: {report.highlights}")
    print(f"  message records deleted: {report.sent_messages}")
    print("  Slack ids of leaver, manager, interviewer and HR replaced by 'purged'")
    if dry_run:
        print("dry run: nothing was changed; `exit-interview purge` does it")
    return 1 if report.failed_ids else 0


# -- export ------------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx", "json")


def _add_export_command(commands) -> None:
    export = commands.add_parser(
        "export", help="all interviews as CSV, XLSX or JSON, one per row/object (see docs/export-format.md)",
        description="Export every interview: metadata, HR's decision and (for submitted interviews) the answers. "
                    "Dates are in the company's TIMEZONE; an interview counts on the day it was submitted, or, "
                    "when it was never submitted, the day it began.")
    export.add_argument("--format", choices=EXPORT_FORMATS, help="the file format (default: the --out file's suffix)")
    export.add_argument("--out", required=True, help="the file to write ('-': standard output)")
    export.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD",
                        help="only interviews that count on this day or later")
    export.add_argument("--to", dest="end", type=_iso_date, metavar="YYYY-MM-DD",
                        help="only interviews that count on this day or earlier")


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-31") from None


def _company_timezone():
    """TIMEZONE from the environment, else from .env in this folder, else Europe/Amsterdam."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _setting("TIMEZONE") or "Europe/Amsterdam"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE {name!r} is not a known time zone like Europe/Amsterdam") from None


def _export(args: argparse.Namespace) -> int:
    import io
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations.records import collect
    from bot.records import export

    kind = args.format or Path(args.out).suffix.lstrip(".").lower()
    if kind not in EXPORT_FORMATS:
        print(f"exit-interview: {args.out}: say --format {', '.join(EXPORT_FORMATS)}", file=sys.stderr)
        return 2
    if args.start and args.end and args.start > args.end:
        print("exit-interview: --from is after --to", file=sys.stderr)
        return 2
    tz = _company_timezone()
    database = _open_database()
    try:
        database.upgrade()
        interviews = collect(database, args.start, args.end, tz)
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    if kind == "xlsx":
        data = export.xlsx_bytes(interviews)
    else:
        text = io.StringIO(newline="")
        if kind == "csv":
            export.write_csv(interviews, text)
        else:
            export.write_json(interviews, datetime.now(UTC), text)
        data = text.getvalue().encode("utf-8")
    summary = f"exported {len(interviews)} interview(s) as {kind}"
    if args.out == "-":
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            stream.write(data)
        sys.stdout.flush()
        print(summary, file=sys.stderr)
        return 0
    target = Path(args.out)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        print(f"exit-interview: {args.out}: cannot be written: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"{summary} to {target}")
    return 0


# -- import ------------------------------------------------------------------------------------


def _add_import_command(commands) -> None:
    command = commands.add_parser(
        "import", help="register leavers from a CSV file (asks Slack; the running bot sends the invitations)")
    command.add_argument("file", help="CSV with a header row: employee, last working day[, manager, department, role]")
    command.add_argument("--as", dest="as_user", metavar="HR_USER_ID",
                         help="the HR member who registers them (default: the only member of HR_USER_IDS)")


def _import(args: argparse.Namespace) -> int:
    """Exit 0 when every row is registered or was already, 1 otherwise, 2 for a wrong --as."""
    settings = load_settings()
    hr_user_id = args.as_user or (next(iter(settings.hr_user_ids)) if len(settings.hr_user_ids) == 1 else None)
    if not hr_user_id:
        print("exit-interview: say who registers the leavers with --as HR_USER_ID (one of HR_USER_IDS)",
              file=sys.stderr)
        return 2
    try:
        data = Path(args.file).read_bytes()
    except FileNotFoundError:
        print(f"exit-interview: {args.file}: no such file", file=sys.stderr)
        return 1
    except IsADirectoryError:
        print(f"exit-interview: {args.file}: is a folder, not a CSV file", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"exit-interview: {args.file}: cannot be read: {error.strerror or error}", file=sys.stderr)
        return 1
    _configure_encryption(settings.database_url, settings.encryption_key)
    from slack_sdk.errors import SlackApiError, SlackClientError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.blocks import bulk as view
    from bot.i18n import Translator
    from bot.operations import bulk
    from bot.runtime import BotProcess

    # The bot's database, Slack client and directory, without its server or scheduler: the
    # invitations are in the database, and the running bot's sweep sends them when due.
    process = BotProcess(settings)
    try:
        process.db.upgrade()
        report = bulk.import_csv(process.services, data, hr_user_id, refresh_home=False)
        _ = Translator(process.services.directory.language(hr_user_id))
    except SlackApiError as error:
        print(f"exit-interview: Slack refused: {error.response.get('error')}", file=sys.stderr)
        return 1
    except SlackClientError as error:
        print(f"exit-interview: cannot reach Slack: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        process.db.dispose()
    if report.problem is not None and report.problem.key == "hr.only":
        print(f"exit-interview: {hr_user_id} is not in HR (HR_USER_IDS or HR_USERGROUP_ID)", file=sys.stderr)
        return 2
    print(view.summary_table(_, report))
    return 0 if report.ok else 1



# -- audit ---------------------------------------------------------------------------------------------


def _add_audit_command(commands) -> None:
    audit = commands.add_parser("audit", help="export the audit log (who did what with personal data) as CSV")
    audit.add_argument("--out", required=True, help="the CSV file to write ('-': standard output)")


def _audit(args: argparse.Namespace) -> int:
    import io

    from sqlalchemy.exc import SQLAlchemyError

    from bot.operations.loop import write_audit_csv

    database = _open_database()
    text = io.StringIO(newline="")
    try:
        database.upgrade()
        count = write_audit_csv(database, text)
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    summary = f"exported {count} audit entr{'y' if count == 1 else 'ies'}"
    if args.out == "-":
        sys.stdout.write(text.getvalue())
        sys.stdout.flush()
        print(summary, file=sys.stderr)
        return 0
    target = Path(args.out)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text.getvalue(), encoding="utf-8", newline="")
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        print(f"exit-interview: {args.out}: cannot be written: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"{summary} to {target}")
    return 0



# -- bench data ----------------------------------------------------------------------------------


def _add_bench_data_command(commands) -> None:
    bench = commands.add_parser(
        "bench-data", help="fill an empty database with synthetic departures and interviews (trying, benchmarks)")
    bench.add_argument("--interviews", type=int, required=True, metavar="N", help="submitted interviews to write")
    bench.add_argument("--months", type=int, default=24, metavar="M", help="spread over the last M months (24)")
    bench.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same data (1)")


def _bench_data(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot import bench_data

    if args.interviews < 1 or not 1 <= args.months <= 240:
        print("exit-interview: --interviews must be at least 1 and --months between 1 and 240", file=sys.stderr)
        return 2
    database = _open_database()
    try:
        database.upgrade()
        summary = bench_data.fill(database, interviews=args.interviews, months=args.months, seed=args.seed,
                                  tz=_setting("TIMEZONE") or "Europe/Amsterdam")
    except bench_data.NotEmpty:
        print("exit-interview: this database already holds departures; bench data goes into an empty one only",
              file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"exit-interview: database error: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"bench data written to {database.engine.url.render_as_string(hide_password=True)}")
    for line in summary.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
