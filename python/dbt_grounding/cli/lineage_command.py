"""`dbt-grounding lineage MODEL`: upstream and downstream nodes, or with --columns each column's source columns."""

from __future__ import annotations

import argparse

from dbt_grounding.cli.options import CommandOutput, add_project_options, non_negative_int, open_project


def register(subparsers) -> None:
    parser = subparsers.add_parser("lineage", help="model or column lineage of a node")
    parser.add_argument("model", help="model, seed or snapshot name (or package.name), source_name.table_name, "
                                      "or unique_id")
    parser.add_argument("--columns", action="store_true", help="trace every column to its source columns")
    parser.add_argument("--direction", choices=("up", "down", "both"), default="both",
                        help="model lineage only (default: both)")
    parser.add_argument("--depth", type=non_negative_int, default=None,
                        help="model lineage only: hops to follow (0: the node alone; default: all)")
    parser.add_argument("--format", choices=("text", "json", "mermaid"), default="text")
    add_project_options(parser)
    parser.set_defaults(run=run, telemetry_tool="lineage")


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.lineage import render_json, render_mermaid, render_text

    warnings: tuple[str, ...] = ()
    if args.columns:
        with open_project(args) as project:
            lineage = project.column_lineage(args.model)
            warnings = tuple(project.warnings)
    else:  # the graph alone, compact: a fraction of the time and memory of reading the whole manifest
        from dbt_grounding.artifacts import load_indexed, locate_target_path
        from dbt_grounding.artifacts.compact_graph import CompactGraph
        from dbt_grounding.artifacts.ownership import check_same_project
        from dbt_grounding.lineage import model_lineage

        target_path = locate_target_path(args.project_dir, args.target_path).path
        graph = load_indexed(target_path / "manifest.json", CompactGraph)  # its on-disk index when unchanged
        check_same_project(graph, args.project_dir, target_path, files=graph.project_files, remember_name=True)
        lineage = model_lineage(graph, args.model, direction=args.direction, depth=args.depth)
    render = {"text": render_text, "json": render_json, "mermaid": render_mermaid}[args.format]
    return CommandOutput(render(lineage), warnings=(*warnings, *getattr(lineage, "warnings", ())))
