#!/usr/bin/env python3
"""Benchmark: the `dbt-grounding` commands a user types, each in a fresh process, on the demo build, against the dbt
command giving the same answer where there is one (not a test; nothing here asserts a time).

    .venv/bin/python benchmarks/cold_commands.py --quick           # the demo, built once under /tmp/dbt-grounding-bench
    .venv/bin/python benchmarks/cold_commands.py --build-dir DIR   # a demo built in DIR (document_tokens.py)

Each command is the installed console script with this checkout's code (PYTHONPATH, its bytecode written first as
installing it would), run --runs times after one warm-up (files in the page cache), sides alternated, median wall
time, the 1-minute load average read before each round. "cold" for column lineage means its on-disk caches
(target/dbt_grounding/lineage_cache, kept_answers, the manifest index) were removed before the run, as after a build
that changed every model; "cached" means the previous command left them current. The goals are issue 16's: `--help`
<= 0.15 s, `context` <= 0.4 s, cached all-column lineage <= 0.3 s. `--baseline CHECKOUT` also times another
checkout's code for those three, each run right after this checkout's (e.g. `mkdir /tmp/before && git archive main
python | tar -x -C /tmp/before`, then `--baseline /tmp/before`): before/after ratios measured side by side.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench_common import (
    MART, REPO_ROOT, Row, cli_executable, compile_checkout, dbt_args, dbt_executable, demo_env, emit_rows,
    load_average, progress, quick_demo,
)

KEY = "customer_id=51"
ROLE = "customer_success_agent"


AGAIN = "again"  # a side's `before`: run the command once untimed first


def timed(command: list[str], env: dict[str, str], before=None) -> tuple[float, float]:
    """Wall time and CPU time (user + system: it moves much less with the load) of one run of `command` (exit 0 or
    1, findings, expected; anything else aborts)."""
    if before == AGAIN:  # the same command once, untimed: its caches current, as after any earlier command
        subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    elif before:
        before()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} ... exited {result.returncode}: {result.stderr[-2000:]}")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="a demo build (target/ and dbt_grounding.duckdb in it)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("--quick", action="store_true", help="the demo built once under /tmp/dbt-grounding-bench, 3 runs")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    parser.add_argument("--baseline", type=Path, help="another checkout (its python/ folder's code) timed beside this "
                                                      "one: --help, context and cached column lineage")
    args = parser.parse_args()
    if args.quick:
        build_dir, env = quick_demo()
        args.runs = min(args.runs, 3)
    elif args.build_dir:
        build_dir, env = args.build_dir.resolve(), demo_env(args.build_dir.resolve())
    else:
        parser.error("--build-dir is required (or --quick)")
    target = build_dir / "target"
    state = target / "dbt_grounding"
    where = ["--project-dir", str(REPO_ROOT), "--target-path", str(target)]
    cli = cli_executable()
    compile_checkout()

    def no_caches() -> None:
        for folder in ("lineage_cache", "manifest_index", "kept_answers"):
            shutil.rmtree(state / folder, ignore_errors=True)

    sql = f"select * from {{{{ ref('{MART}') }}}} where customer_id = 51"
    sides = {  # name: (command, prepare before each run)
        "help": ([cli, "--help"], None),
        # "build unchanged since the last command": run once untimed first, since the cold column-lineage side
        # of the round before removed the caches `context` reads (the manifest index)
        "context": ([cli, "context", MART, "--key", KEY, "--role", ROLE, *where], AGAIN),
        "dbt show": ([dbt_executable(), "show", *dbt_args(build_dir), "--inline", sql, "--no-write-json"], None),
        "columns cold": ([cli, "lineage", MART, "--columns", "--format", "json", *where], no_caches),
        "columns cached": ([cli, "lineage", MART, "--columns", "--format", "json", *where], None),
        "models up": ([cli, "lineage", MART, "--direction", "up", "--format", "json", *where], None),
    }
    envs = {side: env for side in sides}
    baseline_sides = ("help", "context", "columns cached")
    if args.baseline:
        compile_checkout(args.baseline.resolve())
        # the baseline reads its own copy of the build: what is kept beside the artifacts (traced lineage, kept
        # answers) is keyed by the code, so two checkouts sharing one target folder evict each other's on every run
        baseline_dir = Path(tempfile.mkdtemp(prefix="cold-commands-baseline-"))
        shutil.copytree(target, baseline_dir / "target", ignore=shutil.ignore_patterns("*.tmp", "telemetry"))
        shutil.copy(build_dir / "dbt_grounding.duckdb", baseline_dir / "dbt_grounding.duckdb")
        baseline_env = {**demo_env(baseline_dir), "PYTHONPATH": str(args.baseline.resolve() / "python")}
        paired = {}
        for side, run in sides.items():
            paired[side] = run
            if side in baseline_sides:
                command, before = run
                paired[f"{side} (baseline)"] = ([str(baseline_dir / "target") if part == str(target) else part
                                                 for part in command], before)
                envs[f"{side} (baseline)"] = baseline_env
        sides = paired
    progress("cold_commands: warm-up ...")
    for side, (command, before) in sides.items():
        timed(command, envs[side], before)
    times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    loads = []
    for run in range(args.runs):
        loads.append(load_average())
        progress(f"cold_commands: round {run + 1} of {args.runs} (load {loads[-1]:.1f}) ...")
        for side, (command, before) in sides.items():
            times[side].append(timed(command, envs[side], before))
    loads.append(load_average())
    if args.baseline:
        shutil.rmtree(baseline_dir, ignore_errors=True)
    median = {side: statistics.median(wall for wall, _ in values) for side, values in times.items()}
    cpu = {side: statistics.median(used for _, used in values) for side, values in times.items()}

    def figure(side: str) -> str:
        return f"{median[side]:.2f} s ({cpu[side]:.2f} s CPU)"

    load = f"{min(loads):.1f}-{max(loads):.1f}"

    rows = [
        Row("`dbt-grounding --help`, fresh process (goal <= 0.15 s)", figure("help"), "", "", load),
        Row(f"`dbt-grounding context {MART} --key {KEY}`, fresh process, demo (goal <= 0.4 s; vs `dbt show "
            "--inline` of the same row)", figure("context"), figure("dbt show"),
            f"{median['dbt show'] / median['context']:.1f}x ({cpu['dbt show'] / cpu['context']:.1f}x CPU)", load),
        Row(f"`dbt-grounding lineage {MART} --columns`, fresh process, caches removed (cold)",
            figure("columns cold"), "", "", load),
        Row("the same, caches current (goal <= 0.3 s)", figure("columns cached"), "", "", load),
        Row(f"`dbt-grounding lineage {MART} --direction up` (model level), fresh process, demo",
            figure("models up"), "", "", load),
    ]
    if args.baseline:
        for side in baseline_sides:
            rows.append(Row(f"{side}: this checkout vs --baseline {args.baseline}", figure(side),
                            figure(f"{side} (baseline)"),
                            f"{median[f'{side} (baseline)'] / median[side]:.1f}x "
                            f"({cpu[f'{side} (baseline)'] / cpu[side]:.1f}x CPU)", load))
    if args.json:
        emit_rows(rows)
        return
    print(f"    .venv/bin/python benchmarks/cold_commands.py {'--quick' if args.quick else f'--build-dir {build_dir}'}"
          + (f" --runs {args.runs}" if args.runs != 5 else ""))
    print()
    print(f"| fresh process, median of {args.runs} | dbt-grounding | dbt | ratio | load (1 min) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.measure} | {row.ours} | {row.peer} | {row.ratio} | {row.load} |")


if __name__ == "__main__":
    main()
