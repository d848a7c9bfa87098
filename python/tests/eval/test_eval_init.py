"""`dbt-grounding eval init MART --sample N` on a plain dbt project (no grounding meta): a starter golden set from
the mart's rows, marked for review, that `eval` then runs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from dbt_grounding.evaluation import load_golden

from eval_helpers import CLI
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


def cli(built: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "eval", *args, "--project-dir", str(built.project_dir), "--target-path",
                           str(built.target_path), "--profiles-dir", str(built.project_dir)],
                          env=built.env(), capture_output=True, text=True, timeout=300)


def test_a_starter_set_from_a_plain_projects_mart_runs_and_its_facts_hold(built_plain_project: DbtProject,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "starter.yml"
    done = cli(built_plain_project, "init", "customers", "--sample", "2", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote 2 cases" in done.stdout  # of its 3 customers
    golden = load_golden(out)
    assert len(golden) == 2 and all(case.review and case.expect == "answer" for case in golden.cases)
    assert all(case.mart == "customers" and set(case.key) == {"customer_id"} for case in golden.cases)
    assert all({"order_count", "lifetime_value"} <= {f.column for f in case.facts} for case in golden.cases)
    assert "email" not in {f.column for case in golden.cases for f in case.facts}  # served as fenced text
    assert any("lifetime value" in case.question or "order count" in case.question for case in golden.cases)
    result = cli(built_plain_project, str(out), "--format", "json")
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["fact_recall"] == 1.0 and metrics["unsupported_facts"] == 0, result.stdout
    assert "review: true" in json.loads(result.stdout)["notes"][0]


def test_init_names_an_unknown_mart(built_plain_project: DbtProject) -> None:
    done = cli(built_plain_project, "init", "nope", "--sample", "2")
    assert done.returncode in (2, 5) and done.stderr.startswith("error:") and "Traceback" not in done.stderr
