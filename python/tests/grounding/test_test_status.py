"""grounding/test_status.py on its own: the outcomes of the data tests on a mart and upstream of it, read from real
dbt artifacts (the built demo; the moved_target_shop fixture with a failing test, then a rebuild without tests) and
compared with what manifest.json and run_results.json say, read here as plain JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_artifacts
from dbt_grounding.grounding import test_status  # the module: pytest would collect its test_outcomes as a test
from dbt_runner import DbtProject
from moved_target_shop import Shop

pytestmark = pytest.mark.dbt

CROSS_CHECK = "assert_grounding_marts_agree_with_each_other"  # a singular test reading the three marts
MARTS = ["fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"]


def upstream_of(manifest: dict, unique_id: str) -> list[str]:
    seen: set[str] = set()
    todo = list(manifest["parent_map"].get(unique_id, []))
    while todo:
        parent = todo.pop()
        if parent not in seen:
            seen.add(parent)
            todo.extend(manifest["parent_map"].get(parent, []))
    return sorted(seen)


def expected_outcomes(target: Path, unique_id: str, upstream: list[str]) -> list[tuple[str, str, str]]:
    """(test, status, the node it counts on) from the JSON: a generic test counts on the node it is attached to, a
    singular one on each node it reads; a test on several nodes once, on the mart else the first upstream node."""
    manifest = json.loads((target / "manifest.json").read_text())
    statuses = {r["unique_id"]: r["status"] for r in json.loads((target / "run_results.json").read_text())["results"]}
    found: dict[str, tuple[str, str, str]] = {}
    for on in [unique_id, *upstream]:
        for test_id, test in sorted(manifest["nodes"].items()):
            if test["resource_type"] != "test" or test_id in found:
                continue
            attached = test.get("attached_node")
            if (attached == on) if attached else (on in test["depends_on"]["nodes"]):
                found[test_id] = (test_id, statuses.get(test_id, test_status.NOT_RUN), on)
    return sorted(found.values(), key=lambda o: (o[2] != unique_id, o[2], o[0]))


@pytest.mark.parametrize("mart", MARTS)
def test_every_test_on_the_mart_and_upstream_once_with_its_status(built_package: DbtProject, mart: str) -> None:
    artifacts = load_artifacts(built_package.target_path)
    unique_id = artifacts.manifest.model(mart).unique_id
    upstream = upstream_of(json.loads((built_package.target_path / "manifest.json").read_text()), unique_id)
    outcomes = test_status.test_outcomes(artifacts.manifest, artifacts.builds, unique_id, upstream)
    expected = expected_outcomes(built_package.target_path, unique_id, upstream)
    assert [(o.unique_id, o.status, o.on) for o in outcomes] == expected
    assert len(expected) > 20 and {status for _, status, _ in expected} == {"pass"}
    cross_check = [o for o in outcomes if o.name == CROSS_CHECK]
    assert [o.on for o in cross_check] == [unique_id]  # read by three marts: counted on the one asked about
    assert not any(o.blocking for o in outcomes)


def test_a_test_on_several_nodes_counts_once_on_the_nearest(built_package: DbtProject) -> None:
    """The cross-check reads the three marts: asked about one mart with the other two as its upstream, it counts
    on the mart itself; asked about a node it does not read, on the first upstream node (sorted) it reads."""
    artifacts = load_artifacts(built_package.target_path)
    health, revenue, digest = (artifacts.manifest.model(mart).unique_id for mart in MARTS)
    outcomes = test_status.test_outcomes(artifacts.manifest, artifacts.builds, health, [digest, revenue])
    assert [o.on for o in outcomes if o.name == CROSS_CHECK] == [health]
    base = artifacts.manifest.model("base_crm__customers").unique_id
    outcomes = test_status.test_outcomes(artifacts.manifest, artifacts.builds, base, [digest, revenue])
    assert [o.on for o in outcomes if o.name == CROSS_CHECK] == [revenue]
    ons = [o.on for o in outcomes]
    assert ons[0] == base and ons == sorted(ons, key=lambda on: (on != base, on))  # its own tests first


@pytest.fixture(scope="module")
def shop(built_moved_target_shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return Shop.copy_of(tmp_path_factory.mktemp("test_status_shop"), built_moved_target_shop)  # its tests rebuild it


def outcomes_of(shop: Shop, model: str) -> dict[str, tuple[str, str]]:
    artifacts = load_artifacts(shop.target_path, project_dir=shop.project_dir)
    unique_id = artifacts.manifest.model(model).unique_id
    upstream = upstream_of(json.loads((shop.target_path / "manifest.json").read_text()), unique_id)
    outcomes = test_status.test_outcomes(artifacts.manifest, artifacts.builds, unique_id, upstream)
    assert outcomes[0].on == unique_id
    return {o.name: (o.status, o.on.rsplit(".", 1)[-1]) for o in outcomes}


def test_a_failing_test_then_a_rebuild_without_tests(shop: Shop) -> None:
    accepted_values = "accepted_values_customers_health_status__healthy__neutral__at_risk"
    assert set(outcomes_of(shop, "customers").values()) == {
        ("pass", "customers"), ("pass", "orders"), ("pass", "stg_customers"), ("pass", "stg_orders"),
        ("pass", "stg_payments")}

    # the fixture's switch: a customer gets health_status 'Bogus', which its accepted_values test fails
    assert shop.dbt("build", "--select", "customers", "--vars", "{bogus_status: true}", check=False).returncode == 1
    outcomes = outcomes_of(shop, "customers")
    assert outcomes[accepted_values] == ("fail", "customers")
    failing = {name for name, (status, _) in outcomes.items() if status == "fail"}
    assert failing == {accepted_values}

    shop.dbt("run", "--select", "customers")  # the data the tests judged is replaced; no test ran on the new one
    outcomes = outcomes_of(shop, "customers")
    assert {status for status, on in outcomes.values() if on == "customers"} == {test_status.NOT_RUN}
    assert {status for status, on in outcomes.values() if on != "customers"} == {"pass"}
