"""OpenTelemetry spans for the requests, when the SDK is installed (the `otel` extra): one span per request, a child
of the caller's span, with the outcome and the request id. Skipped without the SDK."""

from __future__ import annotations

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

from dbt_grounding.errors import AccessDeniedError  # noqa: E402
from dbt_grounding.telemetry import request  # noqa: E402

EXPORTER = InMemorySpanExporter()


@pytest.fixture()
def spans():
    if not isinstance(trace.get_tracer_provider(), TracerProvider):  # the global provider can be set once
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def test_a_request_is_a_span_in_the_caller_s_trace(spans) -> None:
    tracer = trace.get_tracer("the-user-s-app")
    with tracer.start_as_current_span("answer a chat turn") as parent:
        with request("get_context", surface="mcp", mart="fct_customer_health_summary") as scope:
            with request("context"):  # the facade inside the tool: the same request, no second span
                pass
        with pytest.raises(AccessDeniedError):
            with request("get_context", surface="mcp"):
                raise AccessDeniedError("no such mart", hint="list the marts")
    assert sorted(span.name for span in spans.get_finished_spans()) == [
        "answer a chat turn", "dbt_grounding.get_context", "dbt_grounding.get_context"]
    ours = [span for span in spans.get_finished_spans() if span.name == "dbt_grounding.get_context"]
    assert len(ours) == 2
    served, denied = ours
    assert served.parent.span_id == parent.get_span_context().span_id
    assert served.attributes["dbt_grounding.request_id"] == scope.request_id
    assert served.attributes["dbt_grounding.outcome"] == "served"
    assert served.attributes["dbt_grounding.surface"] == "mcp"
    assert served.attributes["dbt_grounding.mart"] == "fct_customer_health_summary"
    assert denied.attributes["dbt_grounding.outcome"] == "denied"
    assert denied.attributes["dbt_grounding.error_type"] == "AccessDeniedError"
