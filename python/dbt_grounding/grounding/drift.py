"""Schema drift: a relation in the warehouse that no longer has the schema its last build produced
(`expected_schema`), explained through column lineage down to the grounding mart columns it feeds.

A relation is judged from `Warehouse.inspect`: its columns, and whether it can be read at all (a DuckDB view whose
upstream lost a column still lists its old columns, and fails only when read). A missing relation is one drift,
not one per column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dbt_grounding.artifacts import Manifest, Node, Source
from dbt_grounding.errors import MissingRelationError, SchemaDriftError
from dbt_grounding.grounding.expected_schema import ExpectedSchema, ExpectedSchemas
from dbt_grounding.lineage.memory import Paths, paths_through
from dbt_grounding.warehouse import ColumnDifference, DifferenceKind, Warehouse, compare_columns
from dbt_grounding.warehouse.base import RelationState

RELATION_TYPES = ("model", "seed", "snapshot", "source")


@dataclass(frozen=True)
class NodeDrift:
    node: Node | Source
    relation: str
    differences: list[ColumnDifference]
    missing_relation: bool
    expected: ExpectedSchema | None = None


@dataclass(frozen=True)
class RelationCheck:
    """One relation judged: what was expected, what the warehouse said, and the drift (None when they agree)."""

    resource: Node | Source
    expected: ExpectedSchema
    state: RelationState
    drift: NodeDrift | None


@dataclass(frozen=True)
class Explanation:
    """What one drifted column (None: the whole relation) reaches: mart columns and lineage paths as text."""

    affected: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def relation_of(resource: Node | Source) -> tuple[str | None, str, str]:
    identifier = resource.identifier if isinstance(resource, Node) else (resource.identifier or resource.name)
    return (resource.database, resource.schema or "", identifier)


def unchecked_reason(resource: Node | Source | None) -> str | None:
    """Why a node upstream of a mart has no relation of its own to check; None when it has one."""
    if resource is None or resource.resource_type not in RELATION_TYPES:
        return "not a relation"
    if isinstance(resource, Node) and resource.config.materialized == "ephemeral":
        return "ephemeral: inlined into the models reading it"
    if isinstance(resource, Source) and external_location(resource):
        return "reads an external file (external_location), not a warehouse relation"
    return None


def relations_upstream(manifest: Manifest, upstream: list[str]) -> tuple[list[Node | Source], dict[str, str]]:
    """The relations among the `upstream` unique_ids (models, seeds, snapshots, sources), and the models and
    sources among them that have none (ephemeral models, external files), with the reason."""
    relations, without = [], {}
    for uid in upstream:
        resource = manifest.nodes.get(uid) or manifest.sources.get(uid)
        reason = unchecked_reason(resource)
        if reason is None:
            relations.append(resource)
        elif resource is not None and resource.resource_type in ("model", "source"):
            without[uid] = reason
    return relations, without


def external_location(source: Source) -> str | None:
    """dbt-duckdb's `external_location` (source or table meta/config): the source is a file read at query time."""
    config = source.config
    for location in (source.meta.get("external_location"), config.meta.get("external_location"), config.external_location):
        if location:
            return str(location)
    return None


def columns_on_paths(paths: Paths) -> dict[str, list[str]]:
    """unique_id -> its columns that the lineage paths pass through, in first-met order: the columns the marts'
    values are computed from, which every relation on the way must keep having."""
    found: dict[str, dict[str, str]] = {}
    for column_paths in paths.values():
        for path in column_paths:
            for uid, name in path:
                found.setdefault(uid, {}).setdefault(name.casefold(), name)
    return {uid: list(names.values()) for uid, names in found.items()}


def check_relation(warehouse: Warehouse, schemas: ExpectedSchemas, adapter: str, resource: Node | Source,
                   read: list[str] = (), *, probe: bool = True) -> RelationCheck:
    """Inspect the relation and judge it against its expected schema, plus the columns `read` by the lineage of
    the marts it feeds (`columns_on_paths`), which a rename upstream must not have taken away. `probe`: see
    `Warehouse.inspect` (`probe_downstream_of_drift` says which relations to probe)."""
    state = warehouse.inspect(relation_of(resource), probe=probe)
    readable = state.columns if state.columns is not None and not state.broken else None
    expected = schemas.of(resource, readable, read=read)
    name = resource.relation_name or ".".join(filter(None, relation_of(resource)))
    if state.columns is None:
        return RelationCheck(resource, expected, state, NodeDrift(resource, name, [], True, expected))
    differences = compare_columns(adapter, expected.columns, state.columns, extra_allowed=expected.extra_allowed)
    if state.broken:
        differences.append(ColumnDifference(state.broken_column or "*", DifferenceKind.UNREADABLE, None,
                                            " ".join(state.broken.split())))
    drift = NodeDrift(resource, name, differences, False, expected) if differences else None
    return RelationCheck(resource, expected, state, drift)


def probe_downstream_of_drift(warehouse: Warehouse, schemas: ExpectedSchemas, adapter: str,
                              checks: list[RelationCheck], upstream: Callable[[str], list[str]],
                              read: dict[str, list[str]]) -> list[RelationCheck]:
    """`checks` (made with `probe=False`) with those of the views downstream of a relation that drifted made again,
    views bound (`read`: the columns the marts' lineage reads from each relation, as for `check_relation`).

    A view breaks only when something it reads changed, and every relation it reads is checked by its listed
    columns too: so the first pass lists every relation without binding a view (binding a deep view stack costs
    DuckDB time exponential in its depth) and only the views downstream of a drift are bound again, to say which
    of them no longer read. A view reading a table the manifest does not know is not probed, nor one downstream only
    of a relation that no longer exists (it cannot read, and the missing relation is the one error to fix)."""
    drifted = {check.resource.unique_id for check in checks
               if check.drift is not None and not check.drift.missing_relation}
    if not drifted:
        return checks
    return [check_relation(warehouse, schemas, adapter, check.resource, read.get(check.resource.unique_id, []),
                           probe=True)
            if check.resource.resource_type == "model" and check.resource.config.materialized == "view"
            and drifted & set(upstream(check.resource.unique_id)) else check
            for check in checks]


def describe(difference: ColumnDifference) -> str:
    kind = difference.kind.value
    if kind == "missing":
        return f"{difference.column}: expected {difference.expected or 'a column'}, found nothing"
    if kind == "extra":
        return f"{difference.column}: not declared, found {difference.found}"
    if kind == "unreadable":
        return f"{difference.column}: the relation cannot be read ({difference.found})"
    return f"{difference.column}: expected {difference.expected}, found {difference.found}"


def explain(drift: NodeDrift, mart: Node, paths: Paths, label: Callable[[str], str]) -> dict[str | None, Explanation]:
    """Per drifted column (None for a missing relation): the mart's columns it feeds and the lineage paths, each
    path as text, mart column first (`fct.a <- int.b <- stg.c`)."""
    columns = [d.column for d in drift.differences]
    explained: dict[str | None, Explanation] = {}
    if drift.missing_relation:
        expected = [name for name, _ in drift.expected.columns] if drift.expected else []
        reached = {mart_column: hops for column in expected
                   for mart_column, hops in paths_through(paths, drift.node.unique_id, column).items()}
        explained[None] = _explanation(reached, label)
    for column in columns:
        found = _explanation(paths_through(paths, drift.node.unique_id, column), label)
        if drift.node.unique_id == mart.unique_id:  # the mart's own column: it is the column affected
            found = Explanation([column], found.paths)
        explained[column] = found
    return explained


def _explanation(reached: dict[str, list[list[tuple[str, str]]]], label: Callable[[str], str]) -> Explanation:
    hits = sorted((column, " <- ".join(f"{label(uid)}.{name}" for uid, name in path))
                  for column, column_paths in reached.items() for path in column_paths)
    return Explanation(sorted({column for column, _ in hits}), [text for _, text in hits])


def drift_error(mart: Node, drifts: list[NodeDrift], explanations: list[dict[str | None, Explanation]]) -> SchemaDriftError:
    """One SchemaDriftError listing every drifted relation and column, with the mart columns each one feeds.

    Args:
        explanations: `explain(drift, ...)` for each drift, in the same order.
    """
    lines: list[str] = []
    details: list[dict[str, Any]] = []
    for drift, explained in zip(drifts, explanations):
        if drift.missing_relation:
            why = explained.get(None, Explanation())
            lines.append(f"{drift.relation} does not exist in the warehouse ({drift.node.resource_type} "
                         f"{drift.node.name} never built, or dropped)" + _feeds(mart, drift, why))
            lines += [f"    lineage: {path}" for path in why.paths[:3]]
            details.append({"column": None, "kind": "missing_relation", "expected": None, "found": None,
                            "node": drift.node.unique_id, "relation": drift.relation, "affected": why.affected,
                            "lineage": why.paths})
        for difference in drift.differences:
            why = explained.get(difference.column, Explanation())
            lines.append(f"{drift.relation}.{describe(difference)}" + _feeds(mart, drift, why))
            lines += [f"    lineage: {path}" for path in why.paths[:3]]
            details.append({**difference.to_dict(), "node": drift.node.unique_id, "relation": drift.relation,
                            "affected": why.affected, "lineage": why.paths})
    missing = [d for d in drifts if d.missing_relation]
    select = " ".join(f"+{d.node.name}" if d.node.unique_id == mart.unique_id else d.node.name
                      for d in missing if d.node.resource_type != "source")
    message = f"schema drift behind {mart.name}:\n  " + "\n  ".join(lines)
    error_type = MissingRelationError if missing and all(d.missing_relation for d in drifts) else SchemaDriftError
    hint = (f"run `dbt build --select {select}`" if select else
            "restore the source relation the loader should have written" if missing else
            f"rebuild with `dbt build --select +{mart.name}`: a relation changed behind dbt's back no longer has "
            "the schema its build produced")
    return error_type(message, hint=hint, model=mart.name, relation=drifts[0].relation, differences=details,
                      **({"select": f"dbt build --select {select}"} if select else {}))


def _feeds(mart: Node, drift: NodeDrift, why: Explanation) -> str:
    if not why.affected or drift.node.unique_id == mart.unique_id:
        return ""
    return f" -> affects {mart.name}: {', '.join(why.affected)}"
