#!/usr/bin/env python3
"""Benchmark: a deep mart's upstream lineage from a cold process, dbt-grounding vs `dbt ls` (not a test; nothing
here asserts a time).

    .venv/bin/python benchmarks/synthetic_project.py --models 500 --out /tmp/synth500
    .venv/bin/python benchmarks/lineage_vs_dbt_ls.py --project /tmp/synth500 --mart mart_deep_001

Side by side in one run, each a fresh child process, alternated, after one warm-up of each (so both read files from
the page cache), --runs times (median):
  - dbt-grounding: `python -c` importing the library, loading target/manifest.json (`load_manifest_graph`: ids, names, types and dependencies only), asking for
    the mart's upstream lineage by name (`lineage.graph.model_lineage(manifest, MART, direction="up")`) and
    printing it as JSON: what any CLI command or agent tool call built on the library pays;
  - `dbt ls --select +MART --output json` on the same project and target, with dbt's defaults (partial parsing from
    target/partial_parse.msgpack, so no re-parse when nothing changed; --no-write-json, so manifest.json is left as
    it is) and --quiet, so stdout holds only the result.

A third child, the first one's imports alone, shows how much of that side is interpreter start-up and imports.
Wall time is measured around each child; peak RSS is that child's own (`/usr/bin/time -v`, maximum resident set
size). Both answers are compared first: restricted to models, sources and seeds (dbt ls also lists the tests of the
selected nodes), the two node sets must be identical, or the benchmark stops without figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from bench_common import dbt_executable, time_child

COMPARED = {"model", "source", "seed"}

# The dbt-grounding side, run as `python -c CHILD manifest.json MART`: the library's model-level lineage (the mart
# resolved by name, upstream only, tests left out), printed as the JSON of the ModelLineage it returns.
CHILD = r"""
import sys
from pathlib import Path

import msgspec

from dbt_grounding.artifacts import load_manifest_graph
from dbt_grounding.lineage.graph import model_lineage

manifest = load_manifest_graph(Path(sys.argv[1]))
lineage = model_lineage(manifest, sys.argv[2], direction="up")
sys.stdout.buffer.write(msgspec.json.encode(lineage))
"""

# The same child's imports and nothing else: how much of its time is interpreter start-up and imports.
IMPORTS_ONLY = CHILD[: CHILD.index("\nmanifest = ")]


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
    parser.add_argument("--project", type=Path, required=True, help="dbt project folder (with its profiles.yml)")
    parser.add_argument("--mart", help="model to trace (default: the deep mart synthetic_project.py recorded)")
    parser.add_argument("--profiles-dir", type=Path, help="default: the project folder")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    args = parser.parse_args()

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
        raise SystemExit(f"{manifest} is missing: run `dbt compile` (or synthetic_project.py) in {project} first")

    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    ours_command = [sys.executable, "-c", CHILD, str(manifest), mart]
    dbt = dbt_executable()
    dbt_command = [dbt, "--quiet", "ls", "--project-dir", str(project), "--profiles-dir", str(profiles_dir),
                   "--select", f"+{mart}", "--output", "json", "--no-write-json"]

    # warm-up of each side, and the check that both give the same answer
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

    imports_command = [sys.executable, "-c", IMPORTS_ONLY]
    time_child(imports_command, env, project)
    sides = {"ours": ours_command, "imports": imports_command, "dbt": dbt_command}
    results: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    for _ in range(args.runs):
        for side, command in sides.items():
            timed = time_child(command, env, project)
            results[side].append((timed.seconds, timed.peak_rss_mib))
    wall = {side: statistics.median(s for s, _ in runs) for side, runs in results.items()}
    rss = {side: statistics.median(r for _, r in runs) for side, runs in results.items()}

    kinds = {}
    for uid in ours_set:
        kinds[uid.split(".")[0]] = kinds.get(uid.split(".")[0], 0) + 1
    counted = ", ".join(f"{n:,} {kind}s" for kind, n in sorted(kinds.items()))
    print(f"    .venv/bin/python benchmarks/lineage_vs_dbt_ls.py --project {args.project} --mart {mart}"
          + (f" --runs {args.runs}" if args.runs != 5 else ""))
    print()
    print(f"`{mart}`: both return the same {len(ours_set):,} upstream nodes ({counted}, the mart included); "
          f"dbt ls also lists {dbt_total - len(dbt_set):,} tests. "
          f"manifest.json {manifest.stat().st_size / 1e6:.1f} MB.")
    print()
    print(f"| cold process, median of {args.runs} | wall time | peak RSS |")
    print("|---|---|---|")
    print(f"| dbt-grounding (`python -c`: import, `load_manifest_graph`, `model_lineage(direction='up')`, print JSON) "
          f"| {wall['ours']:.2f} s | {rss['ours']:,.0f} MiB |")
    print(f"| of which: start-up and imports only (the same `python -c` stopping after its imports) "
          f"| {wall['imports']:.2f} s | {rss['imports']:,.0f} MiB |")
    print(f"| `dbt ls --select +{mart} --output json` (partial parse, nothing changed) "
          f"| {wall['dbt']:.2f} s | {rss['dbt']:,.0f} MiB |")
    print(f"| ratio (dbt ls / dbt-grounding) | {wall['dbt'] / wall['ours']:.1f}× | {rss['dbt'] / rss['ours']:.1f}× |")


if __name__ == "__main__":
    main()
