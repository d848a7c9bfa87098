"""Events as rows of the PostgreSQL target of the project's dbt profile: `<schema>.grounding_telemetry_requests` and
`<schema>.grounding_telemetry_feedback`, the tables the package's source `grounding_telemetry` reads on engines other
than DuckDB (one column per field of the event, `candidates` as JSON text; ints bigint, floats double precision, the
rest text). Created when missing.

The sink has its own connection, opened in the writer thread on the first batch; each batch is one multi-row INSERT
per table with bound parameters, committed at once. An error rolls back (or drops a broken connection, reopened by
the next batch) and propagates to the writer, which counts the events as failed: a database that is down never
reaches a request.

DuckDB targets are refused when the mode is resolved (`table_settings`): `dbt build` holds the DuckDB file's write
lock for the whole build, so a serving process could not insert while it runs; on DuckDB the package reads the JSON
lines files instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.warehouse.drivers import import_driver
from dbt_grounding.warehouse.postgres import connect_kwargs
from dbt_grounding.warehouse.sql import quote_identifier
from dbt_grounding.warehouse.targets import ConnectionSettings

_BIGINT, _DOUBLE = "bigint", "double precision"
# the event's fields in the contract's order (telemetry.events), with their column types
REQUEST_COLUMNS = (
    ("event", "text"), ("schema_version", _BIGINT), ("request_id", "text"), ("ts", "text"), ("role", "text"),
    ("surface", "text"), ("tool", "text"), ("question_hash", "text"), ("question", "text"), ("mart", "text"),
    ("key_hash", "text"), ("candidates", "text"), ("confidence", _DOUBLE), ("outcome", "text"),
    ("error_type", "text"), ("document_hash", "text"), ("tokens", _BIGINT), ("latency_ms", _DOUBLE),
    ("latency_artifacts_ms", _DOUBLE), ("latency_warehouse_ms", _DOUBLE), ("latency_render_ms", _DOUBLE),
    ("freshness_age_s", _DOUBLE), ("invocation_id", "text"),
)
FEEDBACK_COLUMNS = (
    ("event", "text"), ("schema_version", _BIGINT), ("feedback_id", "text"), ("ts", "text"),
    ("request_id", "text"), ("document_hash", "text"), ("rating", "text"), ("comment", "text"),
)
# event kind -> (table, columns): the defaults of the source's identifier vars
TABLES = {"request": ("grounding_telemetry_requests", REQUEST_COLUMNS),
          "feedback": ("grounding_telemetry_feedback", FEEDBACK_COLUMNS)}


def table_settings(settings: ConnectionSettings) -> ConnectionSettings:
    """`settings` when the table sink can write to that target.

    Raises:
        ConfigurationError: a DuckDB target (the build holds the file's write lock: use jsonl), another engine
            than PostgreSQL, or a PostgreSQL output without a schema.
    """
    where = f"target {settings.target_name!r} of profile {settings.profile_name!r}"
    if settings.adapter_type == "duckdb":
        raise ConfigurationError(
            f"telemetry mode 'table' cannot write to the DuckDB {where}: `dbt build` holds the DuckDB file's write "
            "lock while it runs, so events could not be inserted during a build",
            hint="use DBT_GROUNDING_TELEMETRY=jsonl (the default): on DuckDB the monitoring models read the JSON "
                 "lines files", mode="table", adapter="duckdb", target=settings.target_name)
    if settings.adapter_type != "postgres":
        raise ConfigurationError(
            f"telemetry mode 'table' writes PostgreSQL targets only; {where} is {settings.adapter_type}",
            hint="use DBT_GROUNDING_TELEMETRY=jsonl and load the files into the source tables with your EL tool",
            mode="table", adapter=settings.adapter_type, target=settings.target_name)
    if not str(settings.settings.get("schema") or "").strip():
        raise ConfigurationError(
            f"telemetry mode 'table' needs the schema of PostgreSQL {where}, and its output has none",
            hint="give the output a `schema:` (dbt-postgres needs one too)", target=settings.target_name)
    return settings


class TableSink:
    def __init__(self, settings: ConnectionSettings) -> None:
        self.schema = str(table_settings(settings).settings["schema"])
        self._connect_kwargs = connect_kwargs(settings)
        self._psycopg2: Any = None
        self._connection: Any = None
        self._created = False

    def __repr__(self) -> str:  # the password stays out of logs
        return f"TableSink({self._connect_kwargs.get('host')}:{self._connect_kwargs.get('port')}, {self.schema!r})"

    def write(self, events: list[dict[str, Any]]) -> None:
        connection = self._connected()
        try:
            with connection.cursor() as cursor:
                if not self._created:
                    self._create(cursor)
                for kind, (table, columns) in TABLES.items():
                    rows = [event for event in events if event["event"] == kind]
                    if rows:
                        cursor.execute(*insert_statement(self.schema, table, columns, rows))
            connection.commit()
            self._created = True
        except BaseException:
            self._discard_or_rollback()
            raise

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def _connected(self) -> Any:
        if self._connection is None or self._connection.closed:
            if self._psycopg2 is None:
                self._psycopg2 = import_driver("psycopg2", extra="postgres", engine="PostgreSQL")
            self._connection = self._psycopg2.connect(**self._connect_kwargs)
        return self._connection

    def _create(self, cursor: Any) -> None:
        cursor.execute(f"create schema if not exists {quote_identifier(self.schema)}")
        for table, columns in TABLES.values():
            definition = ", ".join(f"{quote_identifier(name)} {sql_type}" for name, sql_type in columns)
            cursor.execute(f"create table if not exists {_qualified(self.schema, table)} ({definition})")

    def _discard_or_rollback(self) -> None:
        connection, self._created = self._connection, False  # a failed create is tried again
        try:
            connection.rollback()
        except Exception:  # noqa: BLE001 - a connection the server dropped: reopened by the next batch
            self.close()


def insert_statement(schema: str, table: str, columns: tuple[tuple[str, str], ...],
                     events: list[Mapping[str, Any]]) -> tuple[str, list[Any]]:
    """One INSERT of every event's row: values only as bound parameters (psycopg2's %s)."""
    names = ", ".join(quote_identifier(name) for name, _ in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = [json.dumps(event.get(name), ensure_ascii=False) if name == "candidates" else event.get(name)
              for event in events for name, _ in columns]
    return (f"insert into {_qualified(schema, table)} ({names}) values {', '.join([row] * len(events))}", values)


def _qualified(schema: str, table: str) -> str:
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"
