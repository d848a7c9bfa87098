"""How each engine stores and spells column types: one `TypePolicy` per adapter (DuckDB, PostgreSQL, Spark).

Plain data, apart from the sqlglot parse that applies it (`warehouse.types.normalize`), so opening a warehouse or
listing the adapters does not import sqlglot: a served document compares types only when their spellings differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DUCKDB", "POSTGRES", "SPARK", "TypePolicy", "lexical_spelling"]


@dataclass(frozen=True)
class TypePolicy:
    """How one engine stores and spells the types sqlglot parses in its dialect.

    Attributes:
        dialect: the sqlglot dialect the spellings are parsed in.
        names: sqlglot type (the name of its `exp.DataType.Type` member) -> the engine's spelling; types sharing a
            spelling are one type on this engine.
        extra_names: lower-case spellings sqlglot reads as user-defined types -> the engine's spelling.
        foreign: lower-case spellings sqlglot accepts but the engine does not have (compared by their text).
        decimal_default: (precision, scale) of a bare decimal; None = unconstrained, a type of its own.
        float_by_precision: the (single, double) spellings that `float(p)` maps to by p; None = no such rule.
        unsized: spellings whose length argument the engine discards.
        default_size: spelling -> the argument that is the same as giving none (PostgreSQL timestamp(6)).
        array_prefix: a prefix meaning "array of" on a type name (PostgreSQL's `_int4` udt names).
        array_shape_kept: whether `[]` dimensions and sizes are part of the type (DuckDB) or discarded (PostgreSQL).
        generic_nesting: nested types spelled `array<int>`, `struct<a:int>` (Spark) rather than `INTEGER[]`,
            `STRUCT(a INTEGER)`.
        upper_case: whether the engine's spellings are upper case (for types the policy does not know).
    """

    dialect: str
    names: Mapping[str, str]
    extra_names: Mapping[str, str] = field(default_factory=dict)
    foreign: frozenset[str] = frozenset()
    decimal_default: tuple[int, int] | None = None
    float_by_precision: tuple[str, str] | None = None
    unsized: frozenset[str] = frozenset()
    default_size: Mapping[str, str] = field(default_factory=dict)
    array_prefix: str | None = None
    array_shape_kept: bool = True
    generic_nesting: bool = False
    upper_case: bool = False


# DuckDB 1.x/2.x: spellings as `information_schema.columns.data_type` reports them (tests/warehouse:
# test_warehouse_types.py asks DuckDB itself for each of 77 spellings).
DUCKDB = TypePolicy(
    dialect="duckdb",
    names={
        "TINYINT": "TINYINT", "SMALLINT": "SMALLINT", "INT": "INTEGER", "BIGINT": "BIGINT", "INT128": "HUGEINT",
        "UTINYINT": "UTINYINT", "USMALLINT": "USMALLINT", "UINT": "UINTEGER", "UBIGINT": "UBIGINT",
        "UINT128": "UHUGEINT", "FLOAT": "FLOAT", "DOUBLE": "DOUBLE", "DECIMAL": "DECIMAL", "BOOLEAN": "BOOLEAN",
        "TEXT": "VARCHAR", "VARCHAR": "VARCHAR", "NVARCHAR": "VARCHAR", "CHAR": "VARCHAR", "NCHAR": "VARCHAR",
        "VARBINARY": "BLOB", "BINARY": "BLOB", "BLOB": "BLOB", "DATE": "DATE", "TIME": "TIME",
        "TIMETZ": "TIME WITH TIME ZONE", "TIMESTAMP": "TIMESTAMP", "TIMESTAMPNTZ": "TIMESTAMP",
        "DATETIME": "TIMESTAMP", "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S": "TIMESTAMP_S",
        "TIMESTAMP_MS": "TIMESTAMP_MS", "TIMESTAMP_NS": "TIMESTAMP_NS", "INTERVAL": "INTERVAL", "UUID": "UUID",
        "JSON": "JSON", "BIT": "BIT", "STRUCT": "STRUCT", "MAP": "MAP", "UNION": "UNION",
    },
    extra_names={"uint8": "UTINYINT", "uint16": "USMALLINT", "uint32": "UINTEGER", "uint64": "UBIGINT",
                 "uint128": "UHUGEINT", "varint": "BIGNUM", "bignum": "BIGNUM", "bitstring": "BIT"},
    decimal_default=(18, 3),
    float_by_precision=("FLOAT", "DOUBLE"),
    unsized=frozenset({"VARCHAR"}),
    upper_case=True,
)

# PostgreSQL: the spellings of `format_type()` (what PostgresWarehouse.columns reports, modifiers included), with
# udt names (_int4...) as arrays. Lengths and precisions are kept: PostgreSQL enforces them. Checked against a real
# server by tests/engines/test_postgres_grounding.py.
POSTGRES = TypePolicy(
    dialect="postgres",
    names={
        "SMALLINT": "smallint", "SMALLSERIAL": "smallint", "INT": "integer", "SERIAL": "integer",
        "BIGINT": "bigint", "BIGSERIAL": "bigint", "FLOAT": "real", "DOUBLE": "double precision",
        "DECIMAL": "numeric", "BOOLEAN": "boolean", "VARCHAR": "character varying", "CHAR": "character",
        "TEXT": "text", "VARBINARY": "bytea", "DATE": "date", "TIME": "time without time zone",
        "TIMETZ": "time with time zone", "TIMESTAMP": "timestamp without time zone",
        "TIMESTAMPTZ": "timestamp with time zone", "INTERVAL": "interval", "UUID": "uuid", "JSON": "json",
        "JSONB": "jsonb",
    },
    extra_names={"serial2": "smallint", "serial4": "integer", "serial8": "bigint"},
    foreign=frozenset({"string"}),  # sqlglot's generic alias for text; PostgreSQL has no such type
    float_by_precision=("real", "double precision"),
    default_size={
        "character": "1",
        "time without time zone": "6",
        "time with time zone": "6",
        "timestamp without time zone": "6",
        "timestamp with time zone": "6",
    },
    array_prefix="_",
    array_shape_kept=False,
)

# Spark SQL as `describe table` reports it (checked against Spark by tests/engines/test_spark_grounding.py). Spark
# stores char(n)/varchar(n) as string. `double precision` and `character varying` are not Spark types, but the
# package's spark__cast builds contract columns declared with them as double and string.
SPARK = TypePolicy(
    dialect="spark",
    names={
        "TINYINT": "tinyint", "SMALLINT": "smallint", "INT": "int", "BIGINT": "bigint", "FLOAT": "float",
        "DOUBLE": "double", "DECIMAL": "decimal", "BOOLEAN": "boolean", "TEXT": "string", "VARCHAR": "string",
        "CHAR": "string", "BINARY": "binary", "VARBINARY": "binary", "DATE": "date", "TIMESTAMPTZ": "timestamp",
        "TIMESTAMPLTZ": "timestamp", "TIMESTAMPNTZ": "timestamp_ntz", "INTERVAL": "interval", "ARRAY": "array",
        "MAP": "map", "STRUCT": "struct",
    },
    extra_names={"void": "void"},
    decimal_default=(10, 0),
    unsized=frozenset({"string"}),
    generic_nesting=True,
)


def lexical_spelling(text: str, *, upper_case: bool) -> str:
    """A type's text with letter case and whitespace normalised outside quoted literals (ENUM values and quoted
    field names are case-sensitive), and no space around punctuation: what no SQL parser tells apart. Two types
    with the same lexical spelling are the same type without parsing either."""
    pieces = re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`)", text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a quoted literal or identifier: kept as it is
            out.append(piece)
            continue
        piece = re.sub(r"\s*([(),<>\[\]:])\s*", r"\1", " ".join(piece.split()))
        out.append(piece.upper() if upper_case else piece.lower())
    return "".join(out)
