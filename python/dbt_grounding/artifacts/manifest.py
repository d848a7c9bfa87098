"""manifest.json: nodes, sources, exposures and the lineage maps, holding only the fields dbt-grounding uses."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import msgspec

from dbt_grounding.artifacts._decode import ArtifactMetadata, decode, read_bytes, schema_version
from dbt_grounding.errors import ArtifactError, UnknownNodeError

# dbt 1.6 wrote v10, 1.7 v11, 1.8 to 1.11 v12.
SUPPORTED_MANIFEST_VERSIONS = range(10, 13)
PRODUCED_BY = "dbt build"
# The nodes `context`, `models` and `lineage` accept by name: they are relations with rows and columns.
SERVED_RESOURCE_TYPES = ("model", "seed", "snapshot", "source")


class Constraint(msgspec.Struct, frozen=True):
    type: str
    columns: list[str] = []
    expression: str | None = None


class ColumnConfig(msgspec.Struct, frozen=True):
    meta: dict[str, Any] = {}


class Column(msgspec.Struct, frozen=True):
    name: str
    description: str = ""
    data_type: str | None = None
    meta: dict[str, Any] = {}
    config: ColumnConfig | None = None
    constraints: list[Constraint] = []

    @property
    def merged_meta(self) -> dict[str, Any]:
        """Column meta from both places dbt keeps it (top-level meta, and config.meta since 1.10)."""
        return {**self.meta, **(self.config.meta if self.config else {})}


class Contract(msgspec.Struct, frozen=True):
    enforced: bool = False


class NodeConfig(msgspec.Struct, frozen=True):
    enabled: bool = True
    materialized: str | None = None
    meta: dict[str, Any] = {}
    contract: Contract | None = None
    severity: str | None = None
    unique_key: Any = None  # incremental models and snapshots: a column name or a list of them (checked in spec)
    where: str | None = None  # a test's filter: a unique test with one holds for some rows only


class DependsOn(msgspec.Struct, frozen=True):
    nodes: list[str] = []  # `macros` is left out: nothing reads it, and every test carries a few (decode time)


class Checksum(msgspec.Struct, frozen=True):
    name: str = ""
    checksum: str = ""


class TestMetadata(msgspec.Struct, frozen=True):
    name: str = ""
    namespace: str | None = None
    kwargs: dict[str, Any] = {}


class Node(msgspec.Struct, frozen=True):
    """A model, seed, snapshot, test, analysis or operation."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str = ""
    database: str | None = None
    schema: str | None = None
    alias: str | None = None
    relation_name: str | None = None
    description: str = ""
    original_file_path: str = ""
    fqn: list[str] = []  # package, folders, name: the layer a model sits in (checks.scope)
    columns: dict[str, Column] = {}
    config: NodeConfig = NodeConfig()
    meta: dict[str, Any] = {}
    tags: list[str] = []
    depends_on: DependsOn = DependsOn()
    compiled_code: str | None = None
    checksum: Checksum = Checksum()
    constraints: list[Constraint] = []
    primary_key: list[str] = []  # dbt >= 1.9 infers it from constraints and tests
    test_metadata: TestMetadata | None = None
    attached_node: str | None = None
    column_name: str | None = None

    @property
    def merged_meta(self) -> dict[str, Any]:
        return {**self.meta, **self.config.meta}

    @property
    def identifier(self) -> str:
        return self.alias or self.name

    @property
    def contract_enforced(self) -> bool:
        return bool(self.config.contract and self.config.contract.enforced)


class FreshnessThreshold(msgspec.Struct, frozen=True):
    count: int | None = None
    period: str | None = None


class SourceFreshness(msgspec.Struct, frozen=True):
    warn_after: FreshnessThreshold | None = None
    error_after: FreshnessThreshold | None = None


class SourceConfig(msgspec.Struct, frozen=True):
    meta: dict[str, Any] = {}
    external_location: str | None = None  # dbt-duckdb: the source is a file read at query time


class Source(msgspec.Struct, frozen=True):
    unique_id: str
    name: str
    source_name: str
    resource_type: str = "source"
    package_name: str = ""
    database: str | None = None
    schema: str | None = None
    identifier: str | None = None
    relation_name: str | None = None
    description: str = ""
    columns: dict[str, Column] = {}
    meta: dict[str, Any] = {}
    loaded_at_field: str | None = None
    freshness: SourceFreshness | None = None
    config: SourceConfig = SourceConfig()
    original_file_path: str = ""

    # The Node properties the serving path reads, so a source is served like a model.
    @property
    def merged_meta(self) -> dict[str, Any]:
        return {**self.meta, **self.config.meta}

    @property
    def contract_enforced(self) -> bool:
        return False


class ExposureOwner(msgspec.Struct, frozen=True):
    name: str | None = None
    email: str | None = None


class Exposure(msgspec.Struct, frozen=True):
    unique_id: str
    name: str
    type: str = ""
    resource_type: str = "exposure"
    description: str = ""
    owner: ExposureOwner | None = None
    depends_on: DependsOn = DependsOn()
    meta: dict[str, Any] = {}


class ManifestMetadata(ArtifactMetadata, frozen=True):
    adapter_type: str | None = None
    project_name: str | None = None


class _ManifestGraphMethods(msgspec.Struct, frozen=True, dict=True):  # dict=True: room for the cached test index
    """Graph questions both manifest readings answer (their fields are declared by the subclasses)."""

    def resource(self, unique_id: str) -> Node | Source | Exposure | None:
        return self.nodes.get(unique_id) or self.sources.get(unique_id) or self.exposures.get(unique_id)

    def model(self, name_or_id: str) -> Node:
        """The model named `name_or_id` (a name, `package.name`, or unique_id).

        Raises:
            UnknownNodeError: no such model, or several; details carry close matches or the candidates.
        """
        return self.find(name_or_id, resource_types=("model",))  # type: ignore[return-value]

    def find(self, name_or_id: str, resource_types: tuple[str, ...] = SERVED_RESOURCE_TYPES) -> Node | Source:
        """The node of one of `resource_types` that `name_or_id` names: its unique_id; a model's, seed's or
        snapshot's name or `package.name`; a source's `source_name.table_name` or `package.source_name.table_name`.

        Raises:
            UnknownNodeError: no such node (details carry close matches), or several (details carry them all).
        """
        node = self.nodes.get(name_or_id) or self.sources.get(name_or_id)
        if node is not None and node.resource_type in resource_types:
            return node
        candidates = self._by_name.get(name_or_id, ()) if set(resource_types) <= set(SERVED_RESOURCE_TYPES) \
            else [n for n in self._named(resource_types) if name_or_id in _names_of(n)]
        matches = sorted((n for n in candidates if n.resource_type in resource_types), key=lambda n: n.unique_id)
        if len(matches) == 1:
            return matches[0]
        kinds = _kinds(resource_types)
        if matches:
            found = [m.unique_id for m in matches]
            raise UnknownNodeError(
                f"{kinds} name {name_or_id!r} is ambiguous: {', '.join(found)}",
                hint="qualify it with its package (package.name) or give the unique_id",
                name=name_or_id, suggestions=found,
            )
        import difflib

        known = sorted({_names_of(n)[0] for n in self._named(resource_types)})
        same_table = [name for name in known if name.rsplit(".", 1)[-1] == name_or_id]  # a source's bare name
        suggestions = [*same_table, *difflib.get_close_matches(name_or_id, known, n=3)][:3]
        raise UnknownNodeError(
            f"no {kinds} named {name_or_id!r} in the manifest",
            hint=(f"did you mean {', '.join(suggestions)}?" if suggestions else "list them with `dbt-grounding models`")
            + " Name a source as source_name.table_name. If the node is new, re-run `dbt build` to refresh "
              "target/manifest.json.",
            name=name_or_id, suggestions=suggestions,
        )

    @functools.cached_property
    def _by_name(self) -> dict[str, list]:
        """name -> the served nodes answering to it (`_names_of`). Built once: `check --select` with many models
        (or the gate of a project checking every keyed model) asked once per name, and a scan per name was
        quadratic in models."""
        index: dict[str, list] = {}
        for node in self._named(SERVED_RESOURCE_TYPES):
            for name in _names_of(node):
                index.setdefault(name, []).append(node)
        return index

    def _named(self, resource_types: tuple[str, ...]):
        nodes = (n for n in self.nodes.values() if n.resource_type in resource_types)
        sources = self.sources.values() if "source" in resource_types else ()
        return [*nodes, *sources]

    def tests_on(self, unique_id: str) -> list[Node]:
        """Data tests attached to (or depending on) the node, sorted by unique_id."""
        return list(self._tests_by_node.get(unique_id, ()))

    @functools.cached_property
    def _tests_by_node(self) -> dict[str, list[Node]]:
        """node -> its tests: a test counts for its `attached_node`, or when it has none (a singular test) for every
        node it depends on. Built once: the gate asks per mart and per upstream node (at 5,000 models a scan of
        every node per call was 93% of `check --no-warehouse`)."""
        index: dict[str, list[Node]] = {}
        for node in self.nodes.values():
            if node.resource_type != "test":
                continue
            on = [node.attached_node] if node.attached_node is not None else dict.fromkeys(node.depends_on.nodes)
            for unique_id in on:
                index.setdefault(unique_id, []).append(node)
        for tests in index.values():
            tests.sort(key=lambda n: n.unique_id)
        return index

    def knows(self, unique_id: str) -> bool:
        """In the manifest's parent_map or child_map (metrics, semantic models... are only there)."""
        return unique_id in (self.parent_map or {}) or unique_id in (self.child_map or {})

    def parents(self, unique_id: str) -> list[str]:
        if self.parent_map is not None:
            return self.parent_map.get(unique_id, [])
        resource = self.resource(unique_id)
        return list(getattr(resource, "depends_on", DependsOn()).nodes) if resource else []

    def children(self, unique_id: str) -> list[str]:
        if self.child_map is not None:
            return self.child_map.get(unique_id, [])
        return sorted(
            uid for uid, res in [*self.nodes.items(), *self.exposures.items()]
            if unique_id in getattr(res, "depends_on", DependsOn()).nodes
        )




def _names_of(node) -> tuple[str, ...]:
    """The names a node answers to, the shortest (the one suggested) first."""
    if node.resource_type == "source":
        own = f"{node.source_name}.{node.name}"
    else:
        own = node.name
    return (own, f"{node.package_name}.{own}") if node.package_name else (own,)


def _kinds(resource_types: tuple[str, ...]) -> str:
    names = list(resource_types)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


class Manifest(_ManifestGraphMethods, frozen=True):
    """manifest.json with the fields dbt-grounding uses."""

    metadata: ManifestMetadata
    nodes: dict[str, Node] = {}
    sources: dict[str, Source] = {}
    exposures: dict[str, Exposure] = {}
    parent_map: dict[str, list[str]] | None = None
    child_map: dict[str, list[str]] | None = None


class GraphNode(msgspec.Struct, frozen=True):
    """A node with only what the lineage graph needs: decoding skips columns, SQL and config."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str = ""
    original_file_path: str = ""  # artifacts.ownership: are these the project's artifacts?
    depends_on: DependsOn = DependsOn()
    attached_node: str | None = None
    source_name: str = ""


class ManifestGraph(_ManifestGraphMethods, frozen=True):
    """manifest.json reduced to the lineage graph: a fraction of the time and memory of the full read, for
    model-level lineage of large projects (benchmarks/lineage_vs_dbt_ls.py)."""

    metadata: ManifestMetadata
    nodes: dict[str, GraphNode] = {}
    sources: dict[str, GraphNode] = {}
    exposures: dict[str, GraphNode] = {}
    parent_map: dict[str, list[str]] | None = None
    child_map: dict[str, list[str]] | None = None


def load_manifest(path: Path) -> Manifest:
    """Read and check manifest.json.

    Raises:
        ArtifactError: missing, empty, not JSON, not a manifest, unsupported schema version or unexpected shape.
    """
    return _load(path, Manifest)


def load_manifest_graph(path: Path) -> ManifestGraph:
    """Read manifest.json's lineage graph only (nodes' ids, names, types and dependencies), checked the same way."""
    return _load(path, ManifestGraph)


def _load(path: Path, shape):
    return decode_manifest(read_bytes(path, produced_by=PRODUCED_BY), path, shape)


def decode_manifest(data: bytes, path: Path, shape):
    """manifest.json's bytes decoded as `shape` (Manifest or ManifestGraph), its schema version checked.

    Raises:
        ArtifactError: not JSON, not a manifest, unsupported schema version or unexpected shape.
    """
    try:
        manifest = decode(data, path, shape, produced_by=PRODUCED_BY)
    except ArtifactError:
        # say what is really wrong first: not a manifest, or a version whose shape we do not read
        _check_version(schema_version(data, path, kind="manifest", produced_by=PRODUCED_BY), path)
        raise
    # one parse on the happy path: the version is read from the decoded metadata
    _check_version(schema_version(manifest.metadata.dbt_schema_version, path, kind="manifest",
                                  produced_by=PRODUCED_BY), path)
    return manifest


def _check_version(version: int, path: Path) -> None:
    if version not in SUPPORTED_MANIFEST_VERSIONS:
        too_old = version < SUPPORTED_MANIFEST_VERSIONS.start
        raise ArtifactError(
            f"{path.name} has schema version v{version}; dbt-grounding reads v10 to v12 (dbt 1.6 to 1.11)",
            hint="regenerate it with dbt >= 1.6 (`dbt build`)" if too_old
            else "upgrade dbt-grounding to read artifacts of this dbt version",
            path=str(path), problem="unsupported_version", version=version,
        )
