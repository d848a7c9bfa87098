"""Telemetry mode `table` without a running PostgreSQL: a DuckDB target is refused with the reason, a database that
cannot be reached costs the events (counted as failed), never the request, and values reach the INSERT only as bound
parameters. Written into a real cluster and modeled by dbt: tests/monitoring/test_monitoring_on_postgres.py."""

from __future__ import annotations

import pytest

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.telemetry import Telemetry
from dbt_grounding.telemetry.table_sink import FEEDBACK_COLUMNS, REQUEST_COLUMNS, insert_statement

from dbt_runner import REPO_ROOT
from engines import free_port


def test_a_duckdb_target_is_refused_with_the_reason(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBT_GROUNDING_TARGET", raising=False)  # the profile's default: duckdb
    with pytest.raises(ConfigurationError, match="write lock") as refused:
        Telemetry.resolve("table", tmp_path, project_dir=REPO_ROOT)
    assert "jsonl" in refused.value.hint
    with pytest.raises(ConfigurationError, match="needs the project's dbt profile"):
        Telemetry.resolve("table", tmp_path)  # no project to read a profile from


def test_an_unreachable_database_counts_the_events_as_failed(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_GROUNDING_TARGET", "pg")
    monkeypatch.setenv("DBT_GROUNDING_PG_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("DBT_GROUNDING_PG_SCHEMA", "nowhere")
    telemetry = Telemetry.resolve("table", tmp_path, project_dir=REPO_ROOT)
    assert telemetry.writer.sink.schema == "nowhere"
    telemetry.record_feedback(rating="up", request_id="a" * 32)
    telemetry.record_feedback(rating="down", request_id="b" * 32)
    assert telemetry.flush(30)
    assert (telemetry.writer.written, telemetry.writer.failed, telemetry.writer.dropped) == (0, 2, 0)


def test_values_are_bound_parameters_one_statement_per_batch() -> None:
    hostile = "x'); drop table students; --"
    events = [{"event": "feedback", "schema_version": 1, "feedback_id": f"{n:032x}", "ts": "2026-12-01T00:00:00.000Z",
               "request_id": None, "document_hash": "0" * 64, "rating": "down", "comment": hostile} for n in range(3)]
    sql, values = insert_statement("main", "grounding_telemetry_feedback", FEEDBACK_COLUMNS, events)
    assert hostile not in sql and sql.count("%s") == len(values) == 3 * len(FEEDBACK_COLUMNS)
    assert sql.startswith('insert into "main"."grounding_telemetry_feedback" ("event", ') and values.count(hostile) == 3
    request = {name: None for name, _ in REQUEST_COLUMNS} | {"candidates": [{"mart": "m", "score": 1.5}]}
    _, values = insert_statement("main", "grounding_telemetry_requests", REQUEST_COLUMNS, [request])
    assert '[{"mart": "m", "score": 1.5}]' in values  # candidates as JSON text, as the source reads them
