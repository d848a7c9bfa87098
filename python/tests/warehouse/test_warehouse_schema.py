"""compare_columns: missing, extra and retyped columns; names case-insensitive; synonyms are no difference."""

from __future__ import annotations

from dbt_grounding.warehouse.schema import ColumnDifference, DifferenceKind, compare_columns

FOUND = [("CUSTOMER_ID", "BIGINT"), ("name", "VARCHAR"), ("amount", "DECIMAL(18,2)"), ("seen_at", "TIMESTAMP")]


def test_same_columns_in_other_spelling_and_case_are_no_difference() -> None:
    declared = [("customer_id", "int8"), ("Name", "text"), ("amount", "numeric(18, 2)"), ("seen_at", "datetime")]
    assert compare_columns("duckdb", declared, FOUND) == []


def test_missing_extra_and_retyped_columns_in_a_stable_order() -> None:
    declared = [("customer_id", "bigint"), ("amount", "decimal(18,4)"), ("status", "varchar"), ("seen_at", None)]
    assert compare_columns("duckdb", declared, FOUND) == [
        ColumnDifference("amount", DifferenceKind.TYPE_CHANGED, "decimal(18,4)", "DECIMAL(18,2)"),
        ColumnDifference("status", DifferenceKind.MISSING, "varchar", None),
        ColumnDifference("name", DifferenceKind.EXTRA, None, "VARCHAR"),
    ]


def test_undeclared_type_checks_presence_only() -> None:
    assert compare_columns("duckdb", [("amount", None)], [("amount", "INTEGER")]) == []
    assert compare_columns("duckdb", [("amount", "")], [("amount", "INTEGER")]) == []


def test_a_missing_relation_makes_every_declared_column_missing() -> None:
    differences = compare_columns("duckdb", [("a", "int"), ("b", None)], None)
    assert [(d.column, d.kind) for d in differences] == [("a", DifferenceKind.MISSING), ("b", DifferenceKind.MISSING)]


def test_difference_serialises_for_schema_drift_error_details() -> None:
    difference = ColumnDifference("amount", DifferenceKind.TYPE_CHANGED, "decimal(18,2)", "DOUBLE")
    assert difference.to_dict() == {
        "column": "amount", "kind": "type_changed", "expected": "decimal(18,2)", "found": "DOUBLE"
    }


def test_types_compare_by_the_adapters_table() -> None:
    # varchar(255) -> varchar(100) is nothing on DuckDB (lengths are discarded) and real drift on PostgreSQL
    assert compare_columns("duckdb", [("a", "varchar(255)")], [("a", "VARCHAR")]) == []
    assert compare_columns("postgres", [("a", "varchar(255)")], [("a", "character varying(100)")])
