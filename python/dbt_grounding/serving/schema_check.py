"""The schema check before a document is served: the mart's relation and every relation upstream of it, down to
the sources, compared with the schema their last build produced (grounding.expected_schema), so a drift anywhere is
refused with the column that broke and the mart columns it feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbt_grounding.grounding.drift import (
    NodeDrift, RelationCheck, check_relation, columns_on_paths, drift_error, explain, probe_downstream_of_drift,
    relation_of, relations_upstream,
)

from dbt_grounding.serving.kept_checks import keep_pass, recall_pass, stamps
from dbt_grounding.warehouse.relation import RelationState

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Node, Source
    from dbt_grounding.errors import SchemaDriftError
    from dbt_grounding.grounding.expected_schema import ExpectedSchemas
    from dbt_grounding.lineage.project_lineage import ProjectLineage
    from dbt_grounding.warehouse import Warehouse


class SchemaChecker:
    """Relations checked before serving. A relation that matched is not asked again while the warehouse says
    nothing can have changed (`Warehouse.unchanged_since`: DuckDB while this process holds its read-only
    connection, which keeps writers out; PostgreSQL and Spark never promise it: other sessions may alter a relation
    at any time)."""

    def __init__(self, schemas: ExpectedSchemas, lineage: ProjectLineage) -> None:
        self.schemas = schemas
        self.lineage = lineage
        # (unique_id, columns read) -> (warehouse.unchanged_since, the check): relations that matched. The columns
        # read are in the key, not only compared: a relation upstream of several marts is read for other columns by
        # each, and one entry per relation made marts asked in turn evict each other's match (every ask re-checked)
        self._matched: dict[tuple[str, tuple[str, ...]], tuple[int, RelationCheck]] = {}
        # unique_id -> (its lineage paths, the columns they read): worked out once per paths object, not per document
        self._read: dict[str, tuple[object, dict[str, list[str]]]] = {}
        # one-shot processes (the CLI) turn this on: a pass is kept on disk for the next process (kept_checks)
        self.keep_passes = False

    def check(self, warehouse: Warehouse, node: Node | Source, *, upstream: bool = True) -> RelationCheck:
        """The node's relation (and with `upstream`, every relation upstream of it down to the sources) against the
        schema its last build produced.

        Returns:
            The node's own check (its live columns, its expected schema).

        Raises:
            SchemaDriftError: columns missing, retyped, unreadable or (contracted models) added, each named with
                the relation, the node's columns it feeds and the lineage path to them.
            MissingRelationError: a relation does not exist; the hint says which `dbt build --select` fixes it.
        """
        resources: list[Node | Source] = [node]
        if upstream:
            resources += relations_upstream(self.lineage.manifest, self.lineage.upstream(node.unique_id))[0]
        read = self._columns_read(node.unique_id)
        adapter, target_path = self.schemas.adapter, self.schemas.artifacts.target_path
        with warehouse.session():
            before = None
            if self.keep_passes and warehouse.local_files:
                # stamped once connected: DuckDB's lock keeps writers out until the caller's session ends, so the
                # rows fetched after a kept pass come from the warehouse as stamped
                warehouse.hold_open()
                before = stamps(target_path, warehouse, resources, read, upstream)
            kept = recall_pass(target_path, node.unique_id, upstream, before)
            if kept is not None:  # judged exactly so by an earlier process: the mart's check as it made it
                return RelationCheck(node, self.schemas.of(node, kept, read=read.get(node.unique_id, [])),
                                     RelationState(kept), None)
            listed = [self._relation(warehouse, resource, read.get(resource.unique_id, [])) for resource in resources]
            checks = probe_downstream_of_drift(warehouse, self.schemas, adapter, listed, self.lineage.upstream, read)
            after = stamps(target_path, warehouse, resources, read, upstream) if before is not None else None
        drifts = [check.drift for check in checks if check.drift is not None]
        if drifts:
            raise self.explained_drift(node, drifts)
        if checks[0].state.columns is not None:
            keep_pass(target_path, node.unique_id, upstream, before, after, checks[0].state.columns)
        return checks[0]

    def _columns_read(self, unique_id: str) -> dict[str, list[str]]:
        paths = self.lineage.traced_paths(unique_id)
        kept = self._read.get(unique_id)
        if kept is None or kept[0] is not paths:
            kept = self._read[unique_id] = (paths, columns_on_paths(paths))
        return kept[1]

    def unchecked(self, warehouse: Warehouse, node: Node | Source) -> RelationCheck:
        """The node's relation as it is, judged against nothing (serving with the schema check turned off)."""
        return RelationCheck(node, self.schemas.of(node), warehouse.inspect(relation_of(node)), None)

    def explained_drift(self, mart: Node | Source, drifts: list[NodeDrift]) -> SchemaDriftError:
        """The drift error of `mart`, each drifted column named with the mart columns it feeds and the paths."""
        paths = self.lineage.traced_paths(mart.unique_id)
        return drift_error(mart, drifts, [explain(drift, mart, paths, self.lineage.short_name) for drift in drifts])

    def _relation(self, warehouse: Warehouse, resource: Node | Source, read: list[str]) -> RelationCheck:
        since, entry = warehouse.unchanged_since, (resource.unique_id, tuple(read))
        cached = self._matched.get(entry)
        if cached is not None and since is not None and cached[0] == since:
            return cached[1]
        check = check_relation(warehouse, self.schemas, self.schemas.adapter, resource, read, probe=False)
        if check.drift is None and since is not None:
            self._matched[entry] = (since, check)
        return check
