"""The SQL-safety rules every adapter shares: key values checked and only ever bound as parameters, identifiers
always quoted, a row cap, and the only SQL texts that read rows.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from dbt_grounding.errors import InvalidKeyError

__all__ = [
    "KEY_INDEX", "KeyValue", "build_select_distinct", "build_select_rows", "build_select_rows_of_keys",
    "build_select_since", "check_key", "check_selection", "columns_by_relation",
    "distinct_non_null", "quote_identifier", "short_reason",
]

KeyValue = str | int | float | decimal.Decimal | datetime.date | datetime.datetime | datetime.time | uuid.UUID
_KEY_VALUE_TYPES = (str, int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time, uuid.UUID)
_MESSAGE_LIMIT = 300
# The columns build_select_rows_of_keys adds: which requested key a row matched, and its rank among that key's rows.
KEY_INDEX = "__dbt_grounding_key"
_KEY_ROW = "__dbt_grounding_row"


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


def build_select_since(
    relation_sql: str,
    columns: Sequence[str],
    column: str,
    limit: int,
    *,
    quote: Callable[[str], str],
    placeholder: str | Callable[[int], str],
) -> str:
    """`SELECT <columns> FROM <relation> WHERE <column> >= ? ORDER BY <column> LIMIT <limit + 1>`: rows from a
    bound lower bound on, in order (arguments as `build_select_rows`'s)."""
    marker = placeholder(0) if callable(placeholder) else placeholder
    selected = ", ".join(quote(name) for name in columns)
    return (f"SELECT {selected} FROM {relation_sql} WHERE {quote(column)} >= {marker} "
            f"ORDER BY {quote(column)} LIMIT {limit + 1}")


def build_select_rows_of_keys(
    relation_sql: str,
    key_columns: Sequence[str],
    keys: int,
    columns: Sequence[str],
    limit: int,
    *,
    quote: Callable[[str], str],
    placeholder: str | Callable[[int], str],
) -> str:
    """The rows of `keys` keys in one statement, each key's capped at limit + 1 like `build_select_rows`:

        SELECT <columns>, KEY_INDEX FROM (
          SELECT <columns>, KEY_INDEX, row_number() OVER (PARTITION BY KEY_INDEX ORDER BY KEY_INDEX) AS _row FROM (
            SELECT <columns>, CASE WHEN <key 0> THEN 0 WHEN <key 1> THEN 1 ... END AS KEY_INDEX
            FROM <relation> WHERE k IN (?, ?, ...)          -- several key columns: <key 0> OR <key 1> ...
          ) matched
        ) numbered WHERE _row <= limit + 1

    KEY_INDEX says which key (by position) a row matched, compared by the engine as the WHERE compares, so no
    Python equality of driver values decides it. Parameters: every key's values in order for the CASE, then again
    for the WHERE; distinct keys only (a key given twice would match its first position only).

    Args:
        relation_sql: the relation, already quoted.
        key_columns: key column names (quoted here), the same for every key.
        keys: how many keys (>= 1).
        columns: selected column names (quoted here), checked by `check_selection`.
        limit: the row cap per key.
        quote, placeholder: as `build_select_rows`; a callable placeholder gets the parameter's position in the
            whole statement.

    Returns:
        The SQL text; no value appears in it.
    """
    marker = placeholder if callable(placeholder) else (lambda _position: placeholder)
    width = len(key_columns)
    quoted_keys = [quote(column) for column in key_columns]

    def matches(key: int, offset: int) -> str:
        return " AND ".join(f"{column} = {marker(offset + key * width + i)}" for i, column in enumerate(quoted_keys))

    selected = ", ".join(quote(column) for column in columns)
    index, row = quote(KEY_INDEX), quote(_KEY_ROW)
    case = "CASE " + " ".join(f"WHEN {matches(key, 0)} THEN {key}" for key in range(keys)) + " END"
    where_offset = keys * width
    if width == 1:
        where = f"{quoted_keys[0]} IN ({', '.join(marker(where_offset + key) for key in range(keys))})"
    else:
        where = " OR ".join(f"({matches(key, where_offset)})" for key in range(keys))
    return (f"SELECT {selected}, {index} FROM (SELECT {selected}, {index}, row_number() OVER (PARTITION BY {index} "
            f"ORDER BY {index}) "
            f"AS {row} FROM (SELECT {selected}, {case} AS {index} FROM {relation_sql} WHERE {where}) matched) "
            f"numbered WHERE {row} <= {limit + 1}")


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


class NamePattern(NamedTuple):
    """One alternative of `build_select_distinct_like`: the lower-cased value LIKE `like`, and NOT LIKE `not_like`,
    and at most `longest` characters long (escape character "!")."""

    like: str
    not_like: str | None = None
    longest: int | None = None


def build_select_distinct_like(
    relation_sql: str, column: str, patterns: Sequence[NamePattern], limit: int, *, quote: Callable[[str], str],
    placeholder: Callable[[int], str],
) -> tuple[str, tuple[Any, ...]]:
    """`SELECT DISTINCT <column> FROM <relation> WHERE (lower(<column>) LIKE ? ESCAPE '!' [AND lower(<column>) NOT
    LIKE ? ESCAPE '!'] [AND length(<column>) <= ?]) OR ... LIMIT <limit + 1>`, and its parameters: every pattern
    and bound one."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    if not patterns:
        raise ValueError("at least one pattern is needed")
    lowered = f"lower({quote(column)})"
    conditions, params = [], []
    for pattern in patterns:
        parts = [f"{lowered} LIKE {placeholder(len(params))} ESCAPE '!'"]
        params.append(pattern.like)
        if pattern.not_like is not None:
            parts.append(f"{lowered} NOT LIKE {placeholder(len(params))} ESCAPE '!'")
            params.append(pattern.not_like)
        if pattern.longest is not None:
            parts.append(f"length({quote(column)}) <= {placeholder(len(params))}")
            params.append(pattern.longest)
        conditions.append("(" + " AND ".join(parts) + ")")
    sql = (f"SELECT DISTINCT {quote(column)} FROM {relation_sql} WHERE {quote(column)} IS NOT NULL AND ("
           + " OR ".join(conditions) + f") LIMIT {limit + 1}")
    return sql, tuple(params)


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


def short_reason(exc: BaseException, limit: int = _MESSAGE_LIMIT) -> str:
    """An engine's error message for `reason`: its first line (the rest is a JVM stack, a query position or a list
    of candidate functions), cut, as it may quote a (huge) key value back."""
    text = " ".join(str(exc).strip().splitlines()[:1]) or type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "..."
