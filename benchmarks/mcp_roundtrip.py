#!/usr/bin/env python3
"""Benchmark: get_context through the real MCP client over stdio against `dbt-grounding serve` (not a test).

The server serves the published build (its default); the build is published once first. Measures (0) what
importing the mcp SDK alone costs a fresh process; (1) server start to first answer: spawning `dbt-grounding
serve`, the MCP handshake and the first get_context (the full document), cold, median of --starts runs, with the
server's CPU time by then; (2) the warm round trip of get_context in one session, p50/p95 over --samples random keys
after as many warm-up calls; (3) the same calls in process (agent.run_tool on the same
LiveProject), to show what the protocol adds. Prints the 1-minute load average beside each figure.

The server is the installed console script running this checkout's code (PYTHONPATH), its bytecode written first
as installing the package does (this machine sets PYTHONDONTWRITEBYTECODE=1: without it every start would compile
each module it imports). `--baseline CHECKOUT` also starts another checkout's code (its python/ folder) on its own
copy of target/, each start right after one of this checkout's, so before/after is measured side by side
(e.g. `mkdir /tmp/before && git archive main python | tar -x -C /tmp/before`); `--starts-only` stops after (1).

The build folder holds warehouse.duckdb and target/ (benchmarks/build_marts.py --keep DIR for 1M customers); a
folder without them gets the demo seeded and built into it first.

    .venv/bin/python benchmarks/mcp_roundtrip.py --build-dir /tmp/mcp_demo
    .venv/bin/python benchmarks/mcp_roundtrip.py --build-dir /tmp/bench1m
    .venv/bin/python benchmarks/mcp_roundtrip.py --build-dir /tmp/mcp_demo --starts-only --starts 9 --baseline /tmp/before
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import duckdb
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from bench_common import (
    REPO_ROOT, cli_env, cli_executable, compile_checkout, ensure_demo_build, publish, running_children_cpu,
    running_children_switches,
)

MART = "fct_customer_health_summary"
CLI = cli_executable()
ROLE = "customer_success_agent"  # the demo's agent (grounding_roles.yml)


def fresh_import_seconds(statement: str, runs: int) -> float:
    """Median wall time of a fresh interpreter running `statement`, less that of an empty one."""
    def timed(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=cli_env())
        return time.perf_counter() - started

    return statistics.median(timed(statement) for _ in range(runs)) - statistics.median(timed("pass")
                                                                                         for _ in range(runs))


def sample_keys(build_dir: Path, count: int) -> list[int]:
    with duckdb.connect(str(build_dir / "warehouse.duckdb"), read_only=True) as connection:
        keys = [k for (k,) in connection.execute(
            f"select customer_id from main_ai_grounding.{MART} using sample 2000 rows (reservoir, 7)").fetchall()]
    rng = random.Random(7)
    return [rng.choice(keys) for _ in range(count)]


def parameters(build_dir: Path, code: Path = REPO_ROOT, target: Path | None = None) -> StdioServerParameters:
    """`dbt-grounding serve` on the build, running `code`'s python/ folder (this checkout's unless a baseline's)."""
    env = cli_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "warehouse.duckdb"))
    if code != REPO_ROOT:
        env["PYTHONPATH"] = str(code / "python")
    return StdioServerParameters(
        command=CLI, args=["serve", "--role", ROLE, "--project-dir", str(REPO_ROOT), "--target-path",
                           str(target or build_dir / "target")],
        env=env,
    )


def arguments(key: int) -> dict:
    return {"mart": MART, "key": {"customer_id": key}}


async def start_to_first_answer(server: StdioServerParameters, key: int) -> tuple[float, float]:
    """Wall seconds from spawning the server to the first answer, and the server's CPU seconds by then."""
    started = time.perf_counter()
    async with Client(server) as client:
        result = await client.call_tool("get_context", arguments(key))
        elapsed, cpu = time.perf_counter() - started, running_children_cpu()
    assert not result.is_error, result.content[0].text
    return elapsed, cpu


async def warm_round_trips(build_dir: Path, keys: list[int]) -> tuple[list[float], float, float, float]:
    """Round trip times, the server's and this client's CPU time per call (ms) and the server's context switches
    per call, over the timed calls."""
    async with Client(parameters(build_dir)) as client:
        for key in keys:  # warm-up: lineage, specs, known names, the held connection, DuckDB's buffers
            await client.call_tool("get_context", arguments(key))
        timings = []
        server_cpu, client_cpu, switches = running_children_cpu(), time.process_time(), running_children_switches()
        for key in keys:
            started = time.perf_counter()
            result = await client.call_tool("get_context", arguments(key))
            timings.append(time.perf_counter() - started)
            assert not result.is_error, result.content[0].text
        server_cpu, client_cpu = running_children_cpu() - server_cpu, time.process_time() - client_cpu
        switches = running_children_switches() - switches
    return timings, server_cpu * 1000 / len(keys), client_cpu * 1000 / len(keys), switches / len(keys)


def in_process(build_dir: Path, keys: list[int]) -> list[float]:
    os.environ["DBT_GROUNDING_DUCKDB_PATH"] = str(build_dir / "warehouse.duckdb")
    from dbt_grounding.agent import LiveProject, run_tool

    live = LiveProject(REPO_ROOT, target_path=build_dir / "target", published="duckdb",
                       role=ROLE)  # as `serve` runs
    try:
        for key in keys:
            run_tool("get_context", arguments(key), live.using)
        timings = []
        for key in keys:
            started = time.perf_counter()
            result = run_tool("get_context", arguments(key), live.using)
            timings.append(time.perf_counter() - started)
            assert not result.is_error, result.text
    finally:
        live.close()
    return timings


def quantiles(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return f"p50 {cuts[49] * 1000:.2f} ms, p95 {cuts[94] * 1000:.2f} ms"


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout (its python/ folder's code) whose starts are "
                                                      "timed beside this one's, alternately")
    parser.add_argument("--starts-only", action="store_true", help="stop after the imports and the starts")
    args = parser.parse_args()

    ensure_demo_build(args.build_dir)
    publish(args.build_dir)
    compile_checkout()
    sides = {"this checkout": parameters(args.build_dir)}
    if args.baseline:
        compile_checkout(args.baseline.resolve())
        # its own copy of target/ (the published build with it): what is kept beside the artifacts (traced lineage,
        # kept checks) is keyed by the code, so two checkouts sharing one folder could evict each other's every start
        copy = Path(tempfile.mkdtemp(prefix="mcp-roundtrip-baseline-"))
        shutil.copytree(args.build_dir / "target", copy / "target", ignore=shutil.ignore_patterns("*.tmp", "telemetry"))
        sides["baseline"] = parameters(args.build_dir, args.baseline.resolve(), copy / "target")
    keys = sample_keys(args.build_dir, max(args.samples, args.starts))
    sdk = fresh_import_seconds("import mcp.server.mcpserver, mcp.types", args.starts)
    cli = fresh_import_seconds("import dbt_grounding.cli", args.starts)
    print(f"fresh-process import, median of {args.starts}: the mcp SDK's server {sdk:.2f} s, dbt_grounding.cli "
          f"{cli:.2f} s ({load()})")
    measured: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    loads = []
    for i in range(args.starts):
        loads.append(os.getloadavg()[0])
        for side, server in sides.items():  # alternately, the same key for each
            measured[side].append(anyio.run(start_to_first_answer, server, keys[i]))
    loads.append(os.getloadavg()[0])
    if args.baseline:
        shutil.rmtree(copy, ignore_errors=True)
    for side, runs in measured.items():
        starts, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
        print(f"server start to first get_context answer, {side}: median {statistics.median(starts):.2f} s "
              f"(min {min(starts):.2f}, max {max(starts):.2f}, {args.starts} starts; the server's CPU time by then: "
              f"median {statistics.median(cpus):.2f} s; load {min(loads):.1f}-{max(loads):.1f})")
    if args.baseline:
        ours, theirs = (statistics.median(wall for wall, _ in measured[side]) for side in sides)
        print(f"this checkout / baseline: {ours / theirs:.2f}x wall")
    if args.starts_only:
        return
    timings, server_cpu, client_cpu, switches = anyio.run(warm_round_trips, args.build_dir, keys[:args.samples])
    print(f"get_context over stdio, warm, {args.samples} random keys: {quantiles(timings)}; CPU per call: server "
          f"{server_cpu:.2f} ms, client {client_cpu:.2f} ms; the server's context switches per call {switches:.1f} "
          f"({load()})")
    print(f"the same calls in process (run_tool): {quantiles(in_process(args.build_dir, keys[:args.samples]))} "
          f"({load()})")


if __name__ == "__main__":
    main()
