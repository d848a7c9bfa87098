"""Column type normalisation per adapter: a declared contract type and a warehouse-reported type compare equal
exactly when the engine stores them as the same type.

`data_type` in a dbt contract is whatever the author typed (`text`, `int8`, `decimal(18, 2)`), while the
warehouse reports its own canonical spelling (DuckDB: `VARCHAR`, `BIGINT`, `DECIMAL(18,2)`). sqlglot parses both
in the adapter's dialect (`exp.DataType.build`: synonyms, sizes, `timestamp(3) with time zone`, arrays, structs,
maps), and a `TypePolicy` per engine says which parsed types the engine stores as one type and how it spells it.
Decisions (each one a place where a naive comparison either cries wolf or misses drift):

- Synonyms and letter case never count: `int8` = `bigint` = `BIGINT`; `text` = `string` = `varchar` in DuckDB.
- Precision and scale are part of the type: `decimal(18,2)` -> `decimal(18,4)` is drift (values get rounded
  differently). A bare `decimal` means the engine's default, so it equals that default spelled out
  (DuckDB `DECIMAL(18,3)`, Spark `decimal(10,0)`); `decimal(p)` means scale 0. PostgreSQL's bare `numeric` is
  unconstrained, a different type from any `numeric(p,s)`.
- A length the engine does not keep is no difference: DuckDB and Spark store `varchar(255)` as `VARCHAR` /
  `string`. PostgreSQL keeps it, so `character varying(255)` -> `character varying(100)` is drift there.
- `float(p)` follows SQL: p <= 24 is single precision, else double (DuckDB and PostgreSQL do this).
- Array and nested types (STRUCT, MAP, UNION) are normalised element by element; struct field names compare
  case-insensitively. PostgreSQL does not keep an array's dimensions or size (`int[][]` and `int[3]` are stored
  as `integer[]`).
- A type the policy does not know is compared by its text with whitespace and letter case normalised (quoted
  literals such as ENUM values kept as they are): a false alarm is possible there, missed drift is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.errors import SqlglotError

__all__ = ["DUCKDB", "POSTGRES", "SPARK", "TypePolicy", "normalize"]

T = exp.DataType.Type


@dataclass(frozen=True)
class TypePolicy:
    """How one engine stores and spells the types sqlglot parses in its dialect.

    Attributes:
        dialect: the sqlglot dialect the spellings are parsed in.
        names: sqlglot type -> the engine's spelling; types sharing a spelling are one type on this engine.
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
    names: Mapping[exp.DataType.Type, str]
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
        T.TINYINT: "TINYINT", T.SMALLINT: "SMALLINT", T.INT: "INTEGER", T.BIGINT: "BIGINT", T.INT128: "HUGEINT",
        T.UTINYINT: "UTINYINT", T.USMALLINT: "USMALLINT", T.UINT: "UINTEGER", T.UBIGINT: "UBIGINT",
        T.UINT128: "UHUGEINT", T.FLOAT: "FLOAT", T.DOUBLE: "DOUBLE", T.DECIMAL: "DECIMAL", T.BOOLEAN: "BOOLEAN",
        T.TEXT: "VARCHAR", T.VARCHAR: "VARCHAR", T.NVARCHAR: "VARCHAR", T.CHAR: "VARCHAR", T.NCHAR: "VARCHAR",
        T.VARBINARY: "BLOB", T.BINARY: "BLOB", T.BLOB: "BLOB", T.DATE: "DATE", T.TIME: "TIME",
        T.TIMETZ: "TIME WITH TIME ZONE", T.TIMESTAMP: "TIMESTAMP", T.TIMESTAMPNTZ: "TIMESTAMP",
        T.DATETIME: "TIMESTAMP", T.TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE", T.TIMESTAMP_S: "TIMESTAMP_S",
        T.TIMESTAMP_MS: "TIMESTAMP_MS", T.TIMESTAMP_NS: "TIMESTAMP_NS", T.INTERVAL: "INTERVAL", T.UUID: "UUID",
        T.JSON: "JSON", T.BIT: "BIT", T.STRUCT: "STRUCT", T.MAP: "MAP", T.UNION: "UNION",
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
        T.SMALLINT: "smallint", T.SMALLSERIAL: "smallint", T.INT: "integer", T.SERIAL: "integer",
        T.BIGINT: "bigint", T.BIGSERIAL: "bigint", T.FLOAT: "real", T.DOUBLE: "double precision",
        T.DECIMAL: "numeric", T.BOOLEAN: "boolean", T.VARCHAR: "character varying", T.CHAR: "character",
        T.TEXT: "text", T.VARBINARY: "bytea", T.DATE: "date", T.TIME: "time without time zone",
        T.TIMETZ: "time with time zone", T.TIMESTAMP: "timestamp without time zone",
        T.TIMESTAMPTZ: "timestamp with time zone", T.INTERVAL: "interval", T.UUID: "uuid", T.JSON: "json",
        T.JSONB: "jsonb",
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
        T.TINYINT: "tinyint", T.SMALLINT: "smallint", T.INT: "int", T.BIGINT: "bigint", T.FLOAT: "float",
        T.DOUBLE: "double", T.DECIMAL: "decimal", T.BOOLEAN: "boolean", T.TEXT: "string", T.VARCHAR: "string",
        T.CHAR: "string", T.BINARY: "binary", T.VARBINARY: "binary", T.DATE: "date", T.TIMESTAMPTZ: "timestamp",
        T.TIMESTAMPLTZ: "timestamp", T.TIMESTAMPNTZ: "timestamp_ntz", T.INTERVAL: "interval", T.ARRAY: "array",
        T.MAP: "map", T.STRUCT: "struct",
    },
    extra_names={"void": "void"},
    decimal_default=(10, 0),
    unsized=frozenset({"string"}),
    generic_nesting=True,
)


def normalize(policy: TypePolicy, type_text: str) -> str:
    """The engine's canonical spelling of a type.

    Args:
        policy: the engine's policy.
        type_text: a type as declared in a contract or reported by the warehouse.

    Returns:
        The canonical spelling: equal for two types exactly when the engine stores them as the same type.
    """
    text = " ".join(type_text.split())
    if text.lower() in policy.foreign:
        return _as_text(policy, text)
    try:
        parsed = exp.DataType.build(text, dialect=policy.dialect, udt=True)
    except (SqlglotError, ValueError):
        return _as_text(policy, text)
    return _spell(policy, parsed)


def _spell(policy: TypePolicy, data_type: exp.DataType) -> str:
    kind = data_type.this
    if kind == T.ARRAY:
        return _spell_array(policy, data_type)
    if kind == T.USERDEFINED:
        return _spell_user_defined(policy, str(data_type.args.get("kind") or ""))
    name = policy.names.get(kind) if isinstance(kind, exp.DataType.Type) else None
    if name is None:
        return _as_text(policy, data_type.sql(policy.dialect))
    members = data_type.expressions
    if kind in (T.STRUCT, T.UNION, T.MAP) and not members:
        return name
    if kind in (T.STRUCT, T.UNION):
        return _nested(policy, name, [_spell_field(policy, member) for member in members])
    if kind == T.MAP:
        return _nested(policy, name, [_spell(policy, member) for member in members])
    size = [member.sql(policy.dialect) for member in members]
    if kind == T.DECIMAL:
        return _spell_decimal(policy, name, size)
    if kind == T.FLOAT and len(size) == 1 and size[0].isdigit() and policy.float_by_precision:
        single, double = policy.float_by_precision
        return single if int(size[0]) <= 24 else double
    if kind == T.DOUBLE and size and policy.float_by_precision:  # PostgreSQL reads float(p) as a double
        single, double = policy.float_by_precision
        return single if size[0].isdigit() and int(size[0]) <= 24 else double
    if not size or name in policy.unsized or policy.default_size.get(name) == ",".join(size):
        return name
    return _with_size(name, ",".join(size))


def _spell_array(policy: TypePolicy, data_type: exp.DataType) -> str:
    if not data_type.expressions:  # `array` with no element type
        return _as_text(policy, data_type.sql(policy.dialect))
    element = data_type.expressions[0]
    if policy.generic_nesting:
        return f"{policy.names[T.ARRAY]}<{_spell(policy, element)}>"
    if not policy.array_shape_kept:
        while element.this == T.ARRAY:
            element = element.expressions[0]
        return f"{_spell(policy, element)}[]"
    sizes = data_type.args.get("values") or []
    return f"{_spell(policy, element)}[{','.join(size.sql(policy.dialect) for size in sizes)}]"


def _spell_user_defined(policy: TypePolicy, name: str) -> str:
    words = " ".join(name.lower().split())
    if words in policy.extra_names:
        return policy.extra_names[words]
    prefix = policy.array_prefix
    if prefix and words.startswith(prefix):  # PostgreSQL's udt name of an array: `_int4` is `integer[]`
        try:
            element = exp.DataType.build(words[len(prefix):], dialect=policy.dialect, udt=True)
        except (SqlglotError, ValueError):
            element = None
        if element is not None and element.this in policy.names:
            return f"{_spell(policy, element)}[]"
    return _as_text(policy, name)


def _spell_decimal(policy: TypePolicy, name: str, size: list[str]) -> str:
    if not size:
        if policy.decimal_default is None:
            return name
        size = [str(number) for number in policy.decimal_default]
    if len(size) == 1:
        size.append("0")  # decimal(p) is decimal(p, 0) in SQL
    if len(size) != 2 or not all(number.isdigit() for number in size):
        return _as_text(policy, f"{name}({','.join(size)})")
    return f"{name}({int(size[0])},{int(size[1])})"


def _spell_field(policy: TypePolicy, member: exp.Expression) -> str:
    """A struct field: its name (compared case-insensitively) and its type."""
    if not isinstance(member, exp.ColumnDef) or not isinstance(member.args.get("kind"), exp.DataType):
        return _as_text(policy, member.sql(policy.dialect))
    name = member.name.lower()
    mark = "`" if policy.generic_nesting else '"'
    shown = name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else f"{mark}{name}{mark}"
    separator = ":" if policy.generic_nesting else " "
    return f"{shown}{separator}{_spell(policy, member.args['kind'])}"


def _nested(policy: TypePolicy, name: str, members: list[str]) -> str:
    if policy.generic_nesting:
        return f"{name}<{','.join(members)}>"
    return f"{name}({', '.join(members)})"


def _with_size(name: str, size: str) -> str:
    # PostgreSQL spells the size before the zone: timestamp(3) with time zone
    for suffix in (" with time zone", " without time zone"):
        if name.endswith(suffix):
            return f"{name[: -len(suffix)]}({size}){suffix}"
    return f"{name}({size})"


def _as_text(policy: TypePolicy, text: str) -> str:
    """Whitespace and letter case normalised outside quoted literals; nothing else assumed."""
    pieces = re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`)", text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a quoted literal or identifier: ENUM values are case-sensitive
            out.append(piece)
            continue
        piece = re.sub(r"\s*([(),<>\[\]:])\s*", r"\1", " ".join(piece.split()))
        out.append(piece.upper() if policy.upper_case else piece.lower())
    return "".join(out)
