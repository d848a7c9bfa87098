"""The observability loop end to end: 1,000 mixed requests through the real MCP server (`dbt-grounding serve`, the
SDK's stdio client), the events its telemetry writer leaves in the build's target folder, then a real `dbt build` of
the monitoring models over them. Every request is there exactly once, the counts are the client's, the p95 is the
events', no raw key or e-mail reached the files, and the error rate the mix breaks on purpose fails its SLA test.

The stale requests go to a second server on a copy of the same build made three days older (dbt_runner.age_build:
a server process cannot be handed a later clock), past the mart's 48-hour error_after; it writes its events into the
first server's telemetry folder (DBT_GROUNDING_TELEMETRY_DIR), as several servers of one deployment would."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from agent.mcp_session import CLI, mcp_session
from dbt_grounding.agent.mcp_server import REQUEST_ID_META
from dbt_runner import REPO_ROOT, DbtProject, age_build, copy_build
from conftest import build_monitoring, telemetry_dir, test_results
from telemetry.events_files import all_text, events
from telemetry_events import percentile_cont

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
REQUESTS = 1_000
E_MAIL = "jane.doe@example.com"
SLA_REFUSAL_RATE = 0.05  # the package's default sla_refusal_rate (macros/config/get_config.sql)


def cycle(ids: list[int], turn: int) -> list[tuple[str, dict, str]]:
    """Twenty calls, (tool, arguments, the outcome the client expects): 1 error in 20 (5%, over the 1% SLA); every
    other turn, one key asked of the stale server (2.5% refused_stale, within the 5% refusal SLA)."""
    key = lambda offset: {"customer_id": ids[(turn * 12 + offset) % len(ids)]}  # noqa: E731
    stale = turn % 2 == 1
    return [
        *[("get_context", {"mart": MART, "key": key(offset)}, "served") for offset in range(11 if stale else 12)],
        *([("get_context", {"mart": MART, "key": key(11)}, "refused_stale")] if stale else []),
        ("get_context", {"mart": MART, "key": {"customer_id": 900_000 + turn}}, "abstained"),
        ("get_context", {"mart": MART, "key": {"customer_id": 950_000 + turn}}, "abstained"),
        ("get_context", {"mart": "no_such_mart", "key": {"customer_id": 1}}, "denied"),
        ("get_context", {"mart": MART, "key": {"customer_name": f"Acme {turn}"}}, "error"),
        ("ground_question", {"question": f"Is Maple Software Ltd at risk? Write to {E_MAIL}"}, "served"),
        ("ground_question", {"question": "Is Maple Software Ltd at risk of churning?"}, "served"),
        ("ground_question", {"question": "What is the NPS of Maple Software Ltd?"}, "abstained"),
        ("describe_mart", {"mart": MART}, "served"),
    ]


def wait_for(directory: Path, kind: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 120
    while len(found := events(directory, kind) if directory.exists() else []) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_a_thousand_requests_through_the_server_are_modeled_and_alert(built_package: DbtProject, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_GROUNDING_TELEMETRY", "jsonl")  # the users' default (the suite turns it off)
    project = copy_build(built_package, tmp_path / "served")
    directory = telemetry_dir(project)  # the served build's default sink: <target-path>/dbt_grounding/telemetry
    aged = replace(copy_build(built_package, tmp_path / "aged"),
                   extra_env=(("DBT_GROUNDING_TELEMETRY_DIR", str(directory)),))
    # published while fresh (what `serve` reads), then three days pass: the server serves it, and refuses it stale
    published = subprocess.run([CLI, "publish", "--project-dir", str(REPO_ROOT), "--target-path",
                                str(aged.target_path)], env=aged.env(), capture_output=True, text=True)
    assert published.returncode == 0, published.stderr
    age_build(aged, timedelta(days=3))
    with duckdb.connect(str(project.duckdb_path), read_only=True) as connection:
        ids = [row[0] for row in connection.execute(
            f"select customer_id from main_ai_grounding.{MART} order by customer_id").fetchall()]
    calls = [call for turn in range(REQUESTS // 20) for call in cycle(ids, turn)]
    request_ids, client_ms = [], []
    with mcp_session(project, "--role", "internal") as client, mcp_session(aged, "--role", "internal") as stale:
        for tool, arguments, expected in calls:
            server = stale if expected == "refused_stale" else client
            started = time.perf_counter()
            result = server.portal.call(server.client.call_tool, tool, arguments)
            client_ms.append((time.perf_counter() - started) * 1000)
            request_ids.append(result.meta[REQUEST_ID_META])
        for rating in ["down"] + ["up"] * 11:  # 1 in 12 thumbs down: within the 20% SLA
            done = client.portal.call(client.client.call_tool, "record_feedback",
                                      {"request_id": request_ids[0], "rating": rating})
            assert not done.is_error, done
    logged = wait_for(directory, "requests", REQUESTS)
    assert len(wait_for(directory, "feedback", 12)) == 12
    assert sorted(e["request_id"] for e in logged) == sorted(request_ids) and len(set(request_ids)) == REQUESTS
    outcome_of = {e["request_id"]: e["outcome"] for e in logged}
    assert [outcome_of[rid] for rid in request_ids] == [outcome for _, _, outcome in calls]
    text = all_text(directory)
    assert E_MAIL not in text and "example.com" not in text
    for raw in ('"customer_id"', "900000", "Acme 0"):
        assert raw not in text, raw
    assert not telemetry_dir(aged).exists()  # the stale server wrote where it was told, not beside its build
    assert {e["freshness_age_s"] > 48 * 3600 for e in logged if e["outcome"] == "refused_stale"} == {True}

    build = build_monitoring(project, check=False)
    results = test_results(project)
    with duckdb.connect(str(project.duckdb_path), read_only=True) as connection:
        modeled = connection.execute(
            "select count(*), count(distinct request_id) from main_monitoring.fct_grounding_requests").fetchone()
        daily = connection.execute(
            "select sum(requests), sum(served), sum(abstained), sum(denied), sum(errors), max(latency_p95_ms),"
            " sum(feedback), sum(thumbs_down), sum(refused_stale), max(refusal_rate)"
            " from main_monitoring.fct_grounding_daily").fetchone()
    assert modeled == (REQUESTS, REQUESTS)
    expected = Counter(outcome for _, _, outcome in calls)
    assert daily[:5] == (REQUESTS, expected["served"], expected["abstained"], expected["denied"], expected["error"])
    assert (daily[6], daily[7]) == (12, 1)
    assert daily[8] == expected["refused_stale"] == REQUESTS // 40  # every refusal in the mix is a stale one
    refusal_rate = expected["refused_stale"] / REQUESTS
    assert float(daily[9]) == pytest.approx(refusal_rate)
    server_p95 = percentile_cont([e["latency_ms"] for e in logged], 0.95)
    assert float(daily[5]) == pytest.approx(server_p95, abs=0.01)
    assert server_p95 <= percentile_cont(client_ms, 0.95)  # the server's time is part of the client's round trip

    assert build.returncode != 0  # the SLA breach fails `dbt build`: the alert is a dbt test
    assert results["grounding_sla_error_rate"] == "fail"
    assert results["grounding_sla_refusal_rate"] == ("fail" if refusal_rate > SLA_REFUSAL_RATE else "pass")
    assert results["grounding_sla_thumbs_down_rate"] == "pass"
    assert results["grounding_sla_latency_p95"] == ("fail" if server_p95 > 500 else "pass")
