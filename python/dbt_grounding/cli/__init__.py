"""The `dbt-grounding` command line: one module per command over the library. The only place that prints or exits.

Exit codes (errors.ExitCode): 0 ok; 1 findings (schema drift, stale data, failed tests, warehouse unreachable);
2 usage or configuration; 3 dbt artifacts missing or unusable; 4 internal error (a bug: reported in one line, the
traceback with --debug or DBT_GROUNDING_DEBUG=1); 5 access denied (the caller's role may not read that mart);
130 interrupted. Every failure prints one `error:` line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from contextlib import nullcontext

from dbt_grounding.cli import (
    ask_command, check_command, context_command, eval_command, feedback_command, lineage_command, lock_command,
    models_command, publish_command, report_command, serve_command, tools_command, verify_command,
)
from dbt_grounding.errors import ExitCode, GroundingError

COMMANDS = (ask_command, check_command, lock_command, context_command, lineage_command, models_command,
            publish_command, serve_command, tools_command, verify_command, eval_command, report_command,
            feedback_command)
DEBUG_ENV = "DBT_GROUNDING_DEBUG"
EXIT_CODES = ("Exit codes: 0 ok, 1 findings (drift, stale, failed tests, warehouse unreachable), 2 usage or "
              "configuration, 3 artifacts, 4 internal error (a bug: please report it), 5 access denied to the "
              "caller's role, 130 interrupted.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dbt-grounding",
        description="Lineage-aware, schema-checked context documents for AI agents, from a dbt project's artifacts.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--debug", action="store_true", help=f"show the traceback of an internal error (or {DEBUG_ENV}=1)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    for subparser in subparsers.choices.values():  # `--debug` after the command too; SUPPRESS keeps the global one
        subparser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (never raises, never prints a traceback unless debugging)."""
    try:
        args = build_parser().parse_args(argv)  # usage errors: argparse prints `error:` and exits 2
    except SystemExit as exit_:  # --help, --version, usage errors: argparse has printed what to say
        return exit_.code if isinstance(exit_.code, int) else ExitCode.USAGE
    try:
        tool = getattr(args, "telemetry_tool", None)  # commands that serve: one telemetry request each
        with _telemetry_request(tool) if tool else nullcontext() as scope:
            output = args.run(args)
            if scope is not None:
                scope.serve_text(output.text)
        for warning in output.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if output.text:  # `serve` ends with nothing to say: its stdout was the protocol's
            _write_stdout(output.text if output.text.endswith("\n") else output.text + "\n")
    except GroundingError as error:
        print(f"error: {_one_line(error.message)}", file=sys.stderr)
        for note in error.notes:
            print(f"  note: {_one_line(note)}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {_one_line(error.hint)}", file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:  # `dbt-grounding ... | head`: the reader left; nothing more to say
        _silence_stdout()
        return int(ExitCode.OK)
    except Exception as error:  # noqa: BLE001 - a bug: one line for the user, the traceback on request
        return _internal_error(error, debug=args.debug or bool(os.environ.get(DEBUG_ENV)))
    return int(output.exit_code)


class _VersionAction(argparse.Action):
    """`--version`: argparse's own version action, with the version looked up only when asked for (reading the
    installed package's metadata costs more than the rest of `--help`)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from dbt_grounding import __version__

        print(f"dbt-grounding {__version__}")  # on stdout, as argparse's own version action prints it
        parser.exit()


def _telemetry_request(tool: str):
    from dbt_grounding.telemetry import request  # imported by the commands that serve, not by `--help`

    return request(tool, surface="cli")


def _internal_error(error: Exception, *, debug: bool) -> int:
    from dbt_grounding import __version__

    if debug:
        traceback.print_exception(error, file=sys.stderr)
    print(f"error: internal error in dbt-grounding {__version__}: {type(error).__name__}: "
          f"{_one_line(str(error))[:300]}", file=sys.stderr)
    print("  hint: this is a bug, please report it with the command you ran"
          + ("" if debug else f" and the traceback shown by re-running it with --debug ({DEBUG_ENV}=1)"),
          file=sys.stderr)
    return int(ExitCode.INTERNAL)


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def _write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()  # a closed pipe shows here, inside main's handlers, not at interpreter exit


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout at exit: let that write go nowhere
    except (OSError, ValueError):
        pass


def run() -> None:
    # The console script only (not main(), not the library): pydantic scans every installed distribution's entry
    # points for its plugins when the first model is built, ~10-25 ms of a cold `context`; a user's own setting wins
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
