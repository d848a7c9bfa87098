"""`dbt-grounding lock`: write grounding.lock.json, or with --check compare the project with it."""

from __future__ import annotations

import argparse
from pathlib import Path

from dbt_grounding.checks.lock.names import LOCK_FILE
from dbt_grounding.cli.options import CommandOutput, add_project_options, open_project, path_arg
from dbt_grounding.checks.reporters import FORMATS
from dbt_grounding.errors import ExitCode


def register(subparsers) -> None:
    lock = subparsers.add_parser("lock", help=f"write {LOCK_FILE}: the grounding marts' interface, to commit")
    lock.add_argument("--check", action="store_true", help="compare with the lock instead of writing it (exit 1 on changes)")
    add_lock_option(lock)
    lock.add_argument("--format", choices=FORMATS, default="text", help="report format for --check")
    add_project_options(lock)
    lock.set_defaults(run=run)


def add_lock_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lock", type=path_arg, default=None, help=f"lock file (default: <project-dir>/{LOCK_FILE})")


def lock_path(args: argparse.Namespace) -> Path:
    return args.lock if args.lock is not None else args.project_dir / LOCK_FILE


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.checks.lock import build_lock, compare_lock, read_lock, write_lock

    path = lock_path(args)
    with open_project(args) as project:
        if args.check:
            from dbt_grounding import __version__
            from dbt_grounding.checks.reporters import render

            findings = sorted(compare_lock(read_lock(path), project), key=lambda f: f.sort_key())
            return CommandOutput(render(findings, args.format, skipped=[], tool_version=__version__),
                                 ExitCode.FINDINGS if findings else ExitCode.OK, tuple(project.warnings))
        lock = build_lock(project)
        warnings = tuple(project.warnings)
    write_lock(lock, path)
    return CommandOutput(f"wrote {path} ({len(lock.nodes)} nodes)", warnings=warnings)
