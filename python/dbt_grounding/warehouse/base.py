"""The adapter-neutral warehouse interface the grounding layer uses, and the SQL-safety rules every adapter shares.

A `Warehouse` answers three questions about a relation dbt built: which columns it has (schema drift), which rows
match a key (lookups), and the newest value of a column (as-of dates). Adapters differ in how they connect,
introspect and quote; they share the rules below: read-only SELECTs, identifiers always quoted, key values only
ever bound as parameters, a row cap.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, ClassVar, NamedTuple

from dbt_grounding.errors import InvalidKeyError
from dbt_grounding.warehouse.profile import ConnectionSettings

__all__ = [
    "KeyValue", "QueryHook", "Relation", "RelationState", "Row", "Warehouse", "build_select_rows", "check_key", "check_selection",
    "columns_by_relation", "quote_identifier",
]

Row = dict[str, Any]
# Called with every statement's SQL text and bound parameters, just before it runs: tests and audit logs.
QueryHook = Callable[[str, tuple[Any, ...]], None]
KeyValue = str | int | float | decimal.Decimal | datetime.date | datetime.datetime | datetime.time | uuid.UUID
_KEY_VALUE_TYPES = (str, int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time, uuid.UUID)


class Relation(NamedTuple):
    """A table or view as the manifest names it (node `database`, `schema`, `alias`)."""

    database: str | None
    schema: str
    identifier: str

    def __str__(self) -> str:
        return ".".join(part for part in self if part)


class RelationState(NamedTuple):
    """What the warehouse says about one relation when asked for its schema.

    Attributes:
        columns: (column name, data type) in column order; None when the relation does not exist.
        broken: the engine's own message when the relation exists but cannot be read (a view whose upstream lost
            a column still lists its old columns in information_schema, and fails only when selected from).
        broken_column: the column the engine names in that message, when it names one.
    """

    columns: list[tuple[str, str]] | None
    broken: str | None = None
    broken_column: str | None = None


class Warehouse(ABC):
    """Read-only access to the relations of one dbt target. Use as a context manager, or call `close()`."""

    adapter_type: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: ConnectionSettings, **options: Any) -> Warehouse:
        """A warehouse for a target's settings (`load_connection_settings`); nothing connects yet.

        Args:
            settings: the target.
            options: adapter-specific keyword arguments.

        Returns:
            The warehouse.
        """

    @abstractmethod
    def columns(self, relation: Relation | tuple[str | None, str, str]) -> list[tuple[str, str]] | None:
        """The relation's columns as the warehouse reports them.

        Args:
            relation: (database, schema, identifier) from the manifest.

        Returns:
            (column name, data type) in column order, or None when the relation does not exist.
        """

    @abstractmethod
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

    @abstractmethod
    def max_value(self, relation: Relation | tuple[str | None, str, str], column: str) -> Any:
        """The largest value of a column (an as-of date), None when the relation is empty.

        Args:
            relation: (database, schema, identifier) from the manifest.
            column: the column.

        Returns:
            The value as the driver gives it.
        """

    def distinct_values(self, relation: Relation | tuple[str | None, str, str], column: str, limit: int) -> list[Any]:
        """Up to `limit` distinct non-null values of a column (the known person names of context.known_names).

        Args:
            relation: (database, schema, identifier) from the manifest.
            column: the column, checked against the manifest by the caller.
            limit: the most values returned.

        Returns:
            The values as the driver gives them, in no particular order, NULL left out.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot list distinct values")

    def inspect(self, relation: Relation | tuple[str | None, str, str], *, probe: bool = True) -> RelationState:
        """The relation's schema, and whether it can be read at all. Adapters that can tell a broken view or batch
        introspection (one query per schema inside a `session()`) override this; the default asks `columns()`.

        Args:
            relation: (database, schema, identifier) from the manifest.
            probe: make the engine bind a view again to tell whether it still reads (DuckDB: its catalog keeps a
                view's columns as they were when it was created). Binding a deep stack of views is costly, so the
                schema checks probe only the views downstream of a relation that drifted; False lists the columns.

        Returns:
            The relation's state.
        """
        return RelationState(self.columns(relation))

    @contextmanager
    def session(self) -> Iterator[Warehouse]:
        """Hold whatever the adapter holds for a group of operations (DuckDB: one read-only connection).
        The default holds nothing extra."""
        yield self

    @property
    def unchanged_since(self) -> int | None:
        """An id that stays the same while nothing can have changed the warehouse's schemas, else None (the
        default: other sessions may alter a relation at any time)."""
        return None

    def close(self) -> None:  # noqa: B027 - adapters without held resources need nothing
        """Release any held connection. The object stays usable: the next call reconnects."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def check_key(key: Mapping[str, Any]) -> tuple[list[str], tuple[KeyValue, ...]]:
    """Validate a lookup key before any SQL is built.

    Args:
        key: column -> value.

    Returns:
        (key columns, values) in the mapping's order.

    Raises:
        InvalidKeyError: empty key, a null value, a value that is not a scalar, NaN or infinity, or text that is
            not valid Unicode.
    """
    if not key:
        raise InvalidKeyError(
            "A lookup needs at least one key column.", hint="Pass the model's key, e.g. {'customer_id': 42}."
        )
    for column, value in key.items():
        if value is None:
            raise InvalidKeyError(
                f"Key value for {column!r} is null; null never equals anything.",
                hint="Pass a value for every key column.", column=column,
            )
        if not isinstance(value, _KEY_VALUE_TYPES):
            raise InvalidKeyError(
                f"Key value for {column!r} is a {type(value).__name__}; a key value must be a single scalar.",
                hint="Pass a string, number, date, time or UUID.", column=column, value_type=type(value).__name__,
            )
        if not _finite(value):
            raise InvalidKeyError(
                f"Key value for {column!r} is {value}; a key is a finite number.",
                hint="Pass the key's actual value.", column=column,
            )
        if isinstance(value, str) and not _encodable(value):
            raise InvalidKeyError(
                f"Key value for {column!r} is not valid Unicode text (lone surrogates).",
                hint="Pass the value as proper UTF-8 text.", column=column,
            )
    return list(key), tuple(key.values())


def check_selection(columns: Sequence[str], limit: int) -> None:
    """Validate what the caller (code, not a user) asks for, before connecting.

    Raises:
        ValueError: no column, an identifier that cannot be quoted, or a limit that is not a positive int.
    """
    if not columns:
        raise ValueError("fetch_rows needs at least one column to select")
    for column in columns:
        quote_identifier(column)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")


def build_select_rows(
    relation_sql: str,
    key_columns: Sequence[str],
    columns: Sequence[str],
    limit: int,
    *,
    quote: Callable[[str], str],
    placeholder: str | Callable[[int], str],
) -> str:
    """`SELECT <columns> FROM <relation> WHERE k1 = ? AND ... LIMIT <limit + 1>`: the only row-reading SQL.

    Args:
        relation_sql: the relation, already quoted.
        key_columns: key column names (quoted here), from `check_key`.
        columns: selected column names (quoted here), checked by `check_selection`.
        limit: the caller's row cap; limit + 1 rows are fetched so it knows when the cap was hit.
        quote: the adapter's identifier quoting.
        placeholder: the driver's parameter marker (`?`, `%s`), or for named markers a function of the key
            column's position giving its marker (Spark: `:p0`, `:p1`, ...).

    Returns:
        The SQL text; no value appears in it.
    """
    marker = placeholder if callable(placeholder) else (lambda _position: placeholder)
    selected = ", ".join(quote(column) for column in columns)
    condition = " AND ".join(f"{quote(column)} = {marker(i)}" for i, column in enumerate(key_columns))
    return f"SELECT {selected} FROM {relation_sql} WHERE {condition} LIMIT {limit + 1}"


def columns_by_relation(
    rows: Sequence[tuple[Any, ...]], *, fold_case: bool
) -> dict[str, tuple[bool, list[tuple[str, str]]]]:
    """A schema's catalog listing grouped by relation: what a session keeps after its one query per schema.

    Args:
        rows: (relation name, is a view, column name, data type), each relation's columns in order.
        fold_case: key relations by their lower-cased name (engines whose names are case-insensitive).

    Returns:
        relation name -> (is a view, [(column name, data type)]).
    """
    relations: dict[str, tuple[bool, list[tuple[str, str]]]] = {}
    for relation, is_view, column, data_type in rows:
        key = relation.lower() if fold_case else relation
        relations.setdefault(key, (bool(is_view), []))[1].append((column, data_type))
    return relations


def build_select_distinct(relation_sql: str, column: str, limit: int, *, quote: Callable[[str], str]) -> str:
    """`SELECT DISTINCT <column> FROM <relation> LIMIT <limit + 1>`: one more row, since NULL may be among them
    (no WHERE: every filtered read of this layer is a bound key lookup)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    return f"SELECT DISTINCT {quote(column)} FROM {relation_sql} LIMIT {limit + 1}"


def distinct_non_null(rows: Sequence[Sequence[Any]], limit: int) -> list[Any]:
    """The first column of `build_select_distinct`'s rows, NULL left out, at most `limit` values."""
    return [row[0] for row in rows if row[0] is not None][:limit]


def quote_identifier(identifier: str, mark: str = '"') -> str:
    """An identifier quoted for SQL, embedded quote marks doubled (standard SQL: DuckDB, PostgreSQL; Spark with
    mark="`", which it escapes the same way).

    Args:
        identifier: the name.
        mark: the quote character.

    Returns:
        The quoted identifier.
    """
    if not isinstance(identifier, str) or not identifier or "\x00" in identifier or not _encodable(identifier):
        raise ValueError(f"not a usable SQL identifier: {identifier!r}")
    return mark + identifier.replace(mark, mark * 2) + mark


def _finite(value: object) -> bool:
    if isinstance(value, decimal.Decimal):
        return value.is_finite()  # math.isfinite raises on a signalling NaN
    return not isinstance(value, float) or math.isfinite(value)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
