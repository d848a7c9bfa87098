"""The monitoring models on PostgreSQL, where the telemetry is a table of the profile (the table sink): empty before
the table exists, then one row per request and the daily figures of the same Python computation as on DuckDB; and
the toolkit's own table sink (telemetry="table") writing real requests there."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dbt_grounding import GroundingProject

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


TABLE_SCHEMA = "telemetry_table_pg"


def test_the_table_sink_writes_what_the_monitoring_models_read(built_package_pg, pg_cluster, tmp_path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Real requests on the PostgreSQL build with telemetry="table" (the sink's schema: the target's, here one of
    its own), then `dbt build` of the monitoring models on that schema: every request once, the feedback too."""
    env = dict(pg_cluster.dbt_env(schema=TABLE_SCHEMA))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    request_ids, served = [], 0
    with GroundingProject.open(built_package_pg.project_dir, target_path=built_package_pg.target_path,
                               role="internal", telemetry="table") as project:
        for key in (51, 52, 53, 987654, 51):  # 987654: no such customer (abstained)
            served += project.context("fct_customer_health_summary", key={"customer_id": key}).found
            request_ids.append(project.last_request_id)
        feedback_id = project.record_feedback("up", request_id=request_ids[0], comment="mail jane@example.com")
        assert project.telemetry.flush(60)
        writer = project.telemetry.writer
        assert (writer.failed, writer.dropped) == (0, 0) and writer.written >= len(request_ids) + 1
    assert served == 4 and len(set(request_ids)) == len(request_ids)

    monitoring = DbtProject(REPO_ROOT, tmp_path, extra_env=tuple(sorted(env.items())))
    build_monitoring(monitoring)
    assert set(test_results(monitoring).values()) == {"pass"}
    with pg_cluster.connect() as connection, connection.cursor() as cursor:
        cursor.execute(f'select request_id, count(*) from "{TABLE_SCHEMA}_monitoring".fct_grounding_requests '
                       'group by request_id')
        counted = dict(cursor.fetchall())
        cursor.execute(f'select feedback_id, request_id, rating, comment from '
                       f'"{TABLE_SCHEMA}_monitoring".fct_grounding_feedback')
        feedback = cursor.fetchall()
        cursor.execute(f'select count(*) from "{TABLE_SCHEMA}".grounding_telemetry_requests where question like %s',
                       ("%@%",))
        assert cursor.fetchone() == (0,)
    connection.close()
    assert counted == dict.fromkeys(request_ids, 1)  # every request present exactly once
    assert [row[:3] for row in feedback] == [(feedback_id, request_ids[0], "up")]
    assert "jane@example.com" not in (feedback[0][3] or "")
