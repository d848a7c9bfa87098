"""`dbt-grounding models [NAME ...]`: the grounding marts (or the named nodes) with their key, freshness and test
status."""

from __future__ import annotations

import argparse
import json

from dbt_grounding.cli.options import CommandOutput, add_project_options, add_role_option, open_project


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="list the grounding marts with key, freshness and test status")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these nodes: model, seed or snapshot name, source_name.table_name, or unique_id")
    add_role_option(parser)
    add_project_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run, telemetry_tool="models")


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.mart_summary import summaries

    with open_project(args) as project:
        rows = [summary.as_dict() for summary in summaries(project, args.names)]
        warnings = tuple(project.warnings)
        role = project.role
    if args.format == "json":
        return CommandOutput(json.dumps(rows, indent=2, sort_keys=True), warnings=warnings)
    return CommandOutput(render_table(rows, role.name if role.access != "restricted" else None), warnings=warnings)


COLUMNS = (("model", "model"), ("key", "key_text"), ("freshness", "freshness"), ("build", "build"),
           ("last built", "last_built_at"),
           ("tests", "tests"), ("access", "access"))


def render_table(rows: list[dict], role: str | None = None) -> str:
    """The summaries as a table; `role`: the caller's role when it may not read every mart (said when none is
    listed, without telling whether any exist above it)."""
    if not rows:
        if role is not None:
            return (f"No grounding marts that role {role!r} may read. A mart is internal unless its "
                    "meta.grounding.access says otherwise: choose a role that may read it with --role or "
                    "DBT_GROUNDING_ROLE (built in: public, internal, restricted).")
        return "No models with a grounding spec or a key were found."
    cells = [[header for header, _ in COLUMNS]] + [[_cell(row[field]) for _, field in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return "-" if value is None else str(value)
