"""The document's inputs (context.DocumentInputs) mapped from what serving gathered: the manifest's node and spec,
the checked relation, the served rows, freshness and test status. Plain mapping: no warehouse query but the as-of
fallback `as_of_value` is given."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dbt_grounding.context import ColumnInput, DocumentInputs, Freshness, FreshnessPolicy, ModelInput, TestStatus

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Node, Source
    from dbt_grounding.context.known_names import KnownNames
    from dbt_grounding.grounding.drift import RelationCheck
    from dbt_grounding.grounding.freshness import FreshnessResult
    from dbt_grounding.grounding.spec import GroundingSpec
    from dbt_grounding.grounding.test_status import TestOutcome


@dataclass(frozen=True)
class MartInputs:
    """What every document of one mart shares in one request: gathered once, however many keys are served."""

    model: ModelInput
    columns: list[ColumnInput]
    tests: list[TestStatus]
    sources: list[str]
    invocation_id: str | None
    manifest_generated_at: str | None
    warnings: list[str]  # stated before the key's own warnings
    never_built: list[str]  # documented columns the build never produced: stated last
    known_names: KnownNames

    def document(self, key: dict[str, Any], rows: list[dict], row_limit: int, freshness: FreshnessResult,
                 as_of: Any) -> DocumentInputs:
        """The inputs of one key's document (`rows` as fetched: up to row_limit + 1, the extra one only says the
        cap was hit)."""
        more = ["more rows match this key than are shown"] if len(rows) > row_limit else []
        return DocumentInputs(
            model=self.model, columns=self.columns, key=key, rows=rows[:row_limit],
            freshness=Freshness(
                status=freshness.status,
                policy=FreshnessPolicy(warn_after=freshness.warn_after, error_after=freshness.error_after),
                as_of=as_of, as_of_column=_row_column(rows, self.model.as_of_column),
                last_built_at=freshness.last_built_at, age_seconds=freshness.age_seconds,
                evidence=freshness.evidence,
            ),
            tests=self.tests, sources=self.sources, invocation_id=self.invocation_id,
            manifest_generated_at=self.manifest_generated_at,
            warnings=self.warnings + more
            + [f"Column {name} is documented in the dbt project but its build never produced it: it has no value."
               for name in self.never_built],
            known_names=self.known_names,
        )


def _row_column(rows: list[dict], column: str | None) -> str | None:
    """`column` as the rows spell it (the spec may differ in case), else as given."""
    if column is None:
        return None
    return next((name for name in (rows[0] if rows else {}) if name.lower() == column.lower()), column)


def model_input(node: Node | Source, spec: GroundingSpec, name: str) -> ModelInput:
    return ModelInput(name=name, unique_id=node.unique_id, relation=node.relation_name or node.identifier,
                      description=node.description, entity=spec.entity, summary=spec.summary or None,
                      access=spec.access, as_of_column=spec.as_of_column)


def test_statuses(tests: list[TestOutcome]) -> list[TestStatus]:
    return [TestStatus(unique_id=t.unique_id, name=t.name, status=t.status, on=t.on) for t in tests]


def served_columns(node: Node | Source, served: RelationCheck) -> list[ColumnInput]:
    """Every column of the relation, documented or not, typed by the contract, the build's schema or the
    warehouse; documented columns the build never produced are left out (the document says so)."""
    live = served.state.columns
    if live is None:  # not found: the lookup raises MissingRelationError
        return []
    documented = {column.name.casefold(): column for column in node.columns.values()}
    columns = []
    for name, live_type in live:
        column = documented.get(name.casefold())
        data_type = (column.data_type if column is not None and node.contract_enforced else None) \
            or served.expected.type_of(name) or live_type
        if column is None:
            columns.append(ColumnInput(name=name, data_type=data_type, documented=False))
        else:
            columns.append(ColumnInput(name=column.name, data_type=data_type,
                                       description=column.description, meta=column.merged_meta))
    return columns


def as_of_value(spec: GroundingSpec, rows: list[dict], relation_newest: Callable[[], Any]) -> Any:
    """The served row's own as-of value; the relation's newest (`relation_newest()`, a full scan) only when no row
    matched or the as-of column was not served."""
    if not spec.as_of_column:
        return None
    column = next((c for c in (rows[0] if rows else {}) if c.lower() == spec.as_of_column.lower()), None)
    if column is None:
        return relation_newest()
    values = [row[column] for row in rows if row[column] is not None]
    return max(values) if values else None
