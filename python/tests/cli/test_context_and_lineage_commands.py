"""`dbt-grounding context` and `lineage` through the console script: output formats and every exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
MART = "fct_customer_health_summary"


def run_cli(project: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**project.env()}
    return subprocess.run([CLI, *args, "--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path)],
                          capture_output=True, text=True, timeout=120, env=env)


def test_context_markdown_exit_0(built_package: DbtProject) -> None:
    result = run_cli(built_package, "context", MART, "--key", "customer_id=12")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# {MART}: customer_id = 12")


def test_context_json_with_a_token_budget(built_package: DbtProject) -> None:
    from dbt_grounding.context import default_token_counter  # noqa: PLC0415

    full = run_cli(built_package, "context", MART, "--key", "customer_id=12", "--format", "json")
    budget = default_token_counter().count(full.stdout) - 100  # the budget counts the JSON form served
    trimmed = run_cli(built_package, "context", MART, "--key", "customer_id=12", "--format", "json", "--max-tokens",
                      str(budget))
    assert full.returncode == trimmed.returncode == 0, trimmed.stderr
    assert json.loads(full.stdout)["omitted"] == []
    omitted = json.loads(trimmed.stdout)["omitted"]
    assert omitted and json.loads(trimmed.stdout)["rows"] == json.loads(full.stdout)["rows"]
    assert default_token_counter().count(trimmed.stdout) <= budget


def test_context_compact_format(built_package: DbtProject) -> None:
    from dbt_grounding.context import default_token_counter  # noqa: PLC0415

    compact = run_cli(built_package, "context", MART, "--key", "customer_id=12", "--format", "compact")
    markdown = run_cli(built_package, "context", MART, "--key", "customer_id=12")
    assert compact.returncode == 0, compact.stderr
    assert compact.stdout.startswith(f"# {MART} customer_id = 12, invocation ")
    assert "\nhealth_status: High Risk\n" in compact.stdout
    assert "## Columns" not in compact.stdout and "Cite this title" in compact.stdout
    counter = default_token_counter()
    assert counter.count(compact.stdout) * 4 < counter.count(markdown.stdout)


def test_max_tokens_400_returns_a_document(built_package: DbtProject) -> None:
    result = run_cli(built_package, "context", MART, "--key", "customer_id=12", "--max-tokens", "400")
    assert result.returncode == 0, result.stderr
    assert "\nhealth_status: High Risk\n" in result.stdout and "Omitted to fit max_tokens: " in result.stdout


def test_passing_tests_are_listed_on_request(built_package: DbtProject) -> None:
    counted = json.loads(run_cli(built_package, "context", MART, "--key", "customer_id=12", "--format", "json").stdout)
    listed = json.loads(run_cli(built_package, "context", MART, "--key", "customer_id=12", "--format", "json",
                                "--list-tests").stdout)
    passing = counted["test_counts"]["by_status"]["pass"]
    assert counted["tests"] == [] and passing > 100
    assert len(listed["tests"]) == passing and listed["test_counts"]["passing_listed"] is True


@pytest.mark.parametrize("args, message", [
    (("context", "no_such_model", "--key", "customer_id=1"), "named 'no_such_model'"),
    (("context", MART, "--key", "customer_name=Acme"), "not a key column"),
    (("context", MART, "--key", "customer_id"), "is not COLUMN=VALUE"),
    (("context", MART, "--key", "customer_id=1; drop table x"), "expected an integer"),
    (("lineage", "no_such_model"), "named 'no_such_model'"),
    (("context", MART, "--key", "customer_id=12", "--max-tokens", "50"), "needs at least"),
])
def test_usage_problems_exit_2(built_package: DbtProject, args, message: str) -> None:
    result = run_cli(built_package, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_drift_exits_1_naming_the_column(built_package: DbtProject, tmp_path: Path) -> None:
    from dbt_runner import copy_build  # noqa: PLC0415 - the shared scratch-copy helper

    scratch = copy_build(built_package, tmp_path / "scratch")
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        connection.execute(f"create or replace table main_ai_grounding.{MART} as "
                           f"select * exclude (health_status) from main_ai_grounding.{MART}")
    result = run_cli(scratch, "context", MART, "--key", "customer_id=12")
    assert result.returncode == 1 and result.stdout == ""
    assert "schema drift" in result.stderr and "health_status" in result.stderr


def test_missing_artifacts_exit_3(tmp_path: Path) -> None:
    result = subprocess.run([CLI, "context", MART, "--key", "customer_id=1", "--project-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and "run `dbt build`" in result.stderr


@pytest.mark.parametrize("fmt, marker", [("text", "upstream:"), ("json", '"upstream"'), ("mermaid", "flowchart LR")])
def test_lineage_formats(built_package: DbtProject, fmt: str, marker: str) -> None:
    result = run_cli(built_package, "lineage", MART, "--format", fmt)
    assert result.returncode == 0 and marker in result.stdout


def test_column_lineage_names_source_columns(built_package: DbtProject) -> None:
    result = run_cli(built_package, "lineage", MART, "--columns", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "source.dbt_grounding.ml.churn_scores" in result.stdout and "churn_risk_score" in result.stdout
