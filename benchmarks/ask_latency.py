#!/usr/bin/env python3
"""Benchmark: `GroundingProject.ask` end to end in a warm process (not a test).

One open project as a serving process holds it (the DuckDB connection held between requests, `hold_ms`): the
questions asked once to warm it (the ask index, lineage, the schema check's matches, DuckDB's buffers), then
`--samples` questions drawn at random from them. Side by side in the same run, the peer: `context()` for the key
each grounded answer resolved (what a caller that already knew the key would pay), so the ratio is what finding
the mart, columns and row adds. With the `semantic` extra installed, the same questions with the hybrid scorer
beside BM25 alone.

Questions: on the demo (--work-dir, built there when empty) the labeled and held-out sets of python/tests/ask, read
in place on the held connection. On a build_marts.py build (--build-dir): questions about customers whose name no
other row of its health mart has (a name shared by ~100 customers is "which one did you mean?", never a document:
build with `build_marts.py --distinct-names`), in the labeled set's words, plus its out-of-scope ones; published
first (`dbt-grounding publish`), then measured twice in one run: with the defaults a long-lived caller gets
(`GroundingProject.open(...)`: the published build on its held connection) and in place with `hold_ms=1000`.

    .venv/bin/python benchmarks/ask_latency.py --work-dir /tmp/ask-bench [--quick] [--json]
    .venv/bin/python benchmarks/build_marts.py --keep /tmp/ask-bench1m-distinct --distinct-names
    .venv/bin/python benchmarks/ask_latency.py --build-dir /tmp/ask-bench1m-distinct

--json prints a JSON list of rows {measure, ours, peer, ratio, load} (`make bench`; milliseconds; load = 1-minute
load average). Beside each wall-time figure the process's CPU time (user + system, DuckDB's threads included), which
moves much less than wall time with the load; and the memory the first question's index took (resident set growth).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from bench_common import BENCH_DIR, Row, emit_rows, publish  # also puts python/tests on sys.path
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject

sys.path.insert(0, str(REPO_ROOT / "python" / "tests" / "ask"))
from scoring import HELD_OUT, load_questions  # noqa: E402  (the question sets' loader, after the path above)

from dbt_grounding import GroundingProject

MART = "fct_customer_health_summary"
AT_SCALE_TEMPLATES = ["Is {name} at risk of churning?", "What's the MRR of {name}?",
                      "How many open tickets does {name} have?", "who is the account owner for {name}",
                      "What is {name}'s NPS?"]


def built_demo(work_dir: Path) -> tuple[Path, Path]:
    project = DbtProject(REPO_ROOT, work_dir)
    if not (project.target_path / "run_results.json").exists():
        print(f"building the demo into {work_dir}", file=sys.stderr)
        project.run("seed", "--full-refresh", "--vars", "{dbt_grounding_load_raw_data: true}")
        project.run("build", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
    return project.duckdb_path, project.target_path


def demo_questions() -> list[str]:
    return [item["question"] for path in (None, HELD_OUT) for item in (load_questions(path) if path else
                                                                       load_questions()) if "role" not in item]


def at_scale_questions(duckdb_path: Path, count: int) -> tuple[list[str], int]:
    """Questions about `count` customers whose name is unique in the health mart (read-only, before any project
    opens it), and how many such names the mart has."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        connection.execute(f"create temp table unique_names as select customer_name from main_ai_grounding.{MART} "
                           "where customer_name is not null group by customer_name having count(*) = 1")
        unique = connection.execute("select count(*) from unique_names").fetchone()[0]
        names = sorted(name for (name,) in connection.execute(
            f"select customer_name from unique_names using sample {count} rows (reservoir, 13)").fetchall())
    if not names:
        raise SystemExit(f"no customer name is unique in {MART} of {duckdb_path}: every question would be \"which one "
                         "did you mean?\"; build with benchmarks/build_marts.py --distinct-names")
    rng = random.Random(13)
    return [rng.choice(AT_SCALE_TEMPLATES).format(name=name) for name in names], unique


def quantile(timings: list[float], q: int) -> float | None:
    return statistics.quantiles(timings, n=100)[q - 1] if len(timings) >= 2 else None


def measure(project: GroundingProject, questions: list[str], samples: int, semantic: bool) -> dict[str, list[float]]:
    """Timings (ms) of `samples` random questions, after every question once; and of context() for each key a
    grounded answer resolved (the peer)."""
    for question in questions:
        project.ask(question, semantic=semantic)
    rng = random.Random(13)
    timings: dict[str, list[float]] = {"all": [], "cpu": [], "with_document": [], "without": [], "context": []}
    for _ in range(samples):
        question = rng.choice(questions)
        started, cpu = time.perf_counter(), time.process_time()
        result = project.ask(question, semantic=semantic)
        elapsed = (time.perf_counter() - started) * 1000
        timings["cpu"].append((time.process_time() - cpu) * 1000)
        timings["all"].append(elapsed)
        timings["with_document" if result.documents else "without"].append(elapsed)
        if result.documents:
            started = time.perf_counter()
            project.context(result.mart, result.keys[0], form="compact")
            timings["context"].append((time.perf_counter() - started) * 1000)
    return timings


def resident_mib() -> float:
    """This process's resident set now (Linux /proc), in MiB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--work-dir", type=Path, help="a built demo (DbtProject layout), or where to build it")
    where.add_argument("--build-dir", type=Path, help="the --keep folder of benchmarks/build_marts.py")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--quick", action="store_true",
                        help=f"100 samples, BM25 only; the demo under {BENCH_DIR}/ask unless a folder is given")
    parser.add_argument("--json", action="store_true", help="a JSON list of rows (make bench)")
    args = parser.parse_args()
    if args.work_dir is None and args.build_dir is None:
        if not args.quick:
            parser.error("one of the arguments --work-dir --build-dir is required (or --quick)")
        args.work_dir = BENCH_DIR / "ask"  # as make bench runs it: built once, reused
    samples = 100 if args.quick else args.samples
    if args.work_dir:
        (duckdb_path, target_path), label = built_demo(args.work_dir), "demo"
        questions = demo_questions()
        paths = [("in place, hold_ms=1000", {"published": False, "warehouse_options": {"hold_ms": 1000}})]
    else:
        duckdb_path, target_path = args.build_dir / "warehouse.duckdb", args.build_dir / "target"
        questions, unique = at_scale_questions(duckdb_path, 300)
        label = f"build {args.build_dir.name}, {unique:,} unique names"
        publish(args.build_dir)
        paths = [("defaults: the published build, held connection", {}),
                 ("in place, hold_ms=1000", {"published": False, "warehouse_options": {"hold_ms": 1000}})]
    os.environ["DBT_GROUNDING_DUCKDB_PATH"] = str(duckdb_path)
    rows: list[Row] = []

    def row(measure: str, ours: float | None, peer: float | None = None) -> None:
        rows.append(Row(f"{measure} ({label})", "" if ours is None else f"{ours:.2f}",
                        "" if peer is None else f"{peer:.2f}",
                        f"{ours / peer:.2f}" if ours is not None and peer else "", f"{os.getloadavg()[0]:.1f}"))

    for path, options in paths:
        with GroundingProject.open(REPO_ROOT, target_path=target_path, role="restricted", **options) as project:
            # the path measured is the one named: the defaults found the published build, published=False did not
            assert (project.published is not None) == ("published" not in options)
            started, cpu, resident = time.perf_counter(), time.process_time(), resident_mib()
            project.ask(questions[0])
            row(f"{path}: ask, first question: index built (ms)", (time.perf_counter() - started) * 1000)
            row(f"{path}: ask, first question: CPU time (ms)", (time.process_time() - cpu) * 1000)
            row(f"{path}: ask, first question: resident set growth (MiB)", resident_mib() - resident)
            bm25 = measure(project, questions, samples, semantic=False)
            for q in (50, 95):
                row(f"{path}: ask warm p{q}, all (ms) vs context() p{q} for the resolved keys",
                    quantile(bm25["all"], q), quantile(bm25["context"], q))
                row(f"{path}: ask warm p{q}, CPU time, all (ms)", quantile(bm25["cpu"], q))
                row(f"{path}: ask warm p{q}, answered with a document (n={len(bm25['with_document'])})",
                    quantile(bm25["with_document"], q), quantile(bm25["context"], q))
                row(f"{path}: ask warm p{q}, without one: candidates or no grounding (n={len(bm25['without'])})",
                    quantile(bm25["without"], q))
            from dbt_grounding.ask.semantic import installed

            if not args.quick and installed() is not None:
                hybrid = measure(project, questions, samples, semantic=True)
                for q in (50, 95):
                    row(f"{path}: ask warm p{q}, hybrid (BM25 + static embedding, RRF) vs BM25 only",
                        quantile(hybrid["all"], q), quantile(bm25["all"], q))
    if args.json:
        emit_rows(rows)
        return
    print(f"ask, warm, {label}: {len(questions)} questions, {samples} samples")
    print("| measure | ours (ms) | peer (ms) | ratio | load |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.measure} | {r.ours} | {r.peer or '-'} | {r.ratio or '-'} | {r.load} |")


if __name__ == "__main__":
    main()
