"""What `ask` returns: the mart, columns and keys a question is grounded in, with the documents; or candidates to
choose from; or a typed "no grounding" that says why, what is available instead and what an agent should say.
Never an empty document: a result without documents always carries `say`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["grounded", "ambiguous", "no_grounding"]
# why there is no grounding: every reason an agent may be told
Reason = Literal[
    "no_marts",  # no grounding mart is visible (filters, or a project without any)
    "not_grounded",  # no mart or column matches the question well enough: a metric no mart holds ("NPS")
    "no_entity",  # no known name in the question, or a name no mart knows
    "entity_not_in_mart",  # the name is known, but not in the mart the question is about
    "stale", "failed_tests", "unknown_build", "schema_drift", "warehouse_unavailable",  # the data may not be served
]


@dataclass(frozen=True)
class ScoredName:
    name: str
    score: float


@dataclass(frozen=True)
class Candidate:
    """One row a name may mean: its lookup value and key. Several candidates mean "which one did you mean?"."""

    name: str
    key: dict[str, Any]
    mart: str


@dataclass(frozen=True)
class Document:
    mart: str
    key: dict[str, Any]
    format: str
    text: str


@dataclass(frozen=True)
class Confidence:
    """Per step, in [0, 1]: the mart choice, the column choice, the entity resolution."""

    mart: float = 0.0
    columns: float = 0.0
    entity: float = 0.0


@dataclass(frozen=True)
class AskResult:
    status: Status
    mart: str | None = None
    marts: tuple[ScoredName, ...] = ()  # every visible mart ranked, best first
    columns: tuple[ScoredName, ...] = ()  # the chosen mart's columns the question is about, best first (top 3)
    keys: tuple[dict[str, Any], ...] = ()  # resolved keys, one per entity named
    entity_match: str | None = None  # how the name matched: exact, without_suffix, fuzzy, brand
    candidates: tuple[Candidate, ...] = ()
    documents: tuple[Document, ...] = ()
    confidence: Confidence = field(default_factory=Confidence)
    reason: Reason | None = None
    explanation: str = ""
    available: tuple[str, ...] = ()  # what can be asked instead: "mart: summary"
    say: str = ""  # the sentence an agent should say when there is no grounded answer
    contact_details_removed: bool = False  # e-mails / phone numbers in the question: used for nothing, echoed nowhere
    instructions_ignored: bool = False  # instruction-like text in the question: dropped before retrieval

    @property
    def grounded(self) -> bool:
        return self.status == "grounded"

    def as_dict(self) -> dict[str, Any]:
        """JSON-able (keys' values as the warehouse typed them: ints, strings; dates as ISO text)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    if value is None or isinstance(value, str | int | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
