"""The compact graph model-level lineage reads from the manifest index (artifacts.compact_graph) answers exactly as
the ManifestGraph and the Manifest of the same manifest.json, on the demo's real manifest: every node, every
direction, with and without tests and with a depth limit; every name a node answers to, and the same errors for
names that match nothing or several; and as read back from its MessagePack bytes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import msgspec
import pytest

from dbt_grounding.artifacts import load_manifest, load_manifest_graph
from dbt_grounding.artifacts.compact_graph import CompactGraph
from dbt_grounding.artifacts.manifest import SERVED_RESOURCE_TYPES, _names_of
from dbt_grounding.artifacts.ownership import project_files
from dbt_grounding.errors import UnknownNodeError
from dbt_grounding.lineage import model_lineage
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


def _read_back(compact: CompactGraph) -> CompactGraph:
    return msgspec.msgpack.decode(msgspec.msgpack.encode(compact), type=CompactGraph)


@pytest.fixture(scope="module")
def readings(built_package: DbtProject):
    path = built_package.target_path / "manifest.json"
    graph = load_manifest_graph(path)
    compact = _read_back(CompactGraph.from_json(path.read_bytes(), path))
    return load_manifest(path), graph, compact


def _every_id(graph) -> list[str]:
    return sorted({*graph.nodes, *graph.sources, *graph.exposures, *(graph.parent_map or {}),
                   *(graph.child_map or {})})


def _same_lineage(expected_graph, compact: CompactGraph, ids: list[str]) -> int:
    compared = 0
    for unique_id in ids:
        for direction in ("up", "down", "both"):
            for depth, tests in ((None, False), (None, True), (1, False)):
                expected = model_lineage(expected_graph, unique_id, direction, depth, include_tests=tests)
                assert model_lineage(compact, unique_id, direction, depth, include_tests=tests) == expected, (
                    unique_id, direction, depth, tests)
                compared += len(expected.upstream) + len(expected.downstream)
    return compared


def test_every_node_has_the_same_lineage_as_from_the_manifest(readings) -> None:
    manifest, graph, compact = readings
    ids = _every_id(graph)
    assert len(ids) > 200 and any(uid.startswith("test.") for uid in ids) and any(
        uid.startswith("exposure.") for uid in ids)
    assert _same_lineage(graph, compact, ids) > 10_000  # not vacuous: the walks reached nodes
    for unique_id in ids[::7]:  # the full Manifest answers the same (it is what ManifestGraph was checked against)
        assert model_lineage(manifest, unique_id, "both") == model_lineage(compact, unique_id, "both")


def test_every_name_finds_the_same_node(readings) -> None:
    _, graph, compact = readings
    served = [n for n in [*graph.nodes.values(), *graph.sources.values()] if n.resource_type in SERVED_RESOURCE_TYPES]
    names = {name for node in served for name in _names_of(node)} | {node.unique_id for node in served}
    assert len(names) > 100
    for name in sorted(names):
        for kinds in (SERVED_RESOURCE_TYPES, ("model",), ("source",)):
            assert _found(compact, name, kinds) == _found(graph, name, kinds), (name, kinds)


@pytest.mark.parametrize("name", [
    "no_such_model", "fct_customer_health_summar", "customer_health", "dbt_grounding.nope", "model.dbt_grounding.x",
    "", ".", "exposure.dbt_grounding.nope",
])
def test_names_that_match_nothing_give_the_same_error(readings, name: str) -> None:
    _, graph, compact = readings
    expected = _found(graph, name, SERVED_RESOURCE_TYPES)
    assert isinstance(expected, tuple)  # an error: message and hint
    assert _found(compact, name, SERVED_RESOURCE_TYPES) == expected
    exposure = next(iter(graph.exposures))
    assert _found(compact, exposure, SERVED_RESOURCE_TYPES) == _found(graph, exposure, SERVED_RESOURCE_TYPES)


def test_an_ambiguous_name_gives_the_same_error(readings) -> None:
    """Two packages' nodes of one name: the demo has none, so the compact graph of the demo is read with one of its
    models' names given to a seed too (both readings built from the same changed graph)."""
    _, graph, _ = readings
    model = graph.model("fct_customer_health_summary")
    seed = next(n for n in graph.nodes.values() if n.resource_type == "seed")
    nodes = dict(graph.nodes)
    nodes[seed.unique_id] = msgspec.structs.replace(seed, name=model.name)
    twice = msgspec.structs.replace(graph, nodes=nodes)
    compact = _read_back(CompactGraph.from_graph(twice))
    expected = _found(twice, model.name, SERVED_RESOURCE_TYPES)
    assert isinstance(expected, tuple) and "ambiguous" in expected[0]
    assert _found(compact, model.name, SERVED_RESOURCE_TYPES) == expected
    assert _found(compact, model.name, ("model",)) == model.unique_id == _found(twice, model.name, ("model",))


def test_a_manifest_without_lineage_maps_is_read_through_depends_on(built_package: DbtProject,
                                                                     tmp_path: Path) -> None:
    """A manifest without parent_map and child_map (they are optional in the schema): the nodes' depends_on are
    the graph, for the compact graph as for ManifestGraph."""
    data = json.loads((built_package.target_path / "manifest.json").read_bytes())
    data["parent_map"] = data["child_map"] = None
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    graph = load_manifest_graph(path)
    assert graph.parent_map is None and graph.child_map is None
    compact = _read_back(CompactGraph.from_json(path.read_bytes(), path))
    assert _same_lineage(graph, compact, _every_id(graph)[::3]) > 1_000


def test_the_project_files_are_the_manifests(readings, built_package: DbtProject, tmp_path: Path) -> None:
    _, graph, compact = readings
    assert compact.project_files == project_files(graph) and len(compact.project_files) > 10
    assert compact.metadata == graph.metadata
    copy = tmp_path / "manifest.json"
    shutil.copy(built_package.target_path / "manifest.json", copy)
    assert CompactGraph.from_json(copy.read_bytes(), copy) == CompactGraph.from_graph(graph)


def _found(graph, name: str, kinds: tuple[str, ...]):
    """The unique_id `name` finds, or the error's message and hint."""
    try:
        return graph.find(name, kinds).unique_id
    except UnknownNodeError as error:
        return error.message, error.hint
