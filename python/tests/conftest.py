"""Session fixtures: the package really built by dbt on a scratch DuckDB file, once per test session, and on the
other engines (a throwaway PostgreSQL cluster, Spark in local mode) for the tests marked `pg` and `spark`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject, build_gate_library, copy_build
from engines import SPARK_BUILD_OUTPUT, PostgresCluster, postgres_cluster, require_java, spark_env
from moved_target_shop import Shop
from shared_builds import build_once


# The suite reads every mart as the most privileged built-in role, as it did before roles existed; the tests of roles
# (grounding/test_roles.py, serving/test_access.py) name their roles themselves. Subprocesses inherit it.
os.environ.setdefault("DBT_GROUNDING_ROLE", "restricted")
# Telemetry is on by default for users; in the suite it is off, or every test reading a shared build would log its
# requests (errors on purpose among them) into that build's target folder, and a later `dbt build` of a copy would
# model them and fail the SLA tests. The tests of telemetry and monitoring turn it on themselves.
os.environ.setdefault("DBT_GROUNDING_TELEMETRY", "off")


@pytest.fixture(scope="session")
def built_package(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The package seeded and built (models, data tests, unit tests) with the as-of date pinned."""
    return build_once(tmp_path_factory, "package", lambda work_dir: _seed_and_build(DbtProject(REPO_ROOT, work_dir)))


@pytest.fixture(scope="session")
def built_plain_project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A plain dbt project without any grounding meta, built: the Python layer must work on it with defaults."""
    return build_once(tmp_path_factory, "plain_project", lambda work_dir: _built(DbtProject(
        REPO_ROOT / "python" / "tests" / "fixtures" / "plain_project", work_dir,
        duckdb_path_env_var="PLAIN_SHOP_DUCKDB_PATH",
    )))


@pytest.fixture(scope="session")
def built_gate_library(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A small lending-library project as people write them, built, with the catalog and source freshness of the
    same build beside its artifacts (fixtures/gate_library: the gate's configuration, fuzz and other-project tests)."""
    return build_once(tmp_path_factory, "gate_library", build_gate_library)


@pytest.fixture(scope="session")
def built_snapshot_shop(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """fixtures/snapshot_shop copied to a scratch folder (`dbt deps` installs its local package there), its raw
    tables loaded (`dbt seed`, as a loader would) and built: snapshot, incremental models, a Python model."""
    return build_once(tmp_path_factory, "snapshot_shop", _build_snapshot_shop)


def _build_snapshot_shop(work_dir: Path) -> DbtProject:
    copy = work_dir / "project"
    shutil.copytree(REPO_ROOT / "python" / "tests" / "fixtures" / "snapshot_shop", copy,
                    ignore=shutil.ignore_patterns("dbt_packages", "target", "logs", "*.duckdb"))
    project = DbtProject(copy, work_dir, duckdb_path_env_var="SNAPSHOT_SHOP_DUCKDB_PATH")
    project.run("deps")
    project.run("seed")
    project.run("build")
    # the shop changes a customer's e-mail; the next build (the raw tables left as loaded) snapshots the new
    # version and runs the incremental models incrementally
    with duckdb.connect(str(project.duckdb_path)) as connection:
        connection.execute("update main_raw.raw_customers set email = 'hedy.lamarr@example.com', "
                           "updated_at = timestamp '2026-06-20 08:00:00' where id = 51")
    project.run("build", "--exclude", "resource_type:seed")
    return project


@pytest.fixture(scope="session")
def built_bikeshare_views(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A small real-looking project whose staging and intermediate models are views over seeds, built."""
    return build_once(tmp_path_factory, "bikeshare_views", lambda work_dir: _built(DbtProject(
        REPO_ROOT / "python" / "tests" / "fixtures" / "bikeshare_views", work_dir,
        duckdb_path_env_var="BIKESHARE_DUCKDB_PATH",
    )))


@pytest.fixture(scope="session")
def built_moved_target_shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """fixtures/moved_target_shop built by `dbt build` run in its folder; nothing has read its artifacts yet, so a
    test that runs the toolkit on it works on a copy (`Shop.copy_of(tmp_path, built_moved_target_shop)`)."""

    def build(work_dir: Path) -> Shop:
        shop = Shop.copy_of(work_dir)
        shop.dbt("build")
        return shop

    return build_once(tmp_path_factory, "moved_target_shop", build)


@pytest.fixture()
def warehouse(built_package: DbtProject):
    """A read-only connection to the built DuckDB file."""
    connection = duckdb.connect(str(built_package.duckdb_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture()
def scratch(built_package: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    """A copy of the built warehouse and artifacts; the profile's DuckDB path points at the copy."""
    project = copy_build(built_package, tmp_path / "scratch")
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(project.duckdb_path))
    return project


def _built(project: DbtProject) -> DbtProject:
    project.run("build")
    return project


def _seed_and_build(project: DbtProject) -> DbtProject:
    project.run("seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}")
    project.run("build", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
    return project


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway PostgreSQL cluster on a free loopback port, stopped and deleted after the session."""
    with postgres_cluster(tmp_path_factory.mktemp("postgres") / "data") as cluster:
        yield cluster


@pytest.fixture(scope="session")
def built_package_pg(pg_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The package seeded and built on PostgreSQL (target `pg`, schema `main`)."""
    project = DbtProject(REPO_ROOT, tmp_path_factory.mktemp("package_pg"), extra_env=pg_cluster.dbt_env())
    return _seed_and_build(project)


@pytest.fixture(scope="session")
def built_package_spark(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The package seeded and built on Spark (target `spark`). The Derby metastore admits one process at a time:
    these dbt runs happen before any test opens Spark in the test process, and no Spark test runs dbt again."""
    require_java()
    work_dir = tmp_path_factory.mktemp("package_spark")
    project = DbtProject(REPO_ROOT, work_dir, extra_env=spark_env(work_dir / "spark"))
    # one process for both commands: Spark starts (JVM, metastore, JIT warm-up) once
    result = project.run_in_one_process(
        ("seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}"),
        ("build", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}"),
    )
    (work_dir / SPARK_BUILD_OUTPUT).write_text(result.stdout + result.stderr)
    return project
