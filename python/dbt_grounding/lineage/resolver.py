"""Models resolved one hop at a time, parents first, with the on-disk cache in front of sqlglot.

A parent's own resolved output columns are the best schema for its child: they expand the child's `select *` and
place its unqualified columns exactly as the compiled SQL means, even where catalog.json is stale or absent and the
yml documents only some columns. catalog.json, then the yml, stand in for parents that have no SQL (sources, seeds)
or whose SQL could not be resolved.
"""

from __future__ import annotations

import re

from dbt_grounding.artifacts.catalog import Catalog
from dbt_grounding.artifacts.manifest import Manifest, Node, Source
from dbt_grounding.lineage.cache import LineageCache, cache_key
from dbt_grounding.lineage.relations import UNKNOWN_TYPE, RelationSchema, mapping_schema, relation_key
from dbt_grounding.lineage.sql_lineage import RelationNames, resolve_select
from dbt_grounding.lineage.types import ModelColumns

# Columns dbt adds to every snapshot: they come from no column of the snapshot's SELECT.
SNAPSHOT_META_COLUMNS = ("dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")

_PYTHON_MODEL = re.compile(r"^\s*def\s+model\s*\(", re.MULTILINE)


class ModelResolver:
    """Resolves models of one manifest, remembering each result for the life of the object.

    Attributes:
        parsed: unique_ids whose SQL sqlglot parsed during this object's life.
        from_cache: unique_ids read from the on-disk cache instead.
    """

    def __init__(
        self, manifest: Manifest, *, dialect: str | None, catalog: Catalog | None = None,
        cache: LineageCache | None = None,
    ) -> None:
        self._manifest = manifest
        self._dialect = dialect
        self._catalog = catalog
        self._cache = cache
        self._resolved: dict[str, ModelColumns] = {}
        self._schemas: dict[str, RelationSchema] = {}
        self._in_progress: set[str] = set()
        self.parsed: set[str] = set()
        self.from_cache: set[str] = set()

    def resolve(self, unique_id: str) -> ModelColumns:
        """The node's output columns, each with the parent-relation columns it reads."""
        resolved = self._resolved.get(unique_id)
        if resolved is not None:
            return resolved
        node = self._manifest.nodes.get(unique_id)
        if node is None:
            return ModelColumns.unreadable(
                unique_id, "unknown_relation", f"{unique_id} is not a node with SQL in the manifest"
            )
        if unique_id in self._in_progress:  # dbt forbids cycles; a hand-edited manifest could still hold one
            return ModelColumns.unreadable(unique_id, "cycle", f"{unique_id} depends on itself")
        self._in_progress.add(unique_id)
        try:
            resolved = self._resolve_node(node)
        finally:
            self._in_progress.discard(unique_id)
        self._resolved[unique_id] = resolved
        return resolved

    def relation_schema(self, unique_id: str) -> RelationSchema:
        """The columns a node's relation is known to have (its own SQL, else catalog.json, else the yml)."""
        schema = self._schemas.get(unique_id)
        if schema is None:
            schema = self._relation_schema(unique_id)
            self._schemas[unique_id] = schema
        return schema

    def _resolve_node(self, node: Node) -> ModelColumns:
        code = node.compiled_code
        if not code or not code.strip():
            return ModelColumns.unreadable(
                node.unique_id, "no_compiled_code",
                f"{node.unique_id} has no compiled SQL in manifest.json, so its columns cannot be traced "
                "(`dbt parse` leaves it out: run `dbt compile` or `dbt build`)",
            )
        if _PYTHON_MODEL.search(code):
            return ModelColumns.unreadable(
                node.unique_id, "python_model", f"{node.unique_id} is a Python model: it has no SQL"
            )
        parents, ephemerals = self._relations_read(node)
        schemas = [self.relation_schema(parent) for parent in parents]
        ephemeral_ctes = {
            f"__dbt__cte__{self._manifest.nodes[uid].name}".casefold(): uid for uid in ephemerals
        }
        key = cache_key(
            unique_id=node.unique_id, checksum=node.checksum.checksum, compiled_code=code,
            dialect=self._dialect, parents=schemas, ephemeral_ctes=ephemeral_ctes,
        )
        if self._cache is not None:
            cached = self._cache.get(key)
            if cached is not None:
                self.from_cache.add(node.unique_id)
                return cached
        resolved = resolve_select(
            node.unique_id, code, dialect=self._dialect,
            schema=mapping_schema(schemas, self._dialect),
            relations=RelationNames(
                by_key={schema.key: schema.unique_id for schema in schemas if schema.key},
                ephemeral_ctes=ephemeral_ctes,
                partial_columns={
                    schema.unique_id: frozenset(name.casefold() for name, _ in schema.columns)
                    for schema in schemas if schema.origin == "declared"
                },
            ),
        )
        self.parsed.add(node.unique_id)
        if self._cache is not None:
            self._cache.put(key, resolved)
        return resolved

    def _relations_read(self, node: Node) -> tuple[list[str], list[str]]:
        """The relations the compiled SQL names (parents, and the parents of ephemeral parents, whose SQL dbt
        inlined as CTEs), and those ephemeral parents."""
        relations: list[str] = []
        ephemerals: list[str] = []
        seen: set[str] = set()
        pending = list(self._manifest.parents(node.unique_id))
        while pending:
            parent = pending.pop(0)
            if parent in seen:
                continue
            seen.add(parent)
            parent_node = self._manifest.nodes.get(parent)
            if parent_node is not None and parent_node.config.materialized == "ephemeral":
                ephemerals.append(parent)
                pending.extend(self._manifest.parents(parent))
            else:
                relations.append(parent)
        return sorted(relations), sorted(ephemerals)

    def _relation_schema(self, unique_id: str) -> RelationSchema:
        resource = self._manifest.resource(unique_id)
        if not isinstance(resource, (Node, Source)):
            return RelationSchema(unique_id=unique_id, key=None)
        key = relation_key(resource.relation_name, self._dialect)
        types = self._known_types(resource)
        if isinstance(resource, Node) and resource.compiled_code:
            resolved = self.resolve(unique_id)
            if resolved.columns and resolved.complete and not resolved.issues:
                names = [column.name for column in resolved.columns]
                if resource.resource_type == "snapshot":
                    names += [name for name in SNAPSHOT_META_COLUMNS if name not in names]
                columns = [(name, types.get(name.casefold(), UNKNOWN_TYPE)) for name in names]
                return RelationSchema(unique_id=unique_id, key=key, columns=columns, origin="sql")
        table = self._catalog.table(unique_id) if self._catalog is not None else None
        if table is not None and table.columns:
            ordered = sorted(table.columns.values(), key=lambda column: column.index)
            columns = [(column.name, column.type) for column in ordered]
            return RelationSchema(unique_id=unique_id, key=key, columns=columns, origin="catalog")
        if resource.columns:
            columns = [(column.name, column.data_type or UNKNOWN_TYPE) for column in resource.columns.values()]
            enforced = isinstance(resource, Node) and resource.contract_enforced
            return RelationSchema(
                unique_id=unique_id, key=key, columns=columns, origin="contract" if enforced else "declared"
            )
        return RelationSchema(unique_id=unique_id, key=key)

    def _known_types(self, resource: Node | Source) -> dict[str, str]:
        """Column types by casefolded name: the warehouse's (catalog.json) over the yml's declared data_type."""
        types = {
            name.casefold(): column.data_type for name, column in resource.columns.items() if column.data_type
        }
        table = self._catalog.table(resource.unique_id) if self._catalog is not None else None
        if table is not None:
            types.update((name.casefold(), column.type) for name, column in table.columns.items())
        return types

