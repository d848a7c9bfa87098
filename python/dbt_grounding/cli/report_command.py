"""`dbt-grounding report`: the last N days of the monitoring mart fct_grounding_daily as a terminal table, and with
`--html PATH` a static page with plots (latency, outcomes, cost, feedback over time) that opens offline."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from dbt_grounding.cli.options import CommandOutput, add_project_options, open_project, path_arg
from dbt_grounding.errors import ConfigurationError

MAX_DAYS = 366  # the longest window (monitoring.daily checks it again); here so `--help` imports no library


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="the monitoring report: the last N days of requests, latency, outcomes, cost and feedback",
        description="Reads fct_grounding_daily (the package's monitoring mart; `dbt build` it after serving) and "
                    "prints one line per UTC day.")
    parser.add_argument("--days", type=_days, default=14, help=f"how many days (1-{MAX_DAYS}, default 14)")
    parser.add_argument("--until", type=_day, default=None, metavar="YYYY-MM-DD",
                        help="the last day shown (default: the latest day with telemetry)")
    parser.add_argument("--html", type=path_arg, default=None, metavar="PATH",
                        help="also write the report as a static HTML page with plots here")
    add_project_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.monitoring import read_window, render_html, render_text

    with open_project(args) as project:
        window = read_window(project, args.days, args.until)
        warnings = tuple(project.warnings)
        name = project.manifest.metadata.project_name or ""
    text = render_text(window)
    if args.html is not None:
        _write(args.html, render_html(window, project_name=name))
        text += f"\nwrote {args.html}"
    return CommandOutput(text, warnings=warnings)


def _write(path: Path, page: str) -> None:
    from dbt_grounding.artifacts.state import atomic_write

    try:
        atomic_write(path, page.encode("utf-8"))
    except OSError as error:
        raise ConfigurationError(f"cannot write the report to {path}: {error.strerror or error}",
                                 hint="pass --html a file path in a writable folder", path=str(path)) from None


def _days(text: str) -> int:
    if not text.strip().isascii() or not text.strip().isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to {MAX_DAYS}")
    return int(text)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None
