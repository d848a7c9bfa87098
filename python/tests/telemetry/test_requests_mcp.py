"""Real tool calls through `dbt-grounding serve` (the SDK's client over stdio): every call logged exactly once as
surface mcp with its outcome, its request id in the result's _meta, and record_feedback (a tool that writes) storing
feedback on it, logged as feedback and not as a request."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agent.mcp_session import mcp_session
from dbt_grounding.agent.mcp_server import REQUEST_ID_META
from dbt_runner import DbtProject, copy_build

from telemetry.events_files import all_text, events

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
CALLS = [  # (tool, arguments, outcome, error_type)
    ("list_grounding_marts", {}, "served", None),
    ("describe_mart", {"mart": MART}, "served", None),
    ("get_context", {"mart": MART, "key": {"customer_id": 12}}, "served", None),
    ("get_context", {"mart": MART, "key": {"customer_id": 987654}}, "abstained", None),
    ("get_contexts", {"mart": MART, "keys": [{"customer_id": 12}, {"customer_name": "Acme"}]}, "served", None),
    ("get_context", {"mart": "no_such_mart", "key": {"customer_id": 12}}, "denied", "AccessDeniedError"),
    ("get_context", {"mart": MART, "key": {"customer_name": "Acme"}}, "error", "InvalidKeyError"),
    ("get_context", {"mart": MART}, "error", "InvalidArguments"),
    ("ground_question", {"question": "Is Harbor Retail at risk? Mail jane.doe@example.com, +1 415 555 0199"},
     "served", None),
    ("ground_question", {"question": "What is Harbor Retail's NPS?"}, "abstained", "ask:not_grounded"),
    ("explain_lineage", {"mart": MART, "column": "nope"}, "error", "GroundingError"),
    ("check_grounding", {"mart": MART}, "served", None),
]


def wait_for(directory: Path, kind: str, count: int) -> list[dict]:
    """The server's writer thread writes shortly after each call: wait (bounded) until `count` events are there."""
    deadline = time.monotonic() + 60
    while len(found := events(directory, kind) if directory.exists() else []) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_every_tool_call_is_logged_once_with_its_outcome_and_feedback_is_recorded(
        built_package: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_build(built_package, tmp_path / "served")
    directory = tmp_path / "telemetry"
    monkeypatch.setenv("DBT_GROUNDING_TELEMETRY_DIR", str(directory))
    ids = []
    with mcp_session(project, "--role", "internal") as client:
        for tool, arguments, _, _ in CALLS:
            result = client.portal.call(client.client.call_tool, tool, arguments)
            ids.append(result.meta[REQUEST_ID_META])
        logged = wait_for(directory, "requests", len(CALLS))
        feedback = client.portal.call(client.client.call_tool, "record_feedback",
                                      {"request_id": ids[2], "rating": "down", "comment": "wrong health status"})
        assert not feedback.is_error and feedback.content[0].text.startswith("Feedback recorded"), feedback
        refused = client.portal.call(client.client.call_tool, "record_feedback", {"rating": "sideways",
                                                                                  "request_id": ids[2]})
        assert refused.is_error and "invalid arguments" in refused.content[0].text
        neither = client.portal.call(client.client.call_tool, "record_feedback", {"rating": "up"})
        assert neither.is_error and "InvalidFeedbackError" in neither.content[0].text
        recorded = wait_for(directory, "feedback", 1)
    assert [(e["tool"], e["outcome"], e["error_type"]) for e in logged] == [
        (tool, outcome, error_type) for tool, _, outcome, error_type in CALLS]
    assert [e["request_id"] for e in logged] == ids and len(set(ids)) == len(ids)
    assert {(e["surface"], e["role"]) for e in logged} == {("mcp", "internal")}
    assert len(events(directory)) == len(CALLS)  # feedback calls are not requests
    served = logged[2]
    assert served["mart"] == MART and served["document_hash"] and served["tokens"] > 0
    assert served["latency_artifacts_ms"] is not None and served["latency_warehouse_ms"] > 0
    assert logged[8]["question"] == "Is Harbor Retail at risk? Mail [email], [phone]"
    assert logged[8]["candidates"] and logged[8]["confidence"] > 0
    (feedback_event,) = recorded
    assert (feedback_event["request_id"], feedback_event["rating"]) == (ids[2], "down")
    text = all_text(directory)
    for raw in ("jane.doe", "example.com", "555 0199", "987654", "Acme"):
        assert raw not in text, raw
