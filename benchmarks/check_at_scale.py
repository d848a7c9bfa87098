#!/usr/bin/env python3
"""Benchmark: `dbt-grounding check` with and without the warehouse on a built synthetic project (not a test; nothing
here asserts a time).

    .venv/bin/python benchmarks/check_at_scale.py --models 1000 --out /tmp/synth1000
    .venv/bin/python benchmarks/check_at_scale.py --quick --json   # make bench: --no-warehouse at 1,000 and 2,000

The project is made by benchmarks/synthetic_project.py (N models, 10 layers, staging and intermediate layers as
views, 5 marts as tables over empty source tables) and built with `dbt build` (timed) unless DIR already holds that
build. Then, side by side in one run, each a fresh process, alternated, after one warm-up of each, --runs times:

  - `dbt-grounding check --no-warehouse`: artifacts only;
  - `dbt-grounding check`: the same plus the warehouse checks (mart and source drift, as-of values), in one session;
  - `check` + inspect every relation upstream of the marts: the gate, then `Warehouse.inspect` of every model, seed
    and source upstream of each mart in the same session (what a gate checking every layer asks the warehouse);
    a `python -c` child calling the library, as the CLI does.

The CLI is the one installed beside this Python (`dbt-grounding`), run with PYTHONPATH set to this checkout's
python/ so the code measured is this checkout's. Each figure is the median wall time of its runs, with the machine's
1-minute load average (`os.getloadavg()`, read before each run) beside it: on a shared machine the figures move
with the load, the ratios measured in the same rounds much less. Ratios are per round (the same round's runs), then
the median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_common import REPO_ROOT, Row, cli_env, cli_executable, dbt_executable, emit_rows, progress, synthetic

MARKER = "synthetic_project.json"

# The third side: the gate and an inspect of every relation upstream of the marts, in one warehouse session.
INSPECT_ALL = r"""
import sys
from pathlib import Path

from dbt_grounding import GroundingProject

with GroundingProject.open(Path(sys.argv[1]), profiles_dir=Path(sys.argv[1])) as project:
    warehouse = project.warehouse()
    with warehouse.session():
        result = project.check()
        upstream = sorted({uid for mart in project.grounding_models() for uid in project.upstream(mart.unique_id)})
        inspected = broken = 0
        for uid in upstream:
            node = project.manifest.resource(uid)
            if uid.startswith("source."):
                relation = (node.database, node.schema or "", node.identifier or node.name)
            elif uid.startswith(("model.", "seed.", "snapshot.")) and node.config.materialized != "ephemeral":
                relation = (node.database, node.schema or "", node.identifier)
            else:
                continue
            state = warehouse.inspect(relation)
            inspected += 1
            broken += state.broken is not None or state.columns is None
    print(f"{len(result.findings)} findings; {inspected} relations inspected, {broken} broken or missing; "
          f"{warehouse.connections_opened} connection(s) opened")
"""


def load() -> float:
    return os.getloadavg()[0]


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def prepare(models: int, out: Path, env: dict[str, str]) -> None:
    """Generate and build the project unless `out` already holds a successful build of it."""
    record = out / MARKER
    built = out / "target" / "run_results.json"
    if record.exists() and json.loads(record.read_text())["models"] == models and built.exists():
        print(f"reusing the built project in {out}", file=sys.stderr)
        return
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "synthetic_project.py"), "--models", str(models),
                    "--out", str(out), "--dbt", "parse"], check=True, env=env)
    dbt = dbt_executable()
    before = load()
    seconds, result = run([dbt, "build", "--project-dir", str(out), "--profiles-dir", str(out)], env, out)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:] + result.stderr[-3000:])
        raise SystemExit("dbt build failed")
    print(f"`dbt build` of the {models:,}-model project: {seconds:.0f} s (load {before:.1f} before, "
          f"{load():.1f} after)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000, help="project size (default 1000)")
    parser.add_argument("--out", type=Path, help="project folder (made and built when needed)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--no-inspect", action="store_true", help="leave out the side inspecting every relation")
    parser.add_argument("--quick", action="store_true",
                        help="`check --no-warehouse` only, on compiled (not built) projects of 1,000 and 2,000 models "
                             "made once under /tmp/dbt-grounding-bench; 3 runs")
    parser.add_argument("--json", action="store_true", help="with --quick: print bench_all.py rows (JSON) only")
    args = parser.parse_args()
    if args.quick:
        return quick(min(args.runs, 3), args.json)
    if args.out is None:
        parser.error("--out is required (or --quick)")
    out = args.out.resolve()
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT / "python"), os.environ.get("PYTHONPATH")])))
    prepare(args.models, out, env)

    cli = str(Path(sys.executable).with_name("dbt-grounding"))
    location = ["--project-dir", str(out), "--profiles-dir", str(out)]
    sides = {
        "`check --no-warehouse`": [cli, "check", *location, "--no-warehouse"],
        "`check`": [cli, "check", *location],
        "`check` + inspect of every upstream relation": [sys.executable, "-c", INSPECT_ALL, str(out)],
    }
    if args.no_inspect:
        del sides["`check` + inspect of every upstream relation"]
    outputs = {}
    for side, command in sides.items():  # warm-up, and the check that each side ran (exit 0 or 1: findings)
        _, result = run(command, env, out)
        if result.returncode not in (0, 1):
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
            raise SystemExit(f"{side} exited {result.returncode}: no figures")
        outputs[side] = (result.returncode, result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "")

    times: dict[str, list[float]] = {side: [] for side in sides}
    loads: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(args.runs):
        for side, command in sides.items():
            loads[side].append(load())
            seconds, _ = run(command, env, out)
            times[side].append(seconds)

    base = "`check --no-warehouse`"
    record = json.loads((out / MARKER).read_text())
    print(f"    .venv/bin/python benchmarks/check_at_scale.py --models {args.models} --out {args.out}"
          + (f" --runs {args.runs}" if args.runs != 5 else "") + (" --no-inspect" if args.no_inspect else ""))
    print()
    print(f"{record['models']:,} models ({record['layer_sizes'][0]} staging views, {sum(record['layer_sizes'][1:-1])} "
          f"intermediate views, {len(record['marts'])} marts), {record['sources']} sources, "
          f"{record['data_tests']:,} data tests; {os.cpu_count()} cores.")
    print()
    print(f"| fresh process, median of {args.runs} | wall time | load (1 min) during the runs | vs `--no-warehouse`, "
          f"per round | exit, last line |")
    print("|---|---|---|---|---|")
    for side in sides:
        ratio = statistics.median(t / b for t, b in zip(times[side], times[base]))
        code, last = outputs[side]
        print(f"| {side} | {statistics.median(times[side]):.2f} s | {min(loads[side]):.1f}–{max(loads[side]):.1f} "
              f"| {ratio:.2f}× | {code}: {last[:90]} |")


def quick(runs: int, as_json: bool) -> None:
    """`check --no-warehouse` at 1,000 and 2,000 models (compiled, tests not run), fresh process, median of `runs`:
    how its time grows with the project (issue 16: linear in models)."""
    rows, env = [], cli_env()
    for models in (1000, 2000):
        project = synthetic(models)
        command = [cli_executable(), "check", "--project-dir", str(project), "--profiles-dir", str(project),
                   "--no-warehouse", "--format", "json"]
        run(command, env, project)  # warm-up
        times, loads = [], []
        for index in range(runs):
            loads.append(load())
            progress(f"check_at_scale: {models:,} models, run {index + 1} of {runs} (load {loads[-1]:.1f}) ...")
            seconds, result = run(command, env, project)
            if result.returncode not in (0, 1):
                raise SystemExit(f"check exited {result.returncode}: {result.stderr[-2000:]}")
            times.append(seconds)
        rows.append(Row(f"`dbt-grounding check --no-warehouse`, fresh process, {models:,} models (compiled, tests not "
                        "run)", f"{statistics.median(times):.2f} s", "", "", f"{min(loads):.1f}-{max(loads):.1f}"))
    if as_json:
        emit_rows(rows)
    else:
        for row in rows:
            print(f"| {row.measure} | {row.ours} | load {row.load} |")


if __name__ == "__main__":
    main()
