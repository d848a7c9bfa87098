"""Hostile key values (SQL injection, odd Unicode, huge text, wrong types) only ever produce the same bound SELECT,
and fail, if at all, with a typed error."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from dbt_grounding.errors import GroundingError, InvalidKeyError
from dbt_grounding.warehouse import DuckDBWarehouse, Relation

ORDERS = Relation("scratch", "sales", "orders")
SELECTED = ["order_id", "region"]

INJECTIONS = [
    "1 OR 1=1", "' OR '1'='1", "'; DROP TABLE sales.orders; --", "1; DELETE FROM sales.orders", "\" OR \"\"=\"",
    "north' UNION SELECT table_name, NULL FROM information_schema.tables --", "north'--", "?", "$1", "%s", ":key",
    "\\'", "\x00", "' || current_database() || '", "/* */ north", "north\u0000' OR 1=1", "\u202enorth", "ｎｏｒｔｈ",
    "🙂' OR 1=1 --", "'; ATTACH '/tmp/x.duckdb' AS x; --", "'; COPY sales.orders TO '/tmp/leak.csv'; --",
    "north\r\n; SELECT 1", "𝔫𝔬𝔯𝔱𝔥", "\ufeffnorth", "N'north'", "0x27", "1e309", "-0", "NaN", "Infinity",
]

hostile_text = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(),
    st.text(alphabet=st.characters(categories=["Cs", "Cc", "Cf", "Zs", "So"])),  # surrogates, controls, ...
    st.builds(operator.add, st.sampled_from(INJECTIONS), st.text(max_size=20)),
    st.builds(operator.mul, st.sampled_from(INJECTIONS + ["x", "é", "🙂"]), st.integers(1_000, 50_000)),  # huge
)
hostile_values = st.one_of(
    hostile_text,
    st.integers(min_value=-(2**100), max_value=2**100),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.uuids(),
    st.none(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


class QueryLog(list):
    def __call__(self, sql: str, params: tuple) -> None:
        self.append((sql, params))


@pytest.fixture(scope="module")
def logged(scratch_db: Path) -> Iterator[tuple[DuckDBWarehouse, QueryLog, dict[str, str]]]:
    """One held connection for all examples, its query log, and each key column's SQL for a benign value."""
    log = QueryLog()
    warehouse = DuckDBWarehouse(scratch_db, on_query=log)
    with warehouse.session():
        baseline = {}
        for column, benign in (("region", "north"), ("order_id", 1)):
            warehouse.fetch_rows(ORDERS, {column: benign}, SELECTED, 5)
            baseline[column] = log[-1][0]
        yield warehouse, log, baseline


def assert_single_select(sql: str) -> None:
    statements = sqlglot.parse(sql, dialect="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], exp.Select), sql


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(value=hostile_values, key_column=st.sampled_from(["region", "order_id"]))
def test_hostile_key_values_only_produce_the_bound_select(logged, value: object, key_column: str) -> None:
    warehouse, log, baseline = logged
    log.clear()
    try:
        rows = warehouse.fetch_rows(ORDERS, {key_column: value}, SELECTED, 5)
    except InvalidKeyError:  # a value the column cannot hold, null, NaN, non-scalars: nothing else is expected
        rows = None
    for sql, params in log:
        assert sql == baseline[key_column]  # the text never depends on the value...
        assert params == (value,)  # ...which travels only as a bound parameter
        assert_single_select(sql)
    assert len(log) <= 1
    if rows is not None:
        assert len(rows) <= 6 and all(set(row) == set(SELECTED) for row in rows)


@settings(max_examples=200, deadline=None)
@given(column=st.one_of(st.sampled_from(INJECTIONS), st.text(min_size=1)))
def test_hostile_identifiers_stay_quoted_identifiers(logged, column: str) -> None:
    warehouse, log, _ = logged
    log.clear()
    try:
        warehouse.fetch_rows(ORDERS, {"order_id": 1}, [column], 5)
        warehouse.fetch_rows(ORDERS, {column: 1}, ["order_id"], 5)
    except (GroundingError, ValueError):  # SchemaDriftError (no such column) or an unusable identifier
        pass
    for sql, _ in log:
        assert_single_select(sql)


def test_the_scratch_table_is_intact(logged) -> None:
    warehouse, _, _ = logged
    assert len(warehouse.fetch_rows(ORDERS, {"region": "north"}, ["order_id"], 10)) == 3
