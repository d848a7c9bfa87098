"""The grounding layer on PostgreSQL, against the package really built there (the `built_package_pg` session build):
the same documents as on DuckDB, drift made behind dbt's back, the CI gate, one held read-only connection, bound
key values, and connection problems as typed errors with a hint.

Drift is made on the session build itself, then undone: the relation is renamed aside, a changed copy takes its
name, and the original is renamed back afterwards (PostgreSQL DDL is transactional, so each step is atomic).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbt_grounding.errors import (
    ConfigurationError, ExitCode, InvalidKeyError, MissingRelationError, SchemaDriftError, WarehouseError,
)
from dbt_grounding.warehouse import (
    PostgresWarehouse, Relation, compare_columns, load_connection_settings, open_warehouse,
)
from bound_sql import assert_value_only_bound
from dbt_runner import REPO_ROOT, DbtProject
from engines import PostgresCluster, free_port
from grounding_checks import (
    CUSTOMER, HOSTILE_KEYS, MART, MART_ID, NO_SUCH_CUSTOMER, check_dropped_email_is_explained, check_gate_is_clean,
    check_lineage_is_duckdbs, check_no_match_says_not_to_guess, check_retyped_contract_value, documents, duckdb_env,
    environment, mart_columns, open_project, refusal,
)

pytestmark = pytest.mark.pg
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
MART_RELATION = Relation("dbt_grounding", "main_ai_grounding", MART)


@pytest.fixture()
def pg(built_package_pg: DbtProject) -> Iterator[DbtProject]:
    """The PostgreSQL build, with the `pg` target's variables set for the test's own process."""
    with environment(dict(built_package_pg.extra_env)):
        yield built_package_pg


@pytest.fixture()
def admin(pg_cluster: PostgresCluster):
    connection = pg_cluster.connect()
    connection.autocommit = True
    yield connection
    connection.close()


def pg_warehouse(project: DbtProject, **options) -> PostgresWarehouse:
    settings = load_connection_settings(project.project_dir, environ=dict(project.extra_env))
    warehouse = open_warehouse(settings, **options)
    assert isinstance(warehouse, PostgresWarehouse)
    return warehouse


@contextmanager
def replaced(cluster: PostgresCluster, schema: str, table: str, select_list: str) -> Iterator[None]:
    """`schema.table` replaced behind dbt's back by `SELECT <select_list>` over the original, which is set aside
    under another name and renamed back on the way out."""
    saved = f"{table}__dg_saved"
    connection = cluster.connect()
    try:
        with connection, connection.cursor() as cursor:  # one transaction
            cursor.execute(f'alter table "{schema}"."{table}" rename to "{saved}"')
            cursor.execute(f'create table "{schema}"."{table}" as select {select_list} from "{schema}"."{saved}"')
        yield
    finally:
        with connection, connection.cursor() as cursor:
            cursor.execute(f'drop table if exists "{schema}"."{table}"')
            cursor.execute(f'alter table "{schema}"."{saved}" rename to "{table}"')
        connection.close()


def select_without(columns: list[str], dropped: str) -> str:
    return ", ".join(f'"{column}"' for column in columns if column != dropped)


def run_cli(project: DbtProject, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args, "--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path)],
        capture_output=True, text=True, timeout=180, env={**project.env(), **(env or {})},
    )


# ---------------------------------------------------------------------------------------------- the build

# every base model of the package, so one added later is checked too
BASE_MODELS = sorted(path.stem for path in (REPO_ROOT / "models" / "staging").glob("*/base/base_*.sql"))


@pytest.mark.parametrize("base_model", BASE_MODELS)
def test_base_models_clean_each_text_column_once(built_package_pg: DbtProject, admin, base_model: str) -> None:
    """The timestamp parser references the cleaned text about 100 times; inlined, PostgreSQL would run clean_text's
    regexes that often per row (2,635 regexp_replace calls in one plan). `materialized_cte` keeps one per call
    written in the compiled model."""
    (compiled_path,) = built_package_pg.target_path.glob(f"compiled/**/{base_model}.sql")
    compiled = compiled_path.read_text()
    with admin.cursor() as cursor:
        cursor.execute("explain verbose " + compiled)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert 0 < plan.count("regexp_replace(") <= compiled.count("regexp_replace(")


# ---------------------------------------------------------------------------------------------- documents


def test_documents_hold_the_same_data_as_on_duckdb(built_package: DbtProject, built_package_pg: DbtProject) -> None:
    on_duckdb = documents(built_package, duckdb_env(built_package))
    on_postgres = documents(built_package_pg, dict(built_package_pg.extra_env))
    assert on_postgres == on_duckdb
    found, missing = on_postgres[CUSTOMER], on_postgres[NO_SUCH_CUSTOMER]
    assert found["found"] is True and found["key"] == {"customer_id": CUSTOMER}
    row = found["rows"][0]
    assert row["total_contract_value"] == "35976.00" and row["churn_risk_score"] == "0.310000"
    assert row["churn_risk_scored_at"] == "2026-06-26T02:16:38" and row["as_of_date"] == "2026-06-30"
    assert found["freshness"]["status"] == "fresh" and found["freshness"]["as_of"] == "2026-06-30"
    assert missing["found"] is False and missing["rows"] == [] and missing["no_match"]


def test_no_matching_customer_says_not_to_guess(pg: DbtProject) -> None:
    check_no_match_says_not_to_guess(pg)


# ---------------------------------------------------------------------------------------------- schema checks


def test_clean_build_matches_every_declared_type(pg: DbtProject) -> None:
    """The mart and everything upstream (tables, views, seeds) as PostgreSQL reports them: no false alarm."""
    with open_project(pg) as project:
        project.check_schema(MART, upstream=True)
        sources = [project.manifest.sources[uid] for uid in project.upstream(MART_ID) if uid.startswith("source.")]
        warehouse = project.warehouse()
        for source in sources:
            declared = [(column.name, column.data_type) for column in source.columns.values()]
            found = warehouse.columns((source.database, source.schema, source.identifier))
            assert compare_columns("postgres", declared, found) == [], source.unique_id
    assert dict(found)["_loaded_at"] == "timestamp without time zone"


def test_reported_types_keep_their_modifiers(built_package_pg: DbtProject) -> None:
    with pg_warehouse(built_package_pg) as warehouse:
        found = dict(warehouse.columns(MART_RELATION))
    assert (found["customer_id"], found["customer_name"], found["total_contract_value"], found["churn_risk_score"],
            found["recent_login_count"], found["last_login_date"], found["churn_risk_scored_at"]) == (
        "bigint", "character varying", "numeric(18,2)", "numeric(9,6)", "integer", "date",
        "timestamp without time zone")


def test_a_session_lists_each_schema_once_with_the_same_answers(built_package_pg: DbtProject) -> None:
    statements: list[tuple[str, tuple]] = []
    with open_project(built_package_pg) as project:
        relations = [(n.database, n.schema, n.identifier) for n in project.manifest.nodes.values()
                     if n.resource_type in ("model", "seed") and n.config.materialized != "ephemeral"]
        # not the telemetry tables: the toolkit's table sink makes them on the first request served (none here)
        relations += [(s.database, s.schema, s.identifier or s.name) for s in project.manifest.sources.values()
                      if s.source_name != "grounding_telemetry"]
    with pg_warehouse(built_package_pg, on_query=lambda sql, params: statements.append((sql, params))) as warehouse:
        alone = [warehouse.inspect(relation) for relation in relations]
        statements.clear()
        with warehouse.session():
            batched = [warehouse.inspect(relation) for relation in relations]
            assert [warehouse.inspect(relation) for relation in relations] == batched
        listed = [params for sql, params in statements if "pg_attribute" in sql]
        assert sorted(listed) == sorted({(schema,) for _, schema, _ in relations})  # one query per schema
        assert batched == alone and all(state.columns and state.broken is None for state in batched)
        assert warehouse.connections_opened == 1


# Spellings a dbt contract may use on PostgreSQL; the server says what it stores for each.
POSTGRES_SPELLINGS = [
    "varchar", "character varying(255)", "varchar(40)", "text", "char", "char(3)", "int", "int4", "integer", "int8",
    "bigint", "smallint", "int2", "bool", "boolean", "float4", "real", "float8", "double precision", "float",
    "float(10)", "float(30)", "numeric", "decimal", "numeric(18,2)", "decimal(18, 2)", "decimal(9, 6)",
    "decimal(10, 1)", "numeric(10)", "date", "time", "timetz", "time with time zone", "time(3)", "timestamp",
    "timestamptz", "timestamp(3)", "timestamp with time zone", "timestamp without time zone",
    "timestamp(3) with time zone", "interval", "uuid", "json", "jsonb", "bytea", "int[]", "text[]", "varchar(10)[]",
    "numeric(18,2)[]", "int[][]", "integer[3]",
]


def test_type_table_matches_what_postgres_reports(built_package_pg: DbtProject, admin) -> None:
    from dbt_grounding.warehouse import types_equivalent

    with admin.cursor() as cursor:
        cursor.execute("drop schema if exists dg_types cascade; create schema dg_types")
        columns = ", ".join(f'"c{i}" {spelling}' for i, spelling in enumerate(POSTGRES_SPELLINGS))
        cursor.execute(f"create table dg_types.spellings ({columns})")
    try:
        with pg_warehouse(built_package_pg) as warehouse:
            reported = [data_type for _, data_type in warehouse.columns((None, "dg_types", "spellings"))]
    finally:
        with admin.cursor() as cursor:
            cursor.execute("drop schema dg_types cascade")
    mismatched = [(spelling, found) for spelling, found in zip(POSTGRES_SPELLINGS, reported)
                  if not types_equivalent("postgres", spelling, found)]
    assert mismatched == [] and len(reported) == len(POSTGRES_SPELLINGS)


def test_column_dropped_behind_dbts_back_names_the_column_and_its_lineage(pg: DbtProject, pg_cluster) -> None:
    columns = mart_columns(pg)
    with replaced(pg_cluster, "main_ai_grounding", MART, select_without(columns, "primary_contact_email")):
        error = refusal(pg, SchemaDriftError)
    check_dropped_email_is_explained(error)
    assert f'"main_ai_grounding"."{MART}".primary_contact_email' in error.message and "lineage: " in error.message


@pytest.mark.parametrize("cast, found", [("double precision", "double precision"), ("numeric(18,4)", "numeric(18,4)")])
def test_column_retyped_behind_dbts_back_shows_expected_and_found(pg: DbtProject, pg_cluster, cast, found) -> None:
    select_list = ", ".join(f'cast("{c}" as {cast}) as "{c}"' if c == "total_contract_value" else f'"{c}"'
                            for c in mart_columns(pg))
    with replaced(pg_cluster, "main_ai_grounding", MART, select_list):
        check_retyped_contract_value(refusal(pg, SchemaDriftError), found)


def test_dropped_relation_says_which_build_fixes_it(pg: DbtProject, pg_cluster) -> None:
    connection = pg_cluster.connect()
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(f'alter table main_ai_grounding."{MART}" rename to "{MART}__dg_saved"')
        assert f"dbt build --select +{MART}" in refusal(pg, MissingRelationError).hint
        with pg_warehouse(pg) as warehouse, pytest.raises(MissingRelationError):
            warehouse.fetch_rows(MART_RELATION, {"customer_id": CUSTOMER}, ["customer_id"], 1)
    finally:
        with connection, connection.cursor() as cursor:
            cursor.execute(f'alter table main_ai_grounding."{MART}__dg_saved" rename to "{MART}"')
        connection.close()


# ---------------------------------------------------------------------------------------------- lineage


def test_lineage_on_the_postgres_manifest(built_package: DbtProject, built_package_pg: DbtProject) -> None:
    check_lineage_is_duckdbs(built_package, built_package_pg, "postgres")


# ---------------------------------------------------------------------------------------------- the CI gate


def test_gate_on_a_clean_build_has_no_findings(pg: DbtProject) -> None:
    check_gate_is_clean(pg)


def test_check_command_passes_then_fails_on_drift(built_package_pg: DbtProject, pg_cluster, tmp_path: Path) -> None:
    lock = tmp_path / "grounding.lock.json"
    assert run_cli(built_package_pg, "lock", "--lock", str(lock)).returncode == 0
    assert json.loads(lock.read_text())["adapter"] == "postgres"
    clean = run_cli(built_package_pg, "check", "--lock", str(lock), "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["findings"] == []

    raw_tickets = _columns_except(pg_cluster, "main_raw", "support_tickets", "subject")
    mart = select_without(mart_columns(built_package_pg), "health_status")
    with replaced(pg_cluster, "main_raw", "support_tickets", raw_tickets), \
            replaced(pg_cluster, "main_ai_grounding", MART, mart):
        drifted = run_cli(built_package_pg, "check", "--lock", str(lock), "--format", "json")
    assert drifted.returncode == ExitCode.FINDINGS, drifted.stderr
    found = {(f["code"], f["node"], f["column"]) for f in json.loads(drifted.stdout)["findings"]}
    assert ("DG202", MART_ID, "health_status") in found
    assert ("DG201", "source.dbt_grounding.support.tickets", "subject") in found


def _columns_except(cluster: PostgresCluster, schema: str, table: str, dropped: str) -> str:
    with cluster.connect() as connection, connection.cursor() as cursor:
        cursor.execute("select column_name from information_schema.columns where table_schema = %s and "
                       "table_name = %s order by ordinal_position", (schema, table))
        columns = [name for (name,) in cursor.fetchall()]
    connection.close()
    assert dropped in columns
    return select_without(columns, dropped)


# ---------------------------------------------------------------------------------------------- connection


def test_warm_lookups_reuse_one_read_only_connection_and_never_spawn_dbt(
    pg: DbtProject, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"the grounding layer started a process: {args[:1]}")

    with open_project(pg, warehouse_options={"on_query": lambda sql, params: statements.append(sql)}) as project:
        project.context(MART, key={"customer_id": CUSTOMER})  # cold: lineage traced, connection opened
        monkeypatch.setattr(subprocess, "Popen", no_subprocess)  # `dbt show` would be a subprocess
        for customer in [CUSTOMER, 12, 13, NO_SUCH_CUSTOMER] * 5:
            project.context(MART, key={"customer_id": customer})
        warehouse = project.warehouse()
        assert isinstance(warehouse, PostgresWarehouse) and warehouse.connections_opened == 1
        # the server sees this one backend (an earlier test's closed connection may take a moment to leave)
        assert _wait_until_backends(admin, [warehouse.backend_pid])
        # the session is read-only: even a statement this layer never sends is refused by the server
        with warehouse._connection.cursor() as cursor, pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            cursor.execute("create table main.dg_should_not_exist (a int)")
    assert sum("set_config('statement_timeout'" in sql for sql in statements) == 1
    assert all(sql.startswith("SELECT ") for sql in statements)
    # closed with the project: the server ends the backend asynchronously after the client hangs up, so wait for
    # it to leave pg_stat_activity (a bounded wait for an event, not a timing assertion)
    assert _wait_until_backends(admin, []), "the project's connection is still open on the server after close()"


def _wait_until_backends(admin, expected_pids: list[int], attempts: int = 100) -> bool:
    """True once the server's dbt-grounding backends are exactly `expected_pids`."""
    for _ in range(attempts):
        with admin.cursor() as cursor:
            cursor.execute("select pid from pg_stat_activity where application_name = 'dbt-grounding' order by pid")
            if [pid for (pid,) in cursor.fetchall()] == sorted(expected_pids):
                return True
        time.sleep(0.05)
    return False


def test_a_dropped_connection_is_reopened_once(pg: DbtProject, admin) -> None:
    with open_project(pg) as project:
        assert project.context(MART, key={"customer_id": CUSTOMER}).found
        warehouse = project.warehouse()
        first_pid = warehouse.backend_pid
        with admin.cursor() as cursor:
            cursor.execute("select pg_terminate_backend(%s)", (first_pid,))  # a server restart, as the client sees it
        assert project.context(MART, key={"customer_id": CUSTOMER}).found
        assert warehouse.connections_opened == 2 and warehouse.backend_pid != first_pid


def test_a_lookup_past_statement_timeout_is_cancelled(built_package_pg: DbtProject, pg_cluster) -> None:
    blocker = pg_cluster.connect()  # holds a lock the lookup must wait for, so it runs past the timeout
    try:
        with blocker.cursor() as cursor:
            cursor.execute(f'lock table main_ai_grounding."{MART}" in access exclusive mode')
        with pg_warehouse(built_package_pg, statement_timeout_ms=200) as warehouse:
            with pytest.raises(WarehouseError) as caught:
                warehouse.fetch_rows(MART_RELATION, {"customer_id": CUSTOMER}, ["customer_id"], 1)
            assert "statement_timeout" in caught.value.message and caught.value.hint
            blocker.rollback()
            assert warehouse.fetch_rows(MART_RELATION, {"customer_id": CUSTOMER}, ["customer_id"], 1)
            assert warehouse.connections_opened == 1  # a cancelled statement leaves the connection usable
    finally:
        blocker.close()


# ---------------------------------------------------------------------------------------------- hostile keys


def _row_count(admin) -> int:
    with admin.cursor() as cursor:
        cursor.execute(f'select count(*) from main_ai_grounding."{MART}"')
        return cursor.fetchone()[0]


@pytest.mark.parametrize("value", HOSTILE_KEYS)
def test_hostile_key_values_stay_bound_parameters(built_package_pg: DbtProject, admin, value: str) -> None:
    before = _row_count(admin)
    statements: list[tuple[str, tuple]] = []
    with pg_warehouse(built_package_pg, on_query=lambda sql, params: statements.append((sql, params))) as warehouse:
        assert warehouse.fetch_rows(MART_RELATION, {"customer_name": value}, ["customer_id"], 5) == []
        with pytest.raises(InvalidKeyError):  # text where the column is bigint: refused by the server, typed
            warehouse.fetch_rows(MART_RELATION, {"customer_id": value}, ["customer_id"], 5)
    assert _row_count(admin) == before  # the table survives, untouched
    lookups = [(sql, params) for sql, params in statements if "WHERE" in sql]
    assert lookups and all(value not in sql and params == (value,) for sql, params in lookups)


def test_hostile_keys_through_documents_are_refused_before_sql(pg: DbtProject) -> None:
    with open_project(pg) as project:
        for value in HOSTILE_KEYS:
            with pytest.raises(InvalidKeyError):
                project.context(MART, key={"customer_id": value})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.sampled_from(HOSTILE_KEYS), st.text(max_size=200)))
def test_any_text_key_is_only_ever_a_bound_select(built_package_pg: DbtProject, value: str) -> None:
    statements: list[tuple[str, tuple]] = []
    with pg_warehouse(built_package_pg, on_query=lambda sql, params: statements.append((sql, params))) as warehouse:
        warehouse.fetch_rows(MART_RELATION, {"customer_name": "x"}, ["customer_id", "customer_name"], 5)
        template = "\n".join(sql for sql, _ in statements)
        statements.clear()
        try:
            rows = warehouse.fetch_rows(MART_RELATION, {"customer_name": value}, ["customer_id", "customer_name"], 5)
        except InvalidKeyError:  # a NUL or a lone surrogate: text PostgreSQL cannot hold
            rows = []
    assert all(row["customer_name"] == value for row in rows)
    for sql, _ in statements:
        assert sql.startswith("SELECT ") and ";" not in sql
        assert_value_only_bound(value, sql, template)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.decimals(allow_nan=False),
                       st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=50)))
def test_any_bigint_key_is_a_bound_select_or_a_typed_refusal(built_package_pg: DbtProject, value) -> None:
    with pg_warehouse(built_package_pg) as warehouse:
        try:
            rows = warehouse.fetch_rows(MART_RELATION, {"customer_id": value}, ["customer_id"], 5)
        except InvalidKeyError:
            return
    assert all(row["customer_id"] == value for row in rows)


def test_odd_identifiers_are_quoted(built_package_pg: DbtProject, admin) -> None:
    with admin.cursor() as cursor:
        # psycopg2 reads % as a marker only when parameters are passed, as in the insert
        cursor.execute('drop schema if exists "dg odd%s schema" cascade; create schema "dg odd%s schema"')
        cursor.execute('create table "dg odd%s schema"."Mixed ""Table""" ("we""ird %s col" text, "Value" int)')
        cursor.execute('insert into "dg odd%%s schema"."Mixed ""Table""" values (%s, 7)', ("k",))
    relation = (None, "dg odd%s schema", 'Mixed "Table"')
    try:
        with pg_warehouse(built_package_pg) as warehouse:
            assert warehouse.columns(relation) == [('we"ird %s col', "text"), ("Value", "integer")]
            assert warehouse.fetch_rows(relation, {'we"ird %s col': "k"}, ["Value"], 1) == [{"Value": 7}]
            assert warehouse.max_value(relation, "Value") == 7
    finally:
        with admin.cursor() as cursor:
            cursor.execute('drop schema "dg odd%s schema" cascade')


def test_a_relation_in_another_database_is_refused(built_package_pg: DbtProject) -> None:
    with pg_warehouse(built_package_pg) as warehouse, pytest.raises(ConfigurationError) as caught:
        warehouse.columns(("another_db", "main_ai_grounding", MART))
    assert "one database" in caught.value.message


# ---------------------------------------------------------------------------------------------- bad settings


def test_wrong_port_is_a_warehouse_error_with_a_hint(built_package_pg: DbtProject) -> None:
    port = free_port()  # nothing listens there
    env = {**dict(built_package_pg.extra_env), "DBT_GROUNDING_PG_PORT": str(port)}
    with environment(env), open_project(built_package_pg) as project, pytest.raises(WarehouseError) as caught:
        project.context(MART, key={"customer_id": CUSTOMER})
    error = caught.value
    assert f"127.0.0.1:{port}" in error.message and error.details["port"] == port
    assert "scripts/pg_cluster.sh start" in error.hint and "DBT_GROUNDING_PG_PORT" in error.hint
    assert error.exit_code == ExitCode.FINDINGS


def test_wrong_port_through_the_cli(built_package_pg: DbtProject) -> None:
    env = {"DBT_GROUNDING_PG_PORT": str(free_port())}
    context = run_cli(built_package_pg, "context", MART, "--key", f"customer_id={CUSTOMER}", env=env)
    assert context.returncode == ExitCode.FINDINGS and context.stdout == ""
    assert context.stderr.startswith("error: Cannot connect to PostgreSQL") and "\n  hint: " in context.stderr
    assert "Traceback" not in context.stderr
    check = run_cli(built_package_pg, "check", "--format", "json", "--lock", "absent.json", env=env)
    skipped = json.loads(check.stdout)["skipped"]
    assert any("warehouse not reachable (Cannot connect to PostgreSQL" in line for line in skipped)


def test_wrong_password_points_at_the_credentials(pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    warehouse = PostgresWarehouse({"host": "127.0.0.1", "port": pg_cluster.port, "user": "no_such_role",
                                   "password": "hunter2", "dbname": pg_cluster.database})
    with pytest.raises(WarehouseError) as caught:
        warehouse.columns(MART_RELATION)
    assert "DBT_GROUNDING_PG_USER" in caught.value.hint and "hunter2" not in str(caught.value.to_dict())
    assert "hunter2" not in repr(warehouse)


def test_artifacts_of_one_engine_are_not_read_from_another(built_package: DbtProject,
                                                          built_package_pg: DbtProject) -> None:
    """PostgreSQL artifacts with the DuckDB target selected: refused, not served from the DuckDB file's own copy."""
    with environment(duckdb_env(built_package)), open_project(built_package_pg) as project:
        with pytest.raises(ConfigurationError) as caught:
            project.context(MART, key={"customer_id": CUSTOMER})
    assert "postgres build" in caught.value.message and "duckdb" in caught.value.message
    assert "--target" in caught.value.hint
