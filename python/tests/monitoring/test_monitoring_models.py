"""The monitoring models built by real dbt over telemetry files: one row per request, the daily figures equal to a
plain-Python computation over the same events, an empty build before any telemetry, and each SLA test failing alone
when its SLA is broken on purpose (or warning, with sla_severity: warn)."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import BASELINE_OUTCOMES, LAST_DAY, baseline_plans, build_monitoring, telemetry_dir, test_results
from dbt_runner import REPO_ROOT, DbtProject
from telemetry_events import OUTCOMES, DayPlan, expected_daily, generate, write

pytestmark = pytest.mark.dbt
SLA_TESTS = {"grounding_sla_latency_p95", "grounding_sla_error_rate", "grounding_sla_refusal_rate",
             "grounding_sla_thumbs_down_rate"}


def query(project: DbtProject, sql: str) -> list[tuple]:
    with duckdb.connect(str(project.duckdb_path), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def test_every_request_is_there_once(monitored) -> None:
    project, telemetry = monitored
    rows = query(project, "select request_id, events_logged from main_monitoring.fct_grounding_requests")
    ids = [request_id for request_id, _ in rows]
    assert sorted(ids) == sorted(event["request_id"] for event in telemetry.requests)
    assert len(ids) == len(set(ids))
    duplicated = {event["request_id"] for event in telemetry.requests[::7]}
    assert {request_id for request_id, logged in rows if logged == 2} == duplicated
    assert {logged for _, logged in rows} == {1, 2}
    # the staging table still has every line read (the half-written last line dropped): duplicates were there
    assert query(project, "select count(*) from main.stg_grounding_telemetry__requests")[0][0] == (
        len(telemetry.requests) + len(duplicated))


def test_daily_figures_match_a_python_computation_over_the_same_events(monitored) -> None:
    project, telemetry = monitored
    columns = ["request_date", "requests", *OUTCOMES, "latency_p50_ms", "latency_p95_ms", "tokens_served",
               "feedback", "thumbs_down"]
    names = {"error": "errors"}
    sql_columns = ", ".join(names.get(column, column) for column in columns)
    rows = query(project, f"select {sql_columns} from main_monitoring.fct_grounding_daily order by request_date")
    expected = expected_daily(telemetry)
    assert [row[0] for row in rows] == sorted(expected)
    assert len(rows) == 8  # non-vacuity: a week and the old day
    for row in rows:
        got = dict(zip(columns, row))
        want = expected[got.pop("request_date")]
        for column in ("latency_p50_ms", "latency_p95_ms"):
            assert abs(got.pop(column) - Decimal(str(round(want.pop(column), 3)))) <= Decimal("0.001")
        assert got == want
    assert sum(row[1] for row in rows) == len(telemetry.requests)


def test_feedback_is_tied_to_the_request_it_rates(monitored) -> None:
    project, telemetry = monitored
    rows = query(project, "select feedback_id, request_id, matched_by, rating from "
                          "main_monitoring.fct_grounding_feedback")
    assert len(rows) == len(telemetry.feedback)
    by_id = {event["feedback_id"]: event for event in telemetry.feedback}
    served = {event["request_id"]: event for event in telemetry.requests}
    by_document = 0
    for feedback_id, request_id, matched_by, rating in rows:
        event = by_id[feedback_id]
        assert rating == event["rating"]
        if event["request_id"] is not None:
            assert (request_id, matched_by) == (event["request_id"], "request_id")
        else:
            by_document += 1
            assert matched_by == "document_hash"
            assert served[request_id]["document_hash"] == event["document_hash"]
    assert by_document > 0


def test_the_baseline_passes_every_sla_test_though_an_old_day_broke_it(monitored) -> None:
    project, _ = monitored
    results = test_results(project)
    assert SLA_TESTS <= set(results)
    assert {name: status for name, status in results.items() if status != "pass"} == {}
    old_p95 = query(project, "select latency_p95_ms from main_monitoring.fct_grounding_daily "
                             f"where request_date = date '{LAST_DAY - datetime.timedelta(days=17)}'")[0][0]
    assert old_p95 > 500  # non-vacuity: the old day is outside the SLA, only the lookback spares it


def test_a_fresh_project_without_telemetry_builds_empty_typed_marts(tmp_path) -> None:
    project = DbtProject(REPO_ROOT, tmp_path)
    build_monitoring(project)
    for mart in ("fct_grounding_requests", "fct_grounding_daily", "fct_grounding_feedback"):
        assert query(project, f"select count(*) from main_monitoring.{mart}") == [(0,)]
    types = dict(query(project, "select column_name, data_type from information_schema.columns where "
                                "table_schema = 'main_monitoring' and table_name = 'fct_grounding_daily'"))
    assert types["latency_p95_ms"] == "DECIMAL(12,3)" and types["request_date"] == "DATE"
    assert set(test_results(project).values()) == {"pass"}


BREACHES = {
    # the SLA test -> the last day's traffic that breaks it (and no other)
    "grounding_sla_latency_p95": DayPlan(LAST_DAY, dict(BASELINE_OUTCOMES), slow_share=0.1),
    "grounding_sla_error_rate": DayPlan(LAST_DAY, {**BASELINE_OUTCOMES, "error": 2}),
    "grounding_sla_refusal_rate": DayPlan(LAST_DAY, {**BASELINE_OUTCOMES, "refused_tests": 4}),
    "grounding_sla_thumbs_down_rate": DayPlan(LAST_DAY, dict(BASELINE_OUTCOMES), ratings=(14, 6)),
}


@pytest.mark.parametrize("broken", sorted(BREACHES))
def test_a_broken_sla_fails_its_test_and_only_it(broken: str, tmp_path) -> None:
    project = DbtProject(REPO_ROOT, tmp_path)
    plans = [*baseline_plans()[:-1], BREACHES[broken]]
    write(telemetry_dir(project), generate(plans))
    result = build_monitoring(project, check=False)
    assert result.returncode == 1, result.stdout[-3000:]
    results = test_results(project)
    assert {name for name, status in results.items() if status != "pass"} == {broken}
    assert results[broken] == "fail"


def test_with_severity_warn_a_broken_sla_warns_and_the_build_passes(tmp_path) -> None:
    project = DbtProject(REPO_ROOT, tmp_path)
    write(telemetry_dir(project), generate([*baseline_plans()[:-1], BREACHES["grounding_sla_latency_p95"]]))
    result = build_monitoring(project, "--vars", "{dbt_grounding_sla_severity: warn}", check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    results = test_results(project)
    assert {name: status for name, status in results.items() if status != "pass"} == {
        "grounding_sla_latency_p95": "warn"}
    shown = subprocess.run([str(Path(sys.executable).with_name("dbt-grounding")), "report", "--days", "1",
                            "--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path)],
                           capture_output=True, text=True, timeout=180, env=project.env())
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.rstrip().endswith("SLA tests in the last dbt build: error_rate pass, latency_p95 warn, "
                                          "refusal_rate pass, thumbs_down_rate pass")
