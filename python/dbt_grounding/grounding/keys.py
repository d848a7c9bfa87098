"""Lookup keys: an agent's key values checked against the model's declared key and typed by its declared columns.

Values only ever reach SQL as bound parameters; this module makes sure they are the right columns and plausible
values first, so a bad key is a clear InvalidKeyError, not a warehouse error or an empty answer.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from dbt_grounding.artifacts import Node
from dbt_grounding.errors import InvalidKeyError
from dbt_grounding.grounding.spec import GroundingSpec

MAX_VALUE_LENGTH = 256  # no real key is longer; a huge value is an error, not a query
_INTEGER_TYPES = re.compile(r"^(tiny|small|big|huge|u)?int(eger)?(\d+)?\b|^(hugeint|long|short|byte|serial)")
_DECIMAL_TYPES = re.compile(r"^(decimal|numeric|number|double|float|real)")


def coerce_key(spec: GroundingSpec, node: Node, key: Mapping[str, Any]) -> dict[str, Any]:
    """`key` checked to name exactly the model's key columns (case-insensitive), each value typed.

    Raises:
        InvalidKeyError: no declared key, missing or extra columns, or a value that cannot be one of the column.
    """
    if not spec.key:
        raise InvalidKeyError(
            f"{node.name} has no declared key, so no row can be looked up safely",
            hint="declare config.meta.grounding.key, a primary_key constraint, or unique + not_null tests on the key",
            model=node.name, given=sorted(key), expected=[],
        )
    by_lower = {column.lower(): column for column in spec.key}
    given = {}
    for column, value in key.items():
        declared = by_lower.get(str(column).lower())
        if declared is None:
            raise InvalidKeyError(
                f"{column!r} is not a key column of {node.name}; look rows up by {', '.join(spec.key)}",
                hint=f"use --key {spec.key[0]}=VALUE" + (" (and the other key columns)" if len(spec.key) > 1 else ""),
                model=node.name, given=sorted(map(str, key)), expected=list(spec.key),
            )
        given[declared] = value
    missing = [column for column in spec.key if column not in given]
    if missing:
        raise InvalidKeyError(
            f"the key of {node.name} is ({', '.join(spec.key)}); missing {', '.join(missing)}",
            hint="give a value for every key column", model=node.name, given=sorted(given), expected=list(spec.key),
        )
    return {column: _typed(node, column, given[column]) for column in spec.key}


def _typed(node: Node, column: str, value: Any) -> Any:
    declared = next((c for name, c in node.columns.items() if name.lower() == column.lower()), None)
    data_type = (declared.data_type or "").strip().lower() if declared else ""
    if value is None:
        raise _bad(node, column, value, "a key value cannot be NULL")
    if isinstance(value, bool):
        raise _bad(node, column, value, "a boolean is not a key value")
    text = str(value)
    if len(text) > MAX_VALUE_LENGTH or "\x00" in text:
        raise _bad(node, column, value, f"longer than {MAX_VALUE_LENGTH} characters or holding a NUL")
    if _INTEGER_TYPES.match(data_type):
        if isinstance(value, int) or re.fullmatch(r"-?\d{1,19}", text.strip()):
            number = int(text.strip())
            if -(2**63) <= number < 2**63:
                return number
        raise _bad(node, column, value, f"{column} is {data_type}: expected an integer")
    if _DECIMAL_TYPES.match(data_type):
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            raise _bad(node, column, value, f"{column} is {data_type}: expected a number") from None
    if data_type == "date":
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise _bad(node, column, value, f"{column} is a date: expected YYYY-MM-DD") from None
    return text  # text and undeclared types: compared as given, bound as a string


def _bad(node: Node, column: str, value: Any, why: str) -> InvalidKeyError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return InvalidKeyError(
        f"{shown} is not a valid value for {node.name}.{column}: {why}",
        hint=f"pass the {column} of an existing record", model=node.name, column=column,
    )
