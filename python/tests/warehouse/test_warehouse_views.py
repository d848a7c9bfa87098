"""`DuckDBWarehouse.inspect` on a real dbt build whose views are broken behind dbt's back, and its batching inside a
session. The fixture (tests/fixtures/bikeshare_views) builds staging and intermediate models as views over seeds;
each case alters the built file as an EL tool or a hand-run statement would, then inspects the relations the
manifest names."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_grounding.artifacts import load_manifest
from dbt_grounding.warehouse import DuckDBWarehouse, RelationState
from dbt_grounding.warehouse.duckdb import broken_column
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt

VIEWS = ["stg_bikeshare__stations", "stg_bikeshare__trips", "int_trips_with_stations", "int_rides_by_region"]


@pytest.fixture()
def bikeshare(built_bikeshare_views: DbtProject) -> DbtProject:
    return built_bikeshare_views


@pytest.fixture()
def copy(bikeshare: DbtProject, tmp_path: Path) -> Path:
    """A copy of the built file, free to alter."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(bikeshare.duckdb_path, path)
    return path


def relations(project: DbtProject) -> dict[str, tuple[str | None, str, str]]:
    """Every model and seed the manifest names, by name, as (database, schema, identifier)."""
    manifest = load_manifest(project.target_path / "manifest.json")
    return {node.name: (node.database, node.schema or "", node.identifier) for node in manifest.nodes.values()
            if node.resource_type in ("model", "seed")}


def alter(path: Path, *statements: str) -> None:
    with duckdb.connect(str(path)) as connection:
        for statement in statements:
            connection.execute(statement)


def inspect_all(path: Path, project: DbtProject) -> dict[str, RelationState]:
    warehouse = DuckDBWarehouse(path, writer_gap_ms=0)
    with warehouse.session():
        return {name: warehouse.inspect(relation) for name, relation in relations(project).items()}


def broken(states: dict[str, RelationState]) -> dict[str, str | None]:
    return {name: state.broken_column for name, state in states.items() if state.broken}


def test_a_fresh_build_has_no_broken_relation_and_views_answer_as_bound(bikeshare: DbtProject, copy: Path) -> None:
    states = inspect_all(copy, bikeshare)
    assert broken(states) == {}
    assert states["stg_bikeshare__trips"].columns == [
        ("trip_id", "INTEGER"), ("started_at", "TIMESTAMP"), ("start_station_id", "INTEGER"),
        ("end_station_id", "INTEGER"), ("duration_minutes", "DOUBLE"), ("rider_type", "VARCHAR"),
        ("bike_id", "INTEGER"),
    ]
    assert [name for name, _ in states["fct_trips"].columns] == [
        "trip_id", "started_at", "start_station_name", "region", "duration_minutes", "is_subscriber"]


@pytest.mark.parametrize(("statement", "expected", "shape"), [
    pytest.param(  # a column the view names is gone: the view and every view over it
        "alter table main_raw.raw_trips drop column duration_sec",
        {"stg_bikeshare__trips": "duration_sec", "int_trips_with_stations": "duration_sec",
         "int_rides_by_region": "duration_sec"},
        "Referenced column \"duration_sec\" not found", id="column dropped",
    ),
    pytest.param(
        "alter table main_raw.raw_trips rename column subscriber_type to member_type",
        {"stg_bikeshare__trips": "subscriber_type", "int_trips_with_stations": "subscriber_type",
         "int_rides_by_region": "subscriber_type"},
        "Referenced column \"subscriber_type\" not found", id="column renamed",
    ),
    pytest.param(  # `select * exclude (legacy_code)`
        "alter table main_raw.raw_stations drop column legacy_code",
        {"stg_bikeshare__stations": "legacy_code", "int_trips_with_stations": "legacy_code",
         "int_rides_by_region": "legacy_code"},
        "Column \"legacy_code\" in EXCLUDE list not found", id="excluded column dropped",
    ),
    pytest.param(  # lower(subscriber_type) no longer has a function to call: the message names no column
        "alter table main_raw.raw_trips alter subscriber_type type integer using length(subscriber_type)",
        {"stg_bikeshare__trips": None, "int_trips_with_stations": None, "int_rides_by_region": None},
        "No function matches the given name and argument types 'lower(INTEGER)'", id="retyped, no function fits",
    ),
    pytest.param(
        "drop table main_raw.raw_stations",
        {"stg_bikeshare__stations": None, "int_trips_with_stations": None, "int_rides_by_region": None},
        "Table with name raw_stations does not exist", id="table dropped",
    ),
    pytest.param(  # an upstream view replaced by one without station_name: read as `start_station.station_name`
        "create or replace view main.stg_bikeshare__stations as select id as station_id, region_code as region "
        "from main_raw.raw_stations",
        {"int_trips_with_stations": "station_name", "int_rides_by_region": "station_name"},
        "\"start_station\" does not have a column named \"station_name\"", id="view replaced",
    ),
])
def test_broken_views_are_found_and_name_the_column(
    bikeshare: DbtProject, copy: Path, statement: str, expected: dict[str, str | None], shape: str
) -> None:
    alter(copy, statement)
    states = inspect_all(copy, bikeshare)
    assert broken(states) == expected
    for name in expected:
        assert shape in states[name].broken
        assert "Candidate functions" not in states[name].broken and "LINE 1" not in states[name].broken
        assert len(states[name].broken) <= 303
        assert states[name].columns  # still listed: the view exists, it cannot be read


def test_a_retype_under_a_view_is_seen_where_information_schema_still_shows_the_old_type(
    bikeshare: DbtProject, copy: Path
) -> None:
    alter(copy, "alter table main_raw.raw_stations alter region_code type integer using length(region_code)")
    with duckdb.connect(str(copy), read_only=True) as connection:
        listed = connection.execute(
            "select data_type from information_schema.columns "
            "where table_name = 'stg_bikeshare__stations' and column_name = 'region'").fetchone()[0]
    assert listed == "VARCHAR"  # what DuckDB bound at `create view`, never updated
    states = inspect_all(copy, bikeshare)
    assert broken(states) == {}
    assert dict(states["stg_bikeshare__stations"].columns)["region"] == "INTEGER"
    assert dict(states["int_trips_with_stations"].columns)["region"] == "INTEGER"
    assert dict(states["fct_trips"].columns)["region"] == "VARCHAR"  # a table keeps what it was built with


def test_inside_a_session_one_connection_one_catalog_query_per_schema_one_probe_per_view(
    bikeshare: DbtProject, copy: Path
) -> None:
    statements: list[str] = []
    warehouse = DuckDBWarehouse(copy, writer_gap_ms=0, on_query=lambda sql, _params: statements.append(sql))
    named = relations(bikeshare)
    with warehouse.session():
        inside = {name: warehouse.inspect(relation) for name, relation in named.items()}
        again = {name: warehouse.inspect(relation) for name, relation in named.items()}  # answered from the session
    catalog = [sql for sql in statements if "information_schema" in sql]
    probes = sorted(sql.split('"')[5] for sql in statements if sql.endswith("LIMIT 0"))
    assert warehouse.connections_opened == 1 and not warehouse.connected
    assert len(catalog) == len({schema for _, schema, _ in named.values()}) == 2  # main, main_raw
    assert probes == sorted(VIEWS)
    assert again == inside

    statements.clear()
    outside = {name: warehouse.inspect(relation) for name, relation in named.items()}
    assert outside == inside  # the same answers, one short connection each
    assert warehouse.connections_opened == 1 + len(named)
    assert sum("information_schema" in sql for sql in statements) == len(named)


def test_nothing_is_cached_past_the_session(bikeshare: DbtProject, copy: Path) -> None:
    warehouse = DuckDBWarehouse(copy, writer_gap_ms=0)
    trips = relations(bikeshare)["stg_bikeshare__trips"]
    with warehouse.session():
        assert warehouse.inspect(trips).broken is None
    alter(copy, "alter table main_raw.raw_trips drop column bike_number")  # a writer gets in between sessions
    with warehouse.session():
        assert warehouse.inspect(trips).broken_column == "bike_number"
    assert warehouse.columns(relations(bikeshare)["raw_trips"])[-1] == ("zip", "INTEGER")
    assert warehouse.inspect((None, "main", "no_such_model")) == RelationState(None)


@pytest.mark.parametrize(("setup", "query", "column"), [
    ("create table l(k int); create table r(j int)", "select * from l join r using (k)", "k"),
    ("create table t(a int)", "select t.b from t", "b"),
    ("create table t(a int)", "select * exclude (b) from t", "b"),
    ("create table t(a int)", "select * replace (1 as b) from t", "b"),
    ('create table t("we""ird" int)', 'select "odd""name" from t', 'odd"name'),
    ("create table t(d date); insert into t values (date '2026-01-01')", "select cast(d as integer) from t", "d"),
    ("create table t(a int)", "select * from missing_table", None),
    ("create table t(a varchar)", "select a + 1 from t", None),
])
def test_broken_column_reads_every_shape_duckdb_gives(setup: str, query: str, column: str | None) -> None:
    """Messages produced here by DuckDB itself, so a DuckDB that words them differently fails this test."""
    with duckdb.connect() as connection:
        connection.execute(setup)
        with pytest.raises(duckdb.Error) as raised:
            connection.execute(query).fetchall()
    assert broken_column(str(raised.value)) == column
