"""`dbt-grounding lineage MODEL`: upstream and downstream nodes, or with --columns each column's source columns."""

from __future__ import annotations

import argparse
import sys

from dbt_grounding.cli.options import (
    CommandOutput, add_project_options, bind_request, non_negative_int, open_project,
)


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
    parser.set_defaults(run=run, telemetry_tool=_telemetry_tool)


def _telemetry_tool(args: argparse.Namespace) -> str | None:
    """Column lineage is a request of the project's telemetry (its answer is bound to the project's telemetry and
    role, as opening the project binds it); model lineage reads the graph alone and binds none, so its request would
    log no event: it is opened only for the span of a process tracing with OpenTelemetry (telemetry.otel), and
    otherwise spares a cold command importing telemetry (~40 ms)."""
    if args.columns or "opentelemetry.trace" in sys.modules:
        return "lineage"
    return None


def run(args: argparse.Namespace) -> CommandOutput:
    if args.columns:
        return _column_lineage(args)
    # the graph alone, compact: a fraction of the time and memory of reading the whole manifest
    from dbt_grounding.artifacts import load_indexed, locate_target_path
    from dbt_grounding.artifacts.compact_graph import CompactGraph
    from dbt_grounding.artifacts.ownership import check_same_project
    from dbt_grounding.lineage import model_lineage, render_json, render_mermaid, render_text

    target_path = locate_target_path(args.project_dir, args.target_path).path
    graph = load_indexed(target_path / "manifest.json", CompactGraph)  # its on-disk index when unchanged
    check_same_project(graph, args.project_dir, target_path, files=graph.project_files, remember_name=True)
    lineage = model_lineage(graph, args.model, direction=args.direction, depth=args.depth)
    render = {"text": render_text, "json": render_json, "mermaid": render_mermaid}[args.format]
    return CommandOutput(render(lineage), warnings=tuple(getattr(lineage, "warnings", ())))


def _column_lineage(args: argparse.Namespace) -> CommandOutput:
    """Every column traced, through the project; the answer is kept beside the artifacts (cli.kept_answers), so
    the next process asking it of unchanged artifacts prints it without importing the facade or sqlglot."""
    from dbt_grounding.artifacts import ManifestGraph, load_indexed, locate_target_path
    from dbt_grounding.artifacts.ownership import check_same_project
    from dbt_grounding.cli.kept_answers import KeptAnswer, keep_answer, recall_answer, stamps
    from dbt_grounding.telemetry import phase

    question = ("lineage --columns", args.model, args.format)
    target_path = locate_target_path(args.project_dir, args.target_path).path
    with phase("artifacts"):
        kept = recall_answer(question, target_path, args.project_dir)
        graph = load_indexed(target_path / "manifest.json", ManifestGraph) if kept is not None else None
    if kept is not None:
        check_same_project(graph, args.project_dir, target_path)  # as opening the project checks it
        bind_request(args, target_path, graph)
        return CommandOutput(kept.text, warnings=tuple(kept.warnings))
    from dbt_grounding.lineage import render_json, render_mermaid, render_text

    before = stamps(question, target_path, args.project_dir)
    with open_project(args) as project:
        lineage = project.column_lineage(args.model)
        invocation_id = project.manifest.metadata.invocation_id
        warnings = (*project.warnings, *lineage.warnings)
    render = {"text": render_text, "json": render_json, "mermaid": render_mermaid}[args.format]
    text = render(lineage)
    keep_answer(question, target_path, args.project_dir, before, KeptAnswer(text, list(warnings), invocation_id))
    return CommandOutput(text, warnings=warnings)
