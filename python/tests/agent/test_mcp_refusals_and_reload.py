"""A running server meets real changes: a mart altered behind dbt's back (drift), then `dbt run` rebuilding it
(run_results.json rewritten: the server reloads and serves again), then a raw value that fails a staging test in
a real `dbt build` (refused with the failed test). One server process throughout, the SDK's client over stdio."""

from __future__ import annotations

import json
import time

import duckdb
import pytest

from agent.mcp_session import SyncClient, mcp_session
from dbt_runner import AS_OF_DATE, DbtProject, copy_build

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"


def write(project: DbtProject, statement: str) -> None:
    """Run a statement on the DuckDB file, waiting while the server's held read-only connection keeps it."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with duckdb.connect(str(project.duckdb_path)) as connection:
                connection.execute(statement)
            return
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def invocation(client: SyncClient) -> str:
    answer = client.call("get_context", mart=MART, key={"customer_id": 12}, form="json")
    assert not answer.is_error, answer.text
    return json.loads(answer.text)["citation"]["invocation_id"]


def test_drift_then_rebuild_then_failed_tests(built_package: DbtProject, tmp_path) -> None:
    project = copy_build(built_package, tmp_path / "scratch")
    vars_ = f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}"
    with mcp_session(project, "--in-place") as client:  # drift made behind dbt's back, in the file it serves
        built = invocation(client)

        write(project, f"create or replace table main_ai_grounding.{MART} as "
                       f"select * exclude (health_status) from main_ai_grounding.{MART}")
        drift = client.call("get_context", mart=MART, key={"customer_id": 12})
        assert drift.is_error and drift.text.startswith(
            f"Refused (SchemaDriftError). Tell the user: the {MART} table no longer matches its documented "
            "definition"), drift.text
        lines = drift.text.splitlines()
        assert lines[1] == "Do not answer the question from memory or from other sources in place of this data."
        assert lines[2].startswith("Why: ") and "health_status" in drift.text

        project.run("run", "--select", MART, "--vars", vars_)  # rewrites run_results.json and the table
        rebuilt = invocation(client)
        assert rebuilt != built  # the citation names the new invocation: the server reloaded the artifacts

        write(project, "update main_raw.crm_customers set segment = 'gigantic' where trim(customer_id) = '12'")
        result = project.run("build", "--select", "base_crm__customers", "stg_crm__customers", "--vars", vars_,
                             check=False)
        assert result.returncode != 0  # the accepted_values test on stg_crm__customers.segment fails for real
        refused = client.call("get_context", mart=MART, key={"customer_id": 11})
        assert refused.is_error and refused.text.startswith(
            f"Refused (FailedTestsError). Tell the user: the {MART} data failed its quality checks"), refused.text
        assert "accepted_values_stg_crm__customers_segment" in refused.text
        check = client.call("check_grounding", mart=MART)
        assert "DG401" in check.text and "accepted_values_stg_crm__customers_segment" in check.text
