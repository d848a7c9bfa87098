"""Artifacts lineage cannot fully read: a copy of the built package's manifest.json changed the way real ones go
wrong (compiled SQL missing, SQL sqlglot cannot parse). Lineage reports it on the columns it reaches and goes on."""

from __future__ import annotations

from typing import Any

import pytest

from dbt_grounding.lineage import ColumnRef, affected_columns, column_lineage, render_text

pytestmark = pytest.mark.dbt

PKG = "dbt_grounding"
HEALTH_MART = f"model.{PKG}.fct_customer_health_summary"
DIM_CUSTOMERS = f"model.{PKG}.dim_customers"


def without_compiled_code(unique_id: str):
    def edit(raw: dict[str, Any]) -> None:
        raw["nodes"][unique_id].pop("compiled_code", None)
        raw["nodes"][unique_id]["compiled"] = False

    return edit


def test_a_parent_without_compiled_sql_ends_its_columns_with_a_warning(edited_manifest) -> None:
    manifest = edited_manifest(without_compiled_code(DIM_CUSTOMERS))
    lineage = column_lineage(manifest, HEALTH_MART)

    email = lineage.columns["primary_contact_email"]
    assert email.sources == []
    assert email.unresolved == [ColumnRef(DIM_CUSTOMERS, "contact_email")]
    assert [(issue.unique_id, issue.column, issue.code) for issue in email.issues] == [
        (DIM_CUSTOMERS, "contact_email", "no_compiled_code")
    ]
    assert email.paths == [[ColumnRef(HEALTH_MART, "primary_contact_email"), ColumnRef(DIM_CUSTOMERS, "contact_email")]]
    assert len(lineage.warnings) == 1 and DIM_CUSTOMERS in lineage.warnings[0] and "dbt compile" in lineage.warnings[0]
    # the other parents are traced as before, and drift in the unreadable model still names its mart columns
    assert lineage.columns["health_status"].issues == []
    assert lineage.columns["health_status"].sources
    assert affected_columns(lineage, (DIM_CUSTOMERS, "contact_email")) == ["primary_contact_email"]
    assert "[no_compiled_code]" in render_text(lineage)


def test_the_traced_model_itself_without_compiled_sql_lists_its_contract_columns(edited_manifest) -> None:
    manifest = edited_manifest(without_compiled_code(HEALTH_MART))
    lineage = column_lineage(manifest, HEALTH_MART)
    assert list(lineage.columns) == list(manifest.nodes[HEALTH_MART].columns)
    assert all(trace.unresolved == [ColumnRef(HEALTH_MART, name)] for name, trace in lineage.columns.items())
    assert lineage.warnings and HEALTH_MART in lineage.warnings[0]


def test_sql_sqlglot_cannot_parse_is_an_issue_on_that_model_only(edited_manifest) -> None:
    churn = f"model.{PKG}.int_churn_scores_latest"

    def garble(raw: dict[str, Any]) -> None:
        raw["nodes"][churn]["compiled_code"] = "select churn_risk_score from (((( where"

    lineage = column_lineage(edited_manifest(garble), HEALTH_MART)
    score = lineage.columns["churn_risk_score"]
    assert score.unresolved == [ColumnRef(churn, "churn_risk_score")]
    assert [issue.code for issue in score.issues] == ["parse_error"]
    assert lineage.columns["health_status"].sources == [
        ColumnRef(f"source.{PKG}.product.logins", "logged_in_at")
    ]  # the login half still traced
    assert lineage.columns["primary_contact_email"].issues == []
    assert any("cannot parse" in warning for warning in lineage.warnings)
