"""Reading what the telemetry wrote, as the monitoring models do: every `requests-*.jsonl` / `feedback-*.jsonl`."""

from __future__ import annotations

import json
from pathlib import Path

REQUEST_FIELDS = {
    "event", "schema_version", "request_id", "ts", "role", "surface", "tool", "question_hash", "question", "mart",
    "key_hash", "candidates", "confidence", "outcome", "error_type", "document_hash", "tokens", "latency_ms",
    "latency_artifacts_ms", "latency_warehouse_ms", "latency_render_ms", "freshness_age_s", "invocation_id",
}
FEEDBACK_FIELDS = {"event", "schema_version", "feedback_id", "ts", "request_id", "document_hash", "rating", "comment"}


def events(directory: Path, kind: str = "requests") -> list[dict]:
    found = []
    for path in sorted(Path(directory).glob(f"{kind}-*.jsonl")):
        found += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    expected = REQUEST_FIELDS if kind == "requests" else FEEDBACK_FIELDS
    for event in found:
        assert set(event) == expected, sorted(set(event) ^ expected)  # every field, always
    return found


def all_text(directory: Path) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(Path(directory).glob("*.jsonl")))
