"""The monitoring models on PostgreSQL, where the telemetry is a table of the profile (the table sink): empty before
the table exists, then one row per request and the daily figures of the same Python computation as on DuckDB."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import baseline_plans, build_monitoring, test_results
from dbt_runner import REPO_ROOT, DbtProject
from telemetry_events import expected_daily, generate, load_tables

pytestmark = pytest.mark.pg
SCHEMA = "monitoring_pg"


def test_the_telemetry_table_is_modeled_like_the_files(pg_cluster, tmp_path) -> None:
    project = DbtProject(REPO_ROOT, tmp_path, extra_env=pg_cluster.dbt_env(schema=SCHEMA))
    with pg_cluster.connect() as connection:
        build_monitoring(project)  # no table yet: empty marts, every test passes
        with connection.cursor() as cursor:
            cursor.execute(f'select count(*) from "{SCHEMA}_monitoring".fct_grounding_daily')
            assert cursor.fetchone() == (0,)
        telemetry = generate(baseline_plans())
        load_tables(connection, SCHEMA, telemetry, duplicate_every=7)
        build_monitoring(project)
        assert set(test_results(project).values()) == {"pass"}
        with connection.cursor() as cursor:
            cursor.execute(f'select count(*), count(distinct request_id) from "{SCHEMA}_monitoring".fct_grounding_requests')
            assert cursor.fetchone() == (len(telemetry.requests), len(telemetry.requests))
            cursor.execute(f'select request_date, requests, latency_p95_ms, thumbs_down from '
                           f'"{SCHEMA}_monitoring".fct_grounding_daily order by request_date')
            rows = cursor.fetchall()
    expected = expected_daily(telemetry)
    assert [row[0] for row in rows] == sorted(expected) and len(rows) == 8
    for day, requests, p95, thumbs_down in rows:
        assert (requests, thumbs_down) == (expected[day]["requests"], expected[day]["thumbs_down"])
        assert abs(p95 - Decimal(str(round(expected[day]["latency_p95_ms"], 3)))) <= Decimal("0.001")
