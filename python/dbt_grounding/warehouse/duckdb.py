"""DuckDB: read-only lookups on the file dbt builds, without ever standing in the way of `dbt build`.

The constraint: a DuckDB file is opened by one read-write process or by any number of read-only ones, never both,
and a failed open does not wait: it raises at once (`IO Error: Could not set lock on file`). dbt-duckdb opens
the file read-write once per dbt command and holds it until the command ends, and by default it tries only once
(profile `retries: {connect_attempts: 1}`). So:

- A reader must not hold the file: it opens a read-only connection per operation and closes it straight after,
  so the file is free between operations. `hold_ms` keeps it open a little longer for bursts, `session()` for
  one caller's group of operations (a document's schema check, lookup and as-of query); both bounded.
- While a writer holds the file, every open fails at once; the reader retries with jittered exponential backoff
  (10 ms doubling to 500 ms) until `lock_wait_s` (default 120 s, longer than the 87 s build at 1M customers) and
  then raises WarehouseError. A failed open holds nothing, so polling never delays the writer.
- The race left: dbt's single open attempt fails if it falls inside a reader's open interval. The interval is
  what we minimise: measured here (2 cores, duckdb 2.0) opening takes ~11 ms p50 / 16 ms p95, a point lookup
  ~1.3 ms and closing ~2 ms, so one operation holds the file ~15 ms. `writer_gap_ms` (default 20 ms) leaves the
  file free that long after each close before this object reopens it, so even a reader looping flat out holds
  the file at most ~45% of the time. Measured with the package's real `dbt build` (which opens the file once,
  ~4 s in, after parsing) against a reader looping flat out: 5 of 6 builds failed without the gap, 1 of 6 with
  it. The fix is on the writer's side: dbt-duckdb's profile setting `retries: {connect_attempts: N}` retries
  the open, and as the reader never holds the file more than ~15 ms at a time a retry usually finds it free:
  with 5 attempts 0 of 6 builds failed but one CI run of 8 still did, so the package's profile sets 10
  (python/tests/warehouse/test_warehouse_concurrency.py).
  `targets.writer_connect_attempts(settings)` tells a caller whether the profile has it, to warn when it does not.

Trade-off, measured on the built package: a key lookup costs 0.5 ms on a held connection and 14 ms p50 with its
own connection; a document's three queries (columns, row, as-of) 52 ms with a connection each, 27 ms inside one
`session()`. A server wanting held-connection latency would have to own the file (no concurrent dbt build),
which this layer deliberately does not do; `hold_ms` is the knob for a busy server whose builds retry.

Schema introspection (`inspect`): information_schema keeps the column list a view was bound with when it was
created, so a view whose upstream table lost, renamed or retyped a column still "matches" there. A view is therefore
probed: `SELECT * FROM view LIMIT 0` makes DuckDB bind the view's SQL again against today's tables (no row is read),
which gives its real columns and types, or the binder's error naming what is gone (a broken view). Binding does not
find a cast that fails only on data (`cast(d AS INTEGER)` once `d` became a DATE binds, and fails per row): that
change is found at the table whose type changed. Inside a `session()` the first inspect of a schema lists every
column of that schema (and which relations are views) in one query, and each view is probed once; both answers
are dropped when the session ends, as they hold only while the held connection keeps writers out. Outside a
session each inspect is one short connection, like every other operation. Cost: binding a view binds every view
under it again, inlined once per path, so a view deep in a stack of views costs far more than a table, whose answer
is the schema listing alone. Measured on benchmarks/synthetic_project.py's 40-model project (views 8 layers deep, 2-3
parents each; 2 cores under a load of ~9.5): 38 probes 2.2 s, the deepest 0.32 s, a first-layer one ~0.01 s; the same
probes right after its `dbt build`, under a load of ~14, took 29.8 s (the deepest 3.8 s).

The relation's database: dbt-duckdb names it after the file (`warehouse` for warehouse.duckdb). A read-only
connection to the profile's file has that file as its only user catalog, whose name this object reads with
`current_database()`; a manifest built when the file had another name (copied, moved, DBT_..._PATH changed)
still finds its relations there. Relations in databases the profile ATTACHes are refused (not supported yet).
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

try:
    # DuckDB's engine itself (duckdb >= 1.4 ships it as this extension module). The `duckdb` package around it adds
    # the relational and expression API, arrow sources and the module-level shortcuts, ~0.1 s of every cold process
    # on this machine (issue 16: `context` <= 0.4 s), and reading by SQL uses none of it: the connection class, its
    # methods and the exception classes are the same objects under both names.
    import _duckdb as duckdb
except ImportError:  # an older duckdb, whose engine is `duckdb.duckdb`
    import duckdb

from dbt_grounding.errors import ConfigurationError, WarehouseError
from dbt_grounding.warehouse.base import QueryFailure, QueryHook, Relation, RelationState, Warehouse

if TYPE_CHECKING:
    from dbt_grounding.warehouse.targets import ConnectionSettings

__all__ = ["DuckDBWarehouse", "broken_column", "is_lock_conflict", "retry_while_locked"]

_MESSAGE_TAIL = re.compile(r"Candidate functions:|\n\s*LINE \d+:")
_MESSAGE_LIMIT = 300  # DuckDB quotes values and candidate lists back: a broken view carries a cut of its message
T = TypeVar("T")
_FIRST_BACKOFF_S = 0.01
_MAX_BACKOFF_S = 0.5
# Every column of one schema (or of one relation, with _ONE_RELATION appended), with whether its relation is a view.
_SCHEMA_COLUMNS_SQL = (
    "SELECT c.table_name, t.table_type = 'VIEW', c.column_name, c.data_type"
    " FROM information_schema.columns c JOIN information_schema.tables t"
    " ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema AND t.table_name = c.table_name"
    " WHERE c.table_catalog = ? AND lower(c.table_schema) = lower(?)"
)
_ONE_RELATION = " AND lower(c.table_name) = lower(?)"
_COLUMN_ORDER = " ORDER BY c.table_name, c.ordinal_position"
# The binder's messages that name the column a broken view reads (DuckDB 2.0; tests/warehouse/test_warehouse_views.py
# produces each against real DuckDB). Names are quoted without escaping (`"we"ird"`), so a pattern ends on the text
# that follows the name, not on the next quote.
_NAMED_COLUMN = [
    re.compile(pattern) for pattern in (
        r'Referenced column "(.+)" not found in FROM clause',
        r'does not have a column named "(.+)"$',
        r'Column "(.+)" does not exist on (?:left|right) side of join',
        r'Column "(.+)" in (?:EXCLUDE|REPLACE|RENAME) list not found',
        r"when casting from source column (.+)$",
    )
]


class DuckDBWarehouse(Warehouse):
    """Short-lived read-only connections to one DuckDB file, retried while a writer holds it.

    Thread-safe: operations on one object run one at a time (a lookup takes ~1 ms). Use one object per
    process: the writer gap is kept per object.

    Attributes:
        lock_conflicts: how many opens so far found the file held by a writer (and were retried).
        connections_opened: how many read-only connections this object has opened so far.
    """

    adapter_type = "duckdb"
    engine_name = "DuckDB"
    driver_errors = (duckdb.Error,)

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_wait_s: float = 120.0,
        hold_ms: float = 0.0,
        writer_gap_ms: float = 20.0,
        on_query: QueryHook | None = None,
        attached_databases: Sequence[str] = (),
        path_origin: str = "",
        threads: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """
        Args:
            path: the DuckDB file.
            lock_wait_s: how long to keep retrying while another process holds the file for writing.
            hold_ms: keep the connection open this long after an operation, for bursts; 0 closes at once.
            writer_gap_ms: leave the file free at least this long after closing before opening it again.
            on_query: called with (sql, params) before every statement.
            attached_databases: aliases the profile ATTACHes (relations there are refused, not misread).
            path_origin: why the file is at `path` (from the profile's settings), said when it does not exist.
            threads: DuckDB's worker threads for this file (None: its default, one per core). Point lookups gain
                nothing from a second thread and, on a busy machine, wait for it: a published copy read by key uses 1
                (a lookup on a 1M-row mart ~0.95 ms of CPU instead of ~1.2). Set on the database, so other
                connections this process has to the same file share it.
            sleep, clock: injectable for tests.
        """
        super().__init__(on_query=on_query)
        self.path = Path(path)
        self.path_origin = path_origin
        self.threads = threads
        self.lock_wait_s = lock_wait_s
        self.hold_s = hold_ms / 1000
        self.writer_gap_s = writer_gap_ms / 1000
        self._attached = {alias.lower() for alias in attached_databases}
        self._sleep, self._clock = sleep, clock
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._catalog: str | None = None
        self._timer: threading.Timer | None = None  # closes a held connection once idle for hold_ms
        self._released_at = float("-inf")  # when the last operation or session let the held connection go
        self._closed_at = float("-inf")
        self.connections_opened = 0
        self.lock_conflicts = 0
        self._inspected: dict[tuple[str, str, str], RelationState] = {}  # inside a session: each relation's state

    @property
    def connected(self) -> bool:
        """Whether a connection is open now (held by `hold_ms` or a `session()`)."""
        return self._connection is not None

    @property
    def unchanged_since(self) -> int | None:
        """An id that stays the same while nothing can have changed the file, else None.

        While this process holds a read-only connection no other process can open the file for writing (DuckDB's
        file lock), so answers about the schema stay true until the connection closes."""
        return self.connections_opened if self._connection is not None else None

    def hold_open(self) -> None:
        with self._operation():
            pass

    @property
    def local_files(self) -> tuple[Path, ...]:
        """The database file and its write-ahead log: a write lands in the .wal first and reaches the file only at
        a checkpoint, so the file alone may look unchanged after one."""
        return (self.path, self.path.with_name(self.path.name + ".wal"))

    @property
    def engine_version(self) -> str | None:
        return duckdb.__version__

    @classmethod
    def _from_checked_settings(cls, settings: ConnectionSettings, **options: Any) -> DuckDBWarehouse:
        aliases = [entry.get("alias") for entry in settings.settings.get("attach") or [] if isinstance(entry, Mapping)]
        options.setdefault("attached_databases", [alias for alias in aliases if alias])
        options.setdefault("path_origin", settings.settings.get("path_origin", ""))
        return cls(settings.settings["path"], **options)

    # ------------------------------------------------------------------ operations

    def inspect(self, relation: Relation | tuple[str | None, str, str], *, probe: bool = True) -> RelationState:
        """The relation's columns, a view's as bound against today's tables; a view that no longer binds is
        `broken`, with the binder's message and the column it names. With `probe=False` a view's columns are
        those the catalog listed when it was created (nothing is bound, nothing kept for a later probe)."""
        relation = Relation(*relation)
        with self._operation():
            catalog = self._resolve_catalog(relation)
            key = (catalog, relation.schema.lower(), relation.identifier.lower())
            if key in self._inspected:
                return self._inspected[key]
            listed = self._listed(
                key[:2], relation.identifier, fold_case=True,
                one=(_SCHEMA_COLUMNS_SQL + _ONE_RELATION + _COLUMN_ORDER,
                     (catalog, relation.schema, relation.identifier)),
                whole_schema=(_SCHEMA_COLUMNS_SQL + _COLUMN_ORDER, (catalog, relation.schema)),
            )
            if listed is None:
                state = RelationState(None)
            else:
                is_view, columns = listed
                if is_view and not probe:
                    return RelationState(columns)
                state = self._probe_view(relation, columns) if is_view else RelationState(columns)
            if self._sessions:
                self._inspected[key] = state
        return state

    def close(self) -> None:
        with self._lock:
            self._cancel_timer()
            self._close_connection()

    # ------------------------------------------------------------------ connections

    @contextmanager
    def _operation(self) -> Iterator[None]:
        with self._lock:
            if self._connection is None:
                self._connection = self._open()
                if self._catalog is None:
                    try:
                        self._catalog = self._query("SELECT current_database()", ())[1][0][0]
                    except BaseException:
                        self._close_connection()
                        raise
            try:
                yield
            finally:
                if not self._sessions:
                    self._release()

    def _session_ended(self) -> None:
        super()._session_ended()
        self._inspected.clear()
        if self._connection is not None:
            self._release()

    def _release(self) -> None:
        if self.hold_s <= 0:
            self._close_connection()
            return
        # One timer per held connection, which re-arms itself while the connection is in use, not one per
        # operation: starting a thread cost 1-2 ms a document on 2 busy cores, as much as the lookup itself.
        self._released_at = self._clock()
        if self._timer is None:
            self._arm_timer(self.hold_s)

    def _arm_timer(self, delay_s: float) -> None:
        self._timer = threading.Timer(delay_s, self._close_if_idle)
        self._timer.daemon = True  # never keeps the interpreter alive
        self._timer.start()

    def _close_if_idle(self) -> None:
        with self._lock:  # operations hold it: a connection in use is never closed under them
            if threading.current_thread() is not self._timer:
                return  # cancelled (close()) after it fired, or replaced
            self._timer = None
            if self._connection is None or self._sessions:
                return  # nothing held, or a session's end releases it and arms a timer again
            idle_left = self._released_at + self.hold_s - self._clock()
            if idle_left > 0:
                self._arm_timer(idle_left)
            else:
                self._close_connection()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close_connection(self) -> None:
        # what a session learnt held only while its connection kept writers out; a writer may get in before the
        # next open, even inside a session (close())
        self._schema_listings.clear()
        self._inspected.clear()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()
            self._closed_at = self._clock()

    def _open(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection, retried with backoff while a writer holds the file."""
        gap_left = self._closed_at + self.writer_gap_s - self._clock()
        if gap_left > 0:
            self._sleep(gap_left)
        if not self.path.is_file():
            raise WarehouseError(
                f"DuckDB file {self.path} does not exist" + (f" (looked there because {self.path_origin})."
                                                             if self.path_origin else "."),
                hint="Run `dbt build` for this target, or check the profile's path (and the env vars it reads); a "
                     "relative path is opened from the directory dbt runs in.",
                path=str(self.path), path_origin=self.path_origin,
            )
        started = self._clock()

        def conflict() -> None:
            self.lock_conflicts += 1

        try:
            connection = retry_while_locked(lambda: duckdb.connect(str(self.path), read_only=True), self.lock_wait_s,
                                            sleep=self._sleep, clock=self._clock, on_conflict=conflict)
        except duckdb.Error as exc:
            raise self._open_error(exc, self._clock() - started) from exc
        self.connections_opened += 1
        if self.threads is not None:
            connection.execute(f"SET threads = {int(self.threads)}")
        return connection

    def _open_error(self, exc: duckdb.Error, waited: float) -> WarehouseError:
        if is_lock_conflict(exc):
            return WarehouseError(
                f"DuckDB file {self.path} stayed locked by another process for {waited:.0f} s.",
                hint="A dbt command (or another writer) holds the file; retry when it ends, or raise lock_wait_s.",
                path=str(self.path), waited_s=round(waited, 3), reason=str(exc),
            )
        return WarehouseError(
            f"Cannot open DuckDB file {self.path} read-only: {exc}",
            hint="Check that the file is a DuckDB database written by a compatible DuckDB version.",
            path=str(self.path), reason=str(exc),
        )

    # ------------------------------------------------------------------ SQL

    def _resolve_catalog(self, relation: Relation) -> str:
        assert self._catalog is not None  # set when the first connection opened
        database = (relation.database or "").lower()
        if database and database != self._catalog.lower() and database in self._attached:
            raise ConfigurationError(
                f"{relation} is in the attached database {relation.database!r}; only relations in the profile's "
                "own DuckDB file can be queried yet.",
                hint="Materialize the grounding marts in the target's own database.", relation=str(relation),
            )
        return self._catalog

    def _probe_view(self, relation: Relation, listed: list[tuple[str, str]]) -> RelationState:
        """Bind the view again (`LIMIT 0` reads no row): its columns today, or why it no longer binds."""
        sql = f"SELECT * FROM {self._relation_sql(relation)} LIMIT 0"
        self._report(sql, ())
        assert self._connection is not None  # inside _operation
        try:
            cursor = self._connection.execute(sql)
        except (duckdb.ProgrammingError, duckdb.DataError) as exc:  # binder, catalog, conversion: the view's SQL
            return RelationState(listed, broken=_binder_message(exc), broken_column=broken_column(str(exc)))
        except duckdb.Error as exc:
            raise self._query_error(exc, relation) from exc
        return RelationState([(name, str(data_type)) for name, data_type, *_ in cursor.description])

    def _relation_sql(self, relation: Relation) -> str:
        parts = (self._resolve_catalog(relation), relation.schema, relation.identifier)
        return ".".join(self._quote(part) for part in parts)

    def _execute(self, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
        assert self._connection is not None  # inside _operation
        cursor = self._connection.execute(sql, params)
        return [description[0] for description in cursor.description], cursor.fetchall()

    def _classify(self, exc: BaseException) -> QueryFailure:
        if isinstance(exc, duckdb.CatalogException):
            return QueryFailure.MISSING_RELATION
        if isinstance(exc, duckdb.BinderException):
            return QueryFailure.MISSING_COLUMN
        if isinstance(exc, (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException)):
            return QueryFailure.BAD_KEY_VALUE
        return QueryFailure.OTHER


def broken_column(message: str) -> str | None:
    """The column DuckDB's error names as the one it cannot find (or cast), None when it names none.

    Args:
        message: the error's text.

    Returns:
        The column name as the message spells it.
    """
    for line in message.splitlines():
        for pattern in _NAMED_COLUMN:
            match = pattern.search(line)
            if match:
                return match.group(1)
    return None


def _binder_message(exc: BaseException) -> str:
    """The binder's message on one line, without the list of candidate functions (dozens of lines) or the
    position in our probe's SQL (`LINE 1: SELECT * FROM ...`), cut."""
    text = " ".join(_MESSAGE_TAIL.split(str(exc), maxsplit=1)[0].split())
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "..."


def retry_while_locked(attempt: Callable[[], T], lock_wait_s: float, *, sleep: Callable[[float], None] = time.sleep,
                       clock: Callable[[], float] = time.monotonic, on_conflict: Callable[[], None] | None = None) -> T:
    """`attempt()` (an open or an attach of a DuckDB file), retried with jittered exponential backoff (10 ms doubling
    to 500 ms) while another process holds the file for writing, for at most `lock_wait_s`.

    Raises:
        duckdb.Error: the attempt's own error: not a lock conflict, or one that outlasted `lock_wait_s`.
    """
    started, delay = clock(), _FIRST_BACKOFF_S
    while True:
        try:
            return attempt()
        except duckdb.IOException as exc:
            waited = clock() - started
            if not is_lock_conflict(exc) or waited >= lock_wait_s:
                raise
            if on_conflict is not None:
                on_conflict()
            sleep(min(delay * random.uniform(0.5, 1.0), max(lock_wait_s - waited, 0)))
            delay = min(delay * 2, _MAX_BACKOFF_S)


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "Could not set lock" in str(exc)
