"""The sqlglot dialect that reads the SQL a dbt adapter compiled."""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect

from dbt_grounding.warehouse.adapters import ADAPTERS

# Adapters dbt-grounding cannot query but whose compiled SQL lineage still reads: dbt adapter type -> sqlglot
# dialect, where the names differ; the rest share their name (snowflake, bigquery, ...). The adapters it can query
# are in the warehouse registry.
_DIALECT_BY_ADAPTER = {
    "sqlserver": "tsql",
    "synapse": "tsql",
    "azuresql": "tsql",
    "glue": "spark",
    "impala": "hive",
    "motherduck": "duckdb",
}


def dialect_for(adapter_type: str | None) -> str | None:
    """The sqlglot dialect name for a dbt adapter type, or None (sqlglot's generic SQL) when sqlglot lacks one."""
    if not adapter_type:
        return None
    name = adapter_type.lower()
    if name in ADAPTERS:
        return ADAPTERS[name].sqlglot_dialect
    name = _DIALECT_BY_ADAPTER.get(name, name)
    try:
        Dialect.get_or_raise(name)
    except ValueError:
        return None
    return name
