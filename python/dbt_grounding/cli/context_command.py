"""`dbt-grounding context MODEL --key col=value`: the schema-checked context document of one record."""

from __future__ import annotations

import argparse

from dbt_grounding.cli.options import CommandOutput, add_project_options, add_role_option, open_project, positive_int
from dbt_grounding.errors import ExitCode, InvalidKeyError


def register(subparsers) -> None:
    parser = subparsers.add_parser("context", help="the context document of one record of a model")
    parser.add_argument("model", help="model, seed or snapshot name (or package.name), source_name.table_name, "
                                      "or unique_id")
    parser.add_argument("--key", action="append", default=[], metavar="COLUMN=VALUE", required=True,
                        help="a key column and its value; repeat for composite keys")
    parser.add_argument("--format", choices=("markdown", "json", "compact"), default="markdown",
                        help="markdown or json: the full document (audits); compact: the agents' form, column "
                             "meanings left to the mart's description")
    parser.add_argument("--max-tokens", type=positive_int, default=None,
                        help="trim low-priority sections until the document in --format fits (the record stays)")
    parser.add_argument("--list-tests", action="store_true",
                        help="list passing tests by name too (by default they are counted)")
    parser.add_argument("--allow-stale", action="store_true",
                        help="serve data past its freshness policy, with the staleness stated (exit code 1)")
    parser.add_argument("--allow-failed-tests", action="store_true",
                        help="serve data whose tests failed, with the failures stated (exit code 1)")
    parser.add_argument("--allow-unknown-build", action="store_true",
                        help="serve data whose last build is unknown (run_results.json missing or from compile/docs), "
                             "with that stated (exit code 1)")
    add_role_option(parser)
    add_project_options(parser)
    parser.set_defaults(run=run, telemetry_tool="context")


def parse_key(pairs: list[str]) -> dict[str, str]:
    """`--key` pairs as a key mapping. A column given twice (in any case) is an error, never last-one-wins."""
    key: dict[str, str] = {}
    for pair in pairs:
        column, separator, value = pair.partition("=")
        column = column.strip()
        if not separator or not column:
            raise InvalidKeyError(f"--key {pair!r} is not COLUMN=VALUE", hint="e.g. --key customer_id=42")
        earlier = next((given for given in key if given.lower() == column.lower()), None)
        if earlier is not None:
            raise InvalidKeyError(f"--key {column} is given twice ({earlier}={key[earlier]!r}, {column}={value!r})",
                                  hint="give each key column once", given=[earlier, column])
        key[column] = value
    return key


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.grounding.test_status import blocks_serving

    with open_project(args) as project:
        document = project.context(
            args.model, parse_key(args.key), max_tokens=args.max_tokens,
            on_stale="annotate" if args.allow_stale else "raise",
            on_failed_tests="annotate" if args.allow_failed_tests else "raise",
            on_unknown_build="annotate" if args.allow_unknown_build else "raise",
            form=args.format, include_passing_tests=args.list_tests,
        )
        build_unknown = project.build(args.model).unknown is not None
        warnings = tuple(project.warnings)
    text = document.render(args.format)
    served_with_findings = build_unknown or document.freshness.status == "stale" or any(
        blocks_serving(t.status) for t in document.tests
    )
    return CommandOutput(text, ExitCode.FINDINGS if served_with_findings else ExitCode.OK, warnings)
