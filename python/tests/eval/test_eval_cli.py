"""`dbt-grounding eval` as users run it: formats, the audit's exit code, --baseline, --answers, typed errors."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from eval_helpers import CLI, DEMO_GOLDEN
from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt


def eval_cli(built: DbtProject, *args: str, telemetry: str = "jsonl") -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "eval", *args, "--project-dir", str(REPO_ROOT), "--target-path",
                           str(built.target_path)], env={**built.env(), "DBT_GROUNDING_TELEMETRY": telemetry},
                          capture_output=True, text=True, timeout=600)


def subset(tmp_path: Path, ids: list[str] | None = None, *, count: int = 0, change=None) -> Path:
    data = yaml.safe_load(DEMO_GOLDEN.read_text())
    cases = data["cases"]
    picked = [c for c in cases if c["id"] in ids] if ids else []
    if count:
        kinds = {}
        for case in cases:  # one of each expectation and reason first
            kinds.setdefault((case["expect"], case.get("reason")), case)
        picked += list(kinds.values())[:count]
    if change:
        change(picked)
    path = tmp_path / "golden.yml"
    path.write_text(yaml.safe_dump({**data, "cases": picked}, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def full_json(built_package: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path_factory.mktemp("eval") / "result.json"
    telemetry = out.parent / "telemetry"
    telemetry.mkdir()
    done = eval_cli(built_package, str(DEMO_GOLDEN), "--format", "json", "--output", str(out), "--monitoring",
                    str(telemetry), "--progress")
    return done, json.loads(out.read_text()) if out.exists() else {}


def test_the_demo_set_passes_the_audit_when_monitoring_is_configured(full_json) -> None:
    done, result = full_json
    assert done.returncode == 0, done.stderr + json.dumps(result.get("audit"), indent=1)
    assert "cases" in done.stderr and "265/265" in done.stderr  # the progress bar
    assert result["passed"] is True and all(row["passed"] for row in result["audit"])
    assert result["metrics"]["fact_recall"] == 1.0 and result["metrics"]["pii_leaks"] == 0
    assert len(result["cases"]) == result["metrics"]["cases"] >= 250


def test_without_monitoring_the_audit_fails_and_says_why(built_package: DbtProject, tmp_path: Path) -> None:
    done = eval_cli(built_package, str(subset(tmp_path, count=3)), telemetry="off")
    assert done.returncode == 1, done.stderr
    assert "FAIL  monitoring configured" in done.stdout and "not configured (telemetry off" in done.stdout
    assert "FAIL  golden cases before go-live" in done.stdout  # 3 cases < 50
    assert "annualized cost at 10 queries/minute" in done.stdout
    assert done.stdout.rstrip().endswith("result: FAIL")


def test_markdown_and_junit(built_package: DbtProject, tmp_path: Path) -> None:
    golden = subset(tmp_path, count=4)
    markdown = eval_cli(built_package, str(golden), "--format", "markdown")
    assert markdown.stdout.startswith("# Eval: ") and "## Production threshold audit" in markdown.stdout
    assert "| fact recall | 1.000 |" in markdown.stdout
    junit = eval_cli(built_package, str(golden), "--format", "junit", telemetry="off")
    suite = ElementTree.fromstring(junit.stdout).find("testsuite")
    cases = suite.findall("testcase")
    assert len([c for c in cases if c.get("classname") == "golden"]) == 4
    assert len([c for c in cases if c.get("classname") == "audit"]) == 6
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert "monitoring configured" in failed and int(suite.get("failures")) == len(failed)


def test_a_regression_against_the_baseline_fails(built_package: DbtProject, tmp_path: Path, full_json) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(full_json[1]))

    def wrong_fact(cases):
        answer = next(c for c in cases if c["expect"] == "answer")
        answer["facts"]["total_contract_value"] = answer["facts"]["total_contract_value"] + 100

    golden = subset(tmp_path, count=8, change=wrong_fact)
    done = eval_cli(built_package, str(golden), "--baseline", str(baseline), "--monitoring", str(tmp_path))
    assert done.returncode == 1
    assert "regression: fact_recall" in done.stdout and "regression: unsupported_facts" in done.stdout
    assert "fact total_contract_value: expected" in done.stdout


def test_answers_are_verified(built_package: DbtProject, tmp_path: Path) -> None:
    golden = subset(tmp_path, count=2)
    first = yaml.safe_load(golden.read_text())["cases"][0]["id"]
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({first: "The customer is Healthy."}))
    done = eval_cli(built_package, str(golden), "--answers", str(answers), "--format", "json")
    assert json.loads(done.stdout)["metrics"]["answers_verified"] == 1


@pytest.mark.parametrize("content, message", [
    ("cases: [{id: x, question: hi, expect: maybe}]", "case x: expect is 'maybe'"),
    ("cases: [", "is not YAML"),
])
def test_a_malformed_golden_set_is_exit_2_naming_the_case(built_package: DbtProject, tmp_path: Path, content: str,
                                                          message: str) -> None:
    golden = tmp_path / "g.yml"
    golden.write_text(content)
    done = eval_cli(built_package, str(golden))
    assert done.returncode == 2 and message in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors(built_package: DbtProject, tmp_path: Path) -> None:
    for args in (["init"], ["a.yml", "b.yml"], ["init", "x", "y"]):
        done = eval_cli(built_package, *args)
        assert done.returncode == 2 and done.stderr.startswith("error:"), (args, done.stderr)
    baseline = tmp_path / "b.json"
    baseline.write_text("[]")
    done = eval_cli(built_package, str(subset(tmp_path, count=1)), "--baseline", str(baseline))
    assert done.returncode == 2 and "not an eval result" in done.stderr
