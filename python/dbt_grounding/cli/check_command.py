"""`dbt-grounding check`: the CI gate (checks.verdict: every check of checks.gate, then the lock's)."""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

from dbt_grounding.checks.reporters import FORMATS
from dbt_grounding.cli.lock_command import add_lock_option, lock_path
from dbt_grounding.cli.options import CommandOutput, add_project_options, open_project, path_arg
from dbt_grounding.errors import ConfigurationError, ExitCode


def register(subparsers) -> None:
    check = subparsers.add_parser("check", help="the CI gate: lock drift, schema drift, freshness, test status")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--output", type=path_arg, default=None, help="write the report here instead of stdout")
    check.add_argument("--select", nargs="+", default=None, metavar="MODEL", help="only these grounding marts")
    check.add_argument("--fail-on", choices=("error", "warn", "never"), default="error",
                       help="lowest severity that makes the exit code 1 (default: error)")
    add_lock_option(check)
    check.add_argument("--no-warehouse", action="store_true", help="artifacts only: skip the warehouse checks")
    add_project_options(check)
    check.set_defaults(run=run)


def _exit_code(findings, fail_on: str) -> ExitCode:
    levels = {"error": ("error",), "warn": ("error", "warn"), "never": ()}[fail_on]
    return ExitCode.FINDINGS if any(f.level.value in levels for f in findings) else ExitCode.OK


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding import __version__
    from dbt_grounding.checks.reporters import render
    from dbt_grounding.checks.verdict import gate_verdict

    with open_project(args) as project:
        # The artifacts just read live until the process ends, and they are millions of objects at 5,000 models:
        # moved out of the collector's sight, the gate's allocations no longer trigger full collections walking
        # them (a third of the gate's time at 500 models, more as the project grows).
        gc.freeze()
        verdict = gate_verdict(project, args.select, use_warehouse=not args.no_warehouse, lock_path=lock_path(args))
        warnings = tuple(project.warnings)
    report = render(verdict.findings, args.format, skipped=verdict.skipped, tool_version=__version__)
    return _written(report, args.output, _exit_code(verdict.findings, args.fail_on), warnings)


def _written(report: str, output: Path | None, code: ExitCode, warnings: tuple[str, ...]) -> CommandOutput:
    """The report on stdout, or in `output` (its missing folders created, as CI steps expect of a report path)."""
    if output is None:
        return CommandOutput(report, code, warnings)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report if report.endswith("\n") else report + "\n", encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write the report to {output}: {error.strerror or error}",
                                 hint="pass --output a file path in a writable folder", path=str(output)) from None
    return CommandOutput(f"wrote {output}", code, warnings)
