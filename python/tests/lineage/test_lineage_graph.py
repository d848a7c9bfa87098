"""Model-level lineage on the package's real manifest."""

from __future__ import annotations

import pytest

from dbt_grounding.artifacts import Manifest
from dbt_grounding.errors import UnknownNodeError
from dbt_grounding.lineage import model_lineage

pytestmark = pytest.mark.dbt

HEALTH_MART = "model.dbt_grounding.fct_customer_health_summary"

SOURCES = {
    f"source.dbt_grounding.{name}"
    for name in (
        "crm.customers", "billing.subscriptions", "billing.orders", "billing.payments", "support.tickets",
        "ml.churn_scores", "product.logins",
    )
}


def test_mart_upstream_reaches_all_seven_sources_and_the_plan_tiers_seed(package_manifest: Manifest) -> None:
    lineage = model_lineage(package_manifest, HEALTH_MART, "up")
    upstream = {node.unique_id: node for node in lineage.upstream}
    assert {uid for uid, node in upstream.items() if node.resource_type == "source"} == SOURCES
    assert upstream["seed.dbt_grounding.plan_tiers"].resource_type == "seed"
    assert upstream["model.dbt_grounding.dim_customers"].depth == 1
    assert upstream["source.dbt_grounding.crm.customers"].name == "crm.customers"
    assert not any(uid.startswith("test.") for uid in upstream)
    assert lineage.downstream == []


def test_mart_downstream_is_the_agent_exposure(package_manifest: Manifest) -> None:
    lineage = model_lineage(package_manifest, "fct_customer_health_summary", "down")
    assert lineage.unique_id == HEALTH_MART
    assert [(node.unique_id, node.resource_type, node.depth) for node in lineage.downstream] == [
        ("exposure.dbt_grounding.customer_success_agent", "exposure", 1)
    ]
    assert lineage.edges == [(HEALTH_MART, "exposure.dbt_grounding.customer_success_agent")]


def test_depth_one_is_the_manifest_parents_sorted(package_manifest: Manifest) -> None:
    lineage = model_lineage(package_manifest, HEALTH_MART, "up", depth=1)
    assert [node.unique_id for node in lineage.upstream] == sorted(package_manifest.parents(HEALTH_MART))
    assert {node.depth for node in lineage.upstream} == {1}
    assert lineage.depth == 1
    assert model_lineage(package_manifest, HEALTH_MART, "up", depth=0).upstream == []


def test_result_is_sorted_and_deterministic(package_manifest: Manifest) -> None:
    lineage = model_lineage(package_manifest, "model.dbt_grounding.stg_crm__customers")
    for nodes in (lineage.upstream, lineage.downstream):
        assert nodes == sorted(nodes, key=lambda node: (node.depth, node.unique_id))
    assert lineage.edges == sorted(lineage.edges)
    assert lineage == model_lineage(package_manifest, "model.dbt_grounding.stg_crm__customers")
    # a node's depth is its shortest path: stg_crm__customers -> dim_customers -> mart, not the 4 hops via base_ml
    depths = {node.unique_id: node.depth for node in lineage.downstream}
    assert depths["model.dbt_grounding.dim_customers"] == 1
    assert depths[HEALTH_MART] == 2


def test_tests_are_left_out_unless_asked(package_manifest: Manifest) -> None:
    without = model_lineage(package_manifest, "model.dbt_grounding.dim_customers", "down", depth=1)
    assert without.downstream and not any(node.resource_type == "test" for node in without.downstream)
    with_tests = model_lineage(package_manifest, "model.dbt_grounding.dim_customers", "down", 1, include_tests=True)
    tests = {node.unique_id for node in with_tests.downstream if node.resource_type == "test"}
    assert tests >= {test.unique_id for test in package_manifest.tests_on("model.dbt_grounding.dim_customers")}


def test_source_root_reaches_the_marts_and_the_exposure(package_manifest: Manifest) -> None:
    lineage = model_lineage(package_manifest, "source.dbt_grounding.product.logins", "down")
    downstream = {node.unique_id for node in lineage.downstream}
    assert {"model.dbt_grounding.base_product__logins", HEALTH_MART,
            "exposure.dbt_grounding.customer_success_agent"} <= downstream
    assert lineage.resource_type == "source"


def test_unknown_nodes_raise_with_close_matches(package_manifest: Manifest) -> None:
    with pytest.raises(UnknownNodeError) as caught:
        model_lineage(package_manifest, "fct_customer_helth_summary")
    assert "fct_customer_health_summary" in caught.value.details["suggestions"]
    with pytest.raises(UnknownNodeError):
        model_lineage(package_manifest, "model.dbt_grounding.no_such_model")
    with pytest.raises(ValueError):
        model_lineage(package_manifest, HEALTH_MART, "sideways")  # type: ignore[arg-type]
