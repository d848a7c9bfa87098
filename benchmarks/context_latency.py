#!/usr/bin/env python3
"""Benchmark: context documents for random keys in a warm process, schema check included (not a test).

Builds documents with GroundingProject.context on a built health mart, as a serving process would: one open
project, the DuckDB connection held between requests (`hold_ms`), the live schema check on every document.
Reports p50/p95 side by side for the marts given. Make the 1M mart with benchmarks/build_marts.py --keep DIR;
--rows 10000000 also builds a 10M-row copy of it (rows repeated with shifted keys) and measures it in the same run.

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

from bench_common import Row, emit_rows, load_average, quick_demo
from dbt_grounding import GroundingProject

REPO_ROOT = Path(__file__).resolve().parents[1]
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


def measure(duckdb_path: Path, target_path: Path, samples: int) -> tuple[int, float, float]:
    os.environ["DBT_GROUNDING_DUCKDB_PATH"] = str(duckdb_path)
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(f"select count(*) from {TABLE}").fetchone()[0]
        keys = [k for (k,) in connection.execute(f"select customer_id from {TABLE} using sample 2000 rows (reservoir, 7)").fetchall()]
    rng = random.Random(7)
    # the role the demo serves this mart to (grounding_roles.yml); the default, public, may not read it
    with GroundingProject.open(REPO_ROOT, target_path=target_path, warehouse_options={"hold_ms": 1000},
                               role="customer_success_agent") as project:
        # warm: lineage, specs, the connection and DuckDB's buffers for the key pool's index and row groups
        for key in rng.sample(keys, min(samples, len(keys))):
            project.context(MART, key={"customer_id": key}, on_stale="annotate")
        timings = []
        for _ in range(samples):
            key = rng.choice(keys)
            started = time.perf_counter()
            document = project.context(MART, key={"customer_id": key}, on_stale="annotate")
            timings.append((time.perf_counter() - started) * 1000)
            assert document.found
    quantiles = statistics.quantiles(timings, n=100)
    return rows, quantiles[49], quantiles[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="--keep folder of benchmarks/build_marts.py")
    parser.add_argument("--rows", type=int, default=None, help="also measure a copy of the mart with this many rows")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--quick", action="store_true",
                        help="the demo (built once under /tmp/dbt-grounding-bench) instead of --build-dir's 1M mart")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    args = parser.parse_args()
    if args.quick or args.json:
        build_dir = quick_demo()[0] if args.quick else args.build_dir
        source = build_dir / ("dbt_grounding.duckdb" if args.quick else "warehouse.duckdb")
        files = [source] + ([make_10m_copy(source, args.rows)] if args.rows else [])
        rows = []
        for path in files:
            load = f"{load_average():.1f}"
            count, p50, p95 = measure(path, build_dir / "target", args.samples)
            rows.append(Row(f"context document, warm process, held connection (`hold_ms=1000`), schema check "
                            f"included, {count:,}-row mart: p50 / p95", f"{p50:.2f} / {p95:.2f} ms", "", "", load))
        emit_rows(rows)
        return
    if args.build_dir is None:
        parser.error("--build-dir is required (or --quick)")

    source = args.build_dir / "warehouse.duckdb"
    files = [source] + ([make_10m_copy(source, args.rows)] if args.rows else [])
    print("| mart rows | context document p50 | p95 | (warm process, schema check included, "
          f"{args.samples} random keys of a pool of 2,000, after {args.samples} warm-up documents) |")
    print("|---|---|---|---|")
    for path in files:
        rows, p50, p95 = measure(path, args.build_dir / "target", args.samples)
        print(f"| {rows:,} | {p50:.2f} ms | {p95:.2f} ms | |")


if __name__ == "__main__":
    main()
