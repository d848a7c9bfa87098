"""`dbt-grounding report` on the monitoring marts a real dbt build made: the terminal table against a golden file,
the HTML page deterministic, self-contained, and rendered by a real headless browser (Debian's chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_monitoring
from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
GOLDEN = Path(__file__).parent / "golden" / "report_10_days.txt"
UPDATE = os.environ.get("DBT_GROUNDING_UPDATE_GOLDEN") == "1"


def report(project: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "report", *args, "--project-dir", str(REPO_ROOT),
                           "--target-path", str(project.target_path)],
                          capture_output=True, text=True, timeout=180, env=project.env())


def test_the_table_matches_the_golden_file(monitored) -> None:
    project, _ = monitored
    result = report(project, "--days", "10")
    assert result.returncode == 0, result.stderr
    if UPDATE:
        GOLDEN.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")
    # non-vacuity: ten days, three of them without telemetry, the week of 58 requests a day
    day_lines = [line for line in result.stdout.splitlines() if re.match(r"\d{4}-\d{2}-\d{2} ", line)]
    assert len(day_lines) == 10
    assert sum(line.split()[1] == "0" for line in day_lines) == 3
    assert all(line.split()[1] == "59" for line in day_lines[3:])


def test_until_moves_the_window_and_bad_arguments_are_usage_errors(monitored) -> None:
    project, _ = monitored
    result = report(project, "--days", "2", "--until", "2026-11-13")
    assert result.returncode == 0, result.stderr
    assert "2026-11-12 to 2026-11-13" in result.stdout and "\n2026-11-13 " in result.stdout
    for bad in (("--days", "0"), ("--days", "367"), ("--until", "30/11/2026")):
        result = report(project, *bad)
        assert result.returncode == 2 and result.stderr.count("error:") == 1, (bad, result.stderr)


def test_before_any_telemetry_the_report_says_so(tmp_path: Path) -> None:
    project = DbtProject(REPO_ROOT, tmp_path)
    build_monitoring(project)
    result = report(project, "--html", str(tmp_path / "page.html"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No telemetry in fct_grounding_daily yet")
    assert "No telemetry" in (tmp_path / "page.html").read_text()


def test_the_html_page_is_deterministic_and_self_contained(monitored, tmp_path: Path) -> None:
    project, _ = monitored
    pages = []
    for name in ("one.html", "two.html"):
        assert report(project, "--days", "10", "--html", str(tmp_path / name)).returncode == 0
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode()
    assert str(tmp_path) not in page and str(REPO_ROOT) not in page
    # nothing fetched: no src/href attribute, no URL but the SVG namespace
    assert not re.search(r"\s(src|href)=", page)
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert page.count("<svg ") == 4


def test_a_headless_browser_renders_every_plot(monitored, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium): the HTML report is checked in "
                    "a real headless browser")
    project, _ = monitored
    page = tmp_path / "report.html"
    assert report(project, "--days", "10", "--html", str(page)).returncode == 0
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert 'data-charts-checked="4"' in dom  # the page's script ran
    charts = dict(re.findall(r'<svg[^>]*\bid="(\w+)"[^>]*\bdata-marks="(\d+)"', dom))
    rendered = dict(re.findall(r'<svg[^>]*\bid="(\w+)"[^>]*\bdata-rendered-marks="(\d+)"', dom))
    # 7 days with requests: p50 and p95 points, a cost point, served/abstained/refused/denied bars, up/down bars
    assert charts == {"latency": "14", "outcomes": "28", "cost": "7", "feedback": "14"}
    assert rendered == charts
