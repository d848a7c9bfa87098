"""The grounding marts hold the same rows and values on DuckDB, PostgreSQL and Spark: the business rules are SQL in
the package, and engine differences go through dispatched macros, so moving warehouses must not change an answer.

Each engine's rows are read with its own driver and normalised only where the drivers differ in Python types, not
in value: a decimal keeps its scale, a timestamp its microseconds."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import duckdb
import pytest

from dbt_runner import DbtProject
from engines import spark_session

pytestmark = [pytest.mark.pg, pytest.mark.spark, pytest.mark.dbt]

# (schema suffix, relation, sort key): every grounding mart, the core marts under them and the quarantine
COMPARED = [
    ("ai_grounding", "fct_customer_health_summary", "customer_id"),
    ("ai_grounding", "fct_customer_revenue_summary", "customer_id"),
    ("ai_grounding", "fct_customer_support_digest", "customer_id"),
    (None, "dim_customers", "customer_id"),
    (None, "fct_orders", "order_id"),
    (None, "quarantine__rejected_records", "source_name, source_table, loader_record_id"),
]


def _schema(suffix: str | None) -> str:
    return f"main_{suffix}" if suffix else "main"


def _normalise(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _rows(column_names: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    return [dict(zip(column_names, map(_normalise, row))) for row in rows]


def _duckdb_rows(project: DbtProject, schema: str, table: str, order_by: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(project.duckdb_path), read_only=True) as connection:
        cursor = connection.execute(f'select * from "{schema}"."{table}" order by {order_by}')
        return _rows([d[0] for d in cursor.description], cursor.fetchall())


def _postgres_rows(connection, schema: str, table: str, order_by: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(f'select * from "{schema}"."{table}" order by {order_by}')
        return _rows([d[0] for d in cursor.description], cursor.fetchall())


def _spark_rows(spark, schema: str, table: str, order_by: str) -> list[dict[str, Any]]:
    frame = spark.sql(f"select * from `{schema}`.`{table}` order by {order_by}")
    return _rows(frame.columns, [tuple(row) for row in frame.collect()])


@pytest.fixture(scope="module")
def engine_rows(built_package: DbtProject, built_package_pg: DbtProject, built_package_spark: DbtProject, pg_cluster):
    """{relation: {engine: rows}} for every compared relation."""
    spark = spark_session(built_package_spark)
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with pg_cluster.connect() as pg:
        for suffix, table, order_by in COMPARED:
            schema = _schema(suffix)
            rows[table] = {
                "duckdb": _duckdb_rows(built_package, schema, table, order_by),
                "postgres": _postgres_rows(pg, schema, table, order_by),
                "spark": _spark_rows(spark, schema, table, order_by),
            }
    return rows


@pytest.mark.parametrize("table", [table for _, table, _ in COMPARED])
def test_relation_is_identical_on_every_engine(engine_rows, table: str) -> None:
    by_engine = engine_rows[table]
    reference = by_engine["duckdb"]
    assert reference, f"{table} is empty on DuckDB: nothing would be compared"
    for engine in ("postgres", "spark"):
        rows = by_engine[engine]
        assert [list(row) for row in rows[:1]] == [list(row) for row in reference[:1]], f"{table}: columns differ on {engine}"
        assert len(rows) == len(reference), f"{table}: {len(rows)} rows on {engine}, {len(reference)} on DuckDB"
        differences = [
            (index, column, row[column], expected[column])
            for index, (row, expected) in enumerate(zip(rows, reference))
            for column in expected
            if row[column] != expected[column]
        ]
        assert differences == [], f"{table}: {engine} differs from DuckDB (row, column, {engine}, duckdb): {differences[:10]}"


def test_the_comparison_sees_the_business_rules_at_work(engine_rows) -> None:
    """Not a vacuous comparison: all three health statuses and every quarantine reason are among the compared rows."""
    health = engine_rows["fct_customer_health_summary"]["spark"]
    assert {row["health_status"] for row in health} == {"High Risk", "Inactive", "Healthy"}
    reasons = {row["rejection_reason"] for row in engine_rows["quarantine__rejected_records"]["postgres"]}
    assert len(reasons) == 7
