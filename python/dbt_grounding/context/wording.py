"""Small phrases shared by the builder (warnings, the no-match statement) and the templates."""

from __future__ import annotations

import json
from collections.abc import Mapping

_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def describe_duration(seconds: int) -> str:
    """A duration in its two largest units: '1 day 2 hours', '45 minutes', '30 seconds'."""
    if seconds < 0:
        return f"{describe_duration(-seconds)} in the future"
    if seconds < 60:
        return plural(seconds, "second")
    parts = []
    for unit, size in _UNITS:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(plural(amount, unit))
    return " ".join(parts[:2])


def describe_key(key: Mapping[str, object]) -> str:
    """'customer_id = 42', 'region = "EU" and id = 7': values as JSON, so a string reads as one."""
    return " and ".join(f"{column} = {json.dumps(value, ensure_ascii=False)}" for column, value in key.items())
