"""`dbt-grounding models` on real artifacts, through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dbt_runner import REPO_ROOT, DbtProject

CLI = str(Path(sys.executable).with_name("dbt-grounding"))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


def test_models_lists_the_grounding_marts_with_key_freshness_and_tests(built_package: DbtProject) -> None:
    result = run_cli("models", "--project-dir", str(REPO_ROOT), "--target-path", str(built_package.target_path),
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["model"]: row for row in json.loads(result.stdout)}
    assert sorted(rows) == ["fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"]
    health = rows["fct_customer_health_summary"]
    assert (health["key"], health["declared"], health["freshness"], health["access"]) == (["customer_id"], True, "fresh", "internal")
    assert health["tests"].endswith(" pass") and "fail" not in health["tests"]


def test_models_text_table(built_package: DbtProject) -> None:
    result = run_cli("models", "--project-dir", str(REPO_ROOT), "--target-path", str(built_package.target_path))
    assert result.returncode == 0
    header, rule, *lines = result.stdout.splitlines()
    assert header.split()[:3] == ["model", "key", "freshness"]
    assert set(rule.replace(" ", "")) == {"-"} and len(lines) == 3


def test_models_on_a_plain_project_uses_keys_dbt_knows(built_plain_project: DbtProject) -> None:
    result = run_cli("models", "--project-dir", str(built_plain_project.project_dir),
                     "--target-path", str(built_plain_project.target_path), "--format", "json")
    rows = {row["model"]: row for row in json.loads(result.stdout)}
    assert {name: (row["key"], row["freshness"], row["declared"]) for name, row in rows.items()} == {
        "customers": (["customer_id"], "unchecked", False),
        "orders": (["order_id"], "unchecked", False),
    }


def test_missing_artifacts_exit_3_with_a_hint(tmp_path: Path) -> None:
    result = run_cli("models", "--project-dir", str(tmp_path))
    assert result.returncode == 3
    assert result.stdout == ""
    assert "manifest.json not found" in result.stderr and "hint: run `dbt build`" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2() -> None:
    result = run_cli("models", "--format", "yaml")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert run_cli("no-such-command").returncode == 2
