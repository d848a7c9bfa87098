"""DuckDBWarehouse on a scratch file: introspection, bound lookups, typed errors, short-lived connections."""

from __future__ import annotations

import datetime
import shutil
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from warehouse_helpers import can_open_for_writing, held_for_writing
from dbt_grounding.errors import (
    ConfigurationError,
    InvalidKeyError,
    MissingRelationError,
    SchemaDriftError,
    WarehouseError,
)
from dbt_grounding.warehouse import (
    ConnectionSettings,
    DuckDBWarehouse,
    Relation,
    open_warehouse,
    writer_connect_attempts,
)

ORDERS = Relation("scratch", "sales", "orders")


class QueryLog(list):
    def __call__(self, sql: str, params: tuple) -> None:
        self.append((sql, params))


# ------------------------------------------------------------------ columns


def test_columns_in_order_with_duckdbs_types(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        assert warehouse.columns(ORDERS) == [
            ("order_id", "BIGINT"), ("region", "VARCHAR"), ("amount", "DECIMAL(18,2)"), ("placed_on", "DATE"),
            ('we"ird col', "VARCHAR"),
        ]


def test_columns_of_a_missing_relation_is_none(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        assert warehouse.columns(("scratch", "sales", "no_such_table")) is None
        assert warehouse.columns(("scratch", "no_such_schema", "orders")) is None


def test_identifiers_match_case_insensitively_like_duckdb(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        assert warehouse.columns(("SCRATCH", "SALES", "Orders")) is not None
        assert warehouse.columns((None, "odd schema", "mixed table")) == [("Key", "VARCHAR"), ("Value", "INTEGER")]


def test_the_manifests_database_name_may_differ_from_the_files(scratch_db: Path, tmp_path: Path) -> None:
    # dbt-duckdb names the database after the file at build time; a copied or moved file has another name
    renamed = tmp_path / "renamed.duckdb"
    shutil.copy(scratch_db, renamed)
    with DuckDBWarehouse(renamed) as warehouse:
        assert warehouse.columns(("scratch", "sales", "orders")) is not None
        assert warehouse.fetch_rows(("scratch", "sales", "orders"), {"order_id": 1}, ["region"], 1) == [
            {"region": "north"}
        ]


def test_relations_in_attached_databases_are_refused_not_misread(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db, attached_databases=["lake"]) as warehouse:
        with pytest.raises(ConfigurationError):
            warehouse.columns(("lake", "sales", "orders"))


# ------------------------------------------------------------------ fetch_rows / max_value


def test_fetch_rows_by_key(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        rows = warehouse.fetch_rows(ORDERS, {"order_id": 3}, ["order_id", "amount", "placed_on"], limit=5)
    assert rows == [{"order_id": 3, "amount": Decimal("30.25"), "placed_on": datetime.date(2026, 3, 1)}]


def test_fetch_rows_returns_one_more_than_the_limit_so_the_cap_is_visible(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        assert len(warehouse.fetch_rows(ORDERS, {"region": "north"}, ["order_id"], limit=2)) == 3
        assert len(warehouse.fetch_rows(ORDERS, {"region": "north"}, ["order_id"], limit=3)) == 3
        assert len(warehouse.fetch_rows(ORDERS, {"region": "north"}, ["order_id"], limit=1)) == 2


def test_composite_key_and_quoted_identifiers(scratch_db: Path) -> None:
    log = QueryLog()
    with DuckDBWarehouse(scratch_db, on_query=log) as warehouse:
        users = Relation("scratch", "sales", "tenant_users")
        assert warehouse.fetch_rows(users, {"tenant": "acme", "user_id": 2}, ["email"], 1) == [{"email": "b@acme.test"}]
        assert warehouse.fetch_rows(ORDERS, {'we"ird col': "c"}, ["order_id", 'we"ird col'], 1) == [
            {"order_id": 3, 'we"ird col': "c"}
        ]
    assert log[-2] == (
        'SELECT "email" FROM "scratch"."sales"."tenant_users" WHERE "tenant" = ? AND "user_id" = ? LIMIT 2',
        ("acme", 2),
    )
    assert log[-1][0] == (
        'SELECT "order_id", "we""ird col" FROM "scratch"."sales"."orders" WHERE "we""ird col" = ? LIMIT 2'
    )


def test_the_rows_of_several_keys_in_one_statement_each_key_s_in_order(scratch_db: Path) -> None:
    log = QueryLog()
    with DuckDBWarehouse(scratch_db, on_query=log) as warehouse:
        found = warehouse.fetch_rows_of_keys(ORDERS, [{"order_id": 3}, {"order_id": 99}, {"order_id": 1},
                                                      {"order_id": 3}], ["order_id", "amount"], limit=5)
    (statement,) = [entry for entry in log if "current_database()" not in entry[0]]  # the catalog's name aside
    assert found == [[{"order_id": 3, "amount": Decimal("30.25")}], [], [{"order_id": 1, "amount": Decimal("10.50")}],
                     [{"order_id": 3, "amount": Decimal("30.25")}]]
    sql, params = statement
    assert params == (3, 99, 1) * 2  # distinct keys, bound: once for which key a row matched, once for the filter
    assert '"order_id" IN (?, ?, ?)' in sql and "99" not in sql


def test_several_composite_keys_and_the_cap_per_key(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        users = Relation("scratch", "sales", "tenant_users")
        keys = [{"tenant": "globex", "user_id": 1}, {"tenant": "acme", "user_id": 1}, {"tenant": "acme", "user_id": 3}]
        found = warehouse.fetch_rows_of_keys(users, keys, ["email"], 1)
        assert found == [[{"email": "g@gx.test"}], [{"email": "a@acme.test"}], []]
        by_region = warehouse.fetch_rows_of_keys(ORDERS, [{"region": "north"}, {"region": "south"}], ["order_id"], 1)
        assert [len(rows) for rows in by_region] == [2, 1]  # north's 3 rows capped at limit + 1, as fetch_rows does
        with pytest.raises(InvalidKeyError, match="same key columns"):
            warehouse.fetch_rows_of_keys(users, [{"tenant": "acme", "user_id": 1}, {"tenant": "acme"}], ["email"], 1)
        with pytest.raises(InvalidKeyError):
            warehouse.fetch_rows_of_keys(ORDERS, [{"order_id": 1}, {"order_id": None}], ["order_id"], 1)
        with pytest.raises(InvalidKeyError):
            warehouse.fetch_rows_of_keys(ORDERS, [], ["order_id"], 1)


def test_max_value(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        assert warehouse.max_value(ORDERS, "placed_on") == datetime.date(2026, 4, 1)
        assert warehouse.max_value(("scratch", "sales", "empty_table"), "seen") is None


def test_fetch_since_orders_from_a_bound_lower_bound(scratch_db: Path) -> None:
    log = QueryLog()
    with DuckDBWarehouse(scratch_db, on_query=log) as warehouse:
        rows = warehouse.fetch_since(ORDERS, ["placed_on", "order_id"], "placed_on", datetime.date(2026, 2, 1), 2)
    assert [row["order_id"] for row in rows] == [2, 3, 4]  # ascending, one past the limit shows the cap
    assert log[-1] == ('SELECT "placed_on", "order_id" FROM "scratch"."sales"."orders" WHERE "placed_on" >= ? '
                       'ORDER BY "placed_on" LIMIT 3', (datetime.date(2026, 2, 1),))


def test_missing_relation_and_column_are_typed(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        with pytest.raises(MissingRelationError) as raised:
            warehouse.fetch_rows(("scratch", "sales", "gone"), {"order_id": 1}, ["order_id"], 1)
        assert raised.value.details["relation"] == "scratch.sales.gone"
        with pytest.raises(MissingRelationError):
            warehouse.max_value(("scratch", "sales", "gone"), "x")
        with pytest.raises(SchemaDriftError):
            warehouse.fetch_rows(ORDERS, {"order_id": 1}, ["no_such_column"], 1)
        with pytest.raises(SchemaDriftError):
            warehouse.fetch_rows(ORDERS, {"no_such_column": 1}, ["order_id"], 1)


@pytest.mark.parametrize(
    "key",
    [{}, {"order_id": None}, {"order_id": [1]}, {"order_id": {"$gt": 0}}, {"order_id": b"1"},
     {"order_id": "not a number"}, {"order_id": "a\ud800"}, {"order_id": datetime.date(2026, 1, 1)},
     {"order_id": float("nan")}, {"order_id": Decimal("sNaN")}, {"amount": Decimal("Infinity")}],
)
def test_bad_key_values_are_invalid_key_errors(scratch_db: Path, key: dict) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        with pytest.raises(InvalidKeyError):
            warehouse.fetch_rows(ORDERS, key, ["order_id"], 1)


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "3"])
def test_bad_limits_are_caller_bugs(scratch_db: Path, limit: object) -> None:
    with DuckDBWarehouse(scratch_db) as warehouse:
        with pytest.raises(ValueError):
            warehouse.fetch_rows(ORDERS, {"order_id": 1}, ["order_id"], limit)  # type: ignore[arg-type]


# ------------------------------------------------------------------ connections and locking


def test_the_file_is_free_for_a_writer_between_operations(scratch_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    shutil.copy(scratch_db, path)
    with DuckDBWarehouse(path) as warehouse:
        warehouse.fetch_rows(ORDERS, {"order_id": 1}, ["order_id"], 1)
        assert not warehouse.connected
        assert can_open_for_writing(path)


def test_a_session_holds_one_connection_and_releases_it(scratch_db: Path, tmp_path: Path, monkeypatch) -> None:
    import dbt_grounding.warehouse.duckdb as module

    opened = []
    real_connect = module.duckdb.connect
    monkeypatch.setattr(module.duckdb, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k))
    path = tmp_path / "s.duckdb"
    shutil.copy(scratch_db, path)
    warehouse = DuckDBWarehouse(path, writer_gap_ms=0)
    with warehouse.session():
        warehouse.columns(ORDERS)
        warehouse.fetch_rows(ORDERS, {"order_id": 1}, ["order_id"], 1)
        warehouse.max_value(ORDERS, "placed_on")
        assert warehouse.connected
    assert len(opened) == 1 and not warehouse.connected
    assert can_open_for_writing(path)
    warehouse.columns(ORDERS)
    warehouse.columns(ORDERS)
    assert len(opened) == 3  # outside a session: one connection per operation


def test_hold_ms_keeps_the_connection_for_a_burst_then_closes_it(scratch_db: Path) -> None:
    warehouse = DuckDBWarehouse(scratch_db, hold_ms=50)
    warehouse.columns(ORDERS)
    assert warehouse.connected
    closed = threading.Event()
    for _ in range(200):  # the timer closes it ~50 ms later; bounded wait, no timing asserted
        if not warehouse.connected:
            closed.set()
            break
        threading.Event().wait(0.05)
    assert closed.is_set()
    warehouse.close()


def test_a_held_connection_arms_one_idle_timer_not_one_per_operation(scratch_db: Path, monkeypatch) -> None:
    """A serving process holding its connection: a burst of lookups starts one timer thread (a thread per lookup cost
    as much as the lookup). The timer closes the connection only once it has been idle for hold_ms: fired while the
    connection was used since, it waits again. Idleness is read from the injected clock, so no timing is asserted."""
    started = []
    real_timer = threading.Timer

    def counting_timer(*args, **kwargs):
        started.append(args[0])
        return real_timer(*args, **kwargs)

    def wait_until(condition) -> bool:
        for _ in range(400):  # bounded: 20 s
            if condition():
                return True
            threading.Event().wait(0.05)
        return False

    monkeypatch.setattr(threading, "Timer", counting_timer)
    with DuckDBWarehouse(scratch_db, hold_ms=60_000) as burst:
        for order_id in [1, 2, 3] * 20:
            burst.fetch_rows(ORDERS, {"order_id": order_id}, ["order_id"], 1)
        assert len(started) == 1 and burst.connections_opened == 1
    started.clear()
    now = [0.0]
    warehouse = DuckDBWarehouse(scratch_db, hold_ms=50, clock=lambda: now[0])
    for order_id in [1, 2, 3] * 20:
        assert warehouse.fetch_rows(ORDERS, {"order_id": order_id}, ["order_id"], 1)[0]["order_id"] == order_id
    # the clock stands still: every lookup was "just now", so each time the timer fires it waits again
    assert wait_until(lambda: len(started) >= 3)
    assert warehouse.connected and warehouse.connections_opened == 1
    now[0] = 10.0  # long idle: the next firing closes it
    assert wait_until(lambda: not warehouse.connected)
    fired = len(started)
    threading.Event().wait(0.2)
    assert len(started) == fired  # nothing held, nothing armed
    warehouse.fetch_rows(ORDERS, {"order_id": 1}, ["order_id"], 1)  # reopened, and held again
    assert warehouse.connected and warehouse.connections_opened == 2
    warehouse.close()
    assert not warehouse.connected


def test_threads_sets_duckdbs_worker_threads_on_the_connection(scratch_db: Path) -> None:
    with DuckDBWarehouse(scratch_db, hold_ms=60_000, threads=1) as warehouse:
        warehouse.fetch_rows(ORDERS, {"order_id": 1}, ["order_id"], 1)
        assert warehouse._connection.execute("SELECT current_setting('threads')").fetchone()[0] == 1


def test_operations_wait_while_another_process_writes(scratch_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    shutil.copy(scratch_db, path)
    waits: list[float] = []
    released = threading.Event()

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        threading.Event().wait(seconds)

    warehouse = DuckDBWarehouse(path, sleep=sleep)
    with held_for_writing(path) as writer:
        timer = threading.Timer(0.5, lambda: (writer.stdin.close(), released.set()))  # release mid-wait
        timer.start()
        rows = warehouse.fetch_rows(ORDERS, {"order_id": 2}, ["region"], 1)
        timer.join()
    assert rows == [{"region": "north"}]
    assert released.is_set() and waits and warehouse.lock_conflicts > 0  # it waited for the writer, then read


def test_the_wait_is_bounded_and_then_a_warehouse_error_with_a_hint(scratch_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "busy.duckdb"
    shutil.copy(scratch_db, path)
    with held_for_writing(path):
        with pytest.raises(WarehouseError) as raised:
            DuckDBWarehouse(path, lock_wait_s=0.3).columns(ORDERS)
    assert "locked" in raised.value.message and "lock_wait_s" in raised.value.hint
    assert raised.value.details["waited_s"] >= 0.3


def test_a_missing_or_broken_file_is_a_warehouse_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError) as raised:
        DuckDBWarehouse(tmp_path / "never_built.duckdb").columns(ORDERS)
    assert "dbt build" in raised.value.hint
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database" * 1000)
    with pytest.raises(WarehouseError):
        DuckDBWarehouse(garbage).columns(ORDERS)


def test_threads_share_one_warehouse(scratch_db: Path) -> None:
    warehouse = DuckDBWarehouse(scratch_db, hold_ms=20)
    results, errors = [], []

    def look_up(order_id: int) -> None:
        try:
            for _ in range(5):
                results.append(warehouse.fetch_rows(ORDERS, {"order_id": order_id}, ["order_id"], 1)[0]["order_id"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=look_up, args=(n,)) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    warehouse.close()
    assert not errors and sorted(results) == sorted([1, 2, 3, 4] * 5)
    assert not warehouse.connected


def test_open_warehouse_from_profile_settings(scratch_db: Path, tmp_path: Path) -> None:
    settings = ConnectionSettings(
        "duckdb", "p", "dev", tmp_path, tmp_path / "profiles.yml",
        {"type": "duckdb", "path": str(scratch_db), "retries": {"connect_attempts": 5}},
    )
    with open_warehouse(settings) as warehouse:
        assert warehouse.columns(ORDERS)
    assert writer_connect_attempts(settings) == 5
    bare = ConnectionSettings("duckdb", "p", "dev", tmp_path, tmp_path / "profiles.yml", {"path": str(scratch_db)})
    assert writer_connect_attempts(bare) == 1
    with pytest.raises(ConfigurationError):
        open_warehouse(ConnectionSettings("snowflake", "p", "sf", tmp_path, tmp_path / "profiles.yml", {}))
