"""GroundingProject.context on a really built warehouse: documents, refusals and drift made by real changes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from dbt_runner import copy_project_sources
from dbt_grounding import GroundingProject
from dbt_grounding.errors import (
    FailedTestsError, InvalidKeyError, MissingRelationError, SchemaDriftError, StaleGroundingError,
)
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"


def open_project(project: DbtProject, **options) -> GroundingProject:
    return GroundingProject.open(project.project_dir, target_path=project.target_path, **options)


def alter(project: DbtProject, *statements: str) -> None:
    with duckdb.connect(str(project.duckdb_path)) as connection:
        for statement in statements:
            connection.execute(statement)


def test_document_of_a_customer(scratch: DbtProject) -> None:
    with open_project(scratch) as project:
        document = project.context(MART, key={"customer_id": "12"})
    data = json.loads(document.to_json())
    assert data["found"] is True and data["key"] == {"customer_id": 12}
    row = data["rows"][0]
    assert row["health_status"] == "High Risk" and row["churn_risk_score"] == "0.810000"
    assert row["primary_contact_email"].startswith("***@")
    assert data["freshness"]["status"] == "fresh" and data["freshness"]["as_of"] == "2026-06-30"
    assert "source.dbt_grounding.ml.churn_scores" in data["sources"]
    assert data["citation"]["invocation_id"] == project.manifest.metadata.invocation_id
    markdown = document.to_markdown()
    assert "customer_id = 12" in markdown and "2026-06-30" in markdown


def test_no_matching_record_is_explicit(scratch: DbtProject) -> None:
    with open_project(scratch) as project:
        document = project.context(MART, key={"customer_id": 987654})
    assert document.found is False and document.rows == []
    assert "Do not guess" in document.to_markdown()


def test_a_key_that_is_not_the_declared_key_is_refused(scratch: DbtProject) -> None:
    with open_project(scratch) as project, pytest.raises(InvalidKeyError) as caught:
        project.context(MART, key={"customer_name": "Acme"})
    assert caught.value.details["expected"] == ["customer_id"]


def test_stale_data_is_refused_or_annotated(scratch: DbtProject) -> None:
    later = lambda: datetime.now(timezone.utc) + timedelta(days=3)  # noqa: E731 - a pinned clock
    with open_project(scratch, clock=later) as project:
        with pytest.raises(StaleGroundingError) as caught:
            project.context(MART, key={"customer_id": 12})
        assert caught.value.details["policy"] == "48 hours"
        document = project.context(MART, key={"customer_id": 12}, on_stale="annotate")
    assert document.freshness.status == "stale"
    assert "stale" in document.to_markdown().lower()


def test_column_dropped_behind_dbts_back_names_the_column(scratch: DbtProject) -> None:
    alter(scratch, f"create or replace table main_ai_grounding.{MART} as "
                   f"select * exclude (primary_contact_email) from main_ai_grounding.{MART}")
    with open_project(scratch) as project, pytest.raises(SchemaDriftError) as caught:
        project.context(MART, key={"customer_id": 12})
    differences = caught.value.details["differences"]
    assert [(d["column"], d["kind"]) for d in differences] == [("primary_contact_email", "missing")]
    assert f"main_ai_grounding\".\"{MART}\".primary_contact_email" in caught.value.message
    # the column's lineage down to the source column it comes from
    assert differences[0]["lineage"] == [
        f"{MART}.primary_contact_email <- dim_customers.contact_email <- stg_crm__customers.contact_email "
        "<- base_crm__customers.contact_email <- crm.customers.contact_email"
    ]
    assert "lineage: " in caught.value.message


def test_column_retyped_behind_dbts_back_shows_expected_and_found(scratch: DbtProject) -> None:
    alter(scratch, f"create or replace table main_ai_grounding.{MART} as select * replace "
                   f"(cast(total_contract_value as double) as total_contract_value) from main_ai_grounding.{MART}")
    with open_project(scratch) as project, pytest.raises(SchemaDriftError) as caught:
        project.context(MART, key={"customer_id": 12})
    (difference,) = caught.value.details["differences"]
    assert (difference["column"], difference["kind"], difference["expected"], difference["found"]) == (
        "total_contract_value", "type_changed", "decimal(18, 2)", "DOUBLE")


def test_dropped_relation_says_which_build_fixes_it(scratch: DbtProject) -> None:
    alter(scratch, f"drop table main_ai_grounding.{MART}")
    with open_project(scratch) as project, pytest.raises(MissingRelationError) as caught:
        project.context(MART, key={"customer_id": 12})
    assert f"dbt build --select +{MART}" in caught.value.hint


def test_staging_column_renamed_and_rebuilt_names_the_column_and_its_lineage(scratch: DbtProject, tmp_path) -> None:
    """Rename contact_email in stg_crm__customers and rebuild for real: dim_customers fails, the mart is skipped,
    and the document is refused with the upstream column and the lineage path to the mart column it feeds."""
    with open_project(scratch) as project:  # documents were served before the change
        project.context(MART, key={"customer_id": 12})
    sources = copy_project_sources(tmp_path / "project")
    model = sources / "models" / "staging" / "crm" / "stg_crm__customers.sql"
    model.write_text(model.read_text().replace("        contact_email,", "        contact_email as contact_email_address,"))
    changed = DbtProject(sources, scratch.work_dir)
    result = changed.run("build", "--select", "stg_crm__customers+", "--vars",
                         "{dbt_grounding_as_of_date: '2026-06-30'}", check=False)
    assert result.returncode != 0  # dim_customers no longer finds contact_email
    with open_project(changed) as project, pytest.raises(SchemaDriftError) as caught:
        project.context(MART, key={"customer_id": 12})
    drifted = {(d["node"], d["column"]): d for d in caught.value.details["differences"]}
    contact = drifted[("model.dbt_grounding.stg_crm__customers", "contact_email")]
    assert contact["kind"] == "missing" and contact["affected"] == ["primary_contact_email"]
    assert any("stg_crm__customers.contact_email" in path and path.startswith(f"{MART}.primary_contact_email")
               for path in contact["lineage"])
    assert "stg_crm__customers" in caught.value.message and "primary_contact_email" in caught.value.message


def test_failed_upstream_test_blocks_the_document(scratch: DbtProject, tmp_path) -> None:
    """A raw segment value outside the accepted list: the staging test fails for real, the mart is skipped."""
    alter(scratch, "update main_raw.crm_customers set segment = 'gigantic' where trim(customer_id) = '12'")
    result = scratch.run("build", "--vars", "{dbt_grounding_as_of_date: '2026-06-30'}", check=False)
    assert result.returncode != 0
    with open_project(scratch) as project:
        with pytest.raises(FailedTestsError) as caught:
            project.context(MART, key={"customer_id": 11}, schema_check=False)
        failing = {t["unique_id"] for t in caught.value.details["tests"]}
        assert any("accepted_values_stg_crm__customers_segment" in uid for uid in failing)
        # the skipped mart has no successful build either: served only when both are annotated
        with pytest.raises(StaleGroundingError):
            project.context(MART, key={"customer_id": 11}, schema_check=False, on_failed_tests="annotate")
        document = project.context(MART, key={"customer_id": 11}, schema_check=False, on_failed_tests="annotate",
                                   on_stale="annotate")
    assert any(t.status == "fail" for t in document.tests) and document.freshness.status == "stale"


def test_plain_project_without_grounding_meta(built_plain_project: DbtProject, monkeypatch) -> None:
    monkeypatch.setenv("PLAIN_SHOP_DUCKDB_PATH", str(built_plain_project.duckdb_path))
    with open_project(built_plain_project) as project:
        document = project.context("customers", key={"customer_id": 1})
    data = json.loads(document.to_json())
    assert data["found"] and data["rows"][0]["full_name"] == "Ada Lovelace"
    assert data["freshness"]["status"] == "unchecked"
