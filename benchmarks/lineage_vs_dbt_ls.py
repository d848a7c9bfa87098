#!/usr/bin/env python3
"""Benchmark: a deep mart's upstream lineage from a cold process, dbt-grounding vs `dbt ls` (not a test; nothing
here asserts a time).

    .venv/bin/python benchmarks/synthetic_project.py --models 5000 --out /tmp/synth5000 --dbt parse
    .venv/bin/python benchmarks/lineage_vs_dbt_ls.py --project /tmp/synth5000
    .venv/bin/python benchmarks/lineage_vs_dbt_ls.py --quick --json    # make bench: 2,000 models, rows as JSON

Side by side in one run, each a fresh process of the command users run, alternated, after one warm-up of each (so
all read files from the page cache), --runs times (median; `dbt ls` in the first --dbt-runs rounds only):
  - `dbt-grounding lineage MART --direction up --format json`, the installed CLI with this checkout's code
    (PYTHONPATH), twice: with the manifest index removed before each run (as after a `dbt` command rewrote
    manifest.json: the JSON is decoded and the index written again), and with the index current (nothing changed
    since the last command: the index is read, after checking it against the manifest's size, inode, mtime, ctime
    and the CRC-32s of its first and last 64 KiB);
  - `dbt-grounding --help`: interpreter start-up and the CLI's own imports, the floor of any command;
  - `dbt ls --select +MART --output json` on the same project and target, with dbt's defaults (partial parsing from
    target/partial_parse.msgpack, so no re-parse when nothing changed; --no-write-json, so manifest.json is left as
    it is) and --quiet, so stdout holds only the result.

With --before DIR (another checkout's python/ folder, e.g. the base commit's, `git archive BASE python | tar -x
-C DIR/..`), the three dbt-grounding sides also run with that code (PYTHONPATH=DIR) in the same rounds, each
"current" right after its own "rebuilt" (the two codes' indexes differ: each rebuilds the other's), so a change is
reported as before vs after vs dbt ls, side by side.

Wall time is measured around each child; peak RSS is that child's own (`/usr/bin/time -v`); the 1-minute load
average is read before each round and its range printed. Both answers are compared first: restricted to models,
sources and seeds (dbt ls also lists the tests of the selected nodes), the two node sets must be identical, or the
benchmark stops without figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
from pathlib import Path

from bench_common import (
    Row, cli_env, cli_executable, compile_checkout, dbt_executable, emit_rows, load_average, progress, synthetic, time_child,
)

COMPARED = {"model", "source", "seed"}

QUICK_MODELS = 2000


def ours_nodes(stdout: str) -> set[str]:
    """The root and its upstream nodes, of the compared kinds (dbt ls lists the selected root too)."""
    answer = json.loads(stdout)
    nodes = [{"unique_id": answer["unique_id"], "resource_type": answer["resource_type"]}, *answer["upstream"]]
    return {n["unique_id"] for n in nodes if n["resource_type"] in COMPARED}


def dbt_nodes(stdout: str) -> tuple[set[str], int]:
    rows = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {r["unique_id"] for r in rows if r["resource_type"] in COMPARED}, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="dbt project folder (with its profiles.yml)")
    parser.add_argument("--mart", help="model to trace (default: the deep mart synthetic_project.py recorded)")
    parser.add_argument("--profiles-dir", type=Path, help="default: the project folder")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--dbt-runs", type=int, default=None,
                        help="timed runs of `dbt ls` (default: --runs), in the first rounds: it takes 30 s and more "
                             "a run at 5,000 models, dbt-grounding's sides a fraction of a second")
    parser.add_argument("--quick", action="store_true",
                        help=f"a {QUICK_MODELS:,}-model synthetic project under /tmp/dbt-grounding-bench (made once), 3 runs")
    parser.add_argument("--json", action="store_true", help="print the figures as bench_all.py rows (JSON) only")
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout's python/ folder: its CLI timed beside this one's (docstring)")
    args = parser.parse_args()
    if args.quick:
        args.project = args.project or synthetic(QUICK_MODELS)
        args.runs = min(args.runs, 3)
    if args.project is None:
        parser.error("--project is required (or --quick)")

    project = args.project.resolve()
    profiles_dir = (args.profiles_dir or project).resolve()
    mart = args.mart
    if mart is None:
        record = project / "synthetic_project.json"
        if not record.exists():
            parser.error("--mart is required for a project not made by benchmarks/synthetic_project.py")
        mart = json.loads(record.read_text())["deep_mart"]
    manifest = project / "target" / "manifest.json"
    if not manifest.exists():
        raise SystemExit(f"{manifest} is missing: run `dbt parse` (or synthetic_project.py) in {project} first")
    index_dir = project / "target" / "dbt_grounding" / "manifest_index"

    cli, env = cli_executable(), cli_env()
    # Users run an installed package, whose bytecode pip compiled at install: the checkout's modules get theirs on
    # the warm-up, not recompiled in every timed process (~20 ms) when the shell sets PYTHONDONTWRITEBYTECODE.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    dbt_runs = min(args.runs, args.dbt_runs) if args.dbt_runs else args.runs
    ours_command = [cli, "lineage", mart, "--direction", "up", "--format", "json", "--project-dir", str(project)]
    start_command = [cli, "--help"]
    dbt = dbt_executable()
    dbt_command = [dbt, "--quiet", "ls", "--project-dir", str(project), "--profiles-dir", str(profiles_dir),
                   "--select", f"+{mart}", "--output", "json", "--no-write-json"]

    # warm-up of each side, and the check that both give the same answer
    progress(f"lineage_vs_dbt_ls: {project.name}, {mart}: warm-up and answer check ...")
    shutil.rmtree(index_dir, ignore_errors=True)
    ours_out = time_child(ours_command, env, project).stdout
    dbt_out = time_child(dbt_command, env, project).stdout
    ours_set = ours_nodes(ours_out)
    dbt_set, dbt_total = dbt_nodes(dbt_out)
    if ours_set != dbt_set:
        only_ours, only_dbt = sorted(ours_set - dbt_set), sorted(dbt_set - ours_set)
        raise SystemExit(
            f"the two answers differ, no figures reported: {len(only_ours)} node(s) only in dbt-grounding's "
            f"{only_ours[:5]}, {len(only_dbt)} only in dbt ls' {only_dbt[:5]}"
        )
    time_child(start_command, env, project)

    sides = {"rebuilt": ours_command, "current": ours_command, "start": start_command, "dbt": dbt_command}
    envs = {side: env for side in sides}
    if args.before is not None:
        before_env = dict(env, PYTHONPATH=str(args.before.resolve()))
        compile_checkout(args.before.resolve().parent)
        progress(f"lineage_vs_dbt_ls: --before {args.before}: warm-up and answer check ...")
        shutil.rmtree(index_dir, ignore_errors=True)
        if ours_nodes(time_child(ours_command, before_env, project).stdout) != ours_set:
            raise SystemExit("the code before gives another answer: no figures reported")
        sides = {"rebuilt before": ours_command, "current before": ours_command, "start before": start_command,
                 **sides}
        envs.update({side: before_env for side in sides if side.endswith(" before")})
    results: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    cpu: dict[str, list[float]] = {side: [] for side in sides}
    loads: list[float] = []
    for run in range(args.runs):
        progress(f"lineage_vs_dbt_ls: round {run + 1} of {args.runs} (load {load_average():.1f}) ...")
        loads.append(load_average())
        for side, command in sides.items():
            if side == "dbt" and run >= dbt_runs:
                continue
            if side.startswith("rebuilt"):
                shutil.rmtree(index_dir, ignore_errors=True)  # as after a dbt command rewrote manifest.json
            timed = time_child(command, envs[side], project)
            if side.startswith(("rebuilt", "current")) and ours_nodes(timed.stdout) != ours_set:
                raise SystemExit(f"dbt-grounding's answer changed between runs ({side}): no figures reported")
            results[side].append((timed.seconds, timed.peak_rss_mib))
            cpu[side].append(timed.cpu_seconds)
    loads.append(load_average())
    wall = {side: statistics.median(s for s, _ in runs) for side, runs in results.items()}
    rss = {side: statistics.median(r for _, r in runs) for side, runs in results.items()}
    cpu_s = {side: statistics.median(values) for side, values in cpu.items()}
    load = f"{min(loads):.1f}-{max(loads):.1f}"
    models = sum(1 for line in dbt_out.splitlines() if '"resource_type": "model"' in line)

    if args.json:
        total = json.loads((project / "synthetic_project.json").read_text()).get("models") if (
            project / "synthetic_project.json").exists() else None
        size = f"{total:,} models" if total else project.name
        emit_rows([
            Row(f"lineage of the deepest mart, cold CLI, manifest changed ({size}; vs `dbt ls --select +mart`)",
                _figure(wall, cpu_s, "rebuilt"), _figure(wall, cpu_s, "dbt"), _ratio(wall, cpu_s, "rebuilt"), load),
            Row(f"the same, manifest unchanged since the last command (index current; {size})",
                _figure(wall, cpu_s, "current"), _figure(wall, cpu_s, "dbt"), _ratio(wall, cpu_s, "current"), load),
            Row("`dbt-grounding --help`, cold process (start-up and the CLI's imports)",
                _figure(wall, cpu_s, "start"), "", "", load),
        ])
        return

    kinds: dict[str, int] = {}
    for uid in ours_set:
        kinds[uid.split(".")[0]] = kinds.get(uid.split(".")[0], 0) + 1
    counted = ", ".join(f"{n:,} {kind}s" for kind, n in sorted(kinds.items()))
    print(f"    .venv/bin/python benchmarks/lineage_vs_dbt_ls.py --project {args.project} --mart {mart}"
          + (f" --runs {args.runs}" if args.runs != 5 else "") + (f" --dbt-runs {dbt_runs}" if dbt_runs != args.runs
                                                                    else "")
          + (f" --before {args.before}" if args.before else ""))
    print()
    print(f"`{mart}`: both return the same {len(ours_set):,} upstream nodes ({counted}, the mart included; "
          f"{models:,} models listed by dbt ls); dbt ls also lists {dbt_total - len(dbt_set):,} tests. "
          f"manifest.json {manifest.stat().st_size / 1e6:.1f} MB. 1-minute load average {load}.")
    print()
    print(f"| cold process, median of {args.runs} ({dbt_runs} for dbt ls), load {load} | wall time | CPU time | peak RSS "
          "| dbt ls / this (wall, CPU) |")
    print("|---|---|---|---|---|")
    labels = [
        ("rebuilt", f"`dbt-grounding lineage {mart} --direction up --format json`, manifest changed (index rebuilt)"),
        ("current", "the same, manifest unchanged since the last command (index read)"),
        ("start", "`dbt-grounding --help` (start-up and the CLI's imports only)"),
        ("dbt", f"`dbt ls --select +{mart} --output json` (partial parse, nothing changed)"),
    ]
    if args.before is not None:
        labels[3:3] = [(f"{side} before", f"{label}, code of {args.before}") for side, label in labels[:3]]
    for side, label in labels:
        print(f"| {label} | {wall[side]:.3f} s | {cpu_s[side]:.3f} s | {rss[side]:,.0f} MiB "
              f"| {_ratio(wall, cpu_s, side)} |")


def _figure(wall: dict[str, float], cpu: dict[str, float], side: str) -> str:
    return f"{wall[side]:.2f} s ({cpu[side]:.2f} s CPU)"


def _ratio(wall: dict[str, float], cpu: dict[str, float], side: str) -> str:
    """dbt ls' time over this side's, by wall time and by CPU time (the second moves less with the load)."""
    return f"{wall['dbt'] / wall[side]:.0f}x ({cpu['dbt'] / cpu[side]:.0f}x CPU)"


if __name__ == "__main__":
    main()
