"""The `dbt-grounding` command line: one module per command over the library. The only place that prints or exits.

Exit codes (errors.ExitCode): 0 ok; 1 findings (schema drift, stale data, failed tests); 2 usage or configuration;
3 dbt artifacts missing or unusable.
"""

from __future__ import annotations

import argparse
import sys

from dbt_grounding import __version__
from dbt_grounding.cli import check_command, context_command, lineage_command, models_command
from dbt_grounding.errors import ExitCode, GroundingError

COMMANDS = (check_command, context_command, lineage_command, models_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dbt-grounding",
        description="Lineage-aware, schema-checked context documents for AI agents, from a dbt project's artifacts.",
        epilog="Exit codes: 0 ok, 1 findings (drift, stale, failed tests), 2 usage or configuration, 3 artifacts.",
    )
    parser.add_argument("--version", action="version", version=f"dbt-grounding {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # usage errors exit 2, as argparse does
    try:
        output = args.run(args)
    except GroundingError as error:
        print(f"error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)
        return int(error.exit_code)
    for warning in getattr(args, "warnings_out", []):
        print(f"warning: {warning}", file=sys.stderr)
    sys.stdout.write(output.text if output.text.endswith("\n") else output.text + "\n")
    return int(output.exit_code)


def run() -> None:
    sys.exit(main())
