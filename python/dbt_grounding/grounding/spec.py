"""A node's grounding spec: `config.meta.grounding` when present, sensible defaults from dbt itself when not.

Defaults, so any dbt project works: the keys dbt knows (`candidate_keys`); freshness unchecked; no as-of column;
access internal; summary = the node's description; lookup = the documented columns named `name` or `*_name`; no
synonyms. Models, seeds, snapshots and sources all have one.

Keys are read as dbt means them. dbt's inferred `primary_key` (1.9+) lists every column that has its own unique +
not_null tests: those are alternative keys, each enough to name a row, not one composite key (and dbt builds the
list from a set, so its order changes between parses). A key of several columns comes only from a primary_key
constraint, a `unique_combination_of_columns` test (dbt_utils' or a project's own), or a list `unique_key`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dbt_grounding.artifacts import Manifest, Node, Source
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
class FreshnessThresholds:
    warn_after: Threshold | None
    error_after: Threshold | None


@dataclass(frozen=True)
class GroundingSpec:
    """How a node is served to agents. `declared` says whether it came from meta.grounding or defaults.

    `candidate_keys` are every set of columns a row can be looked up by, the preferred first; `key` is that
    preferred one (empty when none is known). An explicit meta.grounding.key is the only candidate.
    """

    unique_id: str
    name: str
    entity: str
    key: tuple[str, ...]
    candidate_keys: tuple[tuple[str, ...], ...]
    as_of_column: str | None
    freshness: FreshnessThresholds | None
    access: str
    summary: str
    declared: bool
    # what `ask` reads: columns whose values name an entity ("Maple Software" -> its key), and phrases a question
    # may use for the mart or one of its columns ("ARR" -> annual_recurring_revenue), column -> phrases
    lookup: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    column_synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()


def is_grounding_mart(node: Node | Source) -> bool:
    return node.resource_type == "model" and isinstance(node.merged_meta.get("grounding"), dict)


def grounding_models(manifest: Manifest) -> list[Node]:
    """Models with a meta.grounding block, by name; in a project without any, every model with a key dbt knows."""
    models = sorted((n for n in manifest.nodes.values() if n.resource_type == "model"), key=lambda n: n.name)
    declared = [n for n in models if is_grounding_mart(n)]
    return declared or [n for n in models if grounding_spec(manifest, n).key]


def grounding_spec(manifest: Manifest, node: Node | Source) -> GroundingSpec:
    """The spec of `node`, from its meta.grounding block or defaults.

    Raises:
        ConfigurationError: a meta.grounding block that is malformed (names the model and the field).
    """
    block = node.merged_meta.get("grounding")
    declared = isinstance(block, dict)
    block = block if declared else {}
    where = f"{getattr(node, 'original_file_path', '') or node.unique_id}: {node.name}.config.meta.grounding"

    key = block.get("key")
    if key is None:
        candidates = candidate_keys(manifest, node)
    else:
        key = [key] if isinstance(key, str) else key
        if not isinstance(key, list) or not key or not all(isinstance(k, str) and k for k in key):
            raise ConfigurationError(f"{where}.key must be a column name or a list of them, got {key!r}",
                                     hint="e.g. key: [customer_id]", model=node.name, field="key")
        unknown = [k for k in key if k.lower() not in {c.lower() for c in node.columns}]
        if node.columns and unknown:
            raise ConfigurationError(f"{where}.key names columns the model does not document: {', '.join(unknown)}",
                                     hint="document the key columns in the model's yml, or fix the key",
                                     model=node.name, field="key", columns=unknown)
        candidates = [tuple(key)]

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
        key=candidates[0] if candidates else (),
        candidate_keys=tuple(candidates),
        as_of_column=as_of,
        freshness=_freshness_policy(block.get("freshness"), where, node.name),
        access=access,
        summary=" ".join(str(block.get("summary") or node.description or "").split()),
        declared=declared,
        lookup=_lookup_columns(block.get("lookup"), node, where),
        synonyms=_phrases(block.get("synonyms"), f"{where}.synonyms", node.name),
        column_synonyms=tuple(
            (column.name, phrases) for column in node.columns.values()
            if (phrases := _phrases(_column_grounding(column).get("synonyms"),
                                    f"{where} column {column.name}: config.meta.grounding.synonyms", node.name))
        ),
    )


def _column_grounding(column: Any) -> dict:
    block = column.merged_meta.get("grounding")
    return block if isinstance(block, dict) else {}


def _lookup_columns(value: Any, node: Node | Source, where: str) -> tuple[str, ...]:
    """meta.grounding.lookup, checked against the documented columns; by default the documented name columns."""
    if value is None:
        return tuple(name for name in node.columns if name.lower() == "name" or name.lower().endswith("_name"))
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ConfigurationError(f"{where}.lookup must be a column name or a list of them, got {value!r}",
                                 hint="e.g. lookup: [customer_name]", model=node.name, field="lookup")
    unknown = [v for v in value if v.lower() not in {c.lower() for c in node.columns}]
    if unknown:
        raise ConfigurationError(f"{where}.lookup names columns the model does not document: {', '.join(unknown)}",
                                 hint="document the lookup columns in the model's yml, or fix the names",
                                 model=node.name, field="lookup", columns=unknown)
    return tuple(value)


def _phrases(value: Any, where: str, model: str) -> tuple[str, ...]:
    if value is None:
        return ()
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigurationError(f"{where} must be a phrase or a list of phrases, got {value!r}",
                                 hint='e.g. synonyms: ["ARR", "annual revenue"]', model=model, field="synonyms")
    return tuple(" ".join(v.split()) for v in value)


def describe_keys(spec: GroundingSpec) -> str:
    """`customer_id or email`; `(order_id, line_number)` among alternatives; `none` when no key is known."""
    keys = spec.candidate_keys
    if len(keys) == 1:
        return ", ".join(keys[0])
    return " or ".join(", ".join(k) if len(k) == 1 else f"({', '.join(k)})" for k in keys) or "none"


def candidate_keys(manifest: Manifest, node: Node | Source) -> list[tuple[str, ...]]:
    """Every key dbt knows for the node, the preferred first: primary_key constraints (model-level, then
    column-level), an incremental model's or snapshot's `unique_key`, each column with unique and not_null (tests or
    constraints), each `unique_combination_of_columns` test, then each column with a unique test alone (looking up
    a non-null value by it still finds at most one row).

    A snapshot's unique_key names a record, and the snapshot holds every version of it: a lookup serves them all.
    """
    keys: list[tuple[str, ...]] = []

    def add(columns: Any) -> None:
        columns = [columns] if isinstance(columns, str) else columns
        if not isinstance(columns, list) or not columns or not all(_is_column(node, c) for c in columns):
            return  # an expression (dbt allows one in unique_key or a test's column_name) names no lookup column
        folded = {c.casefold() for c in columns}
        if all({c.casefold() for c in k} != folded for k in keys):
            keys.append(tuple(columns))

    for constraint in getattr(node, "constraints", []):
        if constraint.type == "primary_key":
            add(list(constraint.columns))
    for column in node.columns.values():
        if any(c.type == "primary_key" for c in column.constraints):
            add(column.name)
    if isinstance(node, Node):
        add(node.config.unique_key)
    unique, not_null, combinations = _tested_columns(manifest, node)
    for column in unique:
        if column.casefold() in {c.casefold() for c in not_null}:
            add(column)
    for combination in combinations:
        add(combination)
    for column in unique:
        add(column)
    return keys


def _tested_columns(manifest: Manifest, node: Node | Source) -> tuple[list[str], list[str], list[list[str]]]:
    """Columns with unique / not_null (tests, or constraints), in the node's column order then by name, and the
    column lists of unique_combination_of_columns tests (any package's), by test id."""
    unique = {c.name for c in node.columns.values() if any(x.type == "unique" for x in c.constraints)}
    not_null = {c.name for c in node.columns.values() if any(x.type == "not_null" for x in c.constraints)}
    combinations = []
    for test in manifest.tests_on(node.unique_id):
        metadata = test.test_metadata
        if metadata is None or test.config.where:
            continue  # a singular test, or one filtered to some rows: no key
        column = metadata.kwargs.get("column_name", test.column_name)
        if metadata.name == "unique" and isinstance(column, str):
            unique.add(column)
        elif metadata.name == "not_null" and isinstance(column, str):
            not_null.add(column)
        elif metadata.name == "unique_combination_of_columns":
            combinations.append(metadata.kwargs.get("combination_of_columns"))
    order = {name.casefold(): position for position, name in enumerate(node.columns)}

    def ordered(names: set[str]) -> list[str]:
        return sorted(names, key=lambda name: (order.get(name.casefold(), len(order)), name))

    return ordered(unique), ordered(not_null), combinations


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _is_column(node: Node | Source, name: Any) -> bool:
    """A documented column, or a plain identifier (most columns are undocumented), not an expression."""
    if not isinstance(name, str) or not name:
        return False
    return name.casefold() in {c.casefold() for c in node.columns} or bool(_IDENTIFIER.fullmatch(name))


def _freshness_policy(block: Any, where: str, model: str) -> FreshnessThresholds | None:
    if block is None:
        return None
    if not isinstance(block, dict) or not (set(block) & {"warn_after", "error_after"}):
        raise ConfigurationError(f"{where}.freshness must hold warn_after and/or error_after",
                                 hint="freshness: {warn_after: {count: 24, period: hour}, error_after: {count: 48, period: hour}}",
                                 model=model, field="freshness")
    return FreshnessThresholds(
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
