"""PostgreSQL and Spark targets read from the dbt profile, and every way they can be unusable before any server or
JVM is involved: unsupported Spark methods, missing drivers, missing Java, a missing or locked Derby metastore.
No engine runs here (tests/engines has those)."""

from __future__ import annotations

import decimal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dbt_grounding.errors import ConfigurationError, InvalidKeyError, WarehouseError
from dbt_grounding.warehouse import PostgresWarehouse, SparkWarehouse, load_connection_settings, open_warehouse
from dbt_grounding.warehouse.spark_session import derby_metastore_path
from dbt_runner import REPO_ROOT

PROFILE = """
    shop:
      target: pg
      outputs:
        pg:
          type: postgres
          host: db.internal
          port: "{{ env_var('PGPORT', '6543') }}"
          user: reader
          pass: "{{ env_var('PG_PASSWORD') }}"
          dbname: analytics
          schema: marts
          sslmode: require
          keepalives_idle: 0
        pg_nohost:
          type: postgres
          user: reader
          dbname: analytics
        pg_badport:
          type: postgres
          host: db.internal
          port: five
          user: reader
          dbname: analytics
        session:
          type: spark
          method: session
          host: NA
          schema: marts
          server_side_parameters:
            spark.master: "local[1]"
            spark.sql.adaptive.enabled: false
            spark.sql.shuffle.partitions: 2
        thrift:
          type: spark
          method: thrift
          host: spark.internal
          schema: marts
        odbc:
          type: spark
          method: odbc
          host: spark.internal
          schema: marts
        spark_db:
          type: spark
          method: session
          host: NA
          schema: marts
          database: other
        snowflake:
          type: snowflake
          account: acme
          password: "{{ env_var('PG_PASSWORD') }}"
    """


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "dbt_project.yml").write_text("name: shop\nprofile: shop\nconfig-version: 2\n")
    (project_dir / "profiles.yml").write_text(textwrap.dedent(PROFILE))
    return project_dir


def load(project_dir: Path, target: str, **environ: str):
    return load_connection_settings(project_dir, target=target, environ={"PG_PASSWORD": "hunter2", **environ})


def test_postgres_output_with_dbt_postgres_aliases(project: Path) -> None:
    settings = load(project, "pg")
    assert settings.adapter_type == "postgres"
    output = settings.settings
    assert (output["host"], output["port"], output["user"], output["database"], output["password"]) == (
        "db.internal", 6543, "reader", "analytics", "hunter2")  # `pass`, `dbname` and a text port resolved
    assert "dbname" not in output and "pass" not in output
    assert "hunter2" not in repr(settings)
    warehouse = open_warehouse(settings)
    assert isinstance(warehouse, PostgresWarehouse) and not warehouse.connected  # nothing connects yet
    assert "hunter2" not in repr(warehouse) and "db.internal:6543" in repr(warehouse)
    kwargs = warehouse._connect_kwargs
    assert kwargs["sslmode"] == "require" and kwargs["dbname"] == "analytics" and "keepalives_idle" not in kwargs


def test_postgres_output_lacking_host_or_with_a_bad_port(project: Path) -> None:
    with pytest.raises(ConfigurationError) as missing:
        load(project, "pg_nohost")
    assert missing.value.details["missing"] == ["host"] and "host" in missing.value.message
    with pytest.raises(ConfigurationError) as port:
        load(project, "pg_badport")
    assert "'five'" in port.value.message and "as_number" in port.value.hint


def test_an_unsupported_adapter_is_refused_without_rendering_secrets_into_the_error(project: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, "snowflake")
    assert raised.value.details["adapter"] == "snowflake"
    assert "duckdb, postgres, spark" in raised.value.hint
    assert "hunter2" not in str(raised.value.to_dict())


def test_spark_session_output(project: Path) -> None:
    settings = load(project, "session")
    parameters = settings.settings["server_side_parameters"]
    # Spark reads settings as text: YAML's false and 2 become what spark-defaults.conf would hold
    assert parameters == {"spark.master": "local[1]", "spark.sql.adaptive.enabled": "false",
                          "spark.sql.shuffle.partitions": "2"}
    assert settings.settings["database"] is None
    assert isinstance(open_warehouse(settings), SparkWarehouse)


@pytest.mark.parametrize("target", ["thrift", "odbc"])
def test_spark_methods_other_than_session_are_refused_with_the_reason(project: Path, target: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, target)
    assert f"method {target!r}" in raised.value.message and "only through `method: session`" in raised.value.message
    assert "inside this process" in raised.value.hint and "driver" in raised.value.hint


def test_spark_database_must_be_the_schema(project: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, "spark_db")
    assert "no database level" in raised.value.message


def test_the_packages_own_engine_targets_resolve() -> None:
    pg = load_connection_settings(REPO_ROOT, environ={"DBT_GROUNDING_TARGET": "pg", "DBT_GROUNDING_PG_PORT": "5999"})
    assert (pg.adapter_type, pg.settings["port"], pg.settings["database"]) == ("postgres", 5999, "dbt_grounding")
    spark = load_connection_settings(REPO_ROOT, environ={"DBT_GROUNDING_TARGET": "spark",
                                                         "DBT_GROUNDING_SPARK_DIR": "/srv/spark"})
    parameters = spark.settings["server_side_parameters"]
    assert derby_metastore_path(parameters) == Path("/srv/spark/metastore_db")
    assert parameters["spark.sql.session.timeZone"] == "UTC"


def test_derby_metastore_path_as_hive_and_derby_resolve_it(tmp_path: Path) -> None:
    url = "spark.hadoop.javax.jdo.option.ConnectionURL"
    assert derby_metastore_path({url: "jdbc:derby:;databaseName=/data/ms;create=true"}) == Path("/data/ms")
    assert derby_metastore_path({url: "jdbc:derby:/data/ms;create=true"}) == Path("/data/ms")
    home = {url: "jdbc:derby:;databaseName=ms;create=true", "spark.driver.extraJavaOptions": "-Dderby.system.home=/h"}
    assert derby_metastore_path(home) == Path("/h/ms")
    assert derby_metastore_path({}, cwd=tmp_path) == tmp_path / "metastore_db"  # Hive's default, in the cwd
    assert derby_metastore_path({url: "jdbc:derby:memory:ms;create=true"}) is None
    assert derby_metastore_path({url: "jdbc:mysql://db/hive"}) is None
    assert derby_metastore_path({"spark.hadoop.hive.metastore.uris": "thrift://ms:9083"}) is None


def test_an_in_memory_spark_catalog_is_refused() -> None:
    with pytest.raises(ConfigurationError) as raised:
        SparkWarehouse({"spark.sql.catalogImplementation": "in-memory"})
    assert "only inside the dbt process" in raised.value.message


# ---------------------------------------------------------------------------------------------- before any engine


def test_missing_psycopg2_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # import psycopg2 now raises ImportError
    with pytest.raises(ConfigurationError) as raised:
        PostgresWarehouse({"host": "localhost", "user": "u", "dbname": "d"})
    assert raised.value.hint == "pip install 'dbt-grounding[postgres]'"


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(ConfigurationError) as raised:
        SparkWarehouse({}).columns((None, "main", "t"))
    assert raised.value.hint == "pip install 'dbt-grounding[spark]'"


@pytest.fixture()
def no_spark_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a fresh process: the checks made before Spark's JVM starts run (a JVM started by another test of this
    session would otherwise be reused, and nothing would need starting)."""
    pytest.importorskip("pyspark", reason="pyspark is an optional extra")  # the spark extra is not installed
    from pyspark import SparkContext

    monkeypatch.setattr(SparkContext, "_active_spark_context", None)


def _metastore_parameters(path: Path) -> dict[str, str]:
    return {"spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={path};create=true"}


def test_without_java_spark_is_a_warehouse_error(no_spark_running, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(WarehouseError) as raised:
        SparkWarehouse(_metastore_parameters(tmp_path / "metastore_db")).columns((None, "main", "t"))
    assert "Spark needs Java 17" in raised.value.message and "openjdk-17" in raised.value.hint


def test_a_metastore_dbt_never_created_is_a_warehouse_error(no_spark_running, tmp_path: Path) -> None:
    with pytest.raises(WarehouseError) as raised:
        SparkWarehouse(_metastore_parameters(tmp_path / "metastore_db")).columns((None, "main", "t"))
    assert "does not exist" in raised.value.message and "dbt build" in raised.value.hint
    assert not (tmp_path / "metastore_db").exists()  # not created by asking


def test_a_metastore_locked_by_another_process_is_a_warehouse_error(no_spark_running, tmp_path: Path) -> None:
    """Derby holds an fcntl lock on dbex.lck while a process has the database booted (the real case, a Derby held
    by another Spark process, is in tests/engines/test_spark_grounding.py)."""
    metastore = tmp_path / "metastore_db"
    metastore.mkdir()
    (metastore / "service.properties").write_text("")
    (metastore / "dbex.lck").write_text("")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys\n"
         f"fd = os.open({str(metastore / 'dbex.lck')!r}, os.O_RDWR)\n"
         "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseError) as raised:
            SparkWarehouse(_metastore_parameters(metastore)).columns((None, "main", "t"))
        assert "locked by another process" in raised.value.message
        assert "one Spark job at a time" in raised.value.hint
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize("value", [10**40, -(10**39), decimal.Decimal("1E+50"), decimal.Decimal("1E-40")])
def test_a_number_no_spark_type_holds_is_refused_before_spark_starts(value) -> None:
    with pytest.raises(InvalidKeyError) as raised:
        SparkWarehouse({}).fetch_rows((None, "main", "t"), {"customer_id": value}, ["customer_id"], 1)
    assert "38 digits" in raised.value.message
