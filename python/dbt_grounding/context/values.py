"""Warehouse values as JSON-safe scalars: decimals as strings (no float rounding), dates ISO, nested values as JSON
text. The conversion is total, so a new column type never breaks a document."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

JsonScalarValue = str | int | float | bool | None


def to_json_scalar(value: Any) -> JsonScalarValue:
    """`value` as a str, int, float, bool or None that JSON and the document model accept exactly."""
    if isinstance(value, Enum):
        return to_json_scalar(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _non_finite(value)
    if isinstance(value, Decimal):
        # format 'f' keeps the column's scale (1200.00) and never switches to exponent notation
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds():g} seconds"
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return json.dumps(_nested(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _nested(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _nested(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_nested(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_nested(item) for item in value]
    return to_json_scalar(value)


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
