#!/usr/bin/env python3
"""Benchmark: point lookups by key on a 10M-row grounding mart, materialized as the package does it (primary key,
rows in key order) side by side with a plain unsorted, unindexed copy. Not a test; nothing here asserts a time.

The 10M rows are the rows of a built fct_customer_health_summary repeated with shifted keys, so the row width and
values are the real mart's. Build the 1M mart first (benchmarks/build_marts.py --keep DIR), then:

    .venv/bin/python benchmarks/lookup_at_10m.py --warehouse DIR/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

MART = "main_ai_grounding.fct_customer_health_summary"
KEY_SHIFT = 100_000_000  # larger than any real customer_id, so shifted copies never collide


def build_tables(source: Path, target: Path, rows: int) -> None:
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"attach '{source}' as built (read_only)")
        ddl = connection.execute(
            "select sql from duckdb_tables() where database_name = 'built' and table_name = 'fct_customer_health_summary'"
        ).fetchone()[0]
        mart_rows = connection.execute(f"select count(*) from built.{MART}").fetchone()[0]
        copies = -(-rows // mart_rows)
        repeated = (
            f"select * exclude (copy) replace (customer_id + copy * {KEY_SHIFT} as customer_id) "
            f"from built.{MART}, range({copies}) as copies(copy)"
        )
        # as the package materializes it: the contract's DDL (primary key on customer_id), rows in key order
        connection.execute(ddl.replace(MART, "indexed_ordered", 1))
        connection.execute(f"insert into indexed_ordered select * from ({repeated}) order by customer_id limit {rows}")
        # the naive alternative: same rows, shuffled, no index
        connection.execute(f"create table plain_shuffled as select * from (select * from ({repeated}) limit {rows}) order by hash(customer_id)")


def lookup_percentiles(path: Path, table: str, keys: list[int]) -> tuple[float, float]:
    with duckdb.connect(str(path), read_only=True) as connection:
        timings = []
        for key in keys:
            started = time.perf_counter()
            assert len(connection.execute(f"select * from {table} where customer_id = ?", [key]).fetchall()) == 1
            timings.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(timings, n=100)
    return quantiles[49], quantiles[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB file with the built marts")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()

    target = Path(tempfile.mkdtemp(prefix="dbt-grounding-lookup-")) / "lookup.duckdb"
    build_tables(args.warehouse, target, args.rows)
    with duckdb.connect(str(target), read_only=True) as connection:
        rows = connection.execute("select count(*) from indexed_ordered").fetchone()[0]
        population = [k for (k,) in connection.execute("select customer_id from indexed_ordered using sample 5000 rows (reservoir, 7)").fetchall()]
    keys = [random.Random(7).choice(population) for _ in range(args.samples)]
    print(f"| table ({rows:,} rows, reused read-only connection, {args.samples} random keys) | p50 | p95 |")
    print("|---|---|---|")
    for table, label in (("indexed_ordered", "as materialized: primary key, key order"), ("plain_shuffled", "unsorted, no index")):
        p50, p95 = lookup_percentiles(target, table, keys)
        print(f"| {label} | {p50:.2f} ms | {p95:.2f} ms |")


if __name__ == "__main__":
    main()
