"""`dbt-grounding verify`: the installed CLI in a fresh process, against a document of the demo build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dbt_runner import REPO_ROOT, DbtProject

CLI = str(Path(sys.executable).parent / "dbt-grounding")
MART = ["--mart", "fct_customer_health_summary", "--key", "customer_id=1", "--role", "internal"]


def run_cli(project: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args, "--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path)],
                          capture_output=True, text=True, env=project.env(), cwd=REPO_ROOT, check=False)


def test_an_answer_with_a_wrong_status_exits_1_and_names_it(built_package: DbtProject, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("Northwind Health is High Risk with ARR of $57k as of June 30, 2026.", encoding="utf-8")
    result = run_cli(built_package, "verify", str(answer), *MART, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["unsupported"] == ["High Risk"]
    assert [claim["kind"] for claim in report["claims"]] == ["name", "status", "number", "date"]


def test_a_supported_answer_exits_0_and_saved_documents_work_too(built_package: DbtProject, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("Northwind Health is Healthy; 2 open tickets, last login June 4, 2026.", encoding="utf-8")
    result = run_cli(built_package, "verify", str(answer), *MART)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "0 of 4 claims unsupported"
    saved = tmp_path / "document.md"
    saved.write_text(run_cli(built_package, "context", "fct_customer_health_summary", "--key", "customer_id=1",
                             "--role", "internal", "--format", "compact").stdout,
                     encoding="utf-8")
    result = run_cli(built_package, "verify", str(answer), "--document", str(saved), "--role", "internal")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_documents_or_with_an_unreadable_answer_it_is_a_usage_error(built_package: DbtProject,
                                                                            tmp_path: Path) -> None:
    result = run_cli(built_package, "verify", str(tmp_path / "missing.txt"), *MART)
    assert result.returncode == 2 and result.stderr.startswith("error: cannot read ")
    answer = tmp_path / "answer.txt"
    answer.write_text("ARR is $5.", encoding="utf-8")
    result = run_cli(built_package, "verify", str(answer))
    assert result.returncode == 2 and "hint: give --mart" in result.stderr
    assert "Traceback" not in result.stderr
