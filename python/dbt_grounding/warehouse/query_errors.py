"""What a failed query means to the grounding layer: the engine-neutral failure (`QueryFailure`, classified by each
adapter from its driver's error) as the typed error callers handle, with the engine's own words kept in `reason`."""

from __future__ import annotations

from dbt_grounding.errors import (
    GroundingError,
    InvalidKeyError,
    MissingRelationError,
    SchemaDriftError,
    WarehouseError,
)
from dbt_grounding.warehouse.relation import QueryFailure, Relation


def error_of_failure(failure: QueryFailure, relation: Relation | None, reason: str, engine_name: str) -> GroundingError:
    """The typed error for `failure` on `relation` (None: a catalog query)."""
    if relation is not None and failure is QueryFailure.MISSING_RELATION:
        return MissingRelationError(
            f"{relation} does not exist.", hint="Build it: dbt build --select <model>.",
            relation=str(relation), reason=reason,
        )
    if relation is not None and failure is QueryFailure.MISSING_COLUMN:
        return SchemaDriftError(
            f"{relation} does not have a column the query needs.",
            hint="The relation changed since the manifest was written: run dbt build.",
            relation=str(relation), reason=reason,
        )
    if failure is QueryFailure.BAD_KEY_VALUE:
        return InvalidKeyError(
            f"A key value does not fit its column's type in {relation}.",
            hint="Pass key values of the column's declared data_type (an integer id as int, not text).",
            relation=str(relation), reason=reason,
        )
    return WarehouseError(
        f"Query on {relation or f'the {engine_name} catalog'} failed: {reason}",
        hint="See the reason; every query here only reads (SELECT, or Spark's DESCRIBE).",
        relation=str(relation), reason=reason,
    )
