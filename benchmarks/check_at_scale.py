#!/usr/bin/env python3
"""Benchmark: `dbt-grounding check --no-warehouse` at 1,000 / 2,000 / 5,000 models, with and without grounding meta
(not a test; nothing here asserts a time).

    .venv/bin/python benchmarks/check_at_scale.py                      # 1,000 / 2,000 / 5,000, 3 runs each
    .venv/bin/python benchmarks/check_at_scale.py --quick --json       # 1,000 / 2,000, 1 run: `make bench`

Each project is made by benchmarks/synthetic_project.py (N models, 10 layers, staging and intermediate layers as
views, 5 marts as tables over empty source tables, one exposure over the marts); the plain variant (`--plain`) has
no `meta.grounding` anywhere, so the gate chooses what to check itself (checks.scope: the models the exposure depends
on). Its artifacts are made once and reused from WORKDIR: by default those of `dbt parse` (no test results: every
test counts as not run, the most findings, the case the issue measured; `check --no-warehouse` parses no SQL, so
compiled SQL would change only the DG502 findings), `--artifacts compile` adds compiled SQL, `--artifacts build`
runs `dbt build` (timed; over an hour at 5,000 models on a loaded 2-core machine).

What is timed is what users run: the installed CLI (`dbt-grounding` beside this Python, with PYTHONPATH set to this
checkout's python/ so the code measured is this checkout's), a fresh process per run, `--format json` written to a
pipe. After one warm-up of each project, the runs go round the projects --runs times, so every project sees the same
load. Each figure is the median wall time and the child's CPU time (user + system, `getrusage`: on a machine shared
with other work the wall time grows with the load, the CPU time much less), with the machine's 1-minute load
average (`os.getloadavg()`, read before each run) beside it.

Linearity: for each variant, the time at N models against the time at the smallest size scaled by N / smallest
(`peer` in --json: what linear growth would give). A ratio of 1.0 is linear; the 620 s the 5,000-model plain project
took before (x23 for x2.5 models) would be 9.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_common import REPO_ROOT, dbt_executable

MARKER = "check_at_scale.json"  # what this script made in a project folder: size, variant, artifacts
SIZES = (1000, 2000, 5000)
QUICK_SIZES = (1000, 2000)
VARIANTS = {"meta": "with meta.grounding", "plain": "plain (no meta.grounding)"}


def load() -> float:
    return os.getloadavg()[0]


def progress(message: str) -> None:
    print(f"[check_at_scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Project:
    models: int
    variant: str
    path: Path
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the child's user + system CPU seconds
    loads: list[float] = field(default_factory=list)
    exit_code: int | None = None
    findings: int = 0  # every finding (the json summary's total)
    shown: int = 0  # the report's entries, repeated findings summarised

    @property
    def label(self) -> str:
        return f"{self.models:,} models, {VARIANTS[self.variant]}"


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, result


def prepare(project: Project, artifacts: str, env: dict[str, str]) -> None:
    """Generate the project and make its artifacts (`dbt compile` or `dbt build`) unless its folder holds them."""
    out = project.path
    plain = project.variant == "plain"
    wanted = {"models": project.models, "plain": plain, "artifacts": artifacts}
    if (out / MARKER).exists() and json.loads((out / MARKER).read_text()) == wanted:
        progress(f"reusing {project.label} in {out} ({artifacts} artifacts)")
        return
    (out / MARKER).unlink(missing_ok=True)
    progress(f"generating {project.label} in {out} (dbt parse{', compile' if artifacts == 'compile' else ''})")
    if out.exists() and not (out / "synthetic_project.json").exists():
        shutil.rmtree(out)  # a generation stopped half-way: synthetic_project.py refuses a folder it did not finish
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "synthetic_project.py"), "--models",
                    str(project.models), "--out", str(out), "--dbt", "compile" if artifacts == "compile" else "parse",
                    *(["--plain"] if plain else [])], check=True, env=env, stdout=subprocess.DEVNULL)
    if artifacts == "build":
        progress(f"`dbt build` of {project.label} (long: every model and test)")
        before = load()
        seconds, result = run([dbt_executable(), "build", "--project-dir", str(out), "--profiles-dir", str(out)],
                              env, out)
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-6000:] + result.stderr[-3000:])
            raise SystemExit("dbt build failed")
        progress(f"built in {seconds:.0f} s (load {before:.1f} before, {load():.1f} after)")
    (out / MARKER).write_text(json.dumps(wanted) + "\n")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check_once(project: Project, cli: str, env: dict[str, str]) -> float:
    command = [cli, "check", "--project-dir", str(project.path), "--profiles-dir", str(project.path),
               "--no-warehouse", "--format", "json"]
    project.loads.append(load())
    before = children_cpu()  # children run one at a time: the difference is this one's
    seconds, result = run(command, env, project.path)
    project.cpu.append(children_cpu() - before)
    if result.returncode not in (0, 1):  # 1: findings, the gate did its work
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"`check` on {project.label} exited {result.returncode}: no figures")
    report = json.loads(result.stdout)
    project.exit_code, project.findings, project.shown = \
        result.returncode, report["summary"]["total"], len(report["findings"])
    return seconds


def linearity(projects: list[Project], figures=lambda p: p.times) -> dict[tuple[int, str], tuple[float, float]]:
    """(models, variant) -> (what linear growth from the smallest size would take, measured / that)."""
    out = {}
    for variant in {p.variant for p in projects}:
        of_variant = sorted((p for p in projects if p.variant == variant), key=lambda p: p.models)
        base = of_variant[0]
        for project in of_variant:
            linear = statistics.median(figures(base)) * project.models / base.models
            out[(project.models, variant)] = (linear, statistics.median(figures(project)) / linear)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help=f"project sizes (default {SIZES})")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbt-grounding-bench/check"),
                        help="where the projects are made and built, then reused (default %(default)s)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each project (default 3; --quick 1)")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one run, no warm-up")
    parser.add_argument("--variants", nargs="+", choices=tuple(VARIANTS), default=list(VARIANTS),
                        help="meta, plain or both (default)")
    parser.add_argument("--artifacts", choices=("parse", "compile", "build"), default="parse",
                        help="the dbt command whose artifacts are checked (default parse; build takes long)")
    parser.add_argument("--json", action="store_true",
                        help="print rows {measure, ours, peer, ratio, load} as JSON instead of the Markdown table")
    args = parser.parse_args()
    sizes = tuple(args.sizes or (QUICK_SIZES if args.quick else SIZES))
    runs = args.runs or (1 if args.quick else 3)
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT / "python"), os.environ.get("PYTHONPATH")])))
    workdir = args.workdir.resolve()
    artifacts = args.artifacts
    suffix = "" if artifacts == "parse" else f"-{artifacts}"
    projects = [Project(models, variant, workdir / f"synth{models}{'-plain' if variant == 'plain' else ''}{suffix}")
                for models in sorted(sizes) for variant in VARIANTS if variant in args.variants]
    for project in projects:
        prepare(project, artifacts, env)

    cli = str(Path(sys.executable).with_name("dbt-grounding"))
    if not args.quick:
        for project in projects:
            progress(f"warm-up: {project.label}")
            check_once(project, cli, env)
            project.loads.clear()
    for round_ in range(runs):
        for project in projects:
            progress(f"run {round_ + 1}/{runs}: {project.label}")
            project.times.append(check_once(project, cli, env))
    ratios = linearity(projects)

    if args.json:  # benchmarks/bench_all.py's rows: every value a string
        rows = [{
            "measure": f"`check --no-warehouse`, {p.label}, {artifacts} artifacts (peer: linear from "
                       f"{min(sizes):,} models)",
            "ours": f"{statistics.median(p.times):.2f} s (CPU {statistics.median(p.cpu):.2f} s)",
            "peer": f"{ratios[(p.models, p.variant)][0]:.2f} s",
            "ratio": f"{ratios[(p.models, p.variant)][1]:.2f}x",
            "load": f"{statistics.median(p.loads):.1f}",
        } for p in projects]
        print(json.dumps(rows, indent=2))
        return
    smallest = min(sizes)
    print("    .venv/bin/python benchmarks/check_at_scale.py"
          + (" --quick" if args.quick else "") + (f" --sizes {' '.join(map(str, sizes))}" if args.sizes else "")
          + (f" --runs {args.runs}" if args.runs else "")
          + (f" --variants {' '.join(args.variants)}" if len(args.variants) < len(VARIANTS) else "")
          + (f" --artifacts {artifacts}" if artifacts != "parse" else ""))
    print()
    print(f"| `check --no-warehouse --format json`, {artifacts} artifacts, fresh process, median of {runs} "
          f"| wall time | CPU (user + sys) | load (1 min) "
          f"| findings (report entries) | exit | wall vs linear from {smallest:,} | CPU vs linear |")
    print("|---|---|---|---|---|---|---|---|")
    cpu_ratios = linearity(projects, lambda p: p.cpu)
    for p in projects:
        print(f"| {p.label} | {statistics.median(p.times):.2f} s | {statistics.median(p.cpu):.2f} s "
              f"| {min(p.loads):.1f}–{max(p.loads):.1f} | {p.findings:,} ({p.shown:,}) | {p.exit_code} "
              f"| {ratios[(p.models, p.variant)][1]:.2f}× | {cpu_ratios[(p.models, p.variant)][1]:.2f}× |")
    print()
    print(f"{os.cpu_count()} cores; load before each run: {min(l for p in projects for l in p.loads):.1f}–"
          f"{max(l for p in projects for l in p.loads):.1f}.")


if __name__ == "__main__":
    main()
