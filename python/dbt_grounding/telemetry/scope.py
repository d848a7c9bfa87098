"""One request, from where it came in to what was served: `request(tool, surface=...)` opens it for the duration of
a call. The first (outermost) scope in a thread or task is the request; scopes opened inside it (the facade's
`context` under the MCP tool `get_context`, `ask`'s own lookups) add what they know to it and are not requests of
their own, so every request is logged exactly once, with the tool and surface it came in through.

The event is handed to the project's writer when the outermost scope ends (telemetry.writer: never blocking);
`last_request_id()` is the id of the last request that ended in this thread or task.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from time import perf_counter
from typing import TYPE_CHECKING, Any

from dbt_grounding.telemetry import otel, timing
from dbt_grounding.telemetry.events import ASK_REFUSALS, PendingRequest, outcome_of

if TYPE_CHECKING:
    from dbt_grounding.telemetry.recorder import Telemetry

_active: ContextVar[RequestScope | None] = ContextVar("dbt_grounding_request", default=None)
_last: ContextVar[str | None] = ContextVar("dbt_grounding_last_request_id", default=None)


class RequestScope:
    """What is known of the request being served; `pending` becomes its event."""

    def __init__(self, tool: str, surface: str) -> None:
        self.pending = PendingRequest(uuid.uuid4().hex, datetime.now(timezone.utc), surface, tool)
        self.telemetry: Telemetry | None = None
        self._start = perf_counter()
        self._documents: list[Any] = []
        self._form = "markdown"

    @property
    def request_id(self) -> str:
        return self.pending.request_id

    def bind(self, project: Any) -> None:
        """The project answering: its telemetry (where the event goes), the caller's role, the artifacts' dbt
        invocation."""
        if self.telemetry is None:
            self.telemetry = project.telemetry
        pending = self.pending
        if pending.role is None:
            pending.role = project.role.name
        if pending.invocation_id is None:
            pending.invocation_id = project.manifest.metadata.invocation_id

    def note(self, *, mart: str | None = None, question: str | None = None,
             keys: Sequence[Mapping[str, Any]] = ()) -> None:
        # whatever the caller passed: what it got wrong is the request's error to raise, never telemetry's
        pending = self.pending
        if mart is not None and pending.mart is None:
            pending.mart = str(mart)
        if question is not None and pending.question is None:
            pending.question = str(question)
        if isinstance(keys, (list, tuple)):
            pending.keys.extend(dict(key) for key in keys if isinstance(key, Mapping))

    def serve_text(self, text: str) -> None:
        """The text the surface returned (the last surface out wins: the MCP result over the facade's documents)."""
        self.pending.served_text = text

    def serve_documents(self, documents: Sequence[Any], form: str) -> None:
        """Documents served (the API: objects, not text, to be served in `form`); the event describes them by their
        content hash and the tokens of that form (events.served_documents) unless a surface gives the text it sent."""
        if documents and not self._documents:
            first = documents[0]
            self.pending.freshness_age_s = first.freshness.age_seconds
            if first.citation.invocation_id:
                self.pending.invocation_id = first.citation.invocation_id
        self._documents.extend(documents)
        self._form = form

    def fail(self, error: BaseException) -> None:
        self.pending.outcome, self.pending.error_type = outcome_of(error)
        details = getattr(error, "details", None)
        age = details.get("age_seconds") if isinstance(details, dict) else None
        if self.pending.freshness_age_s is None and isinstance(age, (int, float)):
            self.pending.freshness_age_s = age

    def ask_result(self, result: Any) -> None:
        """`ask`'s answer: retrieval candidates, confidence, and the outcome its status and reason say."""
        pending = self.pending
        pending.candidates = [{"mart": scored.name, "score": round(float(scored.score), 4)}
                              for scored in result.marts]
        pending.confidence = round(float(result.confidence.mart), 4)
        if result.mart and pending.mart is None:
            pending.mart = result.mart
        if result.status == "grounded":
            pending.outcome, pending.error_type = "served", None
        elif result.reason in ASK_REFUSALS:
            pending.outcome, pending.error_type = ASK_REFUSALS[result.reason]
        else:
            pending.outcome, pending.error_type = "abstained", f"ask:{result.reason or result.status}"
        if result.documents:
            from dbt_grounding.context.render import DOCUMENTS_SEPARATOR

            self.serve_text(DOCUMENTS_SEPARATOR.join(document.text for document in result.documents))

    def finish(self, span: Any) -> None:
        """Hand the event to the writer; never raises (telemetry must not fail a request)."""
        try:
            self._finish(span)
        except Exception:  # noqa: BLE001 - a bug here loses one event, not the caller's answer
            pass

    def _finish(self, span: Any) -> None:
        pending = self.pending
        pending.latency_ms = (perf_counter() - self._start) * 1000.0
        if self._documents:
            if pending.outcome is None and not any(document.found for document in self._documents):
                pending.outcome = "abstained"  # no row matched: the document says so and not to guess
            if pending.served_text is None:
                pending.documents = (list(self._documents), self._form)
        otel.end_span(span, {"request_id": pending.request_id, "outcome": pending.outcome or "served",
                             "error_type": pending.error_type, "mart": pending.mart, "role": pending.role,
                             "latency_ms": round(pending.latency_ms, 3)})
        if self.telemetry is not None and self.telemetry.enabled:
            pending.raw_questions = self.telemetry.config.raw_questions
            if pending.documents is not None:
                # rendered here, not in the writer thread: there it held the GIL in bursts every request waited
                # behind (benchmarks/context_latency.py, p95 with the defaults); the document keeps the text, so the
                # caller's own render of the same form costs nothing
                documents, form = pending.documents
                for document in documents:
                    document.render(form)
            self.telemetry.submit(pending)


def current() -> RequestScope | None:
    """The request being served in this thread or task, if any."""
    return _active.get()


def last_request_id() -> str | None:
    """The id of the last request that ended in this thread or task."""
    return _last.get()


@contextmanager
def request(tool: str, *, surface: str = "api", project: Any = None, mart: str | None = None,
            question: str | None = None, keys: Sequence[Mapping[str, Any]] = ()) -> Iterator[RequestScope]:
    """Serve one request as `tool` through `surface` (api, cli, mcp); inside another request, add to that one.

    An exception leaving the outermost scope sets the outcome (telemetry.events.outcome_of); a surface that turns
    errors into answers calls `scope.fail(error)` itself.
    """
    outer = _active.get()
    if outer is not None:
        if project is not None:
            outer.bind(project)
        outer.note(mart=mart, question=question, keys=keys)
        yield outer
        return
    scope = RequestScope(tool, surface)
    if project is not None:
        scope.bind(project)
    scope.note(mart=mart, question=question, keys=keys)
    span = otel.start_span(tool, surface)
    token, phases = _active.set(scope), timing.collect(scope.pending.phases)
    try:
        yield scope
    except BaseException as error:
        scope.fail(error)
        raise
    finally:
        timing.stop(phases)
        _active.reset(token)
        scope.finish(span)
        _last.set(scope.request_id)
