"""Lookup keys: an agent's key values checked against the node's candidate keys and typed by the key columns' types.

Values only ever reach SQL as bound parameters; this module makes sure they are the right columns and plausible
values first, so a bad key is a clear InvalidKeyError, not a warehouse error or an empty answer.

A typed value is accepted only in its one canonical spelling (ASCII digits, no sign or padding the warehouse would
also read): Python's int() and Decimal() accept `٥١`, `５１`, ` 51` and `1_000`, and a warehouse casting a string
accepts `+51`, `051` and `51.0`. Were those accepted, an allow- or deny-list comparing key strings could be walked
around by respelling the same record's key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

from dbt_grounding.artifacts import Node, Source
from dbt_grounding.context.inputs import MAX_KEY_VALUE_LENGTH
from dbt_grounding.errors import InvalidKeyError
from dbt_grounding.grounding.spec import GroundingSpec, describe_keys

_INTEGER_TYPES = re.compile(r"^u?(tiny|small|big|huge)?int(eger)?(\d+)?\b|^(long|short|byte|serial)")
_DECIMAL_TYPES = re.compile(r"^(decimal|numeric|number|double|float|real)")
# The canonical spellings: what str() of the parsed value gives back. [0-9] is ASCII only.
CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,18})")
CANONICAL_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,37})(\.[0-9]{1,38})?")
CANONICAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

ColumnTypes = Callable[[], Mapping[str, str]]


def coerce_key(spec: GroundingSpec, node: Node | Source, key: Mapping[str, Any], *,
               column_types: ColumnTypes | None = None) -> dict[str, Any]:
    """`key` checked to name exactly one of the node's candidate keys (case-insensitive), each value typed.

    Args:
        column_types: lower-cased column name -> type, asked only when a key column's yml declares no data_type
            (e.g. the relation's columns as the warehouse reports them).

    Raises:
        InvalidKeyError: not a mapping, no known key, a column given twice, columns that are no candidate key, or a
            value that cannot be one of the column (empty, NULL, padded, not canonical).
    """
    if not isinstance(key, Mapping):
        raise InvalidKeyError(
            f"the key of a {node.name} lookup must map key columns to values, got {type(key).__name__}",
            hint=f"e.g. {{{spec.key[0] if spec.key else 'id'!r}: 42}}", model=node.name, given=None,
            expected=list(spec.key),
        )
    if not spec.candidate_keys:
        raise InvalidKeyError(
            f"{node.name} has no declared key, so no row can be looked up safely",
            hint="declare config.meta.grounding.key, a primary_key constraint, or unique + not_null tests on the key",
            model=node.name, given=sorted(map(str, key)), expected=[],
        )
    given: dict[str, tuple[str, Any]] = {}  # lower-cased column -> (as given, value)
    for column, value in key.items():
        if not isinstance(column, str) or not column.strip():
            raise InvalidKeyError(f"{column!r} is not a column name", hint=f"look rows up by {describe_keys(spec)}",
                                  model=node.name, given=[str(column)], expected=list(spec.key))
        earlier = given.get(column.lower())
        if earlier is not None:
            raise InvalidKeyError(
                f"key column {column} of {node.name} is given twice ({earlier[0]!r} and {column!r}): which value "
                "is meant cannot be told", hint="give each key column once",
                model=node.name, given=[earlier[0], column], expected=list(spec.key),
            )
        given[column.lower()] = (column, value)
    chosen = next((k for k in spec.candidate_keys if {c.lower() for c in k} == set(given)), None)
    if chosen is None:
        raise _no_candidate(spec, node, [column for column, _ in given.values()])
    types: dict[str, str] = {}
    for column in chosen:
        data_type = _declared_type(node, column)
        if data_type is None and column_types is not None:
            if not types:
                types = {name.lower(): found for name, found in column_types().items()}
            data_type = types.get(column.lower())
        given[column.lower()] = (column, _typed(node, column, given[column.lower()][1], (data_type or "").lower()))
    return {column: given[column.lower()][1] for column in chosen}


def _no_candidate(spec: GroundingSpec, node: Node | Source, given: list[str]) -> InvalidKeyError:
    """Why the given columns are no key: an unknown column, a composite key half given, or two keys mixed."""
    expected = [list(k) for k in spec.candidate_keys]
    details = {"model": node.name, "given": sorted(given), "expected": list(spec.key), "candidates": expected}
    key_columns = {c.lower() for k in spec.candidate_keys for c in k}
    unknown = [column for column in given if column.lower() not in key_columns]
    if unknown or not given:
        what = f"{unknown[0]!r} is not a key column of {node.name}" if unknown else f"no key given for {node.name}"
        return InvalidKeyError(f"{what}; look rows up by {describe_keys(spec)}",
                               hint=f"use --key {spec.key[0]}=VALUE" + (" (and the other key columns)"
                                                                        if len(spec.key) > 1 else ""), **details)
    folded = {column.lower() for column in given}
    wider = next((k for k in spec.candidate_keys if folded < {c.lower() for c in k}), None)
    if wider is not None:
        missing = [column for column in wider if column.lower() not in folded]
        return InvalidKeyError(f"the key of {node.name} is ({', '.join(wider)}); missing {', '.join(missing)}",
                               hint="give a value for every column of one key", **details)
    return InvalidKeyError(
        f"{', '.join(given)} are not one key of {node.name}: its keys are {describe_keys(spec)}, each enough alone",
        hint="look the row up by one key", **details,
    )


def _declared_type(node: Node | Source, column: str) -> str | None:
    declared = next((c for name, c in node.columns.items() if name.lower() == column.lower()), None)
    return declared.data_type.strip() if declared is not None and declared.data_type else None


def _typed(node: Node | Source, column: str, value: Any, data_type: str) -> Any:
    if value is None:
        raise _bad(node, column, value, "a key value cannot be NULL")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal, date, float)):
        raise _bad(node, column, value, f"a key value is a string or a number, not a {type(value).__name__}")
    text = str(value)
    if not text.strip():
        raise _bad(node, column, value, "an empty key value names no record")
    if len(text) > MAX_KEY_VALUE_LENGTH or "\x00" in text:
        raise _bad(node, column, value, f"longer than {MAX_KEY_VALUE_LENGTH} characters or holding a NUL")
    if text != text.strip():
        raise _bad(node, column, value, "leading or trailing whitespace: give the value exactly as stored")
    if text.isdecimal() and not text.isascii():  # what a warehouse or int() may read as a number
        raise _bad(node, column, value, "digits outside ASCII 0-9: write the number in ASCII digits")
    if _INTEGER_TYPES.match(data_type):
        return _integer(node, column, value, data_type)
    if _DECIMAL_TYPES.match(data_type):
        return _decimal(node, column, value, data_type)
    if data_type == "date":
        return _date(node, column, value)
    return text  # text and undeclared types: compared as given, bound as a string


def _integer(node: Node | Source, column: str, value: Any, data_type: str) -> int:
    if isinstance(value, int) or (isinstance(value, str) and canonical_integer(value)):
        number = int(value)
        if -(2**63) <= number < 2**63:
            return number
    raise _bad(node, column, value, f"{column} is {data_type}: expected an integer written plainly, e.g. 51")


def _decimal(node: Node | Source, column: str, value: Any, data_type: str) -> Decimal:
    number = None
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the float's shortest spelling, not its binary expansion
    elif isinstance(value, str) and canonical_decimal(value):
        number = Decimal(value)
    if number is None or not number.is_finite():
        raise _bad(node, column, value, f"{column} is {data_type}: expected a number written plainly, e.g. 12.50")
    return number


def _date(node: Node | Source, column: str, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and CANONICAL_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _bad(node, column, value, f"{column} is a date: expected YYYY-MM-DD")


def canonical_integer(text: str) -> bool:
    """Whether `text` is an integer as str(int) writes it: ASCII digits, no sign but `-`, no padding, no `-0`."""
    return bool(CANONICAL_INTEGER.fullmatch(text)) and text != "-0"


def canonical_decimal(text: str) -> bool:
    """Whether `text` is a plain decimal number: ASCII digits, an optional `-` (not on zero) and fraction."""
    return bool(CANONICAL_DECIMAL.fullmatch(text)) and not (text.startswith("-") and Decimal(text) == 0)


def _bad(node: Node | Source, column: str, value: Any, why: str) -> InvalidKeyError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return InvalidKeyError(
        f"{shown} is not a valid value for {node.name}.{column}: {why}",
        hint=f"pass the {column} of an existing record", model=node.name, column=column,
    )
