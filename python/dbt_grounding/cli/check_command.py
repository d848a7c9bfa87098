"""`dbt-grounding check`: the CI gate. `dbt-grounding lock`: write (or --check) grounding.lock.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from dbt_grounding import __version__
from dbt_grounding.cli.options import CommandOutput, add_project_options, open_project, path_arg
from dbt_grounding.errors import ConfigurationError, ExitCode

FORMATS = ("text", "json", "junit", "github", "sarif", "markdown")
LOCK_FILE = "grounding.lock.json"


def register(subparsers) -> None:
    check = subparsers.add_parser("check", help="the CI gate: lock drift, schema drift, freshness, test status")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--output", type=path_arg, default=None, help="write the report here instead of stdout")
    check.add_argument("--select", nargs="+", default=None, metavar="MODEL", help="only these grounding marts")
    check.add_argument("--fail-on", choices=("error", "warn", "never"), default="error",
                       help="lowest severity that makes the exit code 1 (default: error)")
    check.add_argument("--lock", type=path_arg, default=None, help=f"lock file (default: <project-dir>/{LOCK_FILE})")
    check.add_argument("--no-warehouse", action="store_true", help="artifacts only: skip the warehouse checks")
    add_project_options(check)
    check.set_defaults(run=run_check)

    lock = subparsers.add_parser("lock", help=f"write {LOCK_FILE}: the grounding marts' interface, to commit")
    lock.add_argument("--check", action="store_true", help="compare with the lock instead of writing it (exit 1 on changes)")
    lock.add_argument("--lock", type=path_arg, default=None, help=f"lock file (default: <project-dir>/{LOCK_FILE})")
    lock.add_argument("--format", choices=FORMATS, default="text", help="report format for --check")
    add_project_options(lock)
    lock.set_defaults(run=run_lock)


def _lock_path(args: argparse.Namespace) -> Path:
    return args.lock if args.lock is not None else args.project_dir / LOCK_FILE


def _exit_code(findings, fail_on: str) -> ExitCode:
    levels = {"error": ("error",), "warn": ("error", "warn"), "never": ()}[fail_on]
    return ExitCode.FINDINGS if any(f.level.value in levels for f in findings) else ExitCode.OK


def run_check(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.checks.reporters import render

    with open_project(args) as project:
        result = project.check(args.select, use_warehouse=not args.no_warehouse)
        findings, skipped = list(result.findings), list(result.skipped)
        lock_path = _lock_path(args)
        if lock_path.exists():
            from dbt_grounding.checks.lock import compare_lock, read_lock

            findings += compare_lock(read_lock(lock_path), project)
        else:
            skipped.append(f"interface drift against the lock: skipped, no {lock_path.name} (run `dbt-grounding lock`)")
    findings = sorted(set(findings), key=lambda f: f.sort_key())
    report = render(findings, args.format, skipped=skipped, tool_version=__version__)
    return _written(report, args.output, _exit_code(findings, args.fail_on))


def run_lock(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.checks.lock import build_lock, compare_lock, read_lock, write_lock

    lock_path = _lock_path(args)
    with open_project(args) as project:
        if args.check:
            from dbt_grounding.checks.reporters import render

            findings = sorted(compare_lock(read_lock(lock_path), project), key=lambda f: f.sort_key())
            return CommandOutput(render(findings, args.format, skipped=[], tool_version=__version__),
                                 ExitCode.FINDINGS if findings else ExitCode.OK)
        lock = build_lock(project)
    write_lock(lock, lock_path)
    return CommandOutput(f"wrote {lock_path} ({len(lock.get('nodes', {}))} nodes)")


def _written(report: str, output: Path | None, code: ExitCode) -> CommandOutput:
    """The report on stdout, or in `output` (its missing folders created, as CI steps expect of a report path)."""
    if output is None:
        return CommandOutput(report, code)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report if report.endswith("\n") else report + "\n", encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write the report to {output}: {error.strerror or error}",
                                 hint="pass --output a file path in a writable folder", path=str(output)) from None
    return CommandOutput(f"wrote {output}", code)
