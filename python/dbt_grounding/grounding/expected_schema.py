"""The schema a relation is expected to have: what its last build produced, with types.

The yml is documentation, not evidence: outside contracts it rarely types a column, often leaves columns out, and
sometimes documents columns the SQL never produced. What the build produced is known from, in order:

1. the contract, for models that enforce one (dbt fails the build otherwise: the contract is the schema);
2. catalog.json, when `dbt docs generate` ran at or after the node's last successful build;
3. the relation as first seen after that build, remembered beside the artifacts (`built_schema`);
4. the compiled SQL's projection (sqlglot): column names only, and the only evidence not taken from the relation
   itself, so it is also added to 3: a column the SQL produces but the relation lacks is drift even when the
   first look came after the drift;
5. the yml declaration, when nothing above is known (a source never introspected, say).

A documented column the build never produced is a documentation problem (`never_built`), not drift: no rebuild can
make it appear. Sources have no build of their own: they are judged as they were when the models reading them
were last built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dbt_grounding.artifacts import Node
from dbt_grounding.grounding import built_schema
from dbt_grounding.grounding.freshness import last_successful_build, parse_utc
from dbt_grounding.lineage import traced

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Artifacts, Source
    from dbt_grounding.lineage.resolver import ModelResolver

# where an expectation comes from, worded to follow "per the"
CONTRACT, CATALOG, REMEMBERED, FIRST_SEEN, COMPILED_SQL, YML = (
    "contract", "catalog.json", "schema remembered after the build", "schema first seen after the build",
    "compiled SQL", "yml")

# sqlglot names an unaliased expression `_col_0`, ...; the warehouse names it otherwise: not a name to expect
_GENERATED_NAME = re.compile(r"^_col_\d+$")


@dataclass(frozen=True)
class ExpectedSchema:
    """Attributes:
        columns: (name, type or None when only the name is known), in the relation's order where known.
        origin: where the expectation comes from (one of the constants above).
        extra_allowed: columns beyond `columns` are no drift (every relation but a contracted model's).
        never_built: columns the yml documents that the build never produced.
    """

    unique_id: str
    columns: tuple[tuple[str, str | None], ...]
    origin: str
    extra_allowed: bool = True
    never_built: tuple[str, ...] = ()

    def type_of(self, column: str) -> str | None:
        folded = column.casefold()
        return next((data_type for name, data_type in self.columns if name.casefold() == folded), None)


class ExpectedSchemas:
    """Expectations of one project's nodes and sources, from its artifacts and what was seen after their builds."""

    def __init__(self, artifacts: Artifacts, adapter: str) -> None:
        self.artifacts = artifacts
        self.adapter = adapter
        self._resolver: ModelResolver | None = None
        self._trace_key: tuple[str | None] | None = None
        # (unique_id, build) -> what was observed of that build: files are read once per process
        self._observed_cache: dict[tuple[str, datetime], tuple[list[tuple[str, str]] | None, str]] = {}

    def build_stamp(self, resource: Node | Source) -> datetime | None:
        """When the relation was last built: the node's last successful build; for a source, the newest build of
        the nodes reading it (the source as they saw it)."""
        record = self.artifacts.builds
        if isinstance(resource, Node):
            return last_successful_build(record, resource.unique_id)
        builds = [last_successful_build(record, child) for child in self.artifacts.manifest.children(resource.unique_id)]
        return max((built for built in builds if built is not None), default=None)

    def of(self, resource: Node | Source, live: list[tuple[str, str]] | None = None, *,
           read: list[str] = (), from_sql: bool = True) -> ExpectedSchema:
        """The expectation of `resource`'s relation.

        Args:
            resource: a model, seed, snapshot or source.
            live: the relation's columns as just introspected (readable), if it was; on the first look after a
                build they are remembered as what the build produced.
            read: columns downstream lineage reads from the relation (expected by name, whatever the build made).
            from_sql: also what compiled SQL says (the relation's projection, the columns its children read).
                False reads only the catalog and remembered looks: no SQL is parsed, which is most of the cost of
                an expectation on a cold lineage cache (~0.1 s per model; minutes for every relation upstream
                of the marts of a 5,000-model project).
        """
        declared = [(column.name, column.data_type) for column in resource.columns.values()]
        if isinstance(resource, Node) and resource.contract_enforced:
            return ExpectedSchema(resource.unique_id, tuple(declared), CONTRACT, extra_allowed=False)
        built = self.build_stamp(resource)
        observed, origin = self._observed(resource, built)
        if observed is None and live and built is not None:
            built_schema.remember(self.artifacts.target_path, resource.unique_id, built.isoformat(), live)
            self._observed_cache[(resource.unique_id, built)] = (list(live), REMEMBERED)
            observed, origin = list(live), FIRST_SEEN
        projected = self.projection(resource) if from_sql else None
        read = [*read, *self.read_by_children(resource)] if from_sql else list(read)
        if observed is None and projected is None:
            return ExpectedSchema(resource.unique_id, tuple(_with_names(declared, read)), YML)
        columns: list[tuple[str, str | None]] = list(observed or [])
        if origin != CATALOG:  # the catalog read the relation dbt built: nothing the SQL says can be more certain
            columns = _with_names(columns, projected or [])
        columns = _with_names(columns, read)  # read downstream: built once, so missing now is drift
        produced = {name.casefold() for name, _ in columns}
        never_built = tuple(name for name, _ in declared if name.casefold() not in produced)
        return ExpectedSchema(resource.unique_id, tuple(columns), origin if observed is not None else COMPILED_SQL,
                              never_built=never_built)

    def read_by_children(self, resource: Node | Source) -> list[str]:
        """The columns of `resource` the compiled SQL of the models built from it reads: a rename upstream that
        breaks them is drift on this relation, whatever this relation's own build produced."""
        return traced.kept(self.artifacts.target_path, self._key(), "read_by_children", resource.unique_id, list[str],
                           lambda: self._read_by_children(resource))

    def _read_by_children(self, resource: Node | Source) -> list[str]:
        read: list[str] = []
        for child in self.artifacts.manifest.children(resource.unique_id):
            node = self.artifacts.manifest.nodes.get(child)
            if node is None or node.resource_type not in ("model", "snapshot") or not node.compiled_code:
                continue
            for column in self._model_resolver().resolve(child).columns:
                read += [ref.column for ref in column.inputs if ref.unique_id == resource.unique_id]
        return read

    def _observed(self, resource: Node | Source, built: datetime | None) -> tuple[list[tuple[str, str]] | None, str]:
        """The relation's columns seen at or after its last build: catalog.json, else the remembered first look."""
        if built is None:
            return None, YML
        key = (resource.unique_id, built)
        if key not in self._observed_cache:
            self._observed_cache[key] = self._read_observed(resource, built)
        return self._observed_cache[key]

    def _read_observed(self, resource: Node | Source, built: datetime) -> tuple[list[tuple[str, str]] | None, str]:
        catalog = self.artifacts.catalog
        table = catalog.table(resource.unique_id) if catalog is not None else None
        if table is not None and table.columns and _not_before(catalog.metadata.generated_at, built):
            ordered = sorted(table.columns.values(), key=lambda column: column.index)
            return [(column.name, column.type) for column in ordered], CATALOG
        remembered = built_schema.recall(self.artifacts.target_path, resource.unique_id, built.isoformat())
        return (remembered, REMEMBERED) if remembered else (None, YML)

    def projection(self, resource: Node | Source) -> list[str] | None:
        """The column names the node's compiled SQL produces; None when they cannot all be known (no SQL, a Python
        model, a `select *` over columns not known)."""
        if not isinstance(resource, Node) or resource.resource_type not in ("model", "snapshot") or not resource.compiled_code:
            return None
        return traced.kept(self.artifacts.target_path, self._key(), "projection", resource.unique_id,
                           list[str] | None, lambda: self._projection(resource))

    def _projection(self, resource: Node) -> list[str] | None:
        resolved = self._model_resolver().resolve(resource.unique_id)
        if not resolved.columns or not resolved.complete or resolved.issues:
            return None
        names = [column.name for column in resolved.columns if not _GENERATED_NAME.match(column.name)]
        if resource.resource_type == "snapshot":
            from dbt_grounding.lineage.resolver import SNAPSHOT_META_COLUMNS

            names += [name for name in SNAPSHOT_META_COLUMNS[:4] if name not in names]
        return names

    def _key(self) -> str | None:
        """What answers from these artifacts' SQL are kept under beside them (lineage.traced): a later process
        serving the same build reads them back instead of parsing SQL."""
        if self._trace_key is None:
            self._trace_key = (traced.trace_key(self.artifacts.manifest, self.artifacts.target_path),)
        return self._trace_key[0]

    def _model_resolver(self) -> ModelResolver:
        if self._resolver is None:  # sqlglot is imported only when a projection is asked for
            from dbt_grounding.lineage.cache import LineageCache, default_cache_dir
            from dbt_grounding.lineage.dialect import dialect_for
            from dbt_grounding.lineage.resolver import ModelResolver

            self._resolver = ModelResolver(
                self.artifacts.manifest, dialect=dialect_for(self.adapter), catalog=self.artifacts.catalog,
                cache=LineageCache(default_cache_dir(self.artifacts.target_path)),
            )
        return self._resolver


def _with_names(columns: list[tuple[str, str | None]], names: list[str]) -> list[tuple[str, str | None]]:
    """`columns`, then each of `names` not among them (untyped), compared case-insensitively."""
    known = {name.casefold() for name, _ in columns}
    added = []
    for name in names:
        if name.casefold() not in known:
            known.add(name.casefold())
            added.append((name, None))
    return [*columns, *added]


def _not_before(generated_at: str, built: datetime) -> bool:
    try:
        return parse_utc(generated_at) >= built
    except ValueError:
        return False
