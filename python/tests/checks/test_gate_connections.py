"""The gate's warehouse checks share one session: one read-only DuckDB connection per gate run and one catalog query
per schema, on a real build of the package. Counts, not times: they are what keeps `check` fast on a 1,000-model
project (benchmarks/check_at_scale.py measures the time)."""

from __future__ import annotations

import pytest

from dbt_grounding import GroundingProject
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


def test_one_connection_and_one_catalog_query_per_schema_per_gate_run(scratch: DbtProject) -> None:
    statements: list[tuple[str, tuple]] = []
    options = {"on_query": lambda sql, params: statements.append((sql, params))}
    with GroundingProject.open(scratch.project_dir, target_path=scratch.target_path,
                               warehouse_options=options) as grounding:
        result = grounding.check()
        warehouse = grounding.warehouse()
        assert not any("warehouse" in line for line in result.skipped)  # the warehouse checks ran
        assert warehouse.connections_opened == 1 and not warehouse.connected
        listed = [params[1].lower() for sql, params in statements if "information_schema" in sql]
        assert listed and len(listed) == len(set(listed))  # each schema listed once, whatever number of relations
        assert sum(sql.startswith("SELECT max(") for sql, _ in statements) >= 1  # as-of queries share the session

        statements.clear()
        grounding.check()  # the next run has its own session: nothing carried over, one more connection
        assert warehouse.connections_opened == 2
        assert sorted(params[1].lower() for sql, params in statements if "information_schema" in sql) == sorted(listed)


def _probes(statements: list[tuple[str, tuple]]) -> list[str]:
    return sorted(sql.split(" FROM ")[1].split(" LIMIT")[0] for sql, _ in statements if sql.endswith(" LIMIT 0"))


def test_views_are_bound_again_only_downstream_of_a_drift(scratch: DbtProject) -> None:
    """Binding a deep stack of views costs DuckDB time exponential in its depth: the gate and documents list every
    relation, and bind again only the views downstream of a relation that drifted, to say which no longer read."""
    import duckdb

    statements: list[tuple[str, tuple]] = []
    options = {"on_query": lambda sql, params: statements.append((sql, params))}
    with GroundingProject.open(scratch.project_dir, target_path=scratch.target_path,
                               warehouse_options=options) as grounding:
        assert not [f for f in grounding.check().findings if f.code.startswith("DG2")]
        grounding.context("fct_customer_health_summary", {"customer_id": 12})
        assert _probes(statements) == []  # nothing drifted: no view bound again

    with duckdb.connect(str(scratch.duckdb_path)) as connection:  # a base table loses a column behind dbt's back
        connection.execute("alter table main.base_ml__churn_scores drop column churn_risk_score")
    statements.clear()
    with GroundingProject.open(scratch.project_dir, target_path=scratch.target_path,
                               warehouse_options=options) as grounding:
        findings = [f for f in grounding.check().findings if f.code == "DG202"]
    probed = _probes(statements)
    views = {f.node for f in findings if "cannot be read" in f.message}
    assert probed and all('"base_ml__churn_scores"' not in relation for relation in probed)
    assert views and all(any(f'"{uid.split(".")[-1]}"' in relation for relation in probed) for uid in views)
    # only views that read the drifted table, directly or not, were bound again
    assert all("churn" in relation for relation in probed), probed
