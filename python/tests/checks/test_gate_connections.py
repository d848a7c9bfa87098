"""The gate's warehouse checks share one session: one read-only DuckDB connection per gate run and one catalog query
per schema, on a real build of the package. Counts, not times: they are what keeps `check` fast on a 1,000-model
project (benchmarks/check_at_scale.py measures the time)."""

from __future__ import annotations

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.checks.gate import run_gate
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


def test_one_connection_and_one_catalog_query_per_schema_per_gate_run(scratch: DbtProject) -> None:
    statements: list[tuple[str, tuple]] = []
    options = {"on_query": lambda sql, params: statements.append((sql, params))}
    with GroundingProject.open(scratch.project_dir, target_path=scratch.target_path,
                               warehouse_options=options) as grounding:
        result = run_gate(grounding)
        warehouse = grounding.warehouse()
        assert not any("warehouse" in line for line in result.skipped)  # the warehouse checks ran
        assert warehouse.connections_opened == 1 and not warehouse.connected
        listed = [params[1].lower() for sql, params in statements if "information_schema" in sql]
        assert listed and len(listed) == len(set(listed))  # each schema listed once, whatever number of relations
        assert sum(sql.startswith("SELECT max(") for sql, _ in statements) >= 1  # as-of queries share the session

        statements.clear()
        run_gate(grounding)  # the next run has its own session: nothing carried over, one more connection
        assert warehouse.connections_opened == 2
        assert sorted(params[1].lower() for sql, params in statements if "information_schema" in sql) == sorted(listed)
