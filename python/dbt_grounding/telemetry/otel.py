"""OpenTelemetry spans for the requests, when the `opentelemetry` API is installed (the `otel` extra): a span per
request named `dbt_grounding.<tool>`, child of whatever span the caller has open, so the users' own tracing sees the
grounding calls. Without the package, or with its no-op default provider, this costs next to nothing."""

from __future__ import annotations

from typing import Any

_trace: Any = None
_looked = False


def _api() -> Any:
    global _trace, _looked
    if not _looked:
        _looked = True
        try:
            from opentelemetry import trace
        except ImportError:
            trace = None
        _trace = trace
    return _trace


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
