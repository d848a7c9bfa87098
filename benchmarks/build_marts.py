#!/usr/bin/env python3
"""Benchmark: build the dbt-grounding marts on DuckDB at scale (not a test; nothing here asserts a time).

Generates N customers of raw data (scripts/generate_raw_data.py, Parquet), loads it into the raw schema of a
fresh DuckDB file the way an EL tool would (the demo uses `dbt seed`, which is not meant for millions of rows),
then runs `dbt build` (models, data tests and unit tests) and reports wall time and peak memory (max RSS of the dbt
process, DuckDB included since it runs in-process).

    .venv/bin/python benchmarks/build_marts.py --customers 1000000
    .venv/bin/python benchmarks/build_marts.py --customers 1000000 --keep /tmp/bench1m   # keep files for a rerun
    .venv/bin/python benchmarks/build_marts.py --keep /tmp/bench1m-distinct --distinct-names  # unique names (ask)

It then times point lookups by key on the built health mart (reused read-only connection, bound parameter).
Results go to stdout as a Markdown table row, ready for the README.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench_common import (
    BUILD_VARS, REPO_ROOT, dbt_args, dbt_env, dbt_executable, generate, load_raw_duckdb, time_child,
)


def measure_lookups(duckdb_path: Path, samples: int = 200) -> tuple[float, float, int]:
    """p50 and p95 (ms) of point lookups by customer_id on the health mart: a reused read-only connection, the key as
    a bound parameter, random existing keys (fixed seed). Returns (p50, p95, rows in the mart)."""
    import random
    import statistics

    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        table = "main_ai_grounding.fct_customer_health_summary"
        keys = [k for (k,) in connection.execute(f"select customer_id from {table} using sample 1000 rows (reservoir, 7)").fetchall()]
        rows = connection.execute(f"select count(*) from {table}").fetchone()[0]
        rng = random.Random(7)
        timings = []
        for _ in range(samples):
            key = rng.choice(keys)
            started = time.perf_counter()
            found = connection.execute(f"select * from {table} where customer_id = ?", [key]).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
            assert len(found) == 1
    quantiles = statistics.quantiles(timings, n=100)
    return quantiles[49], quantiles[94], rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="work directory to keep (and reuse generated data from)")
    parser.add_argument("--threads", type=int, default=4, help="dbt threads")
    parser.add_argument("--distinct-names", action="store_true",
                        help="the customer id in every company name, so a question can name one customer "
                             "(benchmarks/ask_latency.py); a kept folder's raw data is reused as it was generated")
    args = parser.parse_args()

    work_dir = args.keep or Path(tempfile.mkdtemp(prefix="dbt-grounding-bench-"))
    raw_dir = work_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    duckdb_path = work_dir / "warehouse.duckdb"
    duckdb_path.unlink(missing_ok=True)

    generate(args.customers, raw_dir, args.distinct_names)
    raw_rows = load_raw_duckdb(duckdb_path, raw_dir)
    print(f"loaded {raw_rows:,} raw rows", file=sys.stderr)

    env = dbt_env(DBT_GROUNDING_DUCKDB_PATH=str(duckdb_path))
    dbt = dbt_executable()
    common = dbt_args(work_dir, args.threads)
    time_child([dbt, "seed", *common, "--select", "plan_tiers"], env, REPO_ROOT)
    build = time_child([dbt, "build", *common, "--vars", BUILD_VARS], env, REPO_ROOT)
    seconds, peak_mib = build.seconds, build.peak_rss_mib
    p50, p95, mart_rows = measure_lookups(duckdb_path)
    print("| customers | raw rows | `dbt build` wall time | peak RSS (dbt + DuckDB) | health mart rows | key lookup p50 / p95 |")
    print("|---|---|---|---|---|---|")
    print(f"| {args.customers:,} | {raw_rows:,} | {seconds:.1f} s | {peak_mib:,.0f} MiB | {mart_rows:,} | {p50:.2f} / {p95:.2f} ms |")


if __name__ == "__main__":
    main()
