"""The `dbt-grounding` command line: one module per command over the library. The only place that prints or exits.

Exit codes (errors.ExitCode): 0 ok; 1 findings (schema drift, stale data, failed tests, warehouse unreachable);
2 usage or configuration; 3 dbt artifacts missing or unusable; 4 internal error (a bug: reported in one line, the
traceback with --debug or DBT_GROUNDING_DEBUG=1); 5 access denied (the caller's role may not read that mart);
130 interrupted. Every failure prints one `error:` line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from contextlib import nullcontext

from dbt_grounding.errors import ExitCode, GroundingError

# Every command: its module (cli/<name>_command.py, one per command) and the one line `--help` lists. A process
# imports and registers in full only the command it runs: `--help` and each command no longer pay for building
# the other twelve parsers and importing their modules (~40 ms of every cold command). Each module's own
# `add_parser(help=...)` says the same (tests/cli/test_lazy_commands.py compares them).
COMMANDS = {
    "ask": "find the mart, columns and customer a question is about, or say why not",
    "check": "the CI gate: lock drift, schema drift, freshness, test status",
    "lock": "write grounding.lock.json: the grounding marts' interface, to commit",
    "context": "the context document of one record of a model",
    "lineage": "model or column lineage of a node",
    "models": "list the grounding marts with key, freshness and test status",
    "publish": "audit the last build with the gate, then publish its grounding marts to the serving store agents "
               "read (DuckDB)",
    "serve": "run an MCP server with the grounding tools (stdio, or --http)",
    "tools": "print the grounding tools as function-calling schemas (JSON)",
    "verify": "check an LLM's answer against the documents it was given",
    "eval": "score a golden dataset (no LLM) and audit production thresholds; `eval init MART` starts one",
    "report": "the monitoring report: the last N days of requests, latency, outcomes, cost and feedback",
    "feedback": "record a thumbs up or down on a served request or document",
}
DEBUG_ENV = "DBT_GROUNDING_DEBUG"
EXIT_CODES = ("Exit codes: 0 ok, 1 findings (drift, stale, failed tests, warehouse unreachable), 2 usage or "
              "configuration, 3 artifacts, 4 internal error (a bug: please report it), 5 access denied to the "
              "caller's role, 130 interrupted.")


def build_parser(full: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command in full, or only those named in `full` (main passes the command it
    runs, or none for `--help` and usage errors), the others by name and help alone."""
    parser = argparse.ArgumentParser(
        prog="dbt-grounding",
        description="Lineage-aware, schema-checked context documents for AI agents, from a dbt project's artifacts.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--debug", action="store_true", help=f"show the traceback of an internal error (or {DEBUG_ENV}=1)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_ in COMMANDS.items():
        if full is None or name in full:
            importlib.import_module(f"dbt_grounding.cli.{name}_command").register(subparsers)
        else:
            subparsers.add_parser(name, help=help_)
    for subparser in subparsers.choices.values():  # `--debug` after the command too; SUPPRESS keeps the global one
        subparser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (never raises, never prints a traceback unless debugging)."""
    try:
        # usage errors: argparse prints `error:` and exits 2
        args = build_parser(_command_named(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    except SystemExit as exit_:  # --help, --version, usage errors: argparse has printed what to say
        return exit_.code if isinstance(exit_.code, int) else ExitCode.USAGE
    try:
        tool = getattr(args, "telemetry_tool", None)  # commands that serve: one telemetry request each
        if callable(tool):  # a command that serves only some of its forms says which
            tool = tool(args)
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


def _command_named(argv: list[str]) -> tuple[str, ...]:
    """The command `argv` runs, as argparse will find it: the first argument that is not an option (the options
    before a command take no value), when it names a command; else none."""
    for argument in argv:
        if not argument.startswith("-"):
            return (argument,) if argument in COMMANDS else ()
    return ()


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
    import traceback

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
