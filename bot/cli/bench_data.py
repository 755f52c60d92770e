"""`exit-interview bench-data`: synthetic departures and interviews in an empty database."""

from __future__ import annotations

import argparse
import sys

from bot.cli import _common, _spaces


def register(commands) -> None:
    bench = commands.add_parser(
        "bench-data", help="fill an empty database with synthetic departures and interviews (trying, benchmarks)")
    bench.add_argument("--interviews", type=int, required=True, metavar="N", help="submitted interviews to write")
    bench.add_argument("--months", type=int, default=24, metavar="M", help="spread over the last M months (24)")
    bench.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same data (1)")
    _spaces.add_options(bench)
    bench.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot import bench_data

    if args.interviews < 1 or not 1 <= args.months <= 240:
        print("exit-interview: --interviews must be at least 1 and --months between 1 and 240", file=sys.stderr)
        return 2
    try:
        with _spaces.opened(args) as database:
            summary = bench_data.fill(database, interviews=args.interviews, months=args.months, seed=args.seed,
                                      tz=_common.setting("TIMEZONE") or "Europe/Amsterdam")
    except bench_data.NotEmpty:
        print("exit-interview: this database already holds departures; bench data goes into an empty one only",
              file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        return _common.database_error(error)
    print(f"bench data written to {database.engine.url.render_as_string(hide_password=True)}")
    for line in summary.lines():
        print(line)
    return 0
