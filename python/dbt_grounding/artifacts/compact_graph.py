"""The manifest's lineage graph in the compact form its on-disk index keeps (artifacts.manifest_index): every node id
once, parents and children as integer arrays, names and packages in tables. Model-level lineage of a 5,000-model
project reads it back in a few milliseconds, where the same graph as a `ManifestGraph` (a struct per node, two maps
of string lists) took ~0.1 s to decode.

It answers the graph questions model-level lineage asks (`resource`, `parents`, `children`, `find`, `knows`) exactly
as the `ManifestGraph` it is built from does (python/tests/artifacts/test_compact_graph.py walks every node both
ways); anything else reads the manifest.
"""

from __future__ import annotations

import functools
from array import array
from itertools import accumulate, chain, count, repeat
from pathlib import Path

import msgspec

from dbt_grounding.artifacts.manifest import (
    SERVED_RESOURCE_TYPES, GraphNode, ManifestGraph, ManifestMetadata, decode_manifest,
)
from dbt_grounding.artifacts.ownership import project_files

class CompactNode(msgspec.Struct, frozen=True):
    """A node as lineage names it (GraphNode's naming fields; dependencies are asked of the graph)."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str = ""
    source_name: str = ""


class _SkeletonNode(msgspec.Struct, frozen=True):
    """A node's naming fields and file: what the compact graph keeps (its dependencies are in the maps)."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str = ""
    original_file_path: str = ""  # artifacts.ownership.project_files
    source_name: str = ""


class _Skeleton(msgspec.Struct, frozen=True):
    """manifest.json as the compact graph is built from it, when it has its lineage maps (dbt >= 1.6 writes them)."""

    metadata: ManifestMetadata
    nodes: dict[str, _SkeletonNode] = {}
    sources: dict[str, _SkeletonNode] = {}
    exposures: dict[str, _SkeletonNode] = {}
    parent_map: dict[str, list[str]] | None = None
    child_map: dict[str, list[str]] | None = None


class CompactGraph(msgspec.Struct, frozen=True, array_like=True, dict=True):  # dict=True: room for cached look-ups
    """A ManifestGraph as integer arrays (module docstring). Arrays are native-endian uint32 (`array("I")`) bytes:
    the index is rebuilt on another machine's byte order like on any other change of the code (its shape key)."""

    metadata: ManifestMetadata
    ids: list[str]  # the typed nodes (nodes, sources, exposures) first, then ids only the maps hold
    typed: int  # how many of `ids` are typed nodes
    kinds: list[str]  # resource types; `kind[i]` indexes it
    kind: bytes  # array("H") per typed node
    names: list[str]  # per typed node
    source_names: list[str]  # per typed node ("" but for sources)
    packages: list[str]  # package names; `package[i]` indexes it
    package: bytes  # array("H") per typed node
    mapped: bytes  # one byte per id: 1 when the manifest's parent_map or child_map has it as a key
    parent_offsets: bytes  # array("I"): node i's parents are parent_targets[parent_offsets[i]:parent_offsets[i + 1]]
    parent_targets: bytes
    child_offsets: bytes
    child_targets: bytes
    project_files: list[str]  # artifacts.ownership: the files the manifest read for its own project's nodes

    @classmethod
    def from_json(cls, data: bytes, path: Path) -> CompactGraph:
        """manifest.json's bytes decoded straight to the compact graph: only the nodes' names are decoded beside
        the lineage maps (a 95 MB manifest: ~0.1 s), the nodes' dependencies only for a manifest without the maps.

        Raises:
            ArtifactError: as artifacts.load_manifest_graph.
        """
        skeleton = decode_manifest(data, path, _Skeleton)
        if skeleton.parent_map is None or skeleton.child_map is None:
            return cls.from_graph(decode_manifest(data, path, ManifestGraph))  # depends_on makes the graph
        return cls.from_graph(skeleton)

    @classmethod
    def from_graph(cls, graph: ManifestGraph | _Skeleton) -> CompactGraph:
        """The compact form of `graph` (built once per manifest, on the path that decodes its JSON: kept to a few
        passes over C-level containers). A _Skeleton has no dependencies: it must have both maps."""
        sections = (graph.nodes, graph.sources, graph.exposures)
        ids = [uid for section in sections for uid in section]
        typed = [node for section in sections for node in section.values()]
        position = dict(zip(ids, count()))
        if len(position) != len(ids):  # one id in two sections: resource() answers with the first, as the graph's
            first: dict[str, object] = {}
            for uid, node in zip(ids, typed):
                first.setdefault(uid, node)
            ids, typed = list(first), list(first.values())
            position = dict(zip(ids, count()))
        parents, children = _adjacency(graph, ids, typed)
        for mapping in (parents, children):  # ids only the maps hold (metrics, semantic models...), in a stable order
            if not position.keys() >= mapping.keys():  # a look-up per key: no set of them all built when none is new
                _append(ids, position, sorted(mapping.keys() - position.keys()))
        try:
            arrays = _edge_arrays(ids, position, (parents, children))
        except KeyError:  # a neighbour neither typed nor a key of the maps (dbt writes none): named, then mapped
            for mapping in (parents, children):
                _append(ids, position, sorted(set(chain.from_iterable(mapping.values())).difference(position)))
            arrays = _edge_arrays(ids, position, (parents, children))
        in_maps = (graph.parent_map or {}).keys() | (graph.child_map or {}).keys()
        kinds = sorted({node.resource_type for node in typed})
        packages = sorted({node.package_name for node in typed})
        kind_of = {k: i for i, k in enumerate(kinds)}
        package_of = {p: i for i, p in enumerate(packages)}
        return cls(
            metadata=graph.metadata, ids=ids, typed=len(typed), kinds=kinds,
            kind=array("H", [kind_of[node.resource_type] for node in typed]).tobytes(),
            names=[node.name for node in typed], source_names=[node.source_name for node in typed],
            packages=packages, package=array("H", [package_of[node.package_name] for node in typed]).tobytes(),
            mapped=bytes(map(in_maps.__contains__, ids)), parent_offsets=arrays[0], parent_targets=arrays[1],
            child_offsets=arrays[2], child_targets=arrays[3], project_files=project_files(graph),
        )

    # -- the questions model-level lineage asks (lineage.graph), answered as ManifestGraph answers them

    def resource(self, unique_id: str) -> CompactNode | None:
        i = self._index_of(unique_id)
        return self._node(i) if i is not None and i < self.typed else None

    def knows(self, unique_id: str) -> bool:
        """In the manifest's parent_map or child_map (metrics, semantic models... are only there)."""
        i = self._index_of(unique_id)
        return i is not None and self.mapped[i] == 1

    def parents(self, unique_id: str) -> list[str]:
        return self._neighbours(unique_id, self._arrays[0], self._arrays[1])

    def children(self, unique_id: str) -> list[str]:
        return self._neighbours(unique_id, self._arrays[2], self._arrays[3])

    def model(self, name_or_id: str) -> CompactNode:
        return self.find(name_or_id, resource_types=("model",))

    def find(self, name_or_id: str, resource_types: tuple[str, ...] = SERVED_RESOURCE_TYPES) -> CompactNode:
        """As ManifestGraph.find: the one node of `resource_types` named so (unique_id, name, package.name, a
        source's source_name.table_name).

        Raises:
            UnknownNodeError: no such node, or several (from the ManifestGraph rebuilt for the message).
        """
        node = self.resource(name_or_id)
        if node is not None and node.resource_type in resource_types and node.resource_type != "exposure":
            return node  # ManifestGraph.find looks in nodes and sources only
        matches = [self._node(i) for i in self._named(name_or_id, resource_types)]
        if len(matches) == 1:
            return matches[0]
        return self._as_graph().find(name_or_id, resource_types)  # its errors: ambiguous, or close matches

    # -- internals

    @functools.cached_property
    def _indexes(self) -> dict[str, int]:
        """The ids met so far and their index: a lineage walk meets a few hundred of the tens of thousands, and a
        map of them all cost more than the rest of the walk."""
        return {}

    def _index_of(self, unique_id: str) -> int | None:
        i = self._indexes.get(unique_id)
        if i is None:
            try:
                i = self.ids.index(unique_id)  # the root: one scan in C
            except ValueError:
                i = -1  # not in the graph (a name, not an id): remembered too, the root is looked up thrice
            self._indexes[unique_id] = i
        return i if i >= 0 else None

    @functools.cached_property
    def _arrays(self) -> tuple[memoryview, ...]:
        return tuple(memoryview(data).cast("I") for data in (
            self.parent_offsets, self.parent_targets, self.child_offsets, self.child_targets))

    @functools.cached_property
    def _kind(self) -> memoryview:
        return memoryview(self.kind).cast("H")

    @functools.cached_property
    def _package(self) -> memoryview:
        return memoryview(self.package).cast("H")

    def _neighbours(self, unique_id: str, offsets: memoryview, targets: memoryview) -> list[str]:
        i = self._index_of(unique_id)
        if i is None:
            return []
        ids, indexes = self.ids, self._indexes
        found = []
        for j in targets[offsets[i]:offsets[i + 1]]:
            found.append(ids[j])
            indexes[ids[j]] = j
        return found

    def _node(self, i: int) -> CompactNode:
        return CompactNode(unique_id=self.ids[i], resource_type=self.kinds[self._kind[i]], name=self.names[i],
                           package_name=self.packages[self._package[i]], source_name=self.source_names[i])

    def _named(self, name_or_id: str, resource_types: tuple[str, ...]) -> list[int]:
        """Typed nodes of `resource_types` (not exposures: find does not name them) answering to `name_or_id` as
        manifest._names_of has it: their own name (a source's `source_name.name`), or `package.own name`. Both end
        with the node's name, so only those are looked at."""
        wanted = {i for i, kind in enumerate(self.kinds) if kind in resource_types and kind != "exposure"}
        source = self.kinds.index("source") if "source" in self.kinds else -1
        kind, package, packages = self._kind, self._package, self.packages
        found = []
        for i in self._all_named(name_or_id):
            if kind[i] not in wanted:
                continue
            own = f"{self.source_names[i]}.{self.names[i]}" if kind[i] == source else self.names[i]
            prefix = packages[package[i]]
            if own == name_or_id or (prefix and name_or_id == f"{prefix}.{own}"):
                found.append(i)
        return found

    def _all_named(self, name_or_id: str) -> list[int]:
        """Typed nodes whose name is `name_or_id` or one of its tails after a dot (a node's own names end with its
        name: see _named), found by list.index: scans in C."""
        tails = {name_or_id[at + 1:] for at, char in enumerate(name_or_id) if char == "."} | {name_or_id}
        found = []
        for tail in tails:
            at = -1
            while True:
                try:
                    at = self.names.index(tail, at + 1)
                except ValueError:
                    break
                found.append(at)
        return sorted(found)

    def _as_graph(self) -> ManifestGraph:
        """A ManifestGraph with these nodes' names (no dependencies): for find's error messages only."""
        nodes, sources = {}, {}
        for i in range(self.typed):
            node = self._node(i)
            if node.resource_type == "exposure":
                continue
            (sources if node.resource_type == "source" else nodes)[node.unique_id] = GraphNode(
                unique_id=node.unique_id, resource_type=node.resource_type, name=node.name,
                package_name=node.package_name, source_name=node.source_name)
        return ManifestGraph(metadata=self.metadata, nodes=nodes, sources=sources)


def _append(ids: list[str], position: dict[str, int], new: list[str]) -> None:
    position.update(zip(new, count(len(ids))))
    ids += new


def _edge_arrays(ids: list[str], position: dict[str, int], mappings: tuple[dict[str, list[str]], ...]
                 ) -> list[bytes]:
    """Offsets and targets of every id's neighbours in each mapping (array("I") bytes, in C loops).

    Raises:
        KeyError: a neighbour is not in `position`.
    """
    arrays = []
    for mapping in mappings:
        lists = list(map(mapping.get, ids, repeat(())))
        arrays.append(array("I", accumulate(map(len, lists), initial=0)).tobytes())
        arrays.append(array("I", map(position.__getitem__, chain.from_iterable(lists))).tobytes())
    return arrays


def _adjacency(graph: ManifestGraph | _Skeleton, ids: list[str], typed: list
               ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Every node's parents and children as ManifestGraph.parents and .children answer: the manifest's maps, or
    without them the typed nodes' depends_on and its inverse (children sorted, each once)."""
    parents = graph.parent_map
    if parents is None:
        parents = {uid: list(node.depends_on.nodes) for uid, node in zip(ids, typed)}
    children = graph.child_map
    if children is None:
        found: dict[str, set[str]] = {}
        for section in (graph.nodes, graph.exposures):
            for uid, node in section.items():
                for parent in node.depends_on.nodes:
                    found.setdefault(parent, set()).add(uid)
        children = {uid: sorted(nodes) for uid, nodes in found.items()}
    return parents, children
