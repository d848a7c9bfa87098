"""`Manifest.tests_on` answers from an index built once per manifest: the same answers as a scan of every node, on
manifests dbt wrote (a generic test has an attached node; a singular test over two models has none and counts for
both; a relationships test depends on two models and is attached to one)."""

from __future__ import annotations

import pytest

from dbt_grounding.artifacts import load_manifest, load_manifest_graph
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


def scanned(manifest, unique_id: str) -> list:
    """The definition: every test attached to the node, or depending on it when attached to none."""
    return sorted((n for n in manifest.nodes.values() if n.resource_type == "test" and (
        n.attached_node == unique_id or (n.attached_node is None and unique_id in n.depends_on.nodes))),
        key=lambda n: n.unique_id)


@pytest.mark.parametrize("load", [load_manifest, load_manifest_graph])
def test_tests_on_matches_a_scan_of_every_node(built_bikeshare_views: DbtProject, load) -> None:
    manifest = load(built_bikeshare_views.target_path / "manifest.json")
    ids = [*manifest.nodes, *manifest.sources, *manifest.exposures, "model.bikeshare.no_such_model"]
    assert {uid: manifest.tests_on(uid) for uid in ids} == {uid: scanned(manifest, uid) for uid in ids}

    singular = "test.bikeshare.assert_trips_start_at_a_known_station"
    on_trips = [t.unique_id for t in manifest.tests_on("model.bikeshare.stg_bikeshare__trips")]
    on_stations = [t.unique_id for t in manifest.tests_on("model.bikeshare.stg_bikeshare__stations")]
    assert singular in on_trips and singular in on_stations  # the cases the index must get right are there
    relationships = [uid for uid in on_trips if uid.startswith("test.bikeshare.relationships_")]
    assert relationships and not set(relationships) & set(on_stations)
    assert on_trips == sorted(on_trips)

    on_trips_again = manifest.tests_on("model.bikeshare.stg_bikeshare__trips")
    on_trips_again.clear()  # a caller's list is its own: the index is not changed through it
    assert [t.unique_id for t in manifest.tests_on("model.bikeshare.stg_bikeshare__trips")] == on_trips


@pytest.mark.parametrize("load", [load_manifest, load_manifest_graph])
def test_find_answers_from_a_name_index_as_a_scan_would(built_bikeshare_views: DbtProject, load) -> None:
    """`find` by name reads an index built once per manifest (a scan per name was quadratic for `--select` with
    many models): every name a served node answers to finds what a scan finds, and a stranger is still refused."""
    from dbt_grounding.artifacts.manifest import SERVED_RESOURCE_TYPES, _names_of
    from dbt_grounding.errors import UnknownNodeError

    manifest = load(built_bikeshare_views.target_path / "manifest.json")
    served = [n for n in [*manifest.nodes.values(), *manifest.sources.values()]
              if n.resource_type in SERVED_RESOURCE_TYPES]
    names = {name for node in served for name in _names_of(node)}
    assert any("." in name for name in names) and len(names) >= 2 * len(served) - 1  # bare and qualified names
    for name in sorted(names):
        scanned_matches = [n.unique_id for n in served if name in _names_of(n)]
        if len(scanned_matches) == 1:
            assert manifest.find(name).unique_id == scanned_matches[0]
        else:
            with pytest.raises(UnknownNodeError):
                manifest.find(name)
    models = [n for n in served if n.resource_type == "model"]
    assert manifest.model(models[0].name).unique_id == models[0].unique_id
    with pytest.raises(UnknownNodeError) as raised:
        manifest.model(next(n for n in served if n.resource_type != "model").name)  # the index holds it: not a model
    assert raised.value.details["name"]
    with pytest.raises(UnknownNodeError):
        manifest.find("no_such_model")
