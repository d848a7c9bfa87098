"""OpenTelemetry spans for the requests, when the `opentelemetry` API is installed (the `otel` extra): a span per
request named `dbt_grounding.<tool>`, child of whatever span the caller has open, so the users' own tracing sees the
grounding calls. Spans are made once the process has imported OpenTelemetry (see _api); otherwise, or with the
API's no-op default provider, this costs next to nothing."""

from __future__ import annotations

import sys
from typing import Any


def _api() -> Any:
    """OpenTelemetry's trace API when the process uses OpenTelemetry (an application that configured tracing, or
    `opentelemetry-instrument`, has imported it), else None: importing it here would cost every CLI command a tenth
    of a second for spans nobody collects."""
    return sys.modules.get("opentelemetry.trace")


def start_span(tool: str, surface: str) -> Any:
    """A started span, or None without OpenTelemetry."""
    trace = _api()
    if trace is None:
        return None
    return trace.get_tracer("dbt_grounding").start_span(
        f"dbt_grounding.{tool}", attributes={"dbt_grounding.tool": tool, "dbt_grounding.surface": surface})


def end_span(span: Any, attributes: dict[str, Any]) -> None:
    if span is None:
        return
    span.set_attributes({f"dbt_grounding.{name}": value for name, value in attributes.items() if value is not None})
    if attributes.get("outcome") == "error":
        from opentelemetry.trace import Status, StatusCode

        span.set_status(Status(StatusCode.ERROR, attributes.get("error_type") or "error"))
    span.end()
