"""The check the hostile-key tests share: a key value reaches SQL only as a bound parameter."""

from __future__ import annotations

from typing import Any


def assert_value_only_bound(value: Any, sql: str, template: str) -> None:
    """A key value reaches SQL only as a bound parameter: a text value may appear in a statement only where the
    statement the same call sends for another value holds it too (`template`: those statements' text), as part of
    the relation's name or a keyword; comparing with `value not in sql` alone fails on 'heal' in ..._health_summary."""
    if isinstance(value, str) and len(value) > 3 and value in sql:
        assert value in template, sql
