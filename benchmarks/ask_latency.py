#!/usr/bin/env python3
"""Benchmark: `GroundingProject.ask` end to end in a warm process on the demo (not a test).

One open project as a serving process holds it (the DuckDB connection held between requests, `hold_ms`), the
labeled questions of python/tests/ask/questions.yaml asked once to warm it (the ask index, lineage, DuckDB's
buffers), then `--samples` questions drawn at random from them. Reports p50/p95 over all of them and apart for the
ones answered with a document (the document is built, schema check included) and those answered without one
(candidates or "no grounding"). Builds the demo into --work-dir first when it holds no build.

    .venv/bin/python benchmarks/ask_latency.py --work-dir /tmp/ask-bench
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import bench_common  # noqa: F401  (puts python/tests on sys.path)
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject

sys.path.insert(0, str(REPO_ROOT / "python" / "tests" / "ask"))
from scoring import load_questions  # noqa: E402  (the labeled set's loader, after the path above)

from dbt_grounding import GroundingProject


def built_demo(work_dir: Path) -> DbtProject:
    project = DbtProject(REPO_ROOT, work_dir)
    if not (project.target_path / "run_results.json").exists():
        print(f"building the demo into {work_dir}", file=sys.stderr)
        project.run("seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}")
        project.run("build", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
    return project


def quantiles(timings: list[float]) -> str:
    if len(timings) < 2:
        return "n/a"
    q = statistics.quantiles(timings, n=100)
    return f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms (n={len(timings)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, required=True, help="a built demo (DbtProject layout), or where to build it")
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    demo = built_demo(args.work_dir)
    questions = [item["question"] for item in load_questions()]
    rng = random.Random(13)
    os.environ["DBT_GROUNDING_DUCKDB_PATH"] = str(demo.duckdb_path)
    with GroundingProject.open(REPO_ROOT, target_path=demo.target_path, warehouse_options={"hold_ms": 1000}) as project:
        for question in questions:
            project.ask(question)
        with_document, without = [], []
        for _ in range(args.samples):
            question = rng.choice(questions)
            started = time.perf_counter()
            result = project.ask(question)
            elapsed = (time.perf_counter() - started) * 1000
            (with_document if result.documents else without).append(elapsed)
    print(f"ask, warm, demo ({len(questions)} labeled questions, {args.samples} samples)")
    print(f"  all:              {quantiles(with_document + without)}")
    print(f"  with a document:  {quantiles(with_document)}")
    print(f"  without one:      {quantiles(without)}")


if __name__ == "__main__":
    main()
