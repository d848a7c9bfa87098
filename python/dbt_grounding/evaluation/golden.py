"""The golden dataset: cases a grounding system must get right, in a YAML file users copy and extend.

    version: 1
    role: account_manager_assistant        # optional: the role every case runs as (else --role)
    cases:
      - id: health-51-status
        question: Is Maple Software Ltd at risk of churning?
        expect: answer                     # answer | ambiguous | abstain
        mart: fct_customer_health_summary  # the mart that holds the answer
        key: {customer_id: 51}             # answer: the row; ambiguous: `keys`, the candidates
        facts:                             # column: value as the document must state it
          health_status: Healthy           # text and dates: exact
          total_contract_value: 35976.00   # numbers: equal as decimals ...
          churn_risk_score: {value: 0.31, tolerance: 0.000001}   # ... or within a tolerance
        tags: [boundary]
      - id: unknown-contoso
        question: What's the ARR of Contoso Ltd?
        expect: abstain
        reason: unknown_entity             # see REASONS
        tags: [out-of-scope]

Loading validates every case and raises `GoldenSetError` naming the case and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dbt_grounding.errors import ConfigurationError

FORMAT_VERSION = 1
EXPECTS = ("answer", "ambiguous", "abstain")
# why a case must abstain, and the `ask` reasons that count as the right one (a role must not learn that a mart
# above it exists, so "restricted" is answered as a mart or entity it cannot see)
REASONS: dict[str, frozenset[str]] = {
    "unknown_entity": frozenset({"no_entity"}),
    "entity_not_in_mart": frozenset({"entity_not_in_mart"}),
    "not_grounded": frozenset({"not_grounded"}),
    "restricted": frozenset({"not_grounded", "no_entity", "entity_not_in_mart", "no_marts"}),
    "stale": frozenset({"stale"}),
    "failed_tests": frozenset({"failed_tests"}),
    "unknown_build": frozenset({"unknown_build"}),
    "schema_drift": frozenset({"schema_drift"}),
}
# the refusals of the key path (get_context) each reason expects: typed error class names
KEY_PATH_REFUSALS: dict[str, frozenset[str]] = {
    "restricted": frozenset({"AccessDeniedError"}),
    "stale": frozenset({"StaleGroundingError"}),
    "failed_tests": frozenset({"FailedTestsError"}),
    "unknown_build": frozenset({"UnknownBuildError"}),
    "schema_drift": frozenset({"SchemaDriftError", "MissingRelationError"}),
}
TAGS = ("paraphrase", "typo", "ambiguous", "out-of-scope", "stale", "restricted", "injection", "pii", "boundary",
        "health", "revenue", "support", "unknown", "not-in-mart", "failing")
CASE_FIELDS = ("id", "question", "expect", "mart", "key", "keys", "reason", "facts", "tags", "role",
               "asked_after_hours", "review", "note")


class GoldenSetError(ConfigurationError):
    """A golden dataset that cannot be used: not YAML, or a case with a missing or malformed field. details: path,
    case (its id or number), field."""


@dataclass(frozen=True)
class ExpectedFact:
    """A value the document must state for `column`. Numbers compare as decimals within `tolerance`; text and
    dates exactly; None means the document states no value (null)."""

    column: str
    value: Any
    tolerance: Decimal | None = None

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, Decimal)


@dataclass(frozen=True)
class GoldenCase:
    id: str
    question: str
    expect: str
    mart: str | None = None
    keys: tuple[dict[str, Any], ...] = ()
    reason: str | None = None
    facts: tuple[ExpectedFact, ...] = ()
    tags: tuple[str, ...] = ()
    role: str | None = None
    asked_after_hours: float = 0.0
    review: bool = False

    @property
    def key(self) -> dict[str, Any] | None:
        """The one expected row of an answer (or of an abstention refused on the key path)."""
        return self.keys[0] if len(self.keys) == 1 and self.expect != "ambiguous" else None


@dataclass(frozen=True)
class GoldenSet:
    cases: tuple[GoldenCase, ...]
    role: str | None = None
    path: str = ""
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.cases)


def load_golden(path: str | Path) -> GoldenSet:
    """Read and validate a golden dataset (module docstring).

    Raises:
        GoldenSetError: the file cannot be read, is not YAML, or a case is malformed (the error names it).
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise GoldenSetError(f"cannot read the golden dataset {path}: {error}", hint="pass the path of a YAML file",
                             path=str(path)) from None
    except yaml.YAMLError as error:
        raise GoldenSetError(f"the golden dataset {path} is not YAML: {_one_line(error)}",
                             hint="fix the YAML (README \"Evaluation\" shows the format)", path=str(path)) from None
    return parse_golden(data, path=str(path))


def parse_golden(data: Any, *, path: str = "<golden>") -> GoldenSet:
    """Validate an already parsed golden dataset (a mapping with `cases`, or a bare list of cases)."""
    if isinstance(data, list):
        data = {"cases": data}
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise GoldenSetError(f"{path}: a golden dataset is a mapping with a `cases:` list",
                             hint="see README \"Evaluation\" for the format", path=path, field="cases")
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise GoldenSetError(f"{path}: golden dataset version {version!r} is not supported (this is version "
                             f"{FORMAT_VERSION})", hint=f"set version: {FORMAT_VERSION}", path=path, field="version")
    role = data.get("role")
    if role is not None and not isinstance(role, str):
        raise GoldenSetError(f"{path}: `role` must be a role name", hint="e.g. role: public", path=path, field="role")
    cases, seen = [], set()
    for number, raw in enumerate(data["cases"], start=1):
        case = _case(raw, number, path)
        if case.id in seen:
            raise _error(path, case.id, "id", "is used by an earlier case", "give every case its own id")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise GoldenSetError(f"{path}: the golden dataset has no cases", hint="add at least one case", path=path,
                             field="cases")
    return GoldenSet(tuple(cases), role=role, path=path)


def _case(raw: Any, number: int, path: str) -> GoldenCase:
    label = f"#{number}"
    if not isinstance(raw, dict):
        raise _error(path, label, "case", "is not a mapping", "each case is a mapping with question:, expect: ...")
    if isinstance(raw.get("id"), (str, int)) and str(raw["id"]).strip():
        label = str(raw["id"])
    elif "id" in raw:
        raise _error(path, label, "id", "must be a non-empty text", "e.g. id: health-51-status")
    unknown = sorted(str(k) for k in raw if k not in CASE_FIELDS)
    if unknown:
        raise _error(path, label, unknown[0], "is not a field of a case",
                     f"the fields are: {', '.join(CASE_FIELDS)}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _error(path, label, "question", "must be a non-empty text", "write the question a user would ask")
    expect = raw.get("expect")
    if expect not in EXPECTS:
        raise _error(path, label, "expect", f"is {expect!r}", f"one of: {', '.join(EXPECTS)}")
    mart = raw.get("mart")
    if mart is not None and (not isinstance(mart, str) or not mart):
        raise _error(path, label, "mart", "must be a model name", "e.g. mart: fct_customer_health_summary")
    keys = _keys(raw, label, path)
    reason = raw.get("reason")
    if expect == "abstain":
        if reason not in REASONS:
            raise _error(path, label, "reason", f"is {reason!r}", f"an abstention names why: one of {', '.join(REASONS)}")
    elif reason is not None:
        raise _error(path, label, "reason", "is only for expect: abstain", "remove it, or set expect: abstain")
    if expect == "answer" and (mart is None or len(keys) != 1):
        raise _error(path, label, "key" if mart else "mart", "is missing",
                     "an answer names its mart and exactly one key: mart: ..., key: {column: value}")
    if expect == "ambiguous" and len(keys) < 2:
        raise _error(path, label, "keys", "must list every candidate (2 or more)", "keys: [{id: 1}, {id: 2}]")
    facts = _facts(raw.get("facts"), label, path)
    if facts and (expect != "answer"):
        raise _error(path, label, "facts", "are only checked for expect: answer", "remove them")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _error(path, label, "tags", "must be a list of words", f"e.g. tags: [{TAGS[0]}]")
    role = raw.get("role")
    if role is not None and not isinstance(role, str):
        raise _error(path, label, "role", "must be a role name", "e.g. role: customer_success_agent")
    later = raw.get("asked_after_hours", 0)
    if isinstance(later, bool) or not isinstance(later, (int, float)) or later < 0:
        raise _error(path, label, "asked_after_hours", f"is {later!r}", "a number of hours of 0 or more")
    return GoldenCase(id=label, question=question, expect=expect, mart=mart, keys=keys, reason=reason, facts=facts,
                      tags=tuple(tags), role=role, asked_after_hours=float(later), review=bool(raw.get("review")))


def _keys(raw: dict, label: str, path: str) -> tuple[dict[str, Any], ...]:
    if "key" in raw and "keys" in raw:
        raise _error(path, label, "keys", "given with key", "use key: for one row, keys: for candidates")
    given = [raw["key"]] if "key" in raw else raw.get("keys") or []
    if not isinstance(given, list):
        raise _error(path, label, "keys", "must be a list of keys", "keys: [{customer_id: 1}, {customer_id: 2}]")
    keys = []
    for key in given:
        if not isinstance(key, dict) or not key or not all(isinstance(k, str) for k in key) or not all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in key.values()):
            field_name = "key" if "key" in raw else "keys"
            raise _error(path, label, field_name, f"{key!r} is not a key", "a key maps columns to values: {customer_id: 51}")
        keys.append(dict(key))
    return tuple(keys)


def _facts(raw: Any, label: str, path: str) -> tuple[ExpectedFact, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise _error(path, label, "facts", "must map columns to values", "facts: {health_status: Healthy}")
    facts = []
    for column, value in raw.items():
        where = f"facts.{column}"
        tolerance = None
        if isinstance(value, dict):
            if set(value) - {"value", "tolerance"} or "value" not in value:
                raise _error(path, label, where, "must be a value or {value: ..., tolerance: ...}",
                             "e.g. {value: 0.31, tolerance: 0.000001}")
            tolerance = _number(value.get("tolerance", 0), path, label, where + ".tolerance")
            if tolerance is None or tolerance < 0:
                raise _error(path, label, where + ".tolerance", "must be a number of 0 or more", "e.g. 0.01")
            value = value["value"]
            if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
                raise _error(path, label, where, "has a tolerance but is not a number", "drop the tolerance")
        facts.append(ExpectedFact(str(column), _fact_value(value, path, label, where), tolerance))
    return tuple(facts)


def _fact_value(value: Any, path: str, label: str, where: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value, path, label, where)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise _error(path, label, where, f"{value!r} is not a value", "a number, a text, a date or null")


def _number(value: Any, path: str, label: str, where: str) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _error(path, label, where, f"{value!r} is not a number", "e.g. 0.01") from None


def _error(path: str, case: str, field_name: str, problem: str, hint: str) -> GoldenSetError:
    return GoldenSetError(f"{path}: case {case}: {field_name} {problem}", hint=hint, path=path, case=case,
                          field=field_name)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
