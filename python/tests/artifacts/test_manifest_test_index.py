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
