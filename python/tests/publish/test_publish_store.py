"""The serving store on the real built demo: relations copied whole, the pointer swapped atomically, old builds
pruned, and a broken pointer is a typed error, never a silent fall-back to the warehouse."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone

import duckdb
import pytest

from dbt_grounding.errors import ArtifactError, WarehouseError
from dbt_grounding.publish.copy import copy_relations
from dbt_grounding.publish.store import (
    GateVerdict, PublishedBuild, published_dir, prune, read_current, snapshot_name, write_current,
)

MART = ("model.dbt_grounding.fct_customer_health_summary", "main_ai_grounding", "fct_customer_health_summary")


def _source_rows(built_package, schema: str, identifier: str):
    with duckdb.connect(str(built_package.duckdb_path), read_only=True) as connection:
        return connection.execute(f'SELECT * FROM "{schema}"."{identifier}" ORDER BY ALL').fetchall()


def _schema_of(built_package) -> str:
    with duckdb.connect(str(built_package.duckdb_path), read_only=True) as connection:
        (schema,) = connection.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'fct_customer_health_summary'"
        ).fetchone()
    return schema


def test_copy_keeps_every_row_column_and_type(built_package, tmp_path):
    schema = _schema_of(built_package)
    destination = tmp_path / "copy.duckdb"
    (mart,) = copy_relations(built_package.duckdb_path, destination, [(MART[0], schema, MART[2])])
    expected = _source_rows(built_package, schema, MART[2])
    with duckdb.connect(str(destination), read_only=True) as connection:
        copied = connection.execute(f'SELECT * FROM "{schema}"."{MART[2]}" ORDER BY ALL').fetchall()
    assert copied == expected and mart.rows == len(expected) > 0
    with duckdb.connect(str(built_package.duckdb_path), read_only=True) as connection:
        source_columns = connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
            " ORDER BY ordinal_position", [schema, MART[2]]).fetchall()
    assert mart.columns == [tuple(column) for column in source_columns]


def _primary_keys(connection, schema: str, table: str) -> list:
    return connection.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
        " AND database_name = current_database() AND schema_name = ? AND table_name = ?", [schema, table]).fetchall()


def test_copy_keeps_the_primary_key_and_the_row_order(built_package, tmp_path):
    """The mart's own DDL comes along: its primary key is DuckDB's index (a point lookup on a 1M-row mart ~1 ms with
    it, ~8 ms without: benchmarks/context_latency.py), and its rows stay in the order dbt wrote them (key order)."""
    schema = _schema_of(built_package)
    destination = tmp_path / "copy.duckdb"
    copy_relations(built_package.duckdb_path, destination, [(MART[0], schema, MART[2])])
    order = f'SELECT customer_id FROM "{schema}"."{MART[2]}" ORDER BY rowid'
    with duckdb.connect(str(built_package.duckdb_path), read_only=True) as connection:
        source_keys, source_order = _primary_keys(connection, schema, MART[2]), connection.execute(order).fetchall()
    with duckdb.connect(str(destination), read_only=True) as connection:
        assert _primary_keys(connection, schema, MART[2]) == source_keys == [(["customer_id"],)]
        assert connection.execute(order).fetchall() == source_order
        plan = connection.execute(f'EXPLAIN ANALYZE SELECT * FROM "{schema}"."{MART[2]}" WHERE customer_id = 51')
        assert "Index Scan" in plan.fetchone()[1]


def test_a_table_whose_ddl_cannot_stand_alone_and_a_view_are_copied_as_rows(tmp_path):
    """A foreign key to a relation not published, or a view: the rows are copied without constraints."""
    source = tmp_path / "source.duckdb"
    with duckdb.connect(str(source)) as connection:
        connection.execute("CREATE SCHEMA s; CREATE TABLE s.parent (id INTEGER PRIMARY KEY);"
                           "CREATE TABLE s.child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES s.parent (id));"
                           "INSERT INTO s.parent VALUES (1), (2); INSERT INTO s.child VALUES (10, 1), (20, 2);"
                           "CREATE VIEW s.v AS SELECT id * 2 AS doubled FROM s.parent")
    child, view = copy_relations(source, tmp_path / "out.duckdb", [("model.p.child", "s", "child"),
                                                                    ("model.p.v", "s", "v")])
    assert (child.rows, view.rows) == (2, 2)
    with duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT * FROM s.child ORDER BY id").fetchall() == [(10, 1), (20, 2)]
        assert connection.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall() == [
            ("child",), ("v",)]


def _writer_holding(source, seconds: float) -> subprocess.Popen:
    """Another process holding `source` read-write for `seconds` (as dbt does during a command): DuckDB's lock is
    per process, so it must be another process."""
    script = ("import duckdb, sys, time\n"
              "c = duckdb.connect(sys.argv[1])\n"
              "c.execute('CREATE SCHEMA IF NOT EXISTS s; CREATE OR REPLACE TABLE s.t AS SELECT 42 AS answer')\n"
              "print('holding', flush=True)\n"
              "time.sleep(float(sys.argv[2]))\n"
              "print(time.time(), flush=True)\n"
              "c.close()\n")
    writer = subprocess.Popen([sys.executable, "-c", script, str(source), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    assert writer.stdout.readline().strip() == "holding"
    return writer


def test_copy_waits_for_a_writer_then_copies(tmp_path):
    """A dbt command holding the file: the attach is retried until the writer lets go, not failed at once."""
    source = tmp_path / "held.duckdb"
    writer = _writer_holding(source, 1.0)
    (mart,) = copy_relations(source, tmp_path / "out.duckdb", [("model.p.t", "s", "t")], lock_wait_s=60)
    copied_at = time.time()
    released_at = float(writer.stdout.readline())
    assert writer.wait(timeout=60) == 0
    assert copied_at > released_at  # the copy got the file only once the writer had let it go
    assert mart.rows == 1 and mart.columns == [("answer", "INTEGER")]


def test_copy_gives_up_on_a_writer_that_holds_past_the_wait(tmp_path):
    source = tmp_path / "held.duckdb"
    writer = _writer_holding(source, 5.0)
    try:
        with pytest.raises(WarehouseError, match="held the DuckDB file"):
            copy_relations(source, tmp_path / "out.duckdb", [("model.p.t", "s", "t")], lock_wait_s=0.3)
    finally:
        writer.kill()
        writer.wait()


def test_copy_of_a_missing_relation_names_it(built_package, tmp_path):
    with pytest.raises(WarehouseError, match=r"main\.gone \(model\.p\.gone\)"):
        copy_relations(built_package.duckdb_path, tmp_path / "out.duckdb", [("model.p.gone", "main", "gone")])


def _build(name: str) -> PublishedBuild:
    return PublishedBuild(snapshot=name, invocation_id="x", built_at="2026-06-30T00:00:00Z",
                          published_at="2026-06-30T00:00:01Z", project_name="p", adapter="duckdb", marts=[],
                          verdict=GateVerdict(errors=0, warnings=0))


def _folder(target, name):
    folder = published_dir(target) / name
    folder.mkdir(parents=True)
    (folder / "warehouse.duckdb").write_bytes(b"")
    return folder


def test_pointer_round_trip_and_prune_keeps_the_two_newest(tmp_path):
    assert read_current(tmp_path) is None
    names = [snapshot_name(datetime(2026, 6, day, tzinfo=timezone.utc), f"{day:08d}-aaaa") for day in (1, 2, 3, 4)]
    for name in names:
        _folder(tmp_path, name)
    (published_dir(tmp_path) / ".tmp-interrupted").mkdir()
    write_current(tmp_path, _build(names[1]))
    assert read_current(tmp_path) == _build(names[1])
    assert prune(tmp_path, keep=names[1]) == sorted([names[0], ".tmp-interrupted"])
    assert sorted(p.name for p in published_dir(tmp_path).iterdir() if p.is_dir()) == sorted(names[1:])


@pytest.mark.parametrize("content, problem", [
    (b"{not json", "is not a published build's record"),
    (b'{"snapshot": 3}', "is not a published build's record"),
])
def test_a_broken_pointer_is_an_error_not_absent(tmp_path, content, problem):
    published_dir(tmp_path).mkdir(parents=True)
    (published_dir(tmp_path) / "current.json").write_bytes(content)
    with pytest.raises(ArtifactError, match=problem):
        read_current(tmp_path)


def test_a_pointer_to_a_removed_build_is_an_error(tmp_path):
    folder = _folder(tmp_path, "20260630T000000Z-aaaa")
    write_current(tmp_path, _build(folder.name))
    (folder / "warehouse.duckdb").unlink()
    with pytest.raises(ArtifactError, match="whose folder is gone"):
        read_current(tmp_path)
