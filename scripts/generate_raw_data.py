#!/usr/bin/env python3
"""Generate the dirty raw sample data of dbt-grounding: a small B2B SaaS business.

What it makes
    Seven raw tables, every value a string, the way an EL tool lands them (docs/raw_data_spec.md is the contract,
    docs/business_rules.md the rules the data must exercise):

        crm_customers, billing_subscriptions, billing_orders, billing_payments,
        product_logins, support_tickets, ml_churn_scores

    Each row carries the loader columns `_record_id` (`<table>-<8 digit row number>`) and `_loaded_at`
    (2026-07-01 06:00..06:59 UTC). The data is dirty on purpose, at low random rates: casing and whitespace
    variants, stray NBSP / zero-width characters, six date formats mixed in every date column, `$1,200.00`
    amounts, synonyms (`yearly`, `canceled`, `succeeded`), missing required fields, unparseable dates and
    numbers, out-of-range scores, unknown plan codes and statuses, orphans, exact and near duplicates.

    On top of the random data, fixed customer ids carry guaranteed edge cases (see FORCED_CASES below and the
    `forced_*` builders): every quarantine reason, every date format in every date column, health-status
    boundaries at the as-of date 2026-06-30, subscription/ARR boundaries, sales with every payment outcome and
    support tickets with PII and prompt-injection text. They exist whenever --customers reaches their id.

    Ids: customer_id runs 1..N; the other ids are `<prefix>_<customer_id * 100 + k>` (sub_4201 is customer 42's
    first subscription, pay_3102 customer 31's second payment), so they do not depend on N either. Orphans point at
    customer_id 90000000 + customer_id, or at order `ord_<customer_id>99`, which never exists.

How to run
    python scripts/generate_raw_data.py                      # the committed demo seeds: seeds/raw/*.csv
    python scripts/generate_raw_data.py --customers 1000000 --format parquet --out /tmp/raw1m

    --customers N   number of customers (default 300); the other tables scale with it (~15 rows per customer)
    --seed S        random seed (default 20260630)
    --format F      csv (default; standard library only) or parquet (needs the duckdb package)
    --out DIR       output directory (default: seeds/raw of this repository, wherever you run it from)
    --jobs J        worker processes for large runs (default: the number of CPUs); never changes the output
    --distinct-names  the customer id in every company name ("Maple Software 48213 Ltd"), so names are unique at
                    scale (the word lists alone give ~4,500); takes no random draw, every other value is unchanged

Determinism promise
    The same --customers, --seed and --format give byte-identical files on any machine and any Python >= 3.10
    (Parquet: with the same duckdb version, whose name the file records).
    Every random draw comes from random.Random(f"{seed}:{customer_id}").random() (string seeds are hashed with
    SHA-512 by the random module, independent of PYTHONHASHSEED), never from the clock or hash(). Because each
    customer has its own generator, a customer's rows do not depend on --customers or on how the work is split
    between processes; row numbers (`_record_id`) are assigned in customer order after the chunks are gathered.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from raw_data.output import convert_to_parquet, write_csv_tables
from raw_data.tables import DEFAULT_CUSTOMERS, DEFAULT_SEED
from raw_data.timeline import ORPHAN_CUSTOMER_BASE


REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "seeds" / "raw"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS, help="number of customers (default 300)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", help="output format (default csv)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: <repo>/seeds/raw)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes for large runs (default: all CPUs); the output does not depend on it")
    parser.add_argument("--distinct-names", action="store_true",
                        help="the customer id in every company name, so names are unique at scale")
    args = parser.parse_args(argv)
    if not 1 <= args.customers < ORPHAN_CUSTOMER_BASE:
        parser.error(f"--customers must be between 1 and {ORPHAN_CUSTOMER_BASE - 1}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = args.format == "parquet" or args.customers >= 50_000
    jobs = max(1, args.jobs) if args.customers >= 20_000 else 1  # small runs: process start-up costs more
    started = time.monotonic()
    if args.format == "csv":
        counts = write_csv_tables(args.seed, args.customers, out_dir, jobs, progress, args.distinct_names)
    else:
        staging = Path(tempfile.mkdtemp(prefix=".raw-csv-", dir=out_dir))
        try:
            counts = write_csv_tables(args.seed, args.customers, staging, jobs, progress, args.distinct_names)
            convert_to_parquet(staging, out_dir, progress)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    for table, count in counts.items():
        print(f"{table}: {count:,} rows -> {out_dir / f'{table}.{args.format}'}", file=sys.stderr)
    print(f"done in {time.monotonic() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
