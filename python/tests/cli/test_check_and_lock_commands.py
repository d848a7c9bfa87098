"""`dbt-grounding lock` and `check` through the console script: the lock round trip, formats, --output,
--fail-on, --select and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import duckdb
import pytest

from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
MART = "fct_customer_health_summary"


def run_cli(project: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args, "--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path)],
                          capture_output=True, text=True, timeout=180, env=project.env())


def test_lock_then_check_passes_and_the_lock_is_stable(scratch: DbtProject, tmp_path: Path) -> None:
    lock = tmp_path / "grounding.lock.json"
    assert run_cli(scratch, "lock", "--lock", str(lock)).returncode == 0
    first = lock.read_bytes()
    assert run_cli(scratch, "lock", "--lock", str(lock)).returncode == 0
    assert lock.read_bytes() == first and str(tmp_path) not in first.decode()
    assert run_cli(scratch, "lock", "--check", "--lock", str(lock)).returncode == 0
    result = run_cli(scratch, "check", "--lock", str(lock), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["findings"] == []


def test_check_without_a_lock_says_it_skipped_the_interface_check(scratch: DbtProject, tmp_path: Path) -> None:
    result = run_cli(scratch, "check", "--lock", str(tmp_path / "absent.json"), "--format", "json")
    assert result.returncode == 0
    assert any("no absent.json" in line for line in json.loads(result.stdout)["skipped"])


def test_drift_fails_the_gate_in_every_format(scratch: DbtProject, tmp_path: Path) -> None:
    lock = tmp_path / "grounding.lock.json"
    run_cli(scratch, "lock", "--lock", str(lock))
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute("alter table main_raw.support_tickets drop column subject")
    github = run_cli(scratch, "check", "--lock", str(lock), "--format", "github")
    assert github.returncode == 1
    assert any(line.startswith("::error title=DG201") and "subject" in line for line in github.stdout.splitlines())
    report = tmp_path / "report.xml"
    junit = run_cli(scratch, "check", "--lock", str(lock), "--format", "junit", "--output", str(report))
    assert junit.returncode == 1 and int(ElementTree.parse(report).getroot().get("failures")) >= 1
    sarif = json.loads(run_cli(scratch, "check", "--lock", str(lock), "--format", "sarif").stdout)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"DG201"}
    assert run_cli(scratch, "check", "--lock", str(lock), "--fail-on", "never").returncode == 0


def test_fail_on_warn_and_select(scratch: DbtProject, tmp_path: Path) -> None:
    scratch.run("parse")  # artifacts from another invocation, compiled SQL missing: warnings only
    args = ("check", "--lock", str(tmp_path / "none.json"), "--no-warehouse")
    assert run_cli(scratch, *args).returncode == 0
    assert run_cli(scratch, *args, "--fail-on", "warn").returncode == 1
    selected = json.loads(run_cli(scratch, *args, "--select", "fct_customer_support_digest", "--format", "json").stdout)
    assert not any(f["node"] == f"model.dbt_grounding.{MART}" for f in selected["findings"])


def test_a_malformed_lock_exits_2(scratch: DbtProject, tmp_path: Path) -> None:
    lock = tmp_path / "grounding.lock.json"
    lock.write_text("{not json")
    result = run_cli(scratch, "check", "--lock", str(lock))
    assert result.returncode == 2 and "dbt-grounding lock" in result.stderr
