"""The adapter-neutral warehouse the grounding layer uses: one template, with small hooks per engine.

A `Warehouse` answers three questions about a relation dbt built: which columns it has (schema drift), which rows
match a key (lookups), and the newest value of a column (as-of dates). Adapters differ in how they connect,
introspect, quote and bind, and in the errors their drivers raise; the lookups, sessions and the meaning of an
error are written here once, on the SQL-safety rules of `sql.py` (read-only SELECTs, identifiers always quoted,
key values only ever bound as parameters, a row cap).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from dbt_grounding.errors import ConfigurationError, GroundingError, InvalidKeyError
from dbt_grounding.telemetry.timing import phase
from dbt_grounding.warehouse.sql import (
    KEY_INDEX,
    KeyValue,
    NamePattern,
    build_select_distinct,
    build_select_distinct_like,
    build_select_rows,
    build_select_rows_of_keys,
    build_select_since,
    check_key,
    check_selection,
    columns_by_relation,
    distinct_non_null,
    quote_identifier,
    short_reason,
)

from dbt_grounding.warehouse.drivers import import_driver
from dbt_grounding.warehouse.query_errors import error_of_failure
from dbt_grounding.warehouse.relation import QueryFailure, QueryHook, Relation, RelationState, Row

if TYPE_CHECKING:
    from dbt_grounding.warehouse.targets import ConnectionSettings

__all__ = ["QueryFailure", "QueryHook", "Relation", "RelationState", "Row", "Warehouse", "import_driver"]

class Warehouse(ABC):
    """Read-only access to the relations of one dbt target. Use as a context manager, or call `close()`.

    A template: the lookups (`fetch_rows`, `fetch_rows_of_keys`, `distinct_values`, `max_value`), sessions and the
    mapping of query errors are here, once; an engine supplies how it connects (`_operation`), runs a statement
    (`_execute`), names a relation (`_relation_sql`), quotes (`identifier_quote`), marks and binds a parameter
    (`_placeholder`, `_bind_value`), introspects (`inspect`) and which of its errors mean what (`_classify`). Operations on one
    object run one at a time (one lock, re-entrant so a session can hold it).
    """

    adapter_type: ClassVar[str]
    engine_name: ClassVar[str]  # in messages: "Query on the DuckDB catalog failed"
    identifier_quote: ClassVar[str] = '"'
    driver_errors: ClassVar[tuple[type[BaseException], ...]] = (Exception,)  # what `_execute` raises on a bad query

    def __init__(self, *, on_query: QueryHook | None = None) -> None:
        """
        Args:
            on_query: called with (sql, params) before every statement.
        """
        self.on_query = on_query
        self._lock = threading.RLock()
        self._sessions = 0
        # inside a session only: schema -> {relation: (is a view, columns)} (see `_listed`)
        self._schema_listings: dict[Hashable, dict[str, tuple[bool, list[tuple[str, str]]]]] = {}

    @classmethod
    def from_settings(cls, settings: ConnectionSettings, **options: Any) -> Warehouse:
        """A warehouse for a target's settings (`load_connection_settings`, checked there); nothing connects yet.

        Args:
            settings: the target.
            options: adapter-specific keyword arguments.

        Returns:
            The warehouse.

        Raises:
            ConfigurationError: the target is of another adapter.
        """
        if settings.adapter_type != cls.adapter_type:
            raise ConfigurationError(
                f"Target {settings.target_name!r} is {settings.adapter_type}, not {cls.adapter_type}.",
                hint=f"Select a {cls.adapter_type} target.", target=settings.target_name,
            )
        return cls._from_checked_settings(settings, **options)

    @classmethod
    @abstractmethod
    def _from_checked_settings(cls, settings: ConnectionSettings, **options: Any) -> Warehouse:
        """`from_settings` once the adapter is known to match: the engine's constructor arguments."""

    # ------------------------------------------------------------------ operations

    def columns(self, relation: Relation | tuple[str | None, str, str]) -> list[tuple[str, str]] | None:
        """The relation's columns as the warehouse reports them.

        Args:
            relation: (database, schema, identifier) from the manifest.

        Returns:
            (column name, data type) in column order, or None when the relation does not exist.
        """
        return self.inspect(relation).columns

    @abstractmethod
    def inspect(self, relation: Relation | tuple[str | None, str, str], *, probe: bool = True) -> RelationState:
        """The relation's schema, and whether it can be read at all. Inside a `session()` engines list a whole
        schema in one query.

        Args:
            relation: (database, schema, identifier) from the manifest.
            probe: make the engine bind a view again to tell whether it still reads (DuckDB: its catalog keeps a
                view's columns as they were when it was created). Binding a deep stack of views is costly, so the
                schema checks probe only the views downstream of a relation that drifted; False lists the columns.

        Returns:
            The relation's state.
        """

    def fetch_rows(
        self,
        relation: Relation | tuple[str | None, str, str],
        key: Mapping[str, KeyValue],
        columns: Sequence[str],
        limit: int,
    ) -> list[Row]:
        """Rows whose key columns equal the given values: `WHERE k1 = ? AND k2 = ?`, values bound, never inlined.

        Args:
            relation: (database, schema, identifier) from the manifest.
            key: column -> value; every value is bound as a parameter. Pass values of the column's type (an
                integer id as int): engines cast the column to the value's type otherwise, and text that does
                not parse as the value's type is an InvalidKeyError.
            columns: the columns to return, in order.
            limit: the most rows the caller wants; up to limit + 1 are returned so it can tell the cap was hit.

        Returns:
            Up to limit + 1 rows as {column: value}, values as the driver gives them (Decimal, date, ...).

        Raises:
            InvalidKeyError: no key, a null or non-scalar value, or a value the column's type cannot hold.
            MissingRelationError: the relation does not exist.
            SchemaDriftError: a column does not exist.
            WarehouseError: the warehouse cannot be queried.
        """
        relation = Relation(*relation)
        key_columns, values = check_key(key)
        check_selection(columns, limit)
        params = tuple(self._bind_value(column, value) for column, value in zip(key_columns, values))
        with self._operation():
            sql = build_select_rows(
                self._relation_sql(relation), key_columns, columns, limit, quote=self._quote,
                placeholder=self._placeholder,
            )
            names, rows = self._query(sql, params, relation)
        return [dict(zip(names, row)) for row in rows]

    def fetch_rows_of_keys(
        self,
        relation: Relation | tuple[str | None, str, str],
        keys: Sequence[Mapping[str, KeyValue]],
        columns: Sequence[str],
        limit: int,
    ) -> list[list[Row]]:
        """The rows of several keys in one statement (`k IN (?, ?, ...)`, values bound, never inlined): what
        `fetch_rows` returns for each key, in the order of `keys`.

        Args:
            relation: (database, schema, identifier) from the manifest.
            keys: column -> value per key, every key naming the same columns (as `fetch_rows`'s key).
            columns: the columns to return, in order.
            limit: the most rows the caller wants per key; up to limit + 1 of each are returned.

        Returns:
            One list of rows per key, in order (a key given twice gets the same rows twice).

        Raises:
            InvalidKeyError: no key, keys naming different columns, or a value `fetch_rows` would refuse.
            MissingRelationError, SchemaDriftError, WarehouseError: as `fetch_rows`.
        """
        relation = Relation(*relation)
        checked = [check_key(key) for key in keys]
        if not checked:
            raise InvalidKeyError("A lookup needs at least one key.", hint="Pass keys=[{'customer_id': 42}, ...].")
        key_columns = checked[0][0]
        if any(names != key_columns for names, _ in checked):
            raise InvalidKeyError("Every key of one lookup names the same key columns.",
                                  hint="Look keys of different columns up separately.", columns=key_columns)
        check_selection(columns, limit)
        distinct: dict[tuple[Any, ...], int] = {}
        for _, values in checked:  # by type too: 1 and True and 1.0 hash alike, but bind differently
            distinct.setdefault(tuple((type(value), value) for value in values), len(distinct))
        values_in_order = [tuple(value for _, value in typed) for typed in distinct]
        if len(values_in_order) == 1:  # one key: the plain lookup, no key index to compute
            rows = self.fetch_rows(relation, dict(zip(key_columns, values_in_order[0])), columns, limit)
            return [rows for _ in checked]
        bound = [self._bind_value(column, value) for values in values_in_order
                 for column, value in zip(key_columns, values)]
        with self._operation():
            sql = build_select_rows_of_keys(
                self._relation_sql(relation), key_columns, len(values_in_order), columns, limit, quote=self._quote,
                placeholder=self._placeholder,
            )
            names, rows = self._query(sql, tuple(bound) * 2, relation)
        found: list[list[Row]] = [[] for _ in values_in_order]
        for row in rows:
            record = dict(zip(names, row))
            found[record.pop(KEY_INDEX)].append(record)
        return [found[distinct[tuple((type(value), value) for value in values)]] for _, values in checked]

    def distinct_values(self, relation: Relation | tuple[str | None, str, str], column: str, limit: int) -> list[Any]:
        """Up to `limit` distinct non-null values of a column (the known person names of context.known_names).

        Args:
            relation: (database, schema, identifier) from the manifest.
            column: the column, checked against the manifest by the caller.
            limit: the most values returned.

        Returns:
            The values as the driver gives them, in no particular order, NULL left out.
        """
        relation = Relation(*relation)
        with self._operation():
            sql = build_select_distinct(self._relation_sql(relation), column, limit, quote=self._quote)
            _, rows = self._query(sql, (), relation)
        return distinct_non_null(rows, limit)

    def distinct_values_like(
        self, relation: Relation | tuple[str | None, str, str], column: str, patterns: Sequence[NamePattern],
        limit: int,
    ) -> list[Any]:
        """Up to `limit` + 1 distinct values of a text column whose lower-cased form matches one of `patterns`
        (`ask`'s name lookup past its in-memory cap): every pattern and length bound a bound parameter.

        Args:
            relation: (database, schema, identifier) from the manifest.
            column: the column, checked against the manifest by the caller.
            patterns: LIKE, optional NOT LIKE (escape character "!") and optional longest length, any one matching.
            limit: the most values the caller wants; one more is returned so it can tell the cap was hit.

        Returns:
            The values as the driver gives them, in no particular order.
        """
        relation = Relation(*relation)
        with self._operation():
            sql, params = build_select_distinct_like(self._relation_sql(relation), column, patterns, limit,
                                                     quote=self._quote, placeholder=self._placeholder)
            _, rows = self._query(sql, params, relation)
        return [row[0] for row in rows]

    def max_value(self, relation: Relation | tuple[str | None, str, str], column: str) -> Any:
        """The largest value of a column (an as-of date), None when the relation is empty.

        Args:
            relation: (database, schema, identifier) from the manifest.
            column: the column.

        Returns:
            The value as the driver gives it.
        """
        relation = Relation(*relation)
        selected = self._quote(column)
        with self._operation():
            _, rows = self._query(f"SELECT max({selected}) FROM {self._relation_sql(relation)}", (), relation)
        return rows[0][0]

    def fetch_since(
        self,
        relation: Relation | tuple[str | None, str, str],
        columns: Sequence[str],
        column: str,
        lowest: KeyValue,
        limit: int,
    ) -> list[Row]:
        """Rows whose `column` is at or above `lowest`, in its order: `WHERE c >= ? ORDER BY c`, the bound bound,
        never inlined (the monitoring report's last N days).

        Args:
            relation: (database, schema, identifier) from the manifest.
            columns: the columns to return, in order (checked against the manifest by the caller).
            column: the column compared and ordered by.
            lowest: the smallest value returned (a date), bound as a parameter.
            limit: the most rows the caller wants; up to limit + 1 are returned so it can tell the cap was hit.

        Returns:
            Up to limit + 1 rows as {column: value}, values as the driver gives them.
        """
        relation = Relation(*relation)
        _, (value,) = check_key({column: lowest})
        check_selection(columns, limit)
        with self._operation():
            sql = build_select_since(self._relation_sql(relation), columns, column, limit, quote=self._quote,
                                     placeholder=self._placeholder)
            names, rows = self._query(sql, (self._bind_value(column, value),), relation)
        return [dict(zip(names, row)) for row in rows]

    @contextmanager
    def session(self) -> Iterator[Warehouse]:
        """Group operations (a document, a gate run): what the engine holds or lists inside the block (DuckDB: one
        read-only connection; DuckDB and PostgreSQL: each schema's listing) is kept until it ends. Other threads
        wait until it ends."""
        with self._lock:
            self._sessions += 1
            try:
                yield self
            finally:
                self._sessions -= 1
                if not self._sessions:
                    self._session_ended()

    @property
    def in_session(self) -> bool:
        """Whether a `session()` is open on this object."""
        return self._sessions > 0

    @property
    def unchanged_since(self) -> int | None:
        """An id that stays the same while nothing can have changed the warehouse's schemas, else None (the
        default: other sessions may alter a relation at any time, so each document checks the schema again)."""
        return None

    def hold_open(self) -> None:  # noqa: B027 - engines without a held connection have nothing to open early
        """Connect now, not at the first operation: inside a `session()` the connection then lasts until it ends
        (DuckDB: with it the file lock that keeps writers out, so what `local_files` say stays true meanwhile)."""

    @property
    def local_files(self) -> tuple[Path, ...]:
        """The local files the whole database lives in, present or not, so that their stamps say whether anything
        in it can have changed since (serving.kept_checks); () when it is not held in local files (a server: other
        sessions change it unseen), the default."""
        return ()

    @property
    def engine_version(self) -> str | None:
        """The engine's version as the driver reports it (what it lists may change with it), when known."""
        return None

    def close(self) -> None:  # noqa: B027 - adapters without held resources need nothing
        """Release any held connection. The object stays usable: the next call reconnects."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ hooks

    @contextmanager
    def _operation(self) -> Iterator[None]:
        """Around one operation's statements: the lock; engines add connecting (and DuckDB releasing) the file."""
        with self._lock:
            yield

    def _session_ended(self) -> None:
        """Drop what the session kept: the schema listings (engines add a held connection)."""
        self._schema_listings.clear()

    @abstractmethod
    def _relation_sql(self, relation: Relation) -> str:
        """The relation as this engine names it in SQL, quoted (inside `_operation`: it may need the connection)."""

    @abstractmethod
    def _execute(self, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement; (column names, rows). Raises the driver's own errors (`driver_errors`)."""

    @abstractmethod
    def _classify(self, exc: BaseException) -> QueryFailure:
        """What the driver's error means."""

    def _placeholder(self, position: int) -> str:
        """The parameter marker of the key column at that position (`?`; PostgreSQL `%s`; Spark `:p0`)."""
        return "?"

    def _bind_value(self, column: str, value: KeyValue) -> Any:
        """A checked key value as the driver binds it (the default: as it is)."""
        return value

    def _quote(self, identifier: str) -> str:
        return quote_identifier(identifier, self.identifier_quote)

    def _engine_error(  # noqa: B027 - most engines have no error of their own
        self, exc: BaseException, relation: Relation | None, reason: str
    ) -> GroundingError | None:
        """An error only this engine has (PostgreSQL's statement timeout, Spark's locked metastore), else None."""
        return None

    # ------------------------------------------------------------------ shared machinery

    def _query(
        self, sql: str, params: tuple[Any, ...], relation: Relation | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement (reported to `on_query` first); the driver's errors mapped to typed ones."""
        self._report(sql, params)
        try:
            with phase("warehouse"):  # a served request's warehouse time (telemetry); nothing outside one
                return self._execute(sql, params)
        except GroundingError:
            raise
        except self.driver_errors as exc:
            raise self._query_error(exc, relation) from exc

    def _report(self, sql: str, params: tuple[Any, ...]) -> None:
        """Tell `on_query` about a statement about to run."""
        if self.on_query is not None:
            self.on_query(sql, params)

    def _query_error(self, exc: BaseException, relation: Relation | None) -> GroundingError:
        """The driver's error as the grounding layer's: what went wrong for the caller, the engine's words in
        `reason`."""
        reason = short_reason(exc)
        special = self._engine_error(exc, relation, reason)
        if special is not None:
            return special
        return error_of_failure(self._classify(exc), relation, reason, self.engine_name)

    def _listed(
        self, schema_key: Hashable, name: str, *, one: tuple[str, tuple[Any, ...]],
        whole_schema: tuple[str, tuple[Any, ...]], fold_case: bool,
    ) -> tuple[bool, list[tuple[str, str]]] | None:
        """(is a view, columns) of one relation from the engine's catalog, None when it does not exist. Outside a
        session the `one` query lists the relation alone; inside one, the `whole_schema` query lists every relation
        of its schema, once, kept until the session ends.

        Args:
            schema_key: what identifies the schema in the session's listings.
            name: the relation's name.
            one, whole_schema: (sql, params) whose rows are (relation, is a view, column, data type), in column
                order.
            fold_case: relation names are case-insensitive on this engine.
        """
        key = name.lower() if fold_case else name
        if not self._sessions:
            return columns_by_relation(self._query(*one)[1], fold_case=fold_case).get(key)
        if schema_key not in self._schema_listings:
            self._schema_listings[schema_key] = columns_by_relation(self._query(*whole_schema)[1], fold_case=fold_case)
        return self._schema_listings[schema_key].get(key)
