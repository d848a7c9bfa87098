"""The values the warehouse layer passes around: a relation as the manifest names it, what the warehouse says about
its schema, what an engine's query error means, and the hook every statement goes through."""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable, NamedTuple

__all__ = ["QueryFailure", "QueryHook", "Relation", "RelationState", "Row"]

Row = dict[str, Any]
# Called with every statement's SQL text and bound parameters, just before it runs: tests and audit logs.
QueryHook = Callable[[str, tuple[Any, ...]], None]


class Relation(NamedTuple):
    """A table or view as the manifest names it (node `database`, `schema`, `alias`)."""

    database: str | None
    schema: str
    identifier: str

    def __str__(self) -> str:
        return ".".join(part for part in self if part)


class RelationState(NamedTuple):
    """What the warehouse says about one relation when asked for its schema.

    Attributes:
        columns: (column name, data type) in column order; None when the relation does not exist.
        broken: the engine's own message when the relation exists but cannot be read (a view whose upstream lost
            a column still lists its old columns in information_schema, and fails only when selected from).
        broken_column: the column the engine names in that message, when it names one.
    """

    columns: list[tuple[str, str]] | None
    broken: str | None = None
    broken_column: str | None = None


class QueryFailure(Enum):
    """What an engine's query error means for the caller; each engine sorts its own errors into these
    (`Warehouse._classify`), the base turns them into the grounding layer's typed errors once."""

    MISSING_RELATION = "missing_relation"  # the table or its schema does not exist
    MISSING_COLUMN = "missing_column"  # a selected or key column does not exist
    BAD_KEY_VALUE = "bad_key_value"  # a bound value the column's type cannot hold or compare with
    OTHER = "other"
