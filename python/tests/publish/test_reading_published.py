"""Documents read from the published build: served while a dbt command holds the warehouse file, untouched by what
happens to the warehouse after publishing, and saying when a newer build was not published."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject, copy_build
from dbt_grounding import GroundingProject
from dbt_grounding.errors import ConfigurationError

CLI = str(Path(sys.executable).with_name("dbt-grounding"))
MART = "fct_customer_health_summary"


@pytest.fixture()
def published(built_package: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    scratch = copy_build(built_package, tmp_path / "scratch")
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(scratch.duckdb_path))
    result = subprocess.run([CLI, "publish", "--project-dir", str(REPO_ROOT), "--target-path",
                             str(scratch.target_path)], capture_output=True, text=True, timeout=300, env=scratch.env())
    assert result.returncode == 0, result.stderr
    return scratch


def _open(project: DbtProject) -> GroundingProject:
    return GroundingProject.open(REPO_ROOT, target_path=project.target_path, published=True)


def test_nothing_published_is_a_configuration_error(built_package, tmp_path) -> None:
    scratch = copy_build(built_package, tmp_path / "scratch")
    with pytest.raises(ConfigurationError, match="No build of this project is published"):
        _open(scratch)


def test_served_while_a_writer_holds_the_warehouse_and_blind_to_later_changes(published: DbtProject) -> None:
    with _open(published) as project:
        before = project.context(MART, {"customer_id": 51})
    with duckdb.connect(str(published.duckdb_path)) as writer:  # dbt holds the file, and changes the mart under it
        writer.execute(f"UPDATE main_ai_grounding.{MART} SET health_status = 'Changed'")
        writer.execute(f"ALTER TABLE main_ai_grounding.{MART} DROP COLUMN segment")
        # this process holds the file read-write: the published copy is another file, so serving does not wait
        with _open(published) as project:
            after = project.context(MART, {"customer_id": 51})
    assert after.rows == before.rows and after.rows[0]["health_status"] != "Changed"
    assert any(w.startswith("Served from the published build of") for w in after.warnings)
    assert not any(w.startswith("A newer build") for w in after.warnings)


def test_documents_share_one_held_single_threaded_connection(published: DbtProject) -> None:
    """The defaults on a published build: every document on one held connection (no open per document), DuckDB on
    one worker thread for these point lookups, and the answers those of the warehouse itself."""
    keys = [51, 52, 53, 51, 54]
    with _open(published) as project:
        documents = [project.context(MART, {"customer_id": key}) for key in keys]
        warehouse = project.warehouse()
        assert warehouse.connected and warehouse.connections_opened == 1 and warehouse.threads == 1
    with duckdb.connect(str(published.duckdb_path), read_only=True) as connection:
        names = dict(connection.execute(f"SELECT customer_id, customer_name FROM main_ai_grounding.{MART}"
                                        " WHERE customer_id IN (51, 52, 53, 54)").fetchall())
    assert [document.rows[0]["customer_name"] for document in documents] == [names[key] for key in keys]


def test_a_newer_build_that_was_not_published_is_stated(published: DbtProject) -> None:
    published.run("run", "--select", MART, "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
    with _open(published) as project:
        document = project.context(MART, {"customer_id": 51})
    assert any(w.startswith("A newer build (dbt invocation") for w in document.warnings), document.warnings
    with GroundingProject.open(REPO_ROOT, target_path=published.target_path, published=False) as in_place:
        assert in_place.context(MART, {"customer_id": 51}).citation.invocation_id != document.citation.invocation_id


def test_the_server_publishes_each_build_and_serves_the_last_published(published: DbtProject) -> None:
    """LiveProject(published=True), as `serve --published`: the first call serves the published build; after a real
    `dbt run` of the mart the next calls go on being served while the new build is audited and published in the
    background, then the new build is served; the warehouse file is never held between calls."""
    from dbt_grounding.agent import LiveProject

    live = LiveProject(REPO_ROOT, target_path=published.target_path, role="restricted", published=True)
    try:
        with live.using() as project:
            first = project.context(MART, {"customer_id": 51}).citation.invocation_id
        published.run("run", "--select", MART, "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
        served, deadline = [], time.monotonic() + 300  # the gate's audit and the copy, in the background
        while time.monotonic() < deadline:
            with live.using() as project:
                served.append(project.context(MART, {"customer_id": 51}).citation.invocation_id)
            if served[-1] != first:
                break
            live._publishing.join(0.1)
        assert served[-1] != first, live.last_publish
        assert set(served) <= {first, served[-1]}  # no call failed or saw anything but one build or the next
        with duckdb.connect(str(published.duckdb_path)) as writer:  # nothing of the server holds the warehouse
            writer.execute("SELECT 1")
    finally:
        live.close()


def test_the_server_starts_no_publish_while_a_dbt_command_runs(published: DbtProject) -> None:
    """dbt writes manifest.json when a command has parsed and run_results.json when it ends, so between the two (as
    a real `dbt parse` leaves them) a publish would be refused: the server starts none (every server used to read
    the artifacts in a thread at each build's start only to be refused) and goes on serving the published build."""
    from dbt_grounding.agent import LiveProject

    live = LiveProject(REPO_ROOT, target_path=published.target_path, role="restricted", published=True)
    try:
        with live.using() as project:
            first = project.context(MART, {"customer_id": 51}).citation.invocation_id
        attempt, outcome = live._publishing, live.last_publish  # the first call's: the build already published
        published.run("parse", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
        target = published.target_path
        assert (target / "manifest.json").stat().st_mtime_ns > (target / "run_results.json").stat().st_mtime_ns
        for _ in range(3):
            with live.using() as project:
                assert project.context(MART, {"customer_id": 51}).citation.invocation_id == first
        assert live._publishing is attempt and live.last_publish is outcome
    finally:
        live.close()
