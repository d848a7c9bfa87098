"""Spark: read-only lookups through a SparkSession inside this process, as dbt-spark's `method: session` runs one.

The session (`spark_session.start_session`: dbt-spark's builder, after the Java and Derby checks) starts on the
first operation (the JVM takes seconds) and is reused for every later one, by this object and any other in the
process: Spark allows one SparkContext per process.

- Key values are bound with named markers (`:p0`, `spark.sql(sql, args=...)`, Spark >= 3.4): they reach Spark as
  typed literals, never SQL text. Identifiers come from the manifest, quoted with backticks (sql.quote_identifier).
- Spark has no database level: a relation is `schema`.`identifier` (dbt-spark leaves the manifest's `database`
  empty).
- Timestamps: Spark's TIMESTAMP is an instant, which pyspark converts to the *Python process's* local time zone on
  collect. Selected timestamps are read as TIMESTAMP_NTZ instead, i.e. as wall-clock time in the session time
  zone (`spark.sql.session.timeZone`), the value DuckDB and PostgreSQL return for `timestamp`.
- A query error is raised as a typed error with Spark's message in `reason`; pyspark's own logging of that error
  (a JSON stack trace on stderr) is silenced while this module's statements run.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbt_grounding.errors import ConfigurationError, GroundingError, InvalidKeyError, MissingRelationError, WarehouseError
from dbt_grounding.warehouse.base import QueryFailure, QueryHook, Relation, RelationState, Warehouse
from dbt_grounding.warehouse.spark_session import LOCKED_HINT, start_session
from dbt_grounding.warehouse.sql import KeyValue, quote_identifier

if TYPE_CHECKING:
    from dbt_grounding.warehouse.targets import ConnectionSettings

__all__ = ["SparkWarehouse"]

_PYSPARK_ERROR_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")
_INT64 = (-(2**63), 2**63 - 1)
_MAX_DECIMAL_DIGITS = 38  # Spark's DecimalType.MAX_PRECISION
_MISSING_RELATION = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "NO_SUCH_TABLE")
_METASTORE_FAILURE = ("SessionHiveMetaStoreClient", "Another instance of Derby", "XSDB6")


class SparkWarehouse(Warehouse):
    """Lookups through the process's SparkSession, started from the profile on first use and then reused.

    Thread-safe: operations on one object run one at a time.
    """

    adapter_type = "spark"
    engine_name = "Spark"
    identifier_quote = "`"

    def __init__(
        self,
        server_side_parameters: Mapping[str, str],
        *,
        on_query: QueryHook | None = None,
        source: str = "the Spark target",
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        """
        Args:
            server_side_parameters: the profile output's Spark settings (`.config(k, v)` on the builder).
            on_query: called with (sql, params) before every statement.
            source: the profile output the settings come from, for error messages.
            cwd: where a relative Derby path lives (Hive resolves it against the process's directory).
        """
        super().__init__(on_query=on_query)
        self.parameters = {str(key): str(value) for key, value in server_side_parameters.items()}
        self.source = source
        self._cwd = Path(cwd) if cwd is not None else None
        self._spark: Any = None
        if self.parameters.get("spark.sql.catalogImplementation", "hive").lower() != "hive":
            raise ConfigurationError(
                f"{source}: spark.sql.catalogImplementation is "
                f"{self.parameters['spark.sql.catalogImplementation']!r}; tables dbt creates in such a catalog "
                "exist only inside the dbt process.",
                hint="Use the Hive catalog (spark.sql.catalogImplementation: hive, as dbt-spark's session does).",
                source=source,
            )

    @classmethod
    def _from_checked_settings(cls, settings: ConnectionSettings, **options: Any) -> SparkWarehouse:
        # `method: session` checked by targets.resolve_spark
        options.setdefault(
            "source", f"{settings.profiles_file}: {settings.profile_name}.outputs.{settings.target_name}"
        )
        return cls(settings.settings.get("server_side_parameters") or {}, **options)

    # unchanged_since stays None (the base's): another session in this process (or, with a metastore service,
    # another process) may alter a table at any moment, so each document checks the schema again.

    @property
    def started(self) -> bool:
        """Whether this object has its SparkSession."""
        return self._spark is not None

    # ------------------------------------------------------------------ operations

    def inspect(self, relation: Relation | tuple[str | None, str, str], *, probe: bool = True) -> RelationState:
        # Spark's views are bound again on every read, and DESCRIBE reports them as read today: nothing to probe
        relation = Relation(*relation)
        try:
            with self._operation():
                _, rows = self._query(f"DESCRIBE TABLE {self._relation_sql(relation)}", (), relation)
        except MissingRelationError:
            return RelationState(None)
        columns = []
        for name, data_type, *_ in rows:
            if not name or name.startswith("#"):  # partition and detail sections follow the columns
                break
            columns.append((name, data_type))
        return RelationState(columns or None)

    def close(self) -> None:
        """Forget the session. Spark itself keeps running until the process exits: a process gets one JVM, and a
        booted Derby metastore is not given back before it exits."""
        with self._lock:
            self._spark = None

    # ------------------------------------------------------------------ hooks

    def _relation_sql(self, relation: Relation) -> str:
        if relation.database and relation.database != relation.schema:
            raise ConfigurationError(
                f"{relation} names database {relation.database!r}; Spark relations are schema.identifier.",
                hint="Use the manifest of a dbt-spark build (it leaves database empty).", relation=str(relation),
            )
        return f"{self._quote(relation.schema)}.{self._quote(relation.identifier)}"

    def _placeholder(self, position: int) -> str:
        return f":p{position}"

    def _bind_value(self, column: str, value: KeyValue) -> Any:
        """A key value as a Spark literal that compares as the other engines compare it.

        Naive datetimes and times travel as ISO text, which Spark casts in the session time zone (pyspark would
        convert a datetime from the Python process's zone); a UUID as text; an int beyond BIGINT as a decimal. A
        number no Spark type holds (over 38 digits) is refused here: pyspark would fail on it with a JVM error, not
        a typed one.
        """
        if isinstance(value, (datetime.datetime, datetime.time)):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
            value = decimal.Decimal(value)
        if isinstance(value, decimal.Decimal):
            _, digits, exponent = value.as_tuple()
            scale = max(-int(exponent), 0)
            if max(len(digits) + max(int(exponent), 0), scale) > _MAX_DECIMAL_DIGITS:
                raise InvalidKeyError(
                    f"Key value for {column!r} needs more than {_MAX_DECIMAL_DIGITS} digits; no Spark number holds "
                    "it.", hint="Pass the key's actual value.", column=column,
                )
        return value

    def _session(self) -> Any:
        """The process's SparkSession, started (or found running) on first use."""
        with self._lock:
            if self._spark is None:
                self._spark = start_session(self.parameters, source=self.source, cwd=self._cwd)
            return self._spark

    def _execute(self, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
        spark = self._session()
        args = {f"p{position}": value for position, value in enumerate(params)}  # the markers of _placeholder
        with _quiet_pyspark_errors():
            frame = _wall_clock(spark.sql(sql, args=args or None))
            rows = frame.collect()
        return list(frame.columns), [tuple(_plain(value) for value in row) for row in rows]

    def _classify(self, exc: BaseException) -> QueryFailure:
        condition = _call(exc, "getCondition") or _call(exc, "getErrorClass") or ""
        state = _call(exc, "getSqlState") or ""
        if condition.split(".")[0] in _MISSING_RELATION or state in ("42P01", "3F000"):
            return QueryFailure.MISSING_RELATION
        if condition.startswith("UNRESOLVED_COLUMN") or state == "42703":
            return QueryFailure.MISSING_COLUMN
        if state.startswith("22") or condition.startswith(("CAST_INVALID_INPUT", "DATATYPE_MISMATCH")):
            return QueryFailure.BAD_KEY_VALUE
        return QueryFailure.OTHER

    def _engine_error(self, exc: BaseException, relation: Relation | None, reason: str) -> GroundingError | None:
        if any(marker in str(exc) for marker in _METASTORE_FAILURE):
            return WarehouseError(
                f"Spark could not open its Hive metastore: {reason}",
                hint="With Derby, the local metastore, this is another process holding it. " + LOCKED_HINT,
                relation=str(relation), reason=reason,
            )
        return None


def _wall_clock(frame: Any) -> Any:
    """The frame with TIMESTAMP columns read as TIMESTAMP_NTZ: wall-clock time in the session time zone, whatever
    the Python process's local zone (see the module docstring)."""
    from pyspark.sql import functions
    from pyspark.sql.types import TimestampType

    fields = frame.schema.fields
    if not any(isinstance(field.dataType, TimestampType) for field in fields):
        return frame
    return frame.select([
        functions.col(quote_identifier(field.name, "`")).cast("timestamp_ntz").alias(field.name)
        if isinstance(field.dataType, TimestampType) else functions.col(quote_identifier(field.name, "`"))
        for field in fields
    ])


def _plain(value: Any) -> Any:
    """pyspark's Row (a struct column) as a dict, as the other adapters return nested values."""
    as_dict = getattr(value, "asDict", None)
    return as_dict(recursive=True) if callable(as_dict) else value


def _call(exc: Exception, method: str) -> str | None:
    function = getattr(exc, method, None)
    if not callable(function):
        return None
    try:
        value = function()
    except Exception:  # a py4j call on a JVM that is gone
        return None
    return value if isinstance(value, str) else None


@contextmanager
def _quiet_pyspark_errors() -> Iterator[None]:
    """pyspark (4.x) logs every SQL error it converts, as a JSON stack trace on stderr, before raising it; the
    caller gets the error typed, so that log line would only be noise (and a library must not print)."""
    try:
        from pyspark.logger import PySparkLogger  # pyspark >= 4.0; must create these loggers (its own class)
    except ImportError:
        yield
        return
    loggers = [PySparkLogger.getLogger(name) for name in _PYSPARK_ERROR_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
