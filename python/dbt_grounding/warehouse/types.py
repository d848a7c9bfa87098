"""Column type normalisation per adapter: a declared contract type and a warehouse-reported type compare equal
exactly when the engine stores them as the same type.

`data_type` in a dbt contract is whatever the author typed (`text`, `int8`, `decimal(18, 2)`), while the
warehouse reports its own canonical spelling (DuckDB: `VARCHAR`, `BIGINT`, `DECIMAL(18,2)`). Each adapter gets
a `TypeDialect`: a table of synonyms onto the spelling its information schema reports, plus the few rules that
cannot be a plain synonym. Decisions (each one a place where a naive comparison either cries wolf or misses drift):

- Synonyms and letter case never count: `int8` = `bigint` = `BIGINT`; `text` = `string` = `varchar` in DuckDB.
- Precision and scale are part of the type: `decimal(18,2)` -> `decimal(18,4)` is drift (values get rounded
  differently). A bare `decimal` means the engine's default, so it equals that default spelled out
  (DuckDB `DECIMAL(18,3)`, Spark `decimal(10,0)`); `decimal(p)` means scale 0. PostgreSQL's bare `numeric` is
  unconstrained, a different type from any `numeric(p,s)`.
- A length the engine does not keep is no difference: DuckDB and Spark store `varchar(255)` as `VARCHAR` /
  `string`. PostgreSQL keeps it, so `character varying(255)` -> `character varying(100)` is drift there.
- `float(p)` follows SQL: p <= 24 is single precision, else double (DuckDB and PostgreSQL do this).
- Array (`INTEGER[]`, `array<int>`) and nested types (STRUCT, MAP, UNION) are normalised element by element.
  PostgreSQL does not keep an array's dimensions or size (`int[][]` and `int[3]` are stored as `integer[]`).
- A type the table does not know is compared by its text with whitespace and letter case normalised (quoted
  literals such as ENUM values kept as they are): a false alarm is possible there, missed drift is not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dbt_grounding.errors import ConfigurationError

__all__ = ["TYPE_DIALECTS", "TypeDialect", "normalize_type", "types_equivalent"]


@dataclass(frozen=True)
class TypeDialect:
    """How one adapter spells and sizes its types.

    Attributes:
        aliases: lower-case spelling (words joined by one space) -> canonical name as the warehouse reports it.
        decimal: canonical name of the fixed-point type.
        decimal_default: (precision, scale) of a bare decimal; None = unconstrained, a type of its own.
        float_by_precision: canonical (single, double) names that `float(p)` maps to by p; None = no such rule.
        unsized: canonical names whose length argument the engine discards.
        default_size: canonical name -> the argument that is the same as giving none (PostgreSQL timestamp(6)).
        struct_like: canonical names whose arguments are `field type` pairs.
        map_like: canonical names whose arguments are types.
        array_prefix: a prefix meaning "array of" on a type name (PostgreSQL's `_int4` udt names).
        array_shape_kept: whether `[]` dimensions and sizes are part of the type (DuckDB) or discarded (PostgreSQL).
        upper_case: whether canonical spellings are upper case.
    """

    aliases: Mapping[str, str]
    decimal: str
    decimal_default: tuple[int, int] | None
    float_by_precision: tuple[str, str] | None = None
    unsized: frozenset[str] = frozenset()
    default_size: Mapping[str, str] = field(default_factory=dict)
    struct_like: frozenset[str] = frozenset()
    map_like: frozenset[str] = frozenset()
    array_prefix: str | None = None
    array_shape_kept: bool = True
    upper_case: bool = False


def _aliases(groups: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """canonical -> spellings, inverted; every canonical name is an alias of itself."""
    table: dict[str, str] = {}
    for canonical, spellings in groups.items():
        for spelling in (canonical, *spellings):
            table[spelling.lower()] = canonical
    return table


# DuckDB 1.x/2.x: spellings checked against what `information_schema.columns.data_type` reports for each
# (tests/warehouse: test_warehouse_types.py asks DuckDB itself).
DUCKDB = TypeDialect(
    aliases=_aliases({
        "TINYINT": ("int1",),
        "SMALLINT": ("int2", "short", "int16"),
        "INTEGER": ("int", "int4", "signed", "int32"),
        "BIGINT": ("int8", "long", "int64", "oid"),
        "HUGEINT": ("int128",),
        "UTINYINT": ("uint8",),
        "USMALLINT": ("uint16",),
        "UINTEGER": ("uint32",),
        "UBIGINT": ("uint64",),
        "UHUGEINT": ("uint128",),
        "FLOAT": ("float4", "real"),
        "DOUBLE": ("float8", "double precision"),
        "DECIMAL": ("numeric", "dec"),
        "BOOLEAN": ("bool", "logical"),
        "VARCHAR": ("text", "string", "char", "character", "bpchar", "nvarchar", "character varying"),
        "BLOB": ("bytea", "binary", "varbinary"),
        "DATE": (),
        "TIME": ("time without time zone",),
        "TIME WITH TIME ZONE": ("timetz",),
        "TIMESTAMP": ("datetime", "timestamp_us", "timestamp without time zone"),
        "TIMESTAMP WITH TIME ZONE": ("timestamptz",),
        "TIMESTAMP_S": (),
        "TIMESTAMP_MS": (),
        "TIMESTAMP_NS": (),
        "INTERVAL": (),
        "UUID": (),
        "JSON": (),
        "BIT": ("bitstring",),
        "BIGNUM": ("varint",),
        "STRUCT": ("row",),
        "MAP": (),
        "UNION": (),
    }),
    decimal="DECIMAL",
    decimal_default=(18, 3),
    float_by_precision=("FLOAT", "DOUBLE"),
    unsized=frozenset({"VARCHAR"}),
    struct_like=frozenset({"STRUCT", "UNION"}),
    map_like=frozenset({"MAP"}),
    upper_case=True,
)

# PostgreSQL: the spellings of `format_type()` (what PostgresWarehouse.columns reports, modifiers included), with
# udt names (int4, bpchar...) as aliases. Lengths and precisions are kept: PostgreSQL enforces them. Checked against
# a real server by tests/engines/test_postgres_grounding.py.
POSTGRES = TypeDialect(
    aliases=_aliases({
        "smallint": ("int2", "smallserial", "serial2"),
        "integer": ("int", "int4", "serial", "serial4"),
        "bigint": ("int8", "bigserial", "serial8"),
        "real": ("float4",),
        "double precision": ("float8", "float"),
        "numeric": ("decimal",),
        "boolean": ("bool",),
        "character varying": ("varchar",),
        "character": ("char", "bpchar"),
        "text": (),
        "bytea": (),
        "date": (),
        "time without time zone": ("time",),
        "time with time zone": ("timetz",),
        "timestamp without time zone": ("timestamp",),
        "timestamp with time zone": ("timestamptz",),
        "interval": (),
        "uuid": (),
        "json": (),
        "jsonb": (),
    }),
    decimal="numeric",
    decimal_default=None,
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
SPARK = TypeDialect(
    aliases=_aliases({
        "tinyint": ("byte",),
        "smallint": ("short",),
        "int": ("integer",),
        "bigint": ("long",),
        "float": ("real",),
        "double": ("double precision",),
        "decimal": ("dec", "numeric"),
        "boolean": (),
        "string": ("varchar", "char", "text", "character varying"),
        "binary": (),
        "date": (),
        "timestamp": ("timestamp_ltz",),
        "timestamp_ntz": (),
        "interval": (),
        "void": (),
        "array": (),
        "map": (),
        "struct": (),
    }),
    decimal="decimal",
    decimal_default=(10, 0),
    unsized=frozenset({"string"}),
    struct_like=frozenset({"struct"}),
)

TYPE_DIALECTS: Mapping[str, TypeDialect] = {"duckdb": DUCKDB, "postgres": POSTGRES, "spark": SPARK}


def normalize_type(adapter: str, type_text: str) -> str:
    """The adapter's canonical spelling of a type.

    Args:
        adapter: dbt adapter type (`duckdb`, `postgres`, `spark`).
        type_text: a type as declared in a contract or reported by the warehouse.

    Returns:
        The canonical spelling: equal for two types exactly when the engine stores them as the same type.
    """
    return _normalize(_dialect(adapter), " ".join(type_text.split()))


def types_equivalent(adapter: str, declared: str, found: str) -> bool:
    """Whether a declared type and a warehouse-reported type are the same type on this adapter.

    Args:
        adapter: dbt adapter type.
        declared: the contract's `data_type`.
        found: the type the warehouse reports.

    Returns:
        True when they differ at most by synonym, letter case, spacing or an engine-discarded length.
    """
    return normalize_type(adapter, declared) == normalize_type(adapter, found)


def _dialect(adapter: str) -> TypeDialect:
    try:
        return TYPE_DIALECTS[adapter.lower()]
    except KeyError:
        raise ConfigurationError(
            f"No type table for adapter {adapter!r}.",
            hint=f"Schema checks support {', '.join(sorted(TYPE_DIALECTS))}.",
            adapter=adapter,
        ) from None


_ARRAY_SUFFIX = re.compile(r"(?P<element>.*\S)\s*\[(?P<size>\s*\d*\s*)\]", re.S)
_GENERIC = re.compile(r"(?P<name>\w+)\s*<(?P<args>.*)>", re.S)
# head words, optional (args), optional trailing words: `timestamp(3) with time zone`
_SIMPLE = re.compile(
    r"(?P<head>[A-Za-z_][\w ]*?)\s*(?:\((?P<args>.*)\)\s*(?P<tail>[A-Za-z_][\w ]*)?)?", re.S
)


def _normalize(dialect: TypeDialect, text: str) -> str:
    text = text.strip()
    array = _ARRAY_SUFFIX.fullmatch(text)
    if array and _balanced(array["element"]):
        if not dialect.array_shape_kept:
            element = array["element"]
            while (inner := _ARRAY_SUFFIX.fullmatch(element)) and _balanced(inner["element"]):
                element = inner["element"]
            return f"{_normalize(dialect, element)}[]"
        return f"{_normalize(dialect, array['element'])}[{array['size'].strip()}]"
    generic = _GENERIC.fullmatch(text)
    if generic:
        return _normalize_generic(dialect, generic["name"], generic["args"])
    simple = _SIMPLE.fullmatch(text)
    if not simple or not _balanced(simple["args"] or ""):
        return _fallback(dialect, text)
    words = " ".join(f"{simple['head']} {simple['tail'] or ''}".lower().split())
    args = simple["args"]
    if words == "float" and args is not None and args.strip().isdigit() and dialect.float_by_precision:
        single, double = dialect.float_by_precision
        return single if int(args) <= 24 else double
    canonical = dialect.aliases.get(words)
    if canonical is None:
        prefix = dialect.array_prefix
        if prefix and words.startswith(prefix) and args is None and words[len(prefix):] in dialect.aliases:
            return f"{dialect.aliases[words[len(prefix):]]}[]"
        return _fallback(dialect, text)
    if canonical == dialect.decimal:
        return _normalize_decimal(dialect, canonical, args)
    if args is None or canonical in dialect.unsized:
        return canonical
    if canonical in dialect.struct_like:
        return f"{canonical}({', '.join(_normalize_field(dialect, part) for part in _split_top_level(args, ','))})"
    if canonical in dialect.map_like:
        return f"{canonical}({', '.join(_normalize(dialect, part) for part in _split_top_level(args, ','))})"
    size = ",".join(part.strip() for part in args.split(","))
    if dialect.default_size.get(canonical) == size:
        return canonical
    return _with_size(canonical, size)


def _with_size(canonical: str, size: str) -> str:
    # PostgreSQL spells the size before the zone: timestamp(3) with time zone
    for suffix in (" with time zone", " without time zone"):
        if canonical.endswith(suffix):
            return f"{canonical[: -len(suffix)]}({size}){suffix}"
    return f"{canonical}({size})"


def _normalize_decimal(dialect: TypeDialect, canonical: str, args: str | None) -> str:
    numbers = [part.strip() for part in args.split(",")] if args else []
    if not numbers:
        if dialect.decimal_default is None:
            return canonical
        numbers = [str(n) for n in dialect.decimal_default]
    if len(numbers) == 1:
        numbers.append("0")  # decimal(p) is decimal(p, 0) in SQL
    if not all(n.isdigit() for n in numbers) or len(numbers) != 2:
        return _fallback(dialect, f"{canonical}({args})")
    precision, scale = (int(n) for n in numbers)
    return f"{canonical}({precision},{scale})"


def _normalize_generic(dialect: TypeDialect, name: str, args: str) -> str:
    canonical = dialect.aliases.get(name.lower(), name.lower())
    if canonical in dialect.struct_like:
        fields = [_normalize_field(dialect, part, separator=":") for part in _split_top_level(args, ",")]
        return f"{canonical}<{','.join(fields)}>"
    return f"{canonical}<{','.join(_normalize(dialect, part) for part in _split_top_level(args, ','))}>"


def _normalize_field(dialect: TypeDialect, text: str, separator: str = " ") -> str:
    """`name type` (DuckDB STRUCT) or `name:type` (Spark struct); field names compare case-insensitively."""
    text = text.strip()
    quote = text[:1]
    if quote in ('"', "`"):
        end = text.find(quote, 1)
        if end < 0:
            return _fallback(dialect, text)
        name, rest = text[1:end], text[end + 1:].strip()
        rest = rest[1:] if separator != " " and rest.startswith(separator) else rest
    else:
        name, _, rest = text.partition(separator)
    name = name.strip().lower()
    mark = "`" if separator == ":" else '"'  # Spark quotes identifiers with backticks
    shown = name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else f"{mark}{name}{mark}"
    return f"{shown}{separator}{_normalize(dialect, rest)}"


def _fallback(dialect: TypeDialect, text: str) -> str:
    """Whitespace and letter case normalised outside quoted literals; nothing else assumed."""
    pieces = re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`)", text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # a quoted literal or identifier: ENUM values are case-sensitive
            out.append(piece)
            continue
        piece = re.sub(r"\s*([(),<>\[\]:])\s*", r"\1", " ".join(piece.split()))
        out.append(piece.upper() if dialect.upper_case else piece.lower())
    return "".join(out)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on a separator outside brackets and quotes."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([<":
            depth += 1
        elif char in ")]>":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char in "([<"
        depth -= char in ")]>"
        if depth < 0:
            return False
    return depth == 0
