"""Real requests through the library API and the CLI on the demo build: each logged exactly once, with the outcome
its cause gives, the latency split, the dbt invocation, and nothing raw (no key, e-mail or phone number)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from agent.mcp_session import CLI
from cli.inprocess import run_main
from dbt_grounding.context.tally import TallyTokenEstimate
from dbt_grounding.errors import GroundingError
from dbt_grounding.telemetry import Telemetry, TelemetryConfig
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject, copy_build

from telemetry.events_files import all_text, events

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
QUESTION = "Is Harbor Retail at risk of churning? Write to jane.doe@example.com or +1 415 555 0199."


def attempt(call) -> str | None:
    try:
        call()
    except GroundingError as error:
        return type(error).__name__
    return None


def test_api_requests_each_logged_once_with_their_outcome(built_package: DbtProject, tmp_path: Path) -> None:
    directory = tmp_path / "telemetry"
    config = TelemetryConfig(directory=directory)
    later = datetime.now(timezone.utc) + timedelta(days=3)  # past the marts' error_after of 48 hours
    with built_package.grounding(role="internal", telemetry=config) as project:
        document = project.context(MART, {"customer_id": 12}, form="compact")
        served_id = project.last_request_id
        both = project.contexts(MART, [{"customer_id": 12}, {"customer_id": 13}], form="json")
        project.context(MART, {"customer_id": "987654"})  # no row: the document says so, not to guess
        assert attempt(lambda: project.context(MART, {"customer_name": "Acme"})) == "InvalidKeyError"
        project.ask(QUESTION)
        project.ask("What is Harbor Retail's NPS?")
        project.record_feedback("up", request_id=served_id, comment="right, thanks")
    with built_package.grounding(role="public", telemetry=config) as project:
        assert attempt(lambda: project.context(MART, {"customer_id": 12})) == "AccessDeniedError"
    with built_package.grounding(role="internal", telemetry=config, clock=lambda: later) as project:
        assert attempt(lambda: project.context(MART, {"customer_id": 12})) == "StaleGroundingError"
        project.ask("Is Harbor Retail at risk of churning?")
        assert Telemetry(config).flush(30)

    logged = events(directory)
    assert [(e["tool"], e["surface"], e["role"], e["outcome"], e["error_type"]) for e in logged] == [
        ("context", "api", "internal", "served", None),
        ("contexts", "api", "internal", "served", None),
        ("context", "api", "internal", "abstained", None),
        ("context", "api", "internal", "error", "InvalidKeyError"),
        ("ask", "api", "internal", "served", None),
        ("ask", "api", "internal", "abstained", "ask:not_grounded"),
        ("context", "api", "public", "denied", "AccessDeniedError"),
        ("context", "api", "internal", "refused_stale", "StaleGroundingError"),
        ("ask", "api", "internal", "refused_stale", "StaleGroundingError"),
    ]
    assert len({e["request_id"] for e in logged}) == len(logged)
    served = logged[0]
    assert served["request_id"] == served_id and served["mart"] == MART
    # the API serves document objects: each is logged by its own content hash, which must be the hash of what the
    # caller holds (has_valid_hash recomputes it from the document's content), and the tally of the form the caller
    # said it serves them in (`form=`: compact here, JSON below)
    assert document.has_valid_hash() and all(each.has_valid_hash() for each in both)
    assert served["document_hash"] == document.citation.content_hash
    assert served["tokens"] == TallyTokenEstimate().count(document.to_compact())
    assert logged[1]["document_hash"] == hashlib.sha256(
        "\n".join(each.citation.content_hash for each in both).encode()).hexdigest()
    assert logged[1]["tokens"] == TallyTokenEstimate().count("\n---\n\n".join(each.to_json() for each in both))
    assert logged[1]["document_hash"] != served["document_hash"] != logged[2]["document_hash"]
    assert served["invocation_id"] == document.citation.invocation_id
    assert served["tokens"] > 50 and served["latency_warehouse_ms"] > 0 and served["latency_render_ms"] > 0
    assert served["latency_ms"] >= served["latency_warehouse_ms"] + served["latency_render_ms"]
    assert served["freshness_age_s"] == document.freshness.age_seconds
    assert logged[0]["key_hash"] == logged[7]["key_hash"] != logged[1]["key_hash"]  # a key hashes the same
    # ... keyed by the folder's secret: the plain sha256 of a guessable key (customer id 12) is not in the log
    plain = __import__("hashlib").sha256(b'{"customer_id":"12"}').hexdigest()
    assert logged[0]["key_hash"] != plain and plain not in all_text(directory)
    assert (directory / ".key_hash_secret").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert logged[7]["freshness_age_s"] > 48 * 3600
    asked = logged[4]
    assert asked["question"] == "Is Harbor Retail at risk of churning? Write to [email] or [phone]."
    assert asked["candidates"][0]["mart"] == MART and 0 < asked["confidence"] <= 1
    text = all_text(directory)
    for raw in ("jane.doe", "example.com", "415 555 0199", "987654", '"customer_id"', "Acme"):
        assert raw not in text, raw
    (feedback,) = events(directory, "feedback")
    assert (feedback["request_id"], feedback["rating"], feedback["comment"]) == (served_id, "up", "right, thanks")


def test_drift_and_failed_tests_are_refusals_of_their_own(built_package: DbtProject, tmp_path: Path) -> None:
    project = copy_build(built_package, tmp_path / "scratch")
    config = TelemetryConfig(directory=tmp_path / "telemetry")
    with duckdb.connect(str(project.duckdb_path)) as connection:
        connection.execute(f"create or replace table main_ai_grounding.{MART} as "
                           f"select * exclude (health_status) from main_ai_grounding.{MART}")
    with project.grounding(role="internal", telemetry=config) as opened:
        assert attempt(lambda: opened.context(MART, {"customer_id": 12})) == "SchemaDriftError"
    vars_ = f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}"
    project.run("run", "--select", MART, "--vars", vars_)
    with duckdb.connect(str(project.duckdb_path)) as connection:
        connection.execute("update main_raw.crm_customers set segment = 'gigantic' where trim(customer_id) = '12'")
    assert project.run("build", "--select", "base_crm__customers", "stg_crm__customers", "--vars", vars_,
                       check=False).returncode != 0  # the accepted_values test on the segment fails for real
    with project.grounding(role="internal", telemetry=config) as opened:
        assert attempt(lambda: opened.context(MART, {"customer_id": 11})) == "FailedTestsError"
        assert Telemetry(config).flush(30)
    assert [(e["outcome"], e["error_type"]) for e in events(tmp_path / "telemetry")] == [
        ("refused_drift", "SchemaDriftError"), ("refused_tests", "FailedTestsError")]


def test_cli_commands_each_logged_once(built_package: DbtProject, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "telemetry"
    monkeypatch.setenv("DBT_GROUNDING_TELEMETRY_DIR", str(directory))
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))
    where = ("--project-dir", str(REPO_ROOT), "--target-path", str(built_package.target_path))
    context = run_main("context", MART, "--key", "customer_id=12", "--format", "compact", *where)
    assert context.code == 0, context.stderr
    assert run_main("context", MART, "--key", "customer_name=Acme", *where).code == 2
    assert run_main("ask", QUESTION, *where).code == 0
    assert run_main("context", MART, "--key", "customer_id=12", "--telemetry", "off", *where).code == 0
    # a fresh process: its events are written when it exits
    spawned = subprocess.run([CLI, "context", MART, "--key", "customer_id=13", *where], capture_output=True,
                             text=True, timeout=120, env={**built_package.env(), "DBT_GROUNDING_TELEMETRY_DIR":
                                                          str(directory)})
    assert spawned.returncode == 0, spawned.stderr
    assert Telemetry(TelemetryConfig(directory=directory)).flush(30)
    logged = sorted(events(directory), key=lambda e: e["ts"])
    assert [(e["tool"], e["surface"], e["outcome"], e["error_type"]) for e in logged] == [
        ("context", "cli", "served", None), ("context", "cli", "error", "InvalidKeyError"),
        ("ask", "cli", "served", None), ("context", "cli", "served", None)]
    assert logged[0]["document_hash"] == __import__("hashlib").sha256(context.stdout.encode()).hexdigest()
    assert logged[0]["latency_artifacts_ms"] > 0 and logged[0]["role"] == "restricted"
    assert "jane.doe" not in all_text(directory) and "555 0199" not in all_text(directory)

    served_id = logged[0]["request_id"]
    recorded = run_main("feedback", "--request-id", served_id, "--rating", "down", "--comment", "wrong: call +1 415 "
                        "555 0199", *where)
    assert recorded.code == 0 and recorded.stdout.startswith("feedback recorded: "), recorded.stderr
    bad = run_main("feedback", "--request-id", "nope", "--rating", "down", *where)
    assert bad.code == 2 and "error: request id 'nope' is not 32 lowercase hex digits" in bad.stderr
    (feedback,) = events(directory, "feedback")
    assert (feedback["request_id"], feedback["rating"], feedback["comment"]) == (served_id, "down", "wrong: call "
                                                                                "[phone]")
    assert json.dumps(feedback).count("555") == 0
