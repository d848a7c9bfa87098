"""The check gate's rules, each triggered by a real scenario on a copy of the built package."""

from __future__ import annotations

import shutil

from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from dbt_grounding import GroundingProject
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
MART_ID = f"model.dbt_grounding.{MART}"


def gate(project: DbtProject, **options):
    with GroundingProject.open(project.project_dir, target_path=project.target_path, **options) as grounding:
        return grounding.check()


def codes(result) -> set[str]:
    return {finding.code for finding in result.findings}


def test_a_clean_build_has_no_findings_and_says_what_it_skipped(scratch: DbtProject) -> None:
    result = gate(scratch)
    assert result.findings == []
    assert any("no sources.json" in line for line in result.skipped)


def test_mart_column_dropped_behind_dbts_back_is_DG202(scratch: DbtProject) -> None:
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute(f"create or replace table main_ai_grounding.{MART} as "
                           f"select * exclude (health_status) from main_ai_grounding.{MART}")
    (finding,) = [f for f in gate(scratch).findings if f.code == "DG202"]
    assert (finding.node, finding.column) == (MART_ID, "health_status")
    assert "exposure.dbt_grounding.customer_success_agent" in finding.affected


def test_source_column_dropped_upstream_is_DG201_with_the_mart_columns_it_feeds(scratch: DbtProject) -> None:
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute("alter table main_raw.crm_customers drop column contact_email")
    findings = [f for f in gate(scratch).findings if f.code == "DG201"]
    assert {(f.node, f.column) for f in findings} == {("source.dbt_grounding.crm.customers", "contact_email")}
    assert f"{MART}.primary_contact_email" in findings[0].affected


def test_stale_mart_is_DG301(scratch: DbtProject) -> None:
    later = datetime.now(timezone.utc) + timedelta(days=3)
    result = gate(scratch, clock=lambda: later)
    assert {f.node for f in result.findings if f.code == "DG301"} == {
        MART_ID, "model.dbt_grounding.fct_customer_revenue_summary", "model.dbt_grounding.fct_customer_support_digest"}


def test_failed_upstream_test_is_DG401_and_skipped_marts_DG403(scratch: DbtProject) -> None:
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute("update main_raw.crm_customers set segment = 'gigantic' where trim(customer_id) = '12'")
    scratch.run("build", "--vars", "{dbt_grounding_as_of_date: '2026-06-30'}", check=False)
    result = gate(scratch)
    failed = [f for f in result.findings if f.code == "DG401"]
    assert any("accepted_values_stg_crm__customers_segment" in f.node for f in failed)
    assert MART_ID in {f.node for f in result.findings if f.code == "DG403"}


def test_parse_after_an_unseen_build_is_DG501_and_DG502(scratch: DbtProject) -> None:
    shutil.rmtree(scratch.target_path / "dbt_grounding", ignore_errors=True)  # nothing read the build's artifacts
    scratch.run("parse")  # a new manifest.json: the build's results are matched to the code through file times
    found = codes(gate(scratch))
    assert {"DG501", "DG502"} <= found and "DG404" not in found


def test_parse_after_a_seen_build_is_only_DG502(scratch: DbtProject) -> None:
    gate(scratch)  # reads the build's artifacts, so its results are recorded with their checksums
    scratch.run("parse")
    found = codes(gate(scratch))
    assert "DG502" in found and not {"DG501", "DG404", "DG504"} & found


def test_stale_sources_upstream_are_DG303(scratch: DbtProject) -> None:
    scratch.run("source", "freshness", check=False)  # the sample data was loaded on 2026-07-01: past 48 hours
    findings = [f for f in gate(scratch).findings if f.code == "DG303"]
    assert "source.dbt_grounding.crm.customers" in {f.node for f in findings}


def test_without_the_warehouse_the_skipped_checks_are_named(scratch: DbtProject) -> None:
    with GroundingProject.open(scratch.project_dir, target_path=scratch.target_path) as grounding:
        result = grounding.check(use_warehouse=False)
    assert any("--no-warehouse" in line for line in result.skipped)


def test_ageing_mart_is_DG302(scratch: DbtProject) -> None:
    later = datetime.now(timezone.utc) + timedelta(hours=30)  # past warn_after 24 h, within error_after 48 h
    result = gate(scratch, clock=lambda: later)
    assert MART_ID in {f.node for f in result.findings if f.code == "DG302"}
    assert "DG301" not in codes(result)


def test_compile_after_an_unseen_build_leaves_tests_not_run_DG402_and_builds_unknown(scratch: DbtProject) -> None:
    shutil.rmtree(scratch.target_path / "dbt_grounding", ignore_errors=True)
    scratch.run("compile")  # run_results now reports every test as compiled ("success"), none executed
    result = gate(scratch)
    findings = [f for f in result.findings if f.code == "DG402"]
    assert findings and all(f.level.value == "warn" for f in findings)
    assert any(f.node.startswith("test.dbt_grounding.unique_fct_customer_health_summary_customer_id") for f in findings)
    assert MART_ID in {f.node for f in result.findings if f.code == "DG404"}


def test_compile_after_a_seen_build_keeps_its_test_results(scratch: DbtProject) -> None:
    gate(scratch)
    scratch.run("compile")
    found = codes(gate(scratch))
    assert not {"DG402", "DG404", "DG501"} & found and "DG504" in found


def test_partial_catalog_is_DG503(scratch: DbtProject) -> None:
    scratch.run("docs", "generate", "--select", MART)  # a catalog of one node: everything upstream is missing
    findings = [f for f in gate(scratch).findings if f.code == "DG503"]
    assert MART_ID in {f.node for f in findings}


def test_source_loaded_after_the_mart_was_built_is_DG303(scratch: DbtProject) -> None:
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute("update main_raw.ml_churn_scores set _loaded_at = now()::timestamp + interval 3 day "
                           "where _record_id = (select min(_record_id) from main_raw.ml_churn_scores)")
    findings = [f for f in gate(scratch).findings if f.code == "DG303"]
    (finding,) = findings
    assert finding.node == "source.dbt_grounding.ml.churn_scores" and finding.level.value == "error"
    assert MART in finding.affected and "lacks its newest data" in finding.message
