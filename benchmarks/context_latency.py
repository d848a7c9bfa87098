#!/usr/bin/env python3
"""Benchmark: context documents for random keys in a warm process, schema check included (not a test).

Builds documents with GroundingProject.context on a built health mart, as a long-lived process would, side by side
in one run: with the defaults (`GroundingProject.open(...)`: the published build, `dbt-grounding publish` run first,
on a held connection), and reading the warehouse in place (`published=False`: a short read-only connection per
document, what a DuckDB reader that must never block `dbt build` does). Reports p50/p95 of each with the 1-minute
load average. A build folder without a build gets the demo built into it; the 1M mart comes from
benchmarks/build_marts.py --keep DIR. --rows 10000000 also measures a 10M-row copy of the mart (rows repeated with
shifted keys), read in place on a held connection (`hold_ms`), as before. The defaults are also measured with
telemetry off, to show what the default telemetry's writer thread costs the requests.

    .venv/bin/python benchmarks/context_latency.py --build-dir /tmp/context-demo
    .venv/bin/python benchmarks/context_latency.py --build-dir /tmp/bench1m --rows 10000000
    .venv/bin/python benchmarks/context_latency.py --quick --json   # make bench: the demo built once, rows as JSON
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

import duckdb

from bench_common import BENCH_DIR, REPO_ROOT, Row, emit_rows, ensure_demo_build, publish
from dbt_grounding import GroundingProject

MART = "fct_customer_health_summary"
TABLE = f"main_ai_grounding.{MART}"
KEY_SHIFT = 100_000_000


def make_10m_copy(source: Path, rows: int) -> Path:
    """A DuckDB file named like the source (the catalog name the manifest expects) with a `rows`-row mart
    created by the mart's own DDL (primary key) and filled in key order, as the package materializes it."""
    target = Path(f"/tmp/dbt-grounding-bench-{rows}") / source.name
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"attach '{source}' as built (read_only)")
        ddl = connection.execute(
            "select sql from duckdb_tables() where database_name = 'built' and table_name = ?", [MART]
        ).fetchone()[0]
        connection.execute("create schema main_ai_grounding")
        connection.execute(ddl)
        mart_rows = connection.execute(f"select count(*) from built.{TABLE}").fetchone()[0]
        copies = -(-rows // mart_rows)
        connection.execute(
            f"insert into {TABLE} select * exclude (copy) replace (customer_id + copy * {KEY_SHIFT} as customer_id) "
            f"from built.{TABLE}, range({copies}) as copies(copy) order by customer_id limit {rows}"
        )
    return target


def measure(duckdb_path: Path, target_path: Path, samples: int, **options) -> tuple[int, float, float, float, float]:
    """(mart rows, p50 ms, p95 ms, CPU ms per document: this process's user + system time, DuckDB's threads and the
    telemetry writer included, which moves much less than wall time with the machine's load; and the requesting
    thread's own CPU ms per document: the difference is mostly the telemetry writer's)."""
    os.environ["DBT_GROUNDING_DUCKDB_PATH"] = str(duckdb_path)
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(f"select count(*) from {TABLE}").fetchone()[0]
        keys = [k for (k,) in connection.execute(f"select customer_id from {TABLE} using sample 2000 rows (reservoir, 7)").fetchall()]
    rng = random.Random(7)
    with GroundingProject.open(REPO_ROOT, target_path=target_path, role="restricted", **options) as project:
        # warm: lineage, specs, the connection and DuckDB's buffers for the key pool's index and row groups
        for key in rng.sample(keys, min(samples, len(keys))):
            project.context(MART, key={"customer_id": key}, on_stale="annotate")
        timings = []
        cpu_started, thread_started = time.process_time(), time.thread_time()
        for _ in range(samples):
            key = rng.choice(keys)
            started = time.perf_counter()
            document = project.context(MART, key={"customer_id": key}, on_stale="annotate")
            timings.append((time.perf_counter() - started) * 1000)
            assert document.found
        cpu_ms = (time.process_time() - cpu_started) * 1000 / samples
        thread_ms = (time.thread_time() - thread_started) * 1000 / samples
        # the path measured is the one named: the defaults found the published build, published=False did not
        assert (project.published is not None) == ("published" not in options)
    quantiles = statistics.quantiles(timings, n=100)
    return rows, quantiles[49], quantiles[94], cpu_ms, thread_ms


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path,
                        help="--keep folder of benchmarks/build_marts.py, or a folder to build the demo in")
    parser.add_argument("--rows", type=int, default=None, help="also measure a copy of the mart with this many rows")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="the demo, built once under /tmp/dbt-grounding-bench")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    args = parser.parse_args()
    if args.quick:
        args.build_dir = BENCH_DIR / "context-demo"
    if args.build_dir is None:
        parser.error("--build-dir is required (or --quick)")

    ensure_demo_build(args.build_dir)
    publish(args.build_dir)
    source, target = args.build_dir / "warehouse.duckdb", args.build_dir / "target"
    paths = [("defaults: the published build, held connection", {}),
             # the default telemetry (jsonl): its writer thread hashes, tallies and writes each event, Python work
             # holding the GIL the requests need (no longer rendering the document again: its content hash is kept)
             ("the same with telemetry off (telemetry=\"off\")", {"telemetry": "off"}),
             ("in place (published=False), a connection per document", {"published": False})]
    if args.json:
        rows = []
        for label, options in paths:
            figure_load = load()
            count, p50, p95, cpu, _ = measure(source, target, args.samples, **options)
            rows.append(Row(f"context document, warm process, {label}, schema check included, {count:,}-row mart: "
                            "p50 / p95 (CPU per document)", f"{p50:.2f} / {p95:.2f} ms ({cpu:.2f} ms CPU)", "", "",
                            figure_load))
        emit_rows(rows)
        return
    print(f"| mart rows | path | context document p50 | p95 | CPU per document (its request thread) | load | "
          f"({args.samples} random keys "
          f"of a pool of 2,000 after {args.samples} warm-up documents; schema check included) |")
    print("|---|---|---|---|---|---|---|")
    for label, options in paths:
        rows, p50, p95, cpu, thread = measure(source, target, args.samples, **options)
        print(f"| {rows:,} | {label} | {p50:.2f} ms | {p95:.2f} ms | {cpu:.2f} ms ({thread:.2f} ms) | {load()} | |")
    if args.rows:
        rows, p50, p95, cpu, thread = measure(make_10m_copy(source, args.rows), target, args.samples,
                                              published=False, warehouse_options={"hold_ms": 1000})
        print(f"| {rows:,} | in place, held connection (hold_ms=1000) | {p50:.2f} ms | {p95:.2f} ms | {cpu:.2f} ms "
              f"({thread:.2f} ms) | {load()} | |")


if __name__ == "__main__":
    main()
