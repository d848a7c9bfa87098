"""Column-level lineage across models: each column of a model traced hop by hop down to source and seed columns.

One hop is one model's compiled SQL resolved by sqlglot (`resolver`); the hops chain through the manifest: a column
of model M reads columns of M's parents, each of those is followed through its own model's SQL, and so on until a
source or seed column (or a node whose SQL cannot be read, which is reported, never raised).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from dbt_grounding.artifacts.catalog import Catalog
from dbt_grounding.artifacts.manifest import Manifest, Node, Source
from dbt_grounding.errors import UnknownNodeError
from dbt_grounding.lineage.cache import LineageCache
from dbt_grounding.lineage.dialect import dialect_for
from dbt_grounding.lineage.resolver import SNAPSHOT_META_COLUMNS, ModelResolver
from dbt_grounding.lineage.types import ColumnLineage, ColumnRef, ColumnTrace, LineageIssue, LineageStats

# Where tracing ends: their columns are the raw inputs of everything downstream.
TERMINAL_RESOURCE_TYPES = frozenset({"source", "seed"})

# Paths multiply at every diamond in the DAG; past this many per column the rest are dropped (and flagged).
MAX_PATHS_PER_COLUMN = 256


def column_lineage(
    manifest: Manifest,
    unique_id: str,
    *,
    catalog: Catalog | None = None,
    cache_dir: Path | None = None,
    columns: Sequence[str] | None = None,
) -> ColumnLineage:
    """Trace the columns of a model (or snapshot, seed, source) down to source and seed columns.

    Args:
        manifest: the loaded manifest.json; models need `compiled_code` (`dbt compile` or `dbt build`).
        unique_id: the node's unique_id, or a model name.
        catalog: catalog.json, if loaded: its column lists and types complete what the yml declares.
        cache_dir: folder of the on-disk cache (e.g. `default_cache_dir(target_path)`); None: no disk cache.
        columns: the columns to trace (case-insensitive); None: every output column.

    Returns:
        The lineage; SQL that cannot be read is reported in traces' `issues` and in `warnings`, never raised.

    Raises:
        UnknownNodeError: the manifest has no such node.
    """
    root = _root(manifest, unique_id)
    dialect = dialect_for(manifest.metadata.adapter_type)
    resolver = ModelResolver(
        manifest, dialect=dialect, catalog=catalog, cache=LineageCache(cache_dir) if cache_dir else None
    )
    tracer = _ColumnTracer(manifest, resolver)
    names = _output_columns(root, resolver)
    if columns is not None:
        names = _requested(names, columns)
    traces = {name: tracer.trace(ColumnRef(root.unique_id, name)) for name in names}
    edges = {ref: list(tracer.edges[ref]) for ref in sorted(tracer.edges)}
    resource_types = {
        ref.unique_id: _resource_type(manifest, ref.unique_id) for ref in edges
    }
    root_issues = resolver.resolve(root.unique_id).issues if isinstance(root, Node) else []
    warnings = sorted({
        issue.message
        for issue in [*root_issues, *(issue for trace in traces.values() for issue in trace.issues)]
        if issue.code in _NODE_LEVEL_CODES
    })
    if dialect is None:
        adapter = manifest.metadata.adapter_type
        warnings.insert(0, f"adapter {adapter!r} has no sqlglot dialect: its SQL is read as generic SQL")
    return ColumnLineage(
        unique_id=root.unique_id,
        dialect=dialect,
        columns=traces,
        edges=edges,
        resource_types=dict(sorted(resource_types.items())),
        warnings=warnings,
        stats=LineageStats(parsed=sorted(resolver.parsed), from_cache=sorted(resolver.from_cache)),
    )


def impact_index(lineage: ColumnLineage) -> dict[ColumnRef, list[str]]:
    """Inverse lineage: every column met (the traced ones included) -> the traced columns computed from it, in the
    node's column order. Build it once to answer many `affected_columns` questions."""
    order = {name: position for position, name in enumerate(lineage.columns)}
    index: dict[ColumnRef, set[str]] = {}
    for name, trace in lineage.columns.items():
        for ref in _reachable(lineage.edges, ColumnRef(lineage.unique_id, trace.column)):
            index.setdefault(ref, set()).add(name)
    return {ref: sorted(names, key=order.__getitem__) for ref, names in sorted(index.items())}


def affected_columns(
    lineage: ColumnLineage,
    changed: ColumnRef | tuple[str, str | None],
    *,
    index: dict[ColumnRef, list[str]] | None = None,
) -> list[str]:
    """The traced columns computed from a changed upstream column, in the node's column order.

    Args:
        lineage: column lineage of the node (e.g. a grounding mart).
        changed: (unique_id, column) of the changed column; column None means any column of that node
            (a dropped or renamed relation). Column names match case-insensitively.
        index: `impact_index(lineage)`, when the caller asks many questions of one lineage.
    """
    unique_id, column = (changed.unique_id, changed.column) if isinstance(changed, ColumnRef) else changed
    folded = column.casefold() if column is not None else None
    hit: set[str] = set()
    for ref, names in (index if index is not None else impact_index(lineage)).items():
        if ref.unique_id == unique_id and (folded is None or ref.column.casefold() == folded):
            hit.update(names)
    return [name for name in lineage.columns if name in hit]


_NODE_LEVEL_CODES = frozenset({"no_compiled_code", "python_model", "parse_error", "qualify_error", "not_a_query"})


class _ColumnTracer:
    """Follows columns hop by hop; every column met is expanded once and shared by all traced columns."""

    def __init__(self, manifest: Manifest, resolver: ModelResolver) -> None:
        self._manifest = manifest
        self._resolver = resolver
        self.edges: dict[ColumnRef, tuple[ColumnRef, ...]] = {}
        self.issues: dict[ColumnRef, tuple[LineageIssue, ...]] = {}

    def trace(self, start: ColumnRef) -> ColumnTrace:
        self._expand(start)
        reachable = _reachable(self.edges, start)
        leaves = [ref for ref in reachable if not self.edges[ref]]
        sources = sorted(
            ref for ref in leaves if _resource_type(self._manifest, ref.unique_id) in TERMINAL_RESOURCE_TYPES
        )
        terminal = set(sources)
        unresolved = sorted(ref for ref in leaves if ref not in terminal and self.issues.get(ref))
        issues = sorted({issue for ref in reachable for issue in self.issues.get(ref, ())})
        constant = not self.edges[start] and not sources and not unresolved
        paths, truncated = ([], False) if constant else _paths(self.edges, start, set(leaves))
        return ColumnTrace(
            column=start.column, sources=sources, unresolved=unresolved, paths=paths,
            paths_truncated=truncated, issues=issues, constant=constant,
        )

    def _expand(self, start: ColumnRef) -> None:
        pending = [start]
        while pending:
            ref = pending.pop()
            if ref in self.edges:
                continue
            inputs, issues = self._inputs(ref)
            self.edges[ref] = inputs
            if issues:
                self.issues[ref] = issues
            pending.extend(parent for parent in inputs if parent not in self.edges)

    def _inputs(self, ref: ColumnRef) -> tuple[tuple[ColumnRef, ...], tuple[LineageIssue, ...]]:
        """The columns `ref` is computed from, one hop up, and any problem finding them."""
        resource = self._manifest.resource(ref.unique_id)
        resource_type = getattr(resource, "resource_type", None)
        if resource_type in TERMINAL_RESOURCE_TYPES:
            return (), ()
        if not isinstance(resource, Node):
            return (), (LineageIssue(
                ref.unique_id, ref.column, "unknown_relation", f"{ref.unique_id} is no node with columns"
            ),)
        model = self._resolver.resolve(ref.unique_id)
        if model.issues:  # the whole model is unreadable: every column of it stops here
            return (), tuple(
                LineageIssue(issue.unique_id, ref.column, issue.code, issue.message) for issue in model.issues
            )
        column = model.column(ref.column)
        if column is not None:
            return tuple(column.inputs), tuple(column.issues)
        if resource_type == "snapshot" and ref.column.casefold() in SNAPSHOT_META_COLUMNS:
            return (), ()
        if model.passthrough:  # behind a `select *` over a relation of unknown columns: same name, one hop up
            return tuple(ColumnRef(parent, ref.column) for parent in model.passthrough), tuple(
                LineageIssue(ref.unique_id, ref.column, issue.code, issue.message)
                for issue in model.passthrough_issues)
        return (), (LineageIssue(
            ref.unique_id, ref.column, "unknown_column",
            f"{ref.unique_id} has no column {ref.column} in its compiled SQL",
        ),)


def _root(manifest: Manifest, unique_id: str) -> Node | Source:
    resource = manifest.nodes.get(unique_id) or manifest.sources.get(unique_id)
    if resource is not None:
        return resource
    if unique_id in manifest.exposures:
        raise UnknownNodeError(
            f"{unique_id} is an exposure: it has no columns", hint="trace the models it depends on",
            name=unique_id, suggestions=sorted(manifest.parents(unique_id)),
        )
    return manifest.find(unique_id)  # a name; raises UnknownNodeError with close matches


def _output_columns(root: Node | Source, resolver: ModelResolver) -> list[str]:
    if isinstance(root, Node) and root.resource_type not in TERMINAL_RESOURCE_TYPES:
        resolved = resolver.resolve(root.unique_id)
        if resolved.columns:
            return [column.name for column in resolved.columns]
    # No readable SQL (or a source or seed): the columns catalog.json or the yml know of.
    return [name for name, _ in resolver.relation_schema(root.unique_id).columns]


def _requested(names: list[str], requested: Iterable[str]) -> list[str]:
    """The requested columns, spelled as the node spells them; unknown ones kept, to be reported by tracing."""
    by_folded = {name.casefold(): name for name in reversed(names)}
    chosen = [name if name in names else by_folded.get(name.casefold(), name) for name in requested]
    return list(dict.fromkeys(chosen))


def _resource_type(manifest: Manifest, unique_id: str) -> str:
    resource = manifest.resource(unique_id)
    return resource.resource_type if resource is not None else "unknown"


def _reachable(edges: dict[ColumnRef, Sequence[ColumnRef]], start: ColumnRef) -> set[ColumnRef]:
    seen = {start}
    pending = [start]
    while pending:
        for parent in edges.get(pending.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return seen


def _paths(
    edges: dict[ColumnRef, Sequence[ColumnRef]], start: ColumnRef, ends: set[ColumnRef]
) -> tuple[list[list[ColumnRef]], bool]:
    """Every path from `start` to one of `ends`, depth first in sorted order, at most MAX_PATHS_PER_COLUMN."""
    paths: list[list[ColumnRef]] = []
    pending: list[list[ColumnRef]] = [[start]]
    while pending:
        path = pending.pop()
        last = path[-1]
        if last in ends:
            if len(paths) == MAX_PATHS_PER_COLUMN:
                return sorted(paths), True
            paths.append(path)
            continue
        on_path = set(path)
        pending.extend(
            [*path, parent] for parent in sorted(edges.get(last, ()), reverse=True) if parent not in on_path
        )
    return sorted(paths), False
