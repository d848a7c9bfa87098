"""The Warehouse template on its own: a fourth engine (SQLite, in the standard library) written with nothing but the
hooks gets the lookups, sessions and error mapping of the base, and the adapter registry is the one place every
adapter-specific reader agrees with."""

from __future__ import annotations

import decimal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from dbt_grounding.errors import (
    ConfigurationError,
    InvalidKeyError,
    MissingRelationError,
    SchemaDriftError,
    WarehouseError,
)
from dbt_grounding.lineage.dialect import dialect_for
from dbt_grounding.warehouse import ADAPTERS, ConnectionSettings, DuckDBWarehouse, PostgresWarehouse, Relation
from dbt_grounding.warehouse.base import QueryFailure, RelationState, Warehouse, import_driver
from dbt_grounding.warehouse.sql import NamePattern, short_reason


class SQLiteWarehouse(Warehouse):
    """The least an engine writes: connect (here once), name a relation, run a statement, sort its errors, list."""

    adapter_type = "sqlite"
    engine_name = "SQLite"
    identifier_quote = "`"  # SQLite takes a "double-quoted" name it cannot find for a string literal
    driver_errors = (sqlite3.Error,)

    def __init__(self, path: Path, **options: Any) -> None:
        super().__init__(**options)
        self.connection = sqlite3.connect(path, check_same_thread=False)

    @classmethod
    def _from_checked_settings(cls, settings: ConnectionSettings, **options: Any) -> SQLiteWarehouse:
        return cls(settings.settings["path"], **options)

    def inspect(self, relation, *, probe: bool = True) -> RelationState:
        relation = Relation(*relation)
        sql = ("SELECT m.name, m.type = 'view', p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p"
               " WHERE m.type IN ('table', 'view')")
        with self._operation():
            listed = self._listed(relation.schema, relation.identifier, fold_case=True,
                                  one=(sql + " AND m.name = ?", (relation.identifier,)), whole_schema=(sql, ()))
        return RelationState(listed[1] if listed else None)

    def _relation_sql(self, relation: Relation) -> str:
        return self._quote(relation.identifier)

    def _execute(self, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql, params)
        return [description[0] for description in cursor.description], cursor.fetchall()

    def _classify(self, exc: BaseException) -> QueryFailure:
        text = str(exc)
        if text.startswith("no such table"):
            return QueryFailure.MISSING_RELATION
        if text.startswith("no such column"):
            return QueryFailure.MISSING_COLUMN
        if text.startswith("Error binding parameter"):  # a value the driver cannot bind
            return QueryFailure.BAD_KEY_VALUE
        return QueryFailure.OTHER


@pytest.fixture
def sqlite_warehouse(tmp_path: Path):
    statements: list[tuple[str, tuple]] = []
    warehouse = SQLiteWarehouse(tmp_path / "w.sqlite", on_query=lambda sql, params: statements.append((sql, params)))
    warehouse.connection.executescript("""
        create table orders (order_id integer, region text, amount real);
        insert into orders values (1, 'north', 10.5), (2, 'north', 20.0), (3, 'south', 30.25);
        create table regions (region text);
        create view north as select * from orders where region = 'north';
    """)
    warehouse.statements = statements
    yield warehouse
    warehouse.connection.close()


ORDERS = (None, "main", "orders")


def test_the_base_reads_rows_with_every_value_bound(sqlite_warehouse: SQLiteWarehouse) -> None:
    rows = sqlite_warehouse.fetch_rows(ORDERS, {"region": "north'; drop table orders; --"}, ["order_id"], 5)
    assert rows == []
    rows = sqlite_warehouse.fetch_rows(ORDERS, {"region": "north"}, ["order_id", "amount"], 1)
    assert rows == [{"order_id": 1, "amount": 10.5}, {"order_id": 2, "amount": 20.0}]  # limit + 1: the cap shows
    assert sqlite_warehouse.max_value(ORDERS, "amount") == 30.25
    assert sorted(sqlite_warehouse.distinct_values(ORDERS, "region", 5)) == ["north", "south"]
    lookups = [(sql, params) for sql, params in sqlite_warehouse.statements if "WHERE" in sql]
    assert lookups == [
        ("SELECT `order_id` FROM `orders` WHERE `region` = ? LIMIT 6", ("north'; drop table orders; --",)),
        ("SELECT `order_id`, `amount` FROM `orders` WHERE `region` = ? LIMIT 2", ("north",)),
    ]


def test_values_like_binds_every_pattern_and_bound_and_shows_the_cap(sqlite_warehouse: SQLiteWarehouse) -> None:
    """`ask`'s name lookup past its in-memory cap: patterns and length bounds are parameters, "!" escapes."""
    assert sqlite_warehouse.distinct_values_like(ORDERS, "region", [NamePattern("no%")], 5) == ["north"]
    assert sqlite_warehouse.distinct_values_like(ORDERS, "region", [NamePattern("%o%", None, 4)], 5) == []
    assert sorted(sqlite_warehouse.distinct_values_like(ORDERS, "region", [NamePattern("%o%", None, 5)], 5)) == [
        "north", "south"]
    assert sqlite_warehouse.distinct_values_like(ORDERS, "region", [NamePattern("%o%", "%th")], 5) == []
    assert len(sqlite_warehouse.distinct_values_like(ORDERS, "region", [NamePattern("%")], 1)) == 2  # limit + 1
    injected = NamePattern("n'; drop table orders; --")
    assert sqlite_warehouse.distinct_values_like(ORDERS, "region", [NamePattern("%!%%"), injected], 5) == []
    sql, params = sqlite_warehouse.statements[-1]  # "!%" is a literal percent sign
    assert params == ("%!%%", "n'; drop table orders; --") and "drop" not in sql
    assert sql.count("?") == 2 and sql.endswith("LIMIT 6")


@pytest.mark.parametrize(("relation", "column", "key", "raised"), [
    ((None, "main", "no_such_table"), "order_id", {"order_id": 1}, MissingRelationError),
    (ORDERS, "no_such_column", {"order_id": 1}, SchemaDriftError),
    (ORDERS, "order_id", {"no_such_key": 1}, SchemaDriftError),
    (ORDERS, "order_id", {"order_id": decimal.Decimal(1)}, InvalidKeyError),
])
def test_the_base_maps_the_engines_failures_to_typed_errors(
    sqlite_warehouse: SQLiteWarehouse, relation, column, key, raised
) -> None:
    with pytest.raises(raised) as error:
        sqlite_warehouse.fetch_rows(relation, key, [column], 5)
    assert error.value.details["reason"].startswith(("no such", "Error binding"))  # the engine's words


def test_a_failure_the_engine_does_not_sort_is_a_warehouse_error_naming_it(sqlite_warehouse) -> None:
    sqlite_warehouse.connection.execute("create table broken (x integer)")
    with pytest.raises(WarehouseError) as error:
        sqlite_warehouse._query("SELECT nonsense(", ())  # a syntax error: QueryFailure.OTHER
    assert type(error.value) is WarehouseError and "the SQLite catalog" in error.value.message


def test_key_values_are_checked_before_any_sql(sqlite_warehouse: SQLiteWarehouse) -> None:
    for key in ({}, {"order_id": None}, {"order_id": [1]}, {"order_id": float("nan")}):
        with pytest.raises(InvalidKeyError):
            sqlite_warehouse.fetch_rows(ORDERS, key, ["order_id"], 5)
    assert sqlite_warehouse.statements == []


def test_a_session_lists_each_schema_once_and_forgets_it_when_it_ends(sqlite_warehouse: SQLiteWarehouse) -> None:
    alone = [sqlite_warehouse.inspect((None, "main", name)) for name in ("orders", "regions", "north", "nope")]
    assert len(sqlite_warehouse.statements) == 4  # one query per relation outside a session
    sqlite_warehouse.statements.clear()
    with sqlite_warehouse.session():
        assert sqlite_warehouse.in_session
        batched = [sqlite_warehouse.inspect((None, "main", name)) for name in ("orders", "regions", "north", "nope")]
        assert len(sqlite_warehouse.statements) == 1  # the whole schema, once
        sqlite_warehouse.connection.execute("alter table regions add column code text")
        assert sqlite_warehouse.columns((None, "main", "regions")) == [("region", "TEXT")]  # as of the listing
    assert batched == alone and alone[3] == RelationState(None)
    assert alone[0].columns == [("order_id", "INTEGER"), ("region", "TEXT"), ("amount", "REAL")]
    assert not sqlite_warehouse.in_session
    assert sqlite_warehouse.columns((None, "main", "regions")) == [("region", "TEXT"), ("code", "TEXT")]
    assert sqlite_warehouse.unchanged_since is None  # the base's answer: nothing held keeps writers out


def test_from_settings_refuses_a_target_of_another_adapter(tmp_path: Path) -> None:
    settings = ConnectionSettings("duckdb", "shop", "dev", tmp_path, tmp_path / "profiles.yml",
                                  {"path": str(tmp_path / "w.duckdb")})
    for warehouse_class in (PostgresWarehouse, SQLiteWarehouse):
        with pytest.raises(ConfigurationError) as error:
            warehouse_class.from_settings(settings)
        assert error.value.hint == f"Select a {warehouse_class.adapter_type} target."
    assert isinstance(DuckDBWarehouse.from_settings(settings), DuckDBWarehouse)


def test_a_missing_driver_names_the_extra_that_installs_it() -> None:
    with pytest.raises(ConfigurationError) as error:
        import_driver("dbt_grounding_no_such_driver", extra="oracle", engine="Oracle")
    assert error.value.hint == "pip install 'dbt-grounding[oracle]'"
    assert error.value.details["missing"] == "dbt_grounding_no_such_driver"
    assert import_driver("sqlite3", "sqlite3.dbapi2", extra="none", engine="SQLite") is sqlite3


def test_short_reason_keeps_the_first_line_cut() -> None:
    assert short_reason(RuntimeError("Binder Error: no column x\n\nLINE 1: SELECT ...")) == "Binder Error: no column x"
    assert short_reason(RuntimeError("k" * 1000)) == "k" * 300 + "..."
    assert short_reason(RuntimeError("")) == "RuntimeError"


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_the_registry_is_what_every_adapter_specific_reader_uses(name: str) -> None:
    adapter = ADAPTERS[name]
    assert adapter.warehouse.adapter_type == name
    assert dialect_for(name) == dialect_for(name.upper()) == adapter.sqlglot_dialect
    assert adapter.types.dialect == adapter.sqlglot_dialect
    sqlglot.Dialect.get_or_raise(adapter.sqlglot_dialect)  # a dialect sqlglot has
