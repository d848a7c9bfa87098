#!/usr/bin/env python3
"""Benchmark: `dbt-grounding eval` on the demo's golden set, as users run it (not a test).

The installed CLI in a fresh process per run (`--runs`), on a demo build in --work-dir (built there first when it
holds none): the wall time of the whole run, and the figures the eval reports itself (latency p50/p95 of the
question path and of the key path, tokens per document, cost per query), with the 1-minute load average beside
each run.

    .venv/bin/python benchmarks/eval_golden.py --work-dir /tmp/eval-bench --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_common  # noqa: F401  (puts python/tests on sys.path)
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject

GOLDEN = REPO_ROOT / "examples" / "golden" / "demo_golden.yml"


def built_demo(work_dir: Path) -> DbtProject:
    project = DbtProject(REPO_ROOT, work_dir)
    if not (project.target_path / "run_results.json").exists():
        print(f"building the demo into {work_dir}", file=sys.stderr)
        project.run("seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}")
        project.run("build", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, required=True, help="a built demo (DbtProject layout), or where to build it")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    demo = built_demo(args.work_dir)
    cli = str(Path(sys.executable).with_name("dbt-grounding"))
    print("| run | wall time | cases | ask p50 / p95 | key path p50 / p95 | tokens/doc mean / p95 | cost/query | load |")
    print("|---|---|---|---|---|---|---|---|")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "result.json"
            load = os.getloadavg()[0]
            started = time.perf_counter()
            # exit 1 is a failed audit check (monitoring is not configured on a scratch build): still a result
            done = subprocess.run([cli, "eval", str(GOLDEN), "--format", "json", "--output", str(out), "--no-progress",
                                   "--project-dir", str(REPO_ROOT), "--target-path", str(demo.target_path)],
                                  env=demo.env(), cwd=REPO_ROOT, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if done.returncode not in (0, 1) or not out.exists():
                raise SystemExit(f"eval failed ({done.returncode}): {done.stderr[-2000:]}")
            m = json.loads(out.read_text())["metrics"]
        print(f"| {run} | {seconds:.1f} s | {m['cases']} | {m['latency_ms_p50']:.1f} / {m['latency_ms_p95']:.1f} ms"
              f" | {m['key_latency_ms_p50']:.1f} / {m['key_latency_ms_p95']:.1f} ms"
              f" | {m['tokens_per_document_mean']:.0f} / {m['tokens_per_document_p95']} | ${m['cost_per_query_usd']:.4f}"
              f" | {load:.1f} |")


if __name__ == "__main__":
    main()
