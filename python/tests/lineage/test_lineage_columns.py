"""Column-level lineage on real artifacts: the package's grounding marts traced down to raw source columns, and the
small lineage_project (ephemeral model, UNION, scalar subquery, window, snapshot, Python model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_grounding.artifacts import Catalog, Manifest, load_manifest
from dbt_grounding.errors import UnknownNodeError
from dbt_grounding.lineage import (
    ColumnLineage,
    ColumnRef,
    affected_columns,
    column_lineage,
    impact_index,
    render_json,
)

pytestmark = pytest.mark.dbt

PKG = "dbt_grounding"
HEALTH_MART = f"model.{PKG}.fct_customer_health_summary"
MARTS = [HEALTH_MART, f"model.{PKG}.fct_customer_revenue_summary", f"model.{PKG}.fct_customer_support_digest"]


def source(name: str, column: str) -> ColumnRef:
    return ColumnRef(f"source.{PKG}.{name}", column)


def model(name: str, column: str) -> ColumnRef:
    return ColumnRef(f"model.{PKG}.{name}", column)


@pytest.fixture(scope="module")
def health(package_manifest: Manifest) -> ColumnLineage:
    return column_lineage(package_manifest, HEALTH_MART)


def test_primary_contact_email_traces_to_the_crm_contact_email_through_staging(health: ColumnLineage) -> None:
    trace = health.columns["primary_contact_email"]
    assert trace.sources == [source("crm.customers", "contact_email")]
    assert trace.paths == [[
        ColumnRef(HEALTH_MART, "primary_contact_email"),
        model("dim_customers", "contact_email"),
        model("stg_crm__customers", "contact_email"),
        model("base_crm__customers", "contact_email"),
        source("crm.customers", "contact_email"),
    ]]
    assert trace.issues == [] and trace.unresolved == [] and not trace.constant


def test_health_status_derives_from_the_churn_score_and_the_login_timestamp(health: ColumnLineage) -> None:
    trace = health.columns["health_status"]
    assert trace.sources == [source("ml.churn_scores", "churn_risk_score"), source("product.logins", "logged_in_at")]
    assert [path[1] for path in trace.paths] == [
        model("int_churn_scores_latest", "churn_risk_score"),
        model("int_customer_logins_aggregated", "last_login_date"),
    ]


def test_total_contract_value_derives_from_the_subscription_terms(health: ColumnLineage) -> None:
    trace = health.columns["total_contract_value"]
    # amount x term by billing period (the value), status and start date (whether it counts at the as-of date)
    assert trace.sources == [
        source("billing.subscriptions", column)
        for column in ("billing_period", "period_amount", "start_date", "status", "term_months")
    ]
    assert all(model("int_subscriptions_annualized", "contract_value") in path
               or model("int_subscriptions_annualized", "counts_toward_contract_value") in path
               for path in trace.paths)


def test_literals_and_count_star_derive_from_no_column(health: ColumnLineage, package_manifest: Manifest) -> None:
    assert health.columns["as_of_date"].constant
    assert health.columns["as_of_date"].sources == [] and health.columns["as_of_date"].paths == []
    revenue = column_lineage(package_manifest, f"model.{PKG}.fct_customer_revenue_summary",
                             columns=["successful_sales_count"])
    trace = revenue.columns["successful_sales_count"]  # coalesce(count(*), 0) one model up
    assert not trace.constant and trace.sources == [] and trace.issues == []
    assert trace.paths == [[ColumnRef(revenue.unique_id, "successful_sales_count"),
                            model("int_customer_revenue_aggregated", "successful_sales_count")]]


@pytest.mark.parametrize("mart", MARTS)
def test_every_grounding_mart_column_is_traced_without_issue(package_manifest: Manifest, mart: str) -> None:
    lineage = column_lineage(package_manifest, mart)
    assert list(lineage.columns) == list(package_manifest.nodes[mart].columns)  # every contract column, in order
    assert lineage.warnings == []
    for trace in lineage.columns.values():
        assert trace.issues == [] and trace.unresolved == []
        assert trace.sources or trace.constant or trace.paths, trace.column
        for ref in trace.sources:
            assert package_manifest.resource(ref.unique_id).resource_type in ("source", "seed")
        for path in trace.paths:
            assert path[0] == ColumnRef(mart, trace.column)


def test_the_catalog_completes_the_seed_and_changes_no_trace(
    package_with_catalog: Path, package_catalog: Catalog
) -> None:
    manifest = load_manifest(package_with_catalog / "manifest.json")
    without = column_lineage(manifest, HEALTH_MART)
    with_catalog = column_lineage(manifest, HEALTH_MART, catalog=package_catalog)
    assert render_json(with_catalog) == render_json(without)

    seed = column_lineage(manifest, f"seed.{PKG}.plan_tiers", catalog=package_catalog)
    assert list(seed.columns) == ["plan_code", "plan_name", "tier_rank", "list_price_monthly"]
    assert seed.columns["plan_name"].sources == [ColumnRef(f"seed.{PKG}.plan_tiers", "plan_name")]
    revenue = column_lineage(manifest, f"model.{PKG}.fct_customer_revenue_summary", catalog=package_catalog)
    assert ColumnRef(f"seed.{PKG}.plan_tiers", "plan_name") in revenue.columns["highest_active_plan_name"].sources


def test_affected_columns_name_the_mart_columns_a_changed_upstream_column_feeds(health: ColumnLineage) -> None:
    assert affected_columns(health, (f"source.{PKG}.product.logins", "logged_in_at")) == [
        "health_status", "recent_login_count", "days_since_last_login", "last_login_date",
    ]
    assert affected_columns(health, source("crm.customers", "CONTACT_EMAIL")) == ["primary_contact_email"]
    assert affected_columns(health, (f"model.{PKG}.dim_customers", None)) == [
        "customer_id", "customer_name", "account_owner", "primary_contact_email", "segment",
    ]
    assert affected_columns(health, source("crm.customers", "contact_phone")) == []
    assert affected_columns(health, (HEALTH_MART, "health_status")) == ["health_status"]


def test_impact_index_is_the_inverse_of_the_traces(health: ColumnLineage) -> None:
    index = impact_index(health)
    for name, trace in health.columns.items():
        for path in trace.paths:
            for ref in path:
                assert name in index[ref]
    assert index[source("ml.churn_scores", "churn_risk_score")] == ["health_status", "churn_risk_score"]
    assert affected_columns(health, source("ml.churn_scores", "scored_at"), index=index) == ["churn_risk_scored_at"]


def test_columns_are_chosen_case_insensitively_and_unknown_ones_reported(package_manifest: Manifest) -> None:
    lineage = column_lineage(package_manifest, HEALTH_MART, columns=["HEALTH_STATUS", "no_such_column"])
    assert list(lineage.columns) == ["health_status", "no_such_column"]
    assert lineage.trace("Health_Status") is lineage.columns["health_status"]
    assert [issue.code for issue in lineage.columns["no_such_column"].issues] == ["unknown_column"]
    assert lineage.trace("missing") is None


def test_roots_without_columns_raise(package_manifest: Manifest) -> None:
    with pytest.raises(UnknownNodeError):
        column_lineage(package_manifest, "exposure.dbt_grounding.customer_success_agent")
    with pytest.raises(UnknownNodeError):
        column_lineage(package_manifest, "fct_customer_helth_summary")


# -- the lineage_project: what the package does not use

PROJECT = "lineage_project"


def test_an_ephemeral_model_is_a_hop_of_its_own(project_manifest: Manifest) -> None:
    lineage = column_lineage(project_manifest, f"model.{PROJECT}.person_orders", columns=["email"])
    assert lineage.columns["email"].paths == [[
        ColumnRef(f"model.{PROJECT}.person_orders", "email"),
        ColumnRef(f"model.{PROJECT}.people_base", "email"),
        ColumnRef(f"seed.{PROJECT}.people", "email"),
    ]]


def test_union_branches_scalar_subqueries_windows_and_literals(project_manifest: Manifest) -> None:
    lineage = column_lineage(project_manifest, f"model.{PROJECT}.person_orders")
    amount = ColumnRef(f"seed.{PROJECT}.orders", "amount")
    assert lineage.columns["net_amount"].sources == [amount]  # both UNION branches read it
    assert lineage.columns["largest_order_amount"].sources == [amount]  # scalar subquery
    assert lineage.columns["rank_in_country"].sources == [amount, ColumnRef(f"seed.{PROJECT}.people", "country")]
    assert lineage.columns["display_name"].sources == [ColumnRef(f"seed.{PROJECT}.people", "full_name")]
    assert [name for name, trace in lineage.columns.items() if trace.constant] == ["order_count", "report_version"]
    assert lineage.warnings == []


def test_snapshots_are_traced_through_and_their_dbt_columns_come_from_none(project_manifest: Manifest) -> None:
    lineage = column_lineage(project_manifest, f"model.{PROJECT}.people_history")
    snapshot = f"snapshot.{PROJECT}.people_snapshot"
    assert lineage.columns["email"].paths == [[
        ColumnRef(f"model.{PROJECT}.people_history", "email"), ColumnRef(snapshot, "email"),
        ColumnRef(f"seed.{PROJECT}.people", "email"),
    ]]
    valid_from = lineage.columns["valid_from"]
    assert valid_from.sources == [] and valid_from.issues == []
    assert valid_from.paths == [[ColumnRef(f"model.{PROJECT}.people_history", "valid_from"),
                                 ColumnRef(snapshot, "dbt_valid_from")]]


def test_a_python_model_stops_tracing_with_an_issue_not_an_error(project_manifest: Manifest) -> None:
    lineage = column_lineage(project_manifest, f"model.{PROJECT}.people_from_py")
    trace = lineage.columns["email"]
    assert trace.unresolved == [ColumnRef(f"model.{PROJECT}.people_py", "email")]
    assert [issue.code for issue in trace.issues] == ["python_model"]
    assert lineage.warnings == [f"model.{PROJECT}.people_py is a Python model: it has no SQL"]
