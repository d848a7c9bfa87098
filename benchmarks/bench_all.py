#!/usr/bin/env python3
"""`make bench`: every benchmark at small sizes, one table (measure, ours, peer, ratio, machine load). The README's
Benchmarks table is copied from its output. Not a test; nothing here asserts a time.

    .venv/bin/python benchmarks/bench_all.py                 # or `make bench`
    .venv/bin/python benchmarks/bench_all.py --only lineage_vs_dbt_ls,cold_commands
    .venv/bin/python benchmarks/bench_all.py --with-1m       # also the 1M-customer lookups (builds them once, slow)

The convention, for anyone adding a benchmark (one script per benchmark in benchmarks/, bench_common.py helpers):

- `--quick`: small sizes that end in a minute or two: the demo (bench_common.quick_demo) or the 2,000-model
  synthetic project (bench_common.synthetic(2000)); projects are made once under /tmp/dbt-grounding-bench and
  reused by later runs (remove that folder to start over). Time what users run: the installed CLI in a fresh
  process where a command exists (bench_common.cli_executable, cli_env), side by side with the peer in one run.
- `--json`: print only a JSON list of rows on stdout, each {"measure", "ours", "peer", "ratio", "load"}, all strings
  (bench_common.Row and emit_rows); "peer" and "ratio" may be empty; "load" is the 1-minute load average while the
  figure was taken (bench_common.load_average). Progress goes to stderr (bench_common.progress), shown as it runs.
- Add the script to BENCHMARKS below: its name, extra arguments, and whether it needs --with-1m.

Every script runs as a child with PYTHONPATH set to this checkout's python/, in the order listed; one that fails is
reported as a row saying so, and the others still run (exit status 1 at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench_common import REPO_ROOT, cli_env, load_average, progress

HERE = Path(__file__).resolve().parent


# name, extra arguments, needs --with-1m
BENCHMARKS: list[tuple[str, list[str], bool]] = [
    ("cold_commands", [], False),
    ("lineage_vs_dbt_ls", [], False),
    ("manifest_load", [], False),
    ("column_lineage", [], False),
    ("check_at_scale", [], False),
    ("context_latency", [], False),
    ("document_tokens", [], False),
    ("ask_latency", [], False),
    ("context_latency_1m", [], True),
]


def run_one(name: str, extra: list[str]) -> tuple[list[dict[str, str]], float, str | None]:
    """The rows one benchmark printed, its wall time, and why it failed (None when it did not)."""
    script = HERE / f"{name.removesuffix('_1m')}.py"
    if name.endswith("_1m"):
        extra = [*extra, "--build-dir", str(prepare_1m())]
    command = [sys.executable, str(script), *(["--quick"] if not name.endswith("_1m") else []), "--json", *extra]
    started = time.perf_counter()
    # stderr is inherited: the benchmark's progress shows as it runs
    result = subprocess.run(command, env=cli_env(), cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        return [], seconds, f"exit status {result.returncode}"
    try:
        rows = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        return [], seconds, f"printed no JSON rows ({error})"
    return rows, seconds, None


def prepare_1m() -> Path:
    """The 1M-customer build benchmarks/build_marts.py keeps under /tmp/dbt-grounding-bench/1m (made once)."""
    build_dir = Path("/tmp/dbt-grounding-bench/1m")
    if not (build_dir / "warehouse.duckdb").exists():
        progress(f"building the 1M-customer marts in {build_dir} (once; several minutes) ...")
        subprocess.run([sys.executable, str(HERE / "build_marts.py"), "--customers", "1000000", "--keep",
                        str(build_dir)], check=True, env=cli_env(), stdout=sys.stderr)
    return build_dir


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--with-1m", action="store_true", help="also the 1M-customer lookups (slow the first time)")
    args = parser.parse_args()
    chosen = [b for b in BENCHMARKS if (not b[2] or args.with_1m)
              and (not args.only or b[0] in args.only.split(","))]
    if args.only and len(chosen) < len(args.only.split(",")):
        parser.error(f"--only names one of: {', '.join(name for name, _, _ in BENCHMARKS)}")

    started = time.perf_counter()
    first_load = load_average()
    table: list[tuple[str, dict[str, str]]] = []
    failed = []
    for index, (name, extra, _) in enumerate(chosen, 1):
        progress(f"[{index}/{len(chosen)}] {name} (load {load_average():.1f}, {time.perf_counter() - started:.0f} s "
                 "so far) ...")
        rows, seconds, failure = run_one(name, extra)
        if failure:
            failed.append(name)
            table.append((name, {"measure": f"{name}: FAILED, {failure}", "ours": "", "peer": "", "ratio": "",
                                 "load": ""}))
        table.extend((name, row) for row in rows)
        progress(f"[{index}/{len(chosen)}] {name}: {len(rows)} figure(s) in {seconds:.0f} s")

    total = time.perf_counter() - started
    print(f"`make bench` ({' '.join(sys.argv[1:]) or 'all, quick sizes'}): {total:.0f} s on {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; 1-minute load average {first_load:.1f} at the start, "
          f"{load_average():.1f} at the end.")
    print()
    print("| benchmark | measure | dbt-grounding | peer | ratio | load |")
    print("|---|---|---|---|---|---|")
    for name, row in table:
        print(f"| {name} | {cell(row['measure'])} | {cell(row['ours'])} | {cell(row['peer'])} | {cell(row['ratio'])} "
              f"| {cell(row['load'])} |")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
