"""Schema drift: a relation in the warehouse that no longer matches what the manifest declares, explained through
column lineage down to the grounding mart columns it affects."""

from __future__ import annotations

from dataclasses import dataclass

from dbt_grounding.artifacts import Node
from dbt_grounding.errors import MissingRelationError, SchemaDriftError
from dbt_grounding.warehouse import ColumnDifference, Warehouse, compare_columns


@dataclass(frozen=True)
class NodeDrift:
    node: Node
    relation: str
    differences: list[ColumnDifference]
    missing_relation: bool


def node_drift(warehouse: Warehouse, adapter: str, node: Node) -> NodeDrift | None:
    """Differences between `node`'s declared columns and its relation in the warehouse; None when they agree.

    Extra columns in the warehouse are reported only for contracted models (where they break the contract)."""
    relation = (node.database, node.schema or "", node.identifier)
    found = warehouse.columns(relation)
    declared = [(column.name, column.data_type) for column in node.columns.values()]
    differences = [
        d for d in compare_columns(adapter, declared, found)
        if d.kind != "extra" or node.contract_enforced
    ]
    if found is not None and not differences:
        return None
    return NodeDrift(node, node.relation_name or ".".join(filter(None, relation)), differences, found is None)


def describe(difference: ColumnDifference) -> str:
    kind = difference.kind.value
    if kind == "missing":
        return f"{difference.column}: expected {difference.expected or 'a column'}, found nothing"
    if kind == "extra":
        return f"{difference.column}: not declared, found {difference.found}"
    return f"{difference.column}: expected {difference.expected}, found {difference.found}"


def drift_error(mart: Node, drifts: list[NodeDrift], affected: dict[tuple[str, str | None], list[str]],
                paths: dict[tuple[str, str | None], list[str]]) -> SchemaDriftError:
    """One SchemaDriftError listing every column of every drifted relation, with the mart columns it affects.

    Args:
        affected: (unique_id, column or None) -> names of the mart's columns computed from it.
        paths: (unique_id, column or None) -> lineage paths rendered as text (mart column first).
    """
    lines, details = [], []
    for drift in drifts:
        if drift.missing_relation:
            lines.append(f"{drift.relation} does not exist in the warehouse (model {drift.node.name} never built, or dropped)")
        for difference in drift.differences:
            if drift.missing_relation and difference.kind.value == "missing":
                continue
            ref = (drift.node.unique_id, difference.column)
            hit = affected.get(ref, [])
            lines.append(f"{drift.relation}.{describe(difference)}"
                         + (f" -> affects {mart.name}: {', '.join(hit)}" if hit and drift.node.unique_id != mart.unique_id else ""))
            for path in paths.get(ref, [])[:3]:
                lines.append(f"    lineage: {path}")
            details.append({**difference.to_dict(), "node": drift.node.unique_id, "relation": drift.relation,
                            "affected": hit, "lineage": paths.get(ref, [])})
    missing = [d for d in drifts if d.missing_relation]
    select = " ".join(f"+{d.node.name}" if d.node.unique_id == mart.unique_id else d.node.name for d in missing)
    message = f"schema drift behind {mart.name}:\n  " + "\n  ".join(lines)
    error_type = MissingRelationError if missing and all(d.missing_relation for d in drifts) else SchemaDriftError
    return error_type(
        message,
        hint=(f"run `dbt build --select {select}`" if missing else
              "rebuild with `dbt build --select +" + mart.name + "`, or update the model's yml to the new columns "
              "(and the agents' expectations with it)"),
        model=mart.name, relation=drifts[0].relation, differences=details,
        **({"select": f"dbt build --select {select}"} if missing else {}),
    )
