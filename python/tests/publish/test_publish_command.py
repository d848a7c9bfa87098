"""`dbt-grounding publish` on a copy of the built demo: the gate passes, the grounding marts are copied whole beside
the artifacts the gate judged; publishing the same build again copies nothing; a build the gate refuses is not
published and the last published build stays current."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dbt_runner import REPO_ROOT, DbtProject, copy_build
from dbt_grounding.publish import read_current
from dbt_grounding.publish.store import published_dir

CLI = str(Path(sys.executable).with_name("dbt-grounding"))
MARTS = {"fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"}


def publish(project: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "publish", *args, "--project-dir", str(REPO_ROOT), "--target-path",
                           str(project.target_path)], capture_output=True, text=True, timeout=300, env=project.env())


@pytest.fixture()
def scratch(built_package: DbtProject, tmp_path: Path) -> DbtProject:
    return copy_build(built_package, tmp_path / "scratch")


def _rows(path: Path, schema: str, identifier: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(f'SELECT * FROM "{schema}"."{identifier}" ORDER BY ALL').fetchall()


def test_publish_copies_the_grounding_marts_and_the_artifacts_once(scratch: DbtProject) -> None:
    result = publish(scratch, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    current = read_current(scratch.target_path)
    assert report["copied"] is True and report["published"]["snapshot"] == current.snapshot
    assert {mart.identifier for mart in current.marts} == MARTS
    folder = published_dir(scratch.target_path) / current.snapshot
    for mart in current.marts:
        copied = _rows(folder / "warehouse.duckdb", mart.schema, mart.identifier)
        assert copied == _rows(scratch.duckdb_path, mart.schema, mart.identifier) and len(copied) == mart.rows > 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["metadata"]["invocation_id"] == json.loads(
        (scratch.target_path / "manifest.json").read_text())["metadata"]["invocation_id"]
    assert (folder / "dbt_grounding" / "build_results.json").is_file()  # the build status the gate judged
    assert current.verdict.errors == 0

    again = publish(scratch)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"already published {current.snapshot}")
    assert read_current(scratch.target_path) == current


def test_a_build_the_gate_refuses_is_not_published(scratch: DbtProject) -> None:
    assert publish(scratch).returncode == 0
    before = read_current(scratch.target_path)
    with duckdb.connect(str(scratch.duckdb_path)) as connection:  # the mart changed behind dbt's back
        (schema,) = connection.execute("SELECT table_schema FROM information_schema.tables "
                                       "WHERE table_name = 'fct_customer_health_summary'").fetchone()
        connection.execute(f'ALTER TABLE "{schema}".fct_customer_health_summary DROP COLUMN health_status')
    refused = publish(scratch)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "not published" in refused.stderr and "health_status" in refused.stderr
    assert read_current(scratch.target_path) == before
    assert "health_status" in dict(next(m for m in before.marts if m.identifier == "fct_customer_health_summary").columns)


def test_nothing_is_published_while_a_dbt_command_runs(scratch: DbtProject) -> None:
    """dbt has parsed (manifest.json rewritten) and not ended (run_results.json older): the warehouse may hold half a
    build, so the copy is refused and nothing is written."""
    manifest = scratch.target_path / "manifest.json"
    later = (scratch.target_path / "run_results.json").stat().st_mtime_ns + 1_000_000_000
    os.utime(manifest, ns=(later, later))
    refused = publish(scratch)
    assert refused.returncode == 1 and "a dbt command is running" in refused.stderr, refused.stderr
    assert read_current(scratch.target_path) is None
    assert not published_dir(scratch.target_path).exists()
