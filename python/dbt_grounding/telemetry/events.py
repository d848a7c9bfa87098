"""The events, as /work/wt/brief/telemetry_events.md (README "Telemetry") defines them: every field always present.

A request is handed to the writer thread as a PendingRequest holding what the serving code had at hand (the raw
question, the key, the served text or documents); hashing, scrubbing and estimating tokens happen there, off the
request's path (`to_event`). Nothing is rendered there: a surface that sent text (CLI, MCP, agent tools) hands over
that text; the API's document objects are described by their own content hash and
the tokens of the form the caller serves them in (`served_documents`). Nothing raw leaves this module: keys and questions are sha256-hashed, the
question kept with e-mails and phone numbers scrubbed by the documents' own rules (context.text_rules).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from dbt_grounding.errors import (
    AccessDeniedError, FailedTestsError, SchemaDriftError, StaleGroundingError, UnknownBuildError,
)

SCHEMA_VERSION = 1
OUTCOMES = ("served", "abstained", "refused_stale", "refused_drift", "refused_tests", "denied", "error")
# the typed errors that are refusals or denials; every other error is outcome "error" with its class name.
# An unknown build is refused for the same reason failed tests are (nothing vouches for the data): refused_tests.
REFUSALS: tuple[tuple[type[BaseException], str], ...] = (
    (StaleGroundingError, "refused_stale"),
    (SchemaDriftError, "refused_drift"),  # MissingRelationError too
    (FailedTestsError, "refused_tests"),
    (UnknownBuildError, "refused_tests"),
    (AccessDeniedError, "denied"),
)
# ask's reasons for not grounding an answer, as outcomes (the others are abstentions)
ASK_REFUSALS = {"stale": ("refused_stale", "StaleGroundingError"),
                "schema_drift": ("refused_drift", "SchemaDriftError"),
                "failed_tests": ("refused_tests", "FailedTestsError"),
                "unknown_build": ("refused_tests", "UnknownBuildError"),
                "warehouse_unavailable": ("error", "WarehouseError")}
MAX_CANDIDATES = 5


def outcome_of(error: BaseException) -> tuple[str, str]:
    """(outcome, error_type) of a request that ended in `error`."""
    outcome = next((name for kind, name in REFUSALS if isinstance(error, kind)), "error")
    return outcome, type(error).__name__


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_key(key: Mapping[str, Any]) -> str:
    """A key's canonical form: JSON of its columns lowercased and sorted, every value as text ({"customer_id": 42}
    and {"CUSTOMER_ID": "42"} are one key)."""
    return json.dumps({str(column).lower(): str(value) for column, value in key.items()}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def key_hash(keys: list[Mapping[str, Any]], secret: bytes) -> str | None:
    """HMAC-SHA256 of the key's canonical form under the telemetry folder's secret (recorder.key_secret); several
    keys (get_contexts): of their canonical forms, one per line. Not a plain sha256: keys are few and guessable
    (customer ids 1..n), so a plain hash of one is the key itself to whoever reads the log."""
    if not keys:
        return None
    text = "\n".join(canonical_key(key) for key in keys)
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def timestamp(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def scrub(text: str | None) -> str | None:
    if text is None:
        return None
    from dbt_grounding.context.text_rules import scrub_contacts

    return scrub_contacts(text)


def count_tokens(text: str) -> int:
    """An estimate of the text's cl100k tokens (context.tally.TallyTokenEstimate, within ~12%), not tiktoken's
    count: counting with tiktoken in the writer thread cost warm requests 0.6-6 ms at p50 on a loaded machine (the
    thread competes for the cores and the GIL), against a 0.2 ms goal; the estimate costs ~15 us an event."""
    from dbt_grounding.context.tally import TallyTokenEstimate

    return TallyTokenEstimate().count(text)


def served_documents(documents: list[Any], form: str) -> tuple[str, int]:
    """(document_hash, tokens) of ContextDocuments the API returned: objects, not text. The hash is the document's
    own `citation.content_hash` (sha256 of its canonical JSON, computed when it was built: the caller holds it, and
    can give it to record_feedback); of several documents, sha256 of their content hashes one per line. Tokens: the
    estimate of the documents in the form the caller said it serves them in (`form=`, as max_tokens counts it),
    rendered here as the caller renders them (~0.2-0.3 ms a document since the Markdown form is written in Python)."""
    from dbt_grounding.context.render import DOCUMENTS_SEPARATOR

    hashes = [document.citation.content_hash for document in documents]
    digest = hashes[0] if len(hashes) == 1 else sha256_hex("\n".join(hashes))
    return digest, count_tokens(DOCUMENTS_SEPARATOR.join(document.render(form) for document in documents))


@dataclass
class PendingRequest:
    """One request as the serving code saw it; `to_event` makes the event (in the writer thread)."""

    request_id: str
    started: datetime
    surface: str
    tool: str
    role: str | None = None
    question: str | None = None
    mart: str | None = None
    keys: list[Mapping[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    confidence: float | None = None
    outcome: str | None = None
    error_type: str | None = None
    served_text: str | None = None
    documents: tuple[list[Any], str] | None = None  # (ContextDocuments, form) returned when no text was sent (the API)
    latency_ms: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    freshness_age_s: float | None = None
    invocation_id: str | None = None
    raw_questions: bool = False
    key_secret: bytes = b""  # set by Telemetry.submit: the folder's secret key_hash uses

    def served(self) -> tuple[str | None, int | None]:
        """(sha256 hex, token estimate) of what was served: the text a surface sent, else the API's documents
        (`served_documents`); (None, None) when nothing was."""
        if self.served_text is not None:
            return sha256_hex(self.served_text), count_tokens(self.served_text)
        if self.documents and self.documents[0]:
            return served_documents(*self.documents)
        return None, None

    def to_event(self) -> dict[str, Any]:
        outcome = self.outcome or "served"
        digest, tokens = self.served()
        return {
            "event": "request",
            "schema_version": SCHEMA_VERSION,
            "request_id": self.request_id,
            "ts": timestamp(self.started),
            "role": self.role,
            "surface": self.surface,
            "tool": self.tool,
            "question_hash": sha256_hex(self.question) if self.question is not None else None,
            "question": self.question if self.raw_questions else scrub(self.question),
            "mart": self.mart,
            "key_hash": key_hash(self.keys, self.key_secret),
            "candidates": self.candidates[:MAX_CANDIDATES],
            "confidence": self.confidence,
            "outcome": outcome,
            "error_type": self.error_type if outcome != "served" else None,
            "document_hash": digest if outcome in ("served", "abstained") else None,
            "tokens": tokens,
            "latency_ms": round(self.latency_ms, 3),
            "latency_artifacts_ms": _rounded(self.phases.get("artifacts")),
            "latency_warehouse_ms": _rounded(self.phases.get("warehouse")),
            "latency_render_ms": _rounded(self.phases.get("render")),
            "freshness_age_s": self.freshness_age_s,
            "invocation_id": self.invocation_id,
        }


def feedback_event(feedback_id: str, started: datetime, *, request_id: str | None, document_hash: str | None,
                   rating: str, comment: str | None) -> dict[str, Any]:
    return {
        "event": "feedback",
        "schema_version": SCHEMA_VERSION,
        "feedback_id": feedback_id,
        "ts": timestamp(started),
        "request_id": request_id,
        "document_hash": document_hash,
        "rating": rating,
        "comment": scrub(comment),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
