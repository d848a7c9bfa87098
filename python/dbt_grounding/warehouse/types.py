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

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbt_grounding.warehouse.type_policy import DUCKDB, POSTGRES, SPARK, TypePolicy, lexical_spelling

__all__ = ["DUCKDB", "POSTGRES", "SPARK", "TypePolicy", "normalize"]

T = exp.DataType.Type


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
    name = policy.names.get(kind.name) if isinstance(kind, exp.DataType.Type) else None
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
        return f"{policy.names['ARRAY']}<{_spell(policy, element)}>"
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
        known = element is not None and isinstance(element.this, exp.DataType.Type)
        if known and element.this.name in policy.names:
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
    return lexical_spelling(text, upper_case=policy.upper_case)
