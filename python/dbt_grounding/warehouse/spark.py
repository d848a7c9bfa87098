"""Spark: read-only lookups through a SparkSession inside this process, as dbt-spark's `method: session` runs one.

The session is built exactly as dbt-spark builds it (`SparkSession.builder.enableHiveSupport()`, `.config(k, v)`
for each of the profile output's `server_side_parameters`, `getOrCreate()`), so it sees the tables dbt created:
same metastore, same warehouse directory. It starts on the first operation (the JVM takes seconds) and is reused
for every later one, by this object and any other in the process: Spark allows one SparkContext per process.
Two additions, both only about terminal noise: the console progress bar is off and the log level is ERROR unless
the profile says otherwise.

Constraints this module is built around:
- The local metastore is usually Derby, which admits ONE process at a time: a second process fails to boot it
  (after ~30 s of retries and pages of Java stack traces). Before starting Spark, this object tests Derby's lock
  file itself (`metastore_db/dbex.lck`, an fcntl lock Derby holds while booted) and raises WarehouseError naming
  the cause when another process holds it. Once this process has started Spark on that metastore, it holds it
  until it exits (Spark cannot give a booted Derby back), so run dbt for the same target after this process ends.
- pyspark launches its JVM as a child process (py4j): the JVM needs Java (Spark 4: Java 17+), checked first.
- Key values are bound with named markers (`:p0`, `spark.sql(sql, args=...)`, Spark >= 3.4): they reach Spark as
  typed literals, never SQL text. Identifiers come from the manifest, quoted with backticks (base.quote_identifier).
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
import errno
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbt_grounding.errors import (
    ConfigurationError,
    GroundingError,
    InvalidKeyError,
    MissingRelationError,
    SchemaDriftError,
    WarehouseError,
)
from dbt_grounding.warehouse.base import (
    KeyValue,
    QueryHook,
    Relation,
    Row,
    Warehouse,
    build_select_distinct,
    distinct_non_null,
    build_select_rows,
    check_key,
    check_selection,
    quote_identifier,
)
from dbt_grounding.warehouse.profile import ConnectionSettings

__all__ = ["SparkWarehouse", "derby_metastore_path"]

_METASTORE_URL = "spark.hadoop.javax.jdo.option.ConnectionURL"
_DEFAULT_METASTORE_URL = "jdbc:derby:;databaseName=metastore_db;create=true"  # Hive's default: in the cwd
# static settings that decide which tables a session sees: a running session must have been built with ours
_LOCATION_SETTINGS = (_METASTORE_URL, "spark.sql.warehouse.dir", "spark.hadoop.hive.metastore.uris")
_QUIET_DEFAULTS = {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR"}
_PYSPARK_ERROR_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")
_INT64 = (-(2**63), 2**63 - 1)
_MAX_DECIMAL_DIGITS = 38  # Spark's DecimalType.MAX_PRECISION
_MISSING_RELATION = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "NO_SUCH_TABLE")
_METASTORE_FAILURE = ("SessionHiveMetaStoreClient", "Another instance of Derby", "XSDB6")
_JAVA_HINT = (
    "Install Java 17 (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and put `java` on PATH or set "
    "JAVA_HOME; pyspark starts Spark's JVM with it."
)
_LOCKED_HINT = (
    "Run one Spark job at a time against this metastore: wait for the other process (a `dbt` command, or another "
    "process serving documents) to exit, then retry. A server that serves documents while dbt builds needs a "
    "metastore that admits several processes (a Hive metastore service, `spark.hadoop.hive.metastore.uris`)."
)


def _pyspark():
    try:
        import pyspark
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigurationError(
            "Reading a Spark target needs pyspark, which is not installed.",
            hint="pip install 'dbt-grounding[spark]'", missing="pyspark",
        ) from exc
    return pyspark, SparkSession


class SparkWarehouse(Warehouse):
    """Lookups through the process's SparkSession, started from the profile on first use and then reused.

    Thread-safe: operations on one object run one at a time.
    """

    adapter_type = "spark"

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
        self.parameters = {str(key): str(value) for key, value in server_side_parameters.items()}
        self.on_query = on_query
        self.source = source
        self._cwd = Path(cwd) if cwd is not None else None
        self._lock = threading.RLock()
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
    def from_settings(cls, settings: ConnectionSettings, **options: Any) -> SparkWarehouse:
        """A warehouse on the profile output's Spark session settings.

        Args:
            settings: from `load_connection_settings`, adapter spark, method session.
            options: keyword arguments of the constructor (on_query).

        Returns:
            The warehouse; Spark starts on the first operation.
        """
        if settings.adapter_type != "spark":
            raise ConfigurationError(
                f"Target {settings.target_name!r} is {settings.adapter_type}, not spark.",
                hint="Select a spark target.", target=settings.target_name,
            )
        method = str(settings.settings.get("method") or "")
        if method != "session":
            raise ConfigurationError(
                f"Spark target {settings.target_name!r} uses method {method or '(none)'!r}; only `session` is "
                "supported.",
                hint="`session` runs Spark in this process, as dbt-spark does; thrift, http and odbc need drivers "
                     "dbt-grounding does not ship.",
                target=settings.target_name, method=method,
            )
        options.setdefault(
            "source", f"{settings.profiles_file}: {settings.profile_name}.outputs.{settings.target_name}"
        )
        return cls(settings.settings.get("server_side_parameters") or {}, **options)

    @property
    def unchanged_since(self) -> None:
        """Always None: another session in this process (or, with a metastore service, another process) may alter
        a table at any moment, so each document checks the schema again."""
        return None

    @property
    def started(self) -> bool:
        """Whether this object has its SparkSession."""
        return self._spark is not None

    # ------------------------------------------------------------------ operations

    def columns(self, relation: Relation | tuple[str | None, str, str]) -> list[tuple[str, str]] | None:
        relation = Relation(*relation)
        try:
            _, rows = self._query(f"DESCRIBE TABLE {self._relation_sql(relation)}", {}, relation)
        except MissingRelationError:
            return None
        columns = []
        for name, data_type, *_ in rows:
            if not name or name.startswith("#"):  # partition and detail sections follow the columns
                break
            columns.append((name, data_type))
        return columns or None

    def fetch_rows(
        self,
        relation: Relation | tuple[str | None, str, str],
        key: Mapping[str, KeyValue],
        columns: Sequence[str],
        limit: int,
    ) -> list[Row]:
        relation = Relation(*relation)
        key_columns, values = check_key(key)
        check_selection(columns, limit)
        args = {f"p{position}": _bindable(column, value) for position, (column, value) in
                enumerate(zip(key_columns, values))}
        sql = build_select_rows(
            self._relation_sql(relation), key_columns, columns, limit, quote=_quote, placeholder=lambda i: f":p{i}"
        )
        names, rows = self._query(sql, args, relation)
        return [dict(zip(names, row)) for row in rows]

    def distinct_values(self, relation: Relation | tuple[str | None, str, str], column: str, limit: int) -> list[Any]:
        relation = Relation(*relation)
        sql = build_select_distinct(self._relation_sql(relation), column, limit, quote=_quote)
        _, rows = self._query(sql, {}, relation)
        return distinct_non_null(rows, limit)

    def max_value(self, relation: Relation | tuple[str | None, str, str], column: str) -> Any:
        relation = Relation(*relation)
        sql = f"SELECT max({_quote(column)}) FROM {self._relation_sql(relation)}"
        _, rows = self._query(sql, {}, relation)
        return rows[0][0]

    def close(self) -> None:
        """Forget the session. Spark itself keeps running until the process exits: a process gets one JVM, and a
        booted Derby metastore is not given back before it exits."""
        with self._lock:
            self._spark = None

    # ------------------------------------------------------------------ session

    def _session(self) -> Any:
        with self._lock:
            if self._spark is None:
                self._spark = self._start()
            return self._spark

    def _start(self) -> Any:
        pyspark, session_class = _pyspark()
        from pyspark import SparkContext

        if _version(pyspark.__version__) < (3, 4):
            raise ConfigurationError(
                f"pyspark {pyspark.__version__} cannot bind query parameters (spark.sql(..., args=...) came in 3.4); "
                "dbt-grounding never pastes key values into SQL.",
                hint="pip install 'dbt-grounding[spark]' (pyspark 3.4 or later)", pyspark=pyspark.__version__,
            )

        running = SparkContext._active_spark_context is not None
        if not running:  # a JVM is about to start: check what would make it fail slowly or obscurely
            self._check_java()
            self._check_metastore()
        builder = session_class.builder.enableHiveSupport()
        for name, value in {**_QUIET_DEFAULTS, **self.parameters}.items():
            builder = builder.config(name, value)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # pyspark raises PySparkRuntimeError, py4j errors or RuntimeError here
            raise WarehouseError(
                f"Spark did not start: {_short(exc)}",
                hint=f"Spark {pyspark.__version__} needs Java 17 or later. {_JAVA_HINT}",
                source=self.source, reason=_short(exc),
            ) from exc
        if running:
            self._check_same_location(spark)
        return spark

    def _check_java(self) -> None:
        java_home = os.environ.get("JAVA_HOME")
        java = Path(java_home) / "bin" / "java" if java_home else shutil.which("java")
        if not java or not Path(java).exists():
            raise WarehouseError(
                "Spark needs Java 17, and none was found (no `java` on PATH"
                + (f", none in JAVA_HOME={java_home}" if java_home else ", JAVA_HOME unset") + ").",
                hint=_JAVA_HINT, source=self.source,
            )

    def _check_metastore(self) -> None:
        path = derby_metastore_path(self.parameters, cwd=self._cwd)
        if path is None:
            return  # a metastore service, or another database: no single-process lock to test
        if not (path / "service.properties").is_file():
            raise WarehouseError(
                f"The Spark metastore {path} does not exist: dbt has not built this target yet, or the profile "
                "points elsewhere.",
                hint=f"Run `dbt build` for this target first, or check {_METASTORE_URL} in the profile (this "
                     "package's profile places it under DBT_GROUNDING_SPARK_DIR).",
                metastore=str(path), source=self.source,
            )
        if _held_by_another_process(path):
            raise WarehouseError(
                f"The Spark metastore {path} is locked by another process: Derby, the local metastore, admits "
                "one process at a time.",
                hint=_LOCKED_HINT, metastore=str(path), source=self.source,
            )

    def _check_same_location(self, spark: Any) -> None:
        """getOrCreate returns the process's running session even when it was built with other static settings."""
        running = spark.sparkContext.getConf()
        for name in _LOCATION_SETTINGS:
            wanted, actual = self.parameters.get(name), running.get(name, None)
            if wanted is not None and actual is not None and _location(actual) != _location(wanted):
                raise ConfigurationError(
                    f"This process already runs a Spark session with {name}={running.get(name)!r}, not the "
                    f"target's {wanted!r}; Spark allows one session setup per process.",
                    hint="Read this target from a process of its own.", setting=name, source=self.source,
                )

    # ------------------------------------------------------------------ SQL

    @staticmethod
    def _relation_sql(relation: Relation) -> str:
        if relation.database and relation.database != relation.schema:
            raise ConfigurationError(
                f"{relation} names database {relation.database!r}; Spark relations are schema.identifier.",
                hint="Use the manifest of a dbt-spark build (it leaves database empty).", relation=str(relation),
            )
        return f"{_quote(relation.schema)}.{_quote(relation.identifier)}"

    def _query(
        self, sql: str, args: Mapping[str, Any], relation: Relation | None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement (reported to `on_query` first); (column names, rows), Spark's errors mapped."""
        with self._lock:
            spark = self._session()
            if self.on_query is not None:
                self.on_query(sql, tuple(args.values()))
            with _quiet_pyspark_errors():
                try:
                    frame = _wall_clock(spark.sql(sql, args=dict(args) or None))
                    rows = frame.collect()
                except Exception as exc:  # pyspark's PySparkException subclasses, and py4j's errors
                    raise _query_error(exc, relation) from exc
        return list(frame.columns), [tuple(_plain(value) for value in row) for row in rows]


def derby_metastore_path(parameters: Mapping[str, str], *, cwd: Path | None = None) -> Path | None:
    """The directory of the embedded Derby metastore the session settings select, None for any other metastore.

    Args:
        parameters: the session's settings.
        cwd: where a relative path is resolved when derby.system.home is not set (default: the current directory).

    Returns:
        The Derby database directory (holding service.properties and the lock files), or None.
    """
    if parameters.get("spark.hadoop.hive.metastore.uris"):
        return None  # a metastore service: it serves many processes
    url = parameters.get(_METASTORE_URL, _DEFAULT_METASTORE_URL)
    if not url.startswith("jdbc:derby:"):
        return None
    head, *attributes = url[len("jdbc:derby:"):].split(";")
    name = head or next(
        (value for key, _, value in (a.partition("=") for a in attributes) if key.strip().lower() == "databasename"),
        "",
    )
    if not name or name.startswith(("memory:", "classpath:", "jar:")):
        return None
    name = name.removeprefix("directory:")
    path = Path(name)
    if not path.is_absolute():  # Derby resolves it against derby.system.home, else the JVM's directory
        home = _java_option(parameters.get("spark.driver.extraJavaOptions", ""), "derby.system.home")
        path = Path(home or (cwd or Path.cwd())) / path
    return path


def _location(value: str) -> str:
    """A setting naming a place, compared as Spark uses it: it qualifies a warehouse path (`file:/...`)."""
    value = value.strip()
    if value.startswith("file:"):
        value = "/" + value[len("file:"):].lstrip("/")
    return value.rstrip("/") or value


def _java_option(options: str, name: str) -> str | None:
    for option in options.split():
        key, _, value = option.partition("=")
        if key == f"-D{name}":
            return value
    return None


def _held_by_another_process(path: Path) -> bool:
    """Whether a Derby engine in another process has booted the database: it holds an exclusive fcntl lock on
    dbex.lck while booted (a stale file left by a killed process holds no lock). The test itself takes the lock
    for an instant and gives it back."""
    try:
        import fcntl
    except ImportError:  # not POSIX: cannot tell; Spark's own error is mapped if it fails
        return False
    try:
        descriptor = os.open(path / "dbex.lck", os.O_RDWR)
    except OSError:
        return False  # never booted since created, or not ours to test
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EACCES)
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN)
        return False
    finally:
        os.close(descriptor)


def _wall_clock(frame: Any) -> Any:
    """The frame with TIMESTAMP columns read as TIMESTAMP_NTZ: wall-clock time in the session time zone, whatever
    the Python process's local zone (see the module docstring)."""
    from pyspark.sql import functions
    from pyspark.sql.types import TimestampType

    fields = frame.schema.fields
    if not any(isinstance(field.dataType, TimestampType) for field in fields):
        return frame
    return frame.select([
        functions.col(_quote(field.name)).cast("timestamp_ntz").alias(field.name)
        if isinstance(field.dataType, TimestampType) else functions.col(_quote(field.name))
        for field in fields
    ])


def _plain(value: Any) -> Any:
    """pyspark's Row (a struct column) as a dict, as the other adapters return nested values."""
    as_dict = getattr(value, "asDict", None)
    return as_dict(recursive=True) if callable(as_dict) else value


def _bindable(column: str, value: KeyValue) -> Any:
    """A key value as a Spark literal that compares as the other engines compare it.

    Naive datetimes and times travel as ISO text, which Spark casts in the session time zone (pyspark would convert
    a datetime from the Python process's zone); a UUID as text; an int beyond BIGINT as a decimal. A number no Spark
    type holds (over 38 digits) is refused here: pyspark would fail on it with a JVM error, not a typed one.
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
                f"Key value for {column!r} needs more than {_MAX_DECIMAL_DIGITS} digits; no Spark number holds it.",
                hint="Pass the key's actual value.", column=column,
            )
    return value


def _version(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split(".")[:2]:
        digits = "".join(char for char in part if char.isdigit())
        numbers.append(int(digits) if digits else 0)
    return tuple(numbers)


def _quote(identifier: str) -> str:
    return quote_identifier(identifier, "`")


def _query_error(exc: Exception, relation: Relation | None) -> GroundingError:
    """Spark's error as the grounding layer's: what went wrong for the caller, Spark's words in `reason`."""
    condition = _call(exc, "getCondition") or _call(exc, "getErrorClass") or ""
    state = _call(exc, "getSqlState") or ""
    reason = _short(exc)
    text = str(exc)
    if any(marker in text for marker in _METASTORE_FAILURE):
        return WarehouseError(
            f"Spark could not open its Hive metastore: {reason}",
            hint="With Derby, the local metastore, this is another process holding it. " + _LOCKED_HINT,
            relation=str(relation), reason=reason,
        )
    if relation is not None and (condition.split(".")[0] in _MISSING_RELATION or state in ("42P01", "3F000")):
        return MissingRelationError(
            f"{relation} does not exist.", hint="Build it: dbt build --select <model>.",
            relation=str(relation), reason=reason,
        )
    if relation is not None and (condition.startswith("UNRESOLVED_COLUMN") or state == "42703"):
        return SchemaDriftError(
            f"{relation} does not have a column the query needs.",
            hint="The relation changed since the manifest was written: run dbt build.",
            relation=str(relation), reason=reason,
        )
    if state.startswith("22") or condition.startswith(("CAST_INVALID_INPUT", "DATATYPE_MISMATCH")):
        return InvalidKeyError(
            f"A key value does not fit its column's type in {relation}.",
            hint="Pass key values of the column's declared data_type (an integer id as int, not text).",
            relation=str(relation), reason=reason,
        )
    return WarehouseError(
        f"Query on {relation or 'the Spark catalog'} failed: {reason}",
        hint="See the reason; every query here is a read-only SELECT or DESCRIBE.", relation=str(relation),
        reason=reason,
    )


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


def _short(exc: BaseException, limit: int = 300) -> str:
    """Spark's first message line, cut: it may quote a (huge) key value back, and the rest is a JVM stack."""
    text = " ".join(str(exc).strip().splitlines()[:1]) or type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "..."
