"""Builds of the monitoring models (real `dbt build --select` on a scratch DuckDB file) over telemetry events written
into the build's target folder, where the toolkit's file sink writes them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from dbt_runner import REPO_ROOT, DbtProject
from telemetry_events import DayPlan, Telemetry, generate, write

MONITORING = ("path:models/staging/grounding_telemetry", "path:models/marts/monitoring")
LAST_DAY = datetime.date(2026, 11, 30)
BASELINE_OUTCOMES = {"served": 50, "abstained": 6, "refused_stale": 1, "refused_drift": 1, "denied": 1}


def baseline_plans(days: int = 7) -> list[DayPlan]:
    """A week within the SLA (p95 < 500 ms, no errors, refusals 3.4%, thumbs down 10%), and ten days before it a
    day far outside it (p95 900 ms): older than sla_lookback_days, so no test judges it."""
    plans = [DayPlan(LAST_DAY - datetime.timedelta(days=offset), dict(BASELINE_OUTCOMES))
             for offset in range(days - 1, -1, -1)]
    old = DayPlan(LAST_DAY - datetime.timedelta(days=17), dict(BASELINE_OUTCOMES), slow_share=0.5)
    return [old, *plans]


def telemetry_dir(project: DbtProject) -> Path:
    return project.target_path / "dbt_grounding" / "telemetry"


def build_monitoring(project: DbtProject, *extra: str, check: bool = True):
    return project.run("build", "--select", *MONITORING, *extra, check=check)


def test_results(project: DbtProject) -> dict[str, str]:
    """The status of every data test of the last build, by test name."""
    results = json.loads((project.target_path / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".")[2]: result["status"] for result in results
            if result["unique_id"].startswith("test.")}


test_results.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtProject, Telemetry]:
    """The monitoring models built over a week of baseline telemetry: rotated files, every 7th request logged twice,
    the live file ending in a half-written line."""
    project = DbtProject(REPO_ROOT, tmp_path_factory.mktemp("monitored"))
    telemetry = generate(baseline_plans())
    write(telemetry_dir(project), telemetry, duplicate_every=7, rotate_every=150, torn_last_line=True)
    build_monitoring(project)
    return project, telemetry
