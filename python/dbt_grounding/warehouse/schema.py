"""Compare the columns a relation is expected to have with the columns it has in the warehouse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from dbt_grounding.warehouse.adapters import types_equivalent

__all__ = ["ColumnDifference", "DifferenceKind", "compare_columns"]


class DifferenceKind(str, Enum):
    MISSING = "missing"  # declared, not in the warehouse
    EXTRA = "extra"  # in the warehouse, not declared
    TYPE_CHANGED = "type_changed"  # in both, of different types
    UNREADABLE = "unreadable"  # listed, but the relation cannot be read (a view whose upstream lost a column)


@dataclass(frozen=True)
class ColumnDifference:
    """One column that differs. `expected` / `found` are the declared and the warehouse's type (None = absent
    or undeclared); `column` is spelled as declared, or as found for an extra column."""

    column: str
    kind: DifferenceKind
    expected: str | None
    found: str | None

    def to_dict(self) -> dict[str, Any]:
        """The shape SchemaDriftError's `differences` detail uses."""
        return {"column": self.column, "kind": self.kind.value, "expected": self.expected, "found": self.found}


def compare_columns(
    adapter: str,
    declared: Sequence[tuple[str, str | None]],
    found: Sequence[tuple[str, str]] | None,
    *,
    extra_allowed: bool = False,
) -> list[ColumnDifference]:
    """The differences between declared and actual columns; names compare case-insensitively, types by
    `adapters.normalize_type` (synonyms, letter case and engine-discarded lengths are no difference).

    Args:
        adapter: dbt adapter type (selects the type table).
        declared: (name, data_type or None) from the manifest; a None type checks presence only.
        found: (name, data_type) from `Warehouse.columns`; None when the relation does not exist, which makes
            every declared column missing (the caller raises MissingRelationError for that).
        extra_allowed: columns found but not declared are no difference (a model without a contract may add
            columns: nothing that reads the expected ones breaks).

    Returns:
        Missing and type-changed columns in declared order, then extra columns in warehouse order; empty when
        the relation matches.
    """
    found_by_name = {name.lower(): data_type for name, data_type in found or ()}
    declared_names = {name.lower() for name, _ in declared}
    differences: list[ColumnDifference] = []
    for name, declared_type in declared:
        if name.lower() not in found_by_name:
            differences.append(ColumnDifference(name, DifferenceKind.MISSING, declared_type, None))
            continue
        found_type = found_by_name[name.lower()]
        if declared_type and not types_equivalent(adapter, declared_type, found_type):
            differences.append(ColumnDifference(name, DifferenceKind.TYPE_CHANGED, declared_type, found_type))
    for name, found_type in () if extra_allowed else found or ():
        if name.lower() not in declared_names:
            differences.append(ColumnDifference(name, DifferenceKind.EXTRA, None, found_type))
    return differences
