"""Warehouse access for the grounding layer: connection settings from the dbt profile, schema introspection, type
equivalence per adapter, and read-only key lookups.

Adapters: DuckDB (short-lived read-only connections that never block `dbt build`), PostgreSQL (one held read-only
psycopg2 connection) and Spark (dbt-spark's `method: session`, a SparkSession in this process), each one entry of
the registry in `adapters.py`. psycopg2 and pyspark are optional extras, imported only when a target of theirs is
opened."""

from __future__ import annotations

from typing import Any

from dbt_grounding.warehouse.adapters import ADAPTERS, Adapter, adapter_named, normalize_type, types_equivalent
from dbt_grounding.warehouse.base import QueryHook, Relation, RelationState, Row, Warehouse
from dbt_grounding.warehouse.duckdb import DuckDBWarehouse
from dbt_grounding.warehouse.postgres import PostgresWarehouse
from dbt_grounding.warehouse.profile import load_connection_settings
from dbt_grounding.warehouse.schema import ColumnDifference, DifferenceKind, compare_columns
from dbt_grounding.warehouse.spark import SparkWarehouse
from dbt_grounding.warehouse.targets import ConnectionSettings, writer_connect_attempts

__all__ = [
    "ADAPTERS", "Adapter", "ColumnDifference", "ConnectionSettings", "DifferenceKind", "DuckDBWarehouse",
    "PostgresWarehouse", "QueryHook", "Relation", "RelationState", "Row", "SparkWarehouse", "Warehouse",
    "adapter_named", "compare_columns", "load_connection_settings", "normalize_type", "open_warehouse",
    "types_equivalent", "writer_connect_attempts",
]


def open_warehouse(settings: ConnectionSettings, **options: Any) -> Warehouse:
    """The warehouse for a target's adapter. Nothing connects until the first operation.

    Args:
        settings: from `load_connection_settings`.
        options: adapter-specific keyword arguments (DuckDB: lock_wait_s, hold_ms, writer_gap_ms, on_query;
            PostgreSQL: statement_timeout_ms, on_query; Spark: on_query).

    Returns:
        A `Warehouse`; close it (or use it as a context manager) when done.
    """
    return adapter_named(settings.adapter_type).warehouse.from_settings(settings, **options)
