"""A model's grounding spec: `config.meta.grounding` when present, sensible defaults from dbt itself when not.

Defaults, so any dbt project works: the key from the `primary_key` dbt infers (1.9+), else primary_key constraints,
else the single column with both `unique` and `not_null` tests; freshness unchecked; no as-of column; access
internal; summary = the model description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt_grounding.artifacts import Manifest, Node
from dbt_grounding.errors import ConfigurationError

ACCESS_LEVELS = ("public", "internal", "restricted")
PERIOD_SECONDS = {"minute": 60, "hour": 3_600, "day": 86_400}


@dataclass(frozen=True)
class Threshold:
    count: int
    period: str

    @property
    def seconds(self) -> int:
        return self.count * PERIOD_SECONDS[self.period]

    def __str__(self) -> str:
        return f"{self.count} {self.period}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class FreshnessPolicy:
    warn_after: Threshold | None
    error_after: Threshold | None


@dataclass(frozen=True)
class GroundingSpec:
    """How a model is served to agents. `declared` says whether it came from meta.grounding or defaults."""

    unique_id: str
    name: str
    entity: str
    key: tuple[str, ...]
    as_of_column: str | None
    freshness: FreshnessPolicy | None
    access: str
    summary: str
    declared: bool


def is_grounding_mart(node: Node) -> bool:
    return node.resource_type == "model" and isinstance(node.merged_meta.get("grounding"), dict)


def grounding_spec(manifest: Manifest, node: Node) -> GroundingSpec:
    """The spec of `node`, from its meta.grounding block or defaults.

    Raises:
        ConfigurationError: a meta.grounding block that is malformed (names the model and the field).
    """
    block = node.merged_meta.get("grounding")
    declared = isinstance(block, dict)
    block = block if declared else {}
    where = f"{node.original_file_path or node.unique_id}: {node.name}.config.meta.grounding"

    key = block.get("key")
    if key is None:
        key = default_key(manifest, node)
    elif isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        raise ConfigurationError(f"{where}.key must be a column name or a list of them, got {key!r}",
                                 hint="e.g. key: [customer_id]", model=node.name, field="key")
    unknown = [k for k in key if k.lower() not in {c.lower() for c in node.columns}]
    if node.columns and unknown:
        raise ConfigurationError(f"{where}.key names columns the model does not document: {', '.join(unknown)}",
                                 hint="document the key columns in the model's yml, or fix the key",
                                 model=node.name, field="key", columns=unknown)

    as_of = block.get("as_of_column")
    if as_of is not None and as_of.lower() not in {c.lower() for c in node.columns}:
        raise ConfigurationError(f"{where}.as_of_column {as_of!r} is not a documented column of the model",
                                 hint="document it in the model's yml or fix the name", model=node.name,
                                 field="as_of_column")

    access = block.get("access", "internal")
    if access not in ACCESS_LEVELS:
        raise ConfigurationError(f"{where}.access must be one of {', '.join(ACCESS_LEVELS)}, got {access!r}",
                                 hint="access: internal", model=node.name, field="access")

    return GroundingSpec(
        unique_id=node.unique_id,
        name=node.name,
        entity=str(block.get("entity") or node.name),
        key=tuple(key),
        as_of_column=as_of,
        freshness=_freshness_policy(block.get("freshness"), where, node.name),
        access=access,
        summary=" ".join(str(block.get("summary") or node.description or "").split()),
        declared=declared,
    )


def default_key(manifest: Manifest, node: Node) -> list[str]:
    """The key dbt itself knows: inferred primary_key, else constraints, else a unique + not_null tested column."""
    if node.primary_key:
        return list(node.primary_key)
    for constraint in node.constraints:
        if constraint.type == "primary_key" and constraint.columns:
            return list(constraint.columns)
    for column in node.columns.values():
        if any(c.type == "primary_key" for c in column.constraints):
            return [column.name]
    tested: dict[str, set[str]] = {}
    for test in manifest.tests_on(node.unique_id):
        if test.test_metadata and test.column_name:
            tested.setdefault(test.column_name, set()).add(test.test_metadata.name)
    candidates = sorted(column for column, names in tested.items() if {"unique", "not_null"} <= names)
    return candidates[:1]


def _freshness_policy(block: Any, where: str, model: str) -> FreshnessPolicy | None:
    if block is None:
        return None
    if not isinstance(block, dict) or not (set(block) & {"warn_after", "error_after"}):
        raise ConfigurationError(f"{where}.freshness must hold warn_after and/or error_after",
                                 hint="freshness: {warn_after: {count: 24, period: hour}, error_after: {count: 48, period: hour}}",
                                 model=model, field="freshness")
    return FreshnessPolicy(
        warn_after=_threshold(block.get("warn_after"), f"{where}.freshness.warn_after", model),
        error_after=_threshold(block.get("error_after"), f"{where}.freshness.error_after", model),
    )


def _threshold(value: Any, where: str, model: str) -> Threshold | None:
    if value is None:
        return None
    count = value.get("count") if isinstance(value, dict) else None
    period = value.get("period") if isinstance(value, dict) else None
    if not isinstance(count, int) or isinstance(count, bool) or count <= 0 or period not in PERIOD_SECONDS:
        raise ConfigurationError(f"{where} must be {{count: <positive integer>, period: minute|hour|day}}, got {value!r}",
                                 hint="dbt's freshness syntax, e.g. {count: 24, period: hour}", model=model,
                                 field="freshness")
    return Threshold(count, period)
