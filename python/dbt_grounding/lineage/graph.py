"""Model-level lineage: the nodes upstream and downstream of a node, breadth first over the manifest's maps.

Each call costs the BFS over the nodes it reaches and nothing proportional to the manifest (no index is built per
call), so it stays well under a millisecond on a 5,000-model manifest.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Literal, Protocol

import msgspec

from dbt_grounding.artifacts.manifest import Exposure, Node, Source
from dbt_grounding.errors import UnknownNodeError

Direction = Literal["up", "down", "both"]

# Tests hang off every model; they are lineage only when asked for. A unique_id starts with its resource type.
TEST_RESOURCE_TYPES = frozenset({"test", "unit_test"})
_TEST_PREFIXES = tuple(f"{resource_type}." for resource_type in TEST_RESOURCE_TYPES)


class LineageGraph(Protocol):
    """What model-level lineage asks of a graph: artifacts' Manifest, ManifestGraph and CompactGraph answer it."""

    def resource(self, unique_id: str) -> Node | Source | Exposure | None: ...
    def knows(self, unique_id: str) -> bool: ...
    def parents(self, unique_id: str) -> list[str]: ...
    def children(self, unique_id: str) -> list[str]: ...
    def find(self, name_or_id: str) -> Node | Source: ...


class LineageNode(msgspec.Struct, frozen=True, order=True):
    """A node reached from the root, `depth` hops away."""

    depth: int
    unique_id: str
    resource_type: str
    name: str


class ModelLineage(msgspec.Struct, frozen=True):
    """Upstream and downstream nodes of one node.

    Attributes:
        unique_id, resource_type, name: the root.
        upstream / downstream: reached nodes, sorted by (depth, unique_id); empty for a direction not asked.
        edges: (parent, child) pairs followed while walking, sorted.
        depth: the depth limit asked (None: unlimited).
    """

    unique_id: str
    resource_type: str
    name: str
    upstream: list[LineageNode] = []
    downstream: list[LineageNode] = []
    edges: list[tuple[str, str]] = []
    depth: int | None = None


def model_lineage(
    manifest: LineageGraph,
    unique_id: str,
    direction: Direction = "both",
    depth: int | None = None,
    *,
    include_tests: bool = False,
) -> ModelLineage:
    """Nodes upstream and/or downstream of a node (model, source, seed, snapshot, exposure...).

    Args:
        manifest: the loaded manifest.json, its lineage graph, or that graph's compact form (its on-disk index).
        unique_id: the root's unique_id, or a model name.
        direction: "up" (parents), "down" (children) or "both".
        depth: hops to follow (1: direct parents/children only); None: all.
        include_tests: also list data and unit tests (and walk through them).

    Raises:
        UnknownNodeError: the manifest has no such node.
        ValueError: bad direction or negative depth.
    """
    if direction not in ("up", "down", "both"):
        raise ValueError(f"direction must be 'up', 'down' or 'both', not {direction!r}")
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be >= 0 or None, not {depth}")
    root = _root_id(manifest, unique_id)

    def keep(node_id: str) -> bool:
        return include_tests or not node_id.startswith(_TEST_PREFIXES)

    edges: set[tuple[str, str]] = set()
    upstream: list[LineageNode] = []
    downstream: list[LineageNode] = []
    if direction in ("up", "both"):
        depths = _breadth_first(root, manifest.parents, depth, keep, lambda node, parent: edges.add((parent, node)))
        upstream = _nodes(manifest, depths)
    if direction in ("down", "both"):
        depths = _breadth_first(root, manifest.children, depth, keep, lambda node, child: edges.add((node, child)))
        downstream = _nodes(manifest, depths)
    resource = manifest.resource(root)
    return ModelLineage(
        unique_id=root,
        resource_type=_resource_type(root, resource),
        name=_name(root, resource),
        upstream=upstream,
        downstream=downstream,
        edges=sorted(edges),
        depth=depth,
    )


def _breadth_first(
    root: str,
    neighbours: Callable[[str], Iterable[str]],
    max_depth: int | None,
    keep: Callable[[str], bool],
    on_edge: Callable[[str, str], None],
) -> dict[str, int]:
    """Depth of every node reached from `root` (root excluded)."""
    depths = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        depth = depths[node]
        if max_depth is not None and depth >= max_depth:
            continue
        for neighbour in neighbours(node):
            if not keep(neighbour):
                continue
            on_edge(node, neighbour)
            if neighbour not in depths:
                depths[neighbour] = depth + 1
                queue.append(neighbour)
    del depths[root]
    return depths


def _nodes(manifest: LineageGraph, depths: dict[str, int]) -> list[LineageNode]:
    nodes = []
    for node_id, depth in depths.items():
        resource = manifest.resource(node_id)
        nodes.append(LineageNode(depth, node_id, _resource_type(node_id, resource), _name(node_id, resource)))
    return sorted(nodes)


def _root_id(manifest: LineageGraph, unique_id: str) -> str:
    if manifest.resource(unique_id) is not None:
        return unique_id
    if manifest.knows(unique_id):
        return unique_id  # a metric, semantic model or saved query: in the maps, not in the typed manifest
    if "." in unique_id and unique_id.split(".", 1)[0] in {"model", "source", "seed", "snapshot", "exposure"}:
        raise UnknownNodeError(
            f"no node {unique_id!r} in the manifest", hint="check the unique_id, or re-run `dbt build`",
            name=unique_id, suggestions=[],
        )
    return manifest.find(unique_id).unique_id  # a name; raises UnknownNodeError with close matches


def _resource_type(unique_id: str, resource: Node | Source | Exposure | None) -> str:
    # Node kinds the typed manifest does not hold (metrics, unit tests...) are named by their unique_id's prefix.
    return resource.resource_type if resource is not None else unique_id.split(".", 1)[0]


def _name(unique_id: str, resource: Node | Source | Exposure | None) -> str:
    if resource is None:
        return unique_id.rsplit(".", 1)[-1]
    if resource.resource_type == "source":
        return f"{resource.source_name}.{resource.name}"  # type: ignore[union-attr]
    return resource.name
