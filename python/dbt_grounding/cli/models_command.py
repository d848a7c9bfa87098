"""`dbt-grounding models [NAME ...]`: the grounding marts (or the named nodes) with their key, freshness and test
status."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from dbt_grounding.cli.options import CommandOutput, add_project_options, open_project
from dbt_grounding.grounding.spec import describe_keys

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject


@dataclass(frozen=True)
class ModelSummary:
    """One line of `dbt-grounding models`: `key` is the preferred of `candidate_keys`, any of which looks a row up
    (`key_text` says so in one phrase: `customer_id or email`)."""

    model: str
    unique_id: str
    resource_type: str
    entity: str
    key: list[str]
    candidate_keys: list[list[str]]
    key_text: str
    declared: bool
    freshness: str
    build: str  # dbt's status of the mart's last build (success, error, skipped...), or "unknown"
    last_built_at: str | None
    tests: str
    access: str

    def as_dict(self) -> dict:
        return asdict(self)


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="list the grounding marts with key, freshness and test status")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these nodes: model, seed or snapshot name, source_name.table_name, or unique_id")
    add_project_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def summaries(project: GroundingProject, names: list[str] | None = None) -> list[ModelSummary]:
    """The grounding marts (or the nodes `names` names: models, seeds, snapshots, sources) with key, freshness
    (from the last build; the as-of column needs the warehouse), build status and test status of it and
    everything upstream, from the last build results (never compile or docs).

    Raises:
        UnknownNodeError: a name that names no node, or several.
    """
    found = []
    for node in [project.node(name) for name in names] if names else project.grounding_models():
        spec = project.spec(node.unique_id)
        built = project.freshness(node.unique_id)
        counts = Counter(outcome.status for outcome in project.tests(node.unique_id))
        found.append(ModelSummary(
            model=project.short_name(node.unique_id), unique_id=node.unique_id, resource_type=node.resource_type,
            entity=spec.entity, key=list(spec.key), candidate_keys=[list(k) for k in spec.candidate_keys],
            key_text=describe_keys(spec), declared=spec.declared, freshness=built.status,
            build=project.build(node.unique_id).status or "unknown",
            last_built_at=built.last_built_at.isoformat(timespec="seconds") if built.last_built_at else None,
            tests=", ".join(f"{counts[s]} {s}" for s in sorted(counts)) or "none", access=spec.access,
        ))
    return found


def run(args: argparse.Namespace) -> CommandOutput:
    rows = [summary.as_dict() for summary in summaries(open_project(args), args.names)]
    if args.format == "json":
        return CommandOutput(json.dumps(rows, indent=2, sort_keys=True))
    return CommandOutput(render_table(rows))


COLUMNS = (("model", "model"), ("key", "key_text"), ("freshness", "freshness"), ("build", "build"),
           ("last built", "last_built_at"),
           ("tests", "tests"), ("access", "access"))


def render_table(rows: list[dict]) -> str:
    if not rows:
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
