"""Lineage as text (a tree), JSON (sorted, stable) and Mermaid (`flowchart LR`), for models and for columns.

Every renderer is a pure function of the lineage value: same lineage, same bytes. Timing stats are never rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from dbt_grounding.lineage.graph import LineageNode, ModelLineage
from dbt_grounding.lineage.types import ColumnLineage, ColumnRef, ColumnTrace, LineageIssue

Lineage = ModelLineage | ColumnLineage


def render_text(lineage: Lineage) -> str:
    """A tree per direction (models) or per column (columns); a node met again is marked, not expanded again."""
    lines = _model_text(lineage) if isinstance(lineage, ModelLineage) else _column_text(lineage)
    return "\n".join(lines) + "\n"


def render_json(lineage: Lineage) -> str:
    """Indented JSON with sorted keys; lists keep the lineage's own (sorted or column) order."""
    if isinstance(lineage, ModelLineage):  # msgspec writes the same bytes as json.dumps below, ~10x faster: the
        # upstream of a deep mart at 5,000 models is 13,000 lines, a tenth of the cold command's budget in json
        return msgspec.json.format(msgspec.json.encode(_model_json(lineage), order="sorted"), indent=2).decode() + "\n"
    import json  # here: model lineage, the cold command, needs only msgspec

    return json.dumps(_column_json(lineage), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_mermaid(lineage: Lineage) -> str:
    """A Mermaid `flowchart LR`, data flowing left to right (sources on the left)."""
    lines = _model_mermaid(lineage) if isinstance(lineage, ModelLineage) else _column_mermaid(lineage)
    return "\n".join(lines) + "\n"


# -- text

def _model_text(lineage: ModelLineage) -> list[str]:
    parents: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    for parent, child in lineage.edges:
        parents.setdefault(child, []).append(parent)
        children.setdefault(parent, []).append(child)
    known = {node.unique_id: node for node in [*lineage.upstream, *lineage.downstream]}

    def label(node_id: str) -> str:
        node = known.get(node_id)
        return f"{node_id} [{node.resource_type}]" if node else node_id

    lines = [f"{lineage.unique_id} [{lineage.resource_type}]"]
    for title, nodes, following in (
        ("upstream", lineage.upstream, parents), ("downstream", lineage.downstream, children)
    ):
        if not nodes:
            continue
        lines.append(f"{title}:")
        lines += _tree(lineage.unique_id, lambda node_id, f=following: f.get(node_id, []), label, show_root=False)
    return lines


def _column_text(lineage: ColumnLineage) -> list[str]:
    lines = [f"{lineage.unique_id} (dialect: {lineage.dialect or 'generic'})"]
    for trace in lineage.columns.values():
        lines.append("")
        lines.append(trace.column + ("  (constant: reads no column)" if trace.constant else ""))
        if trace.sources:
            lines.append("  sources:")
            lines += [f"    {ref}" for ref in trace.sources]
        if trace.unresolved:
            lines.append("  unresolved:")
            lines += [f"    {ref}" for ref in trace.unresolved]
        if trace.issues:
            lines.append("  issues:")
            lines += [f"    {_issue_text(issue)}" for issue in trace.issues]
        if lineage.edges.get(ColumnRef(lineage.unique_id, trace.column)):
            lines.append("  lineage:")
            lines += [
                "    " + line for line in _tree(
                    ColumnRef(lineage.unique_id, trace.column),
                    lambda ref: lineage.edges.get(ref, []), str, show_root=True,
                )
            ]
        if trace.paths_truncated:
            lines.append(f"  ({len(trace.paths)} paths shown of more)")
    if lineage.warnings:
        lines += ["", "warnings:"] + [f"  - {warning}" for warning in lineage.warnings]
    return lines


def _issue_text(issue: LineageIssue) -> str:
    where = f"{issue.unique_id}.{issue.column}" if issue.column else issue.unique_id
    return f"[{issue.code}] {where}: {issue.message}"


def _tree(
    root: Any, children: Callable[[Any], Iterable[Any]], label: Callable[[Any], str], *, show_root: bool
) -> list[str]:
    """Box-drawn tree; a node already printed is shown once more with `(see above)` and not expanded again."""
    lines = [label(root)] if show_root else []
    seen = {root}

    def walk(node: Any, prefix: str) -> None:
        kids = list(children(node))
        for position, kid in enumerate(kids):
            last = position == len(kids) - 1
            again = kid in seen
            lines.append(f"{prefix}{'└── ' if last else '├── '}{label(kid)}{'  (see above)' if again else ''}")
            if not again:
                seen.add(kid)
                walk(kid, prefix + ("    " if last else "│   "))

    walk(root, "" if show_root else "  ")
    return lines


# -- JSON

def _model_json(lineage: ModelLineage) -> dict[str, Any]:
    def node(item: LineageNode) -> dict[str, Any]:
        return {"unique_id": item.unique_id, "resource_type": item.resource_type, "name": item.name,
                "depth": item.depth}

    return {
        "unique_id": lineage.unique_id,
        "resource_type": lineage.resource_type,
        "name": lineage.name,
        "depth_limit": lineage.depth,
        "upstream": [node(item) for item in lineage.upstream],
        "downstream": [node(item) for item in lineage.downstream],
        "edges": [{"parent": parent, "child": child} for parent, child in lineage.edges],
    }


def _ref_json(ref: ColumnRef) -> dict[str, str]:
    return {"unique_id": ref.unique_id, "column": ref.column}


def _issue_json(issue: LineageIssue) -> dict[str, Any]:
    return {"unique_id": issue.unique_id, "column": issue.column, "code": issue.code, "message": issue.message}


def _trace_json(trace: ColumnTrace) -> dict[str, Any]:
    return {
        "column": trace.column,
        "constant": trace.constant,
        "sources": [_ref_json(ref) for ref in trace.sources],
        "unresolved": [_ref_json(ref) for ref in trace.unresolved],
        "paths": [[_ref_json(ref) for ref in path] for path in trace.paths],
        "paths_truncated": trace.paths_truncated,
        "issues": [_issue_json(issue) for issue in trace.issues],
    }


def _column_json(lineage: ColumnLineage) -> dict[str, Any]:
    return {
        "unique_id": lineage.unique_id,
        "dialect": lineage.dialect,
        "columns": [_trace_json(trace) for trace in lineage.columns.values()],
        "edges": [
            {"column": _ref_json(ref), "inputs": [_ref_json(parent) for parent in parents]}
            for ref, parents in lineage.edges.items()
        ],
        "resource_types": lineage.resource_types,
        "warnings": lineage.warnings,
    }


# -- Mermaid

_CLASS_STYLES = {
    "source": "fill:#e8f5e9,stroke:#2e7d32",
    "seed": "fill:#f1f8e9,stroke:#558b2f",
    "model": "fill:#e3f2fd,stroke:#1565c0",
    "snapshot": "fill:#ede7f6,stroke:#4527a0",
    "exposure": "fill:#fff3e0,stroke:#ef6c00",
    "root": "stroke-width:3px",
    "unresolved": "stroke:#c62828,stroke-dasharray:4 3",
}


def _model_mermaid(lineage: ModelLineage) -> list[str]:
    nodes = {node.unique_id: node for node in [*lineage.upstream, *lineage.downstream]}
    ids = _mermaid_ids([lineage.unique_id, *nodes])
    lines = ["flowchart LR", f"  {ids[lineage.unique_id]}[\"{_label(lineage.name)}\"]"]
    classes: dict[str, list[str]] = {lineage.resource_type: [ids[lineage.unique_id]], "root": [ids[lineage.unique_id]]}
    for node_id in sorted(nodes):
        node = nodes[node_id]
        lines.append(f"  {ids[node_id]}[\"{_label(node.name)}\"]")
        classes.setdefault(node.resource_type, []).append(ids[node_id])
    lines += [f"  {ids[parent]} --> {ids[child]}" for parent, child in lineage.edges]
    return lines + _class_lines(classes)


def _column_mermaid(lineage: ColumnLineage) -> list[str]:
    refs = sorted({ref for ref in lineage.edges} | {ref for parents in lineage.edges.values() for ref in parents})
    by_node: dict[str, list[ColumnRef]] = {}
    for ref in refs:
        by_node.setdefault(ref.unique_id, []).append(ref)
    ids = _mermaid_ids([*by_node, *(str(ref) for ref in refs)])
    lines = ["flowchart LR"]
    classes: dict[str, list[str]] = {}
    for node_id, node_refs in by_node.items():
        resource_type = lineage.resource_types.get(node_id, "unknown")
        lines.append(f"  subgraph {ids[node_id]}[\"{_label(node_id)}\"]")
        lines += [f"    {ids[str(ref)]}[\"{_label(ref.column)}\"]" for ref in node_refs]
        lines.append("  end")
        classes.setdefault(resource_type, []).extend(ids[str(ref)] for ref in node_refs)
    lines += [
        f"  {ids[str(parent)]} --> {ids[str(ref)]}" for ref, parents in lineage.edges.items() for parent in parents
    ]
    unresolved = sorted({ref for trace in lineage.columns.values() for ref in trace.unresolved})
    if unresolved:
        classes["unresolved"] = [ids[str(ref)] for ref in unresolved]
    return lines + _class_lines(classes)


def _class_lines(classes: dict[str, list[str]]) -> list[str]:
    lines = []
    for name in sorted(classes):
        if name in _CLASS_STYLES:
            lines.append(f"  classDef {name} {_CLASS_STYLES[name]}")
            lines.append(f"  class {','.join(classes[name])} {name}")
    return lines


def _mermaid_ids(keys: Iterable[str]) -> dict[str, str]:
    """A valid, unique Mermaid id per key: letters, digits and `_` only, prefixed so that no id is a keyword
    (`end`, `graph`...); keys that collide once escaped get `_2`, `_3`... in sorted order."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for key in sorted(set(keys)):
        base = "n_" + re.sub(r"[^A-Za-z0-9]", "_", key)
        candidate, counter = base, 1
        while candidate in used:
            counter += 1
            candidate = f"{base}_{counter}"
        used.add(candidate)
        ids[key] = candidate
    return ids


def _label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: its entity codes for the characters that end or break one."""
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
        .replace("\n", " ")
    )
