#!/usr/bin/env python3
"""Benchmark: MCP clients asking for documents while a real `dbt build` of the demo runs (not a test).

Each client is the MCP SDK's stdio client talking to its own `dbt-grounding serve` (the installed CLI, as an agent
starts it), which serves the published build by default (write-audit-publish: the build never waits for readers).
The same `dbt build` is timed alone and then with the clients asking, side by side in one run; the two builds use
different as-of dates (`dbt_grounding_as_of_date`), so every document's as_of_date tells which build's data it holds
and its citation which build's artifacts: a document whose two disagree mixed two builds.

Reports: the build's wall time alone and with load (goal: within 10%) and its CPU time in both (the same CPU time
in a longer wall time is the build waiting for the machine's cores, not for a lock), failed requests (goal 0), the
round trip's p50/p95/p99 while the build ran (goal p99 <= 50 ms), documents mixing two builds (goal 0), and how long
after dbt wrote run_results.json every server served the new build (one server audits it with the gate and
publishes it, in the background; the others find it published).
The 1-minute load average is printed beside each figure, and where the machine's CPU went while the build ran
(cpu_accounting.py): dbt's own CPU time, each server's, the clients' process's, the rest of the machine's and idle,
and whether serving at the rate measured fits beside the build within the goal (see `accounting`). `--json` prints
rows {measure, ours, peer, ratio, load} for `make bench`.

The load model: each client calls get_context, waits for the answer, pauses `--pause-ms` (50) and calls again. dbt
runs in a session of its own, as from a terminal or CI: Linux shares the CPU between sessions first (autogroups),
and the SDK starts every stdio server in a session of its own too.

Variants (flags; the default is the load model above, one stdio server per client): `--http` serves every client
from one `dbt-grounding serve --http` (streamable HTTP on a loopback port, the role from a bearer token) instead of a
server each; `--serve-nice N` starts the servers with `--nice N` (a lower CPU priority than the build's);
`--build-nice 19,0` runs one build under load per value of the servers' `--build-nice`, side by side.

    .venv/bin/python benchmarks/serve_through_build.py --build-dir /tmp/serve-bench [--quick] [--json]
    .venv/bin/python benchmarks/serve_through_build.py --build-dir /tmp/serve-bench --build-nice 19,0
    .venv/bin/python benchmarks/serve_through_build.py --build-dir /tmp/serve-bench --http --serve-nice 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from bench_common import REPO_ROOT, cli_env, dbt_args, dbt_env, dbt_executable, ensure_demo_build
from cpu_accounting import CpuSample, cpu_sample

MART = "fct_customer_health_summary"
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
AS_OF_DATES = ("2026-07-01", "2026-06-30")  # the build alone, then the build under load: different data each
ROLE = "customer_success_agent"  # the demo's agent (grounding_roles.yml)
SETTLE_S = 180  # after the build: how long the servers may take to publish and serve it


@dataclass
class Call:
    client: int
    started: float
    seconds: float
    failed: str  # '' when answered
    invocation: str = ""
    as_of: str = ""


@dataclass
class Run:
    calls: list[Call] = field(default_factory=list)
    build_started: float = 0.0
    build_ended: float = 0.0
    build_output: str = ""
    build_returncode: int = 0
    build_cpu_s: float = 0.0
    servers_cpu_s: float = 0.0  # the MCP servers' CPU time while the build ran
    at_start: CpuSample | None = None  # every process's CPU time when the build started, and when it ended
    at_end: CpuSample | None = None
    build_pid: int = 0


def load() -> float:
    return round(os.getloadavg()[0], 1)


def environment(build_dir: Path) -> dict[str, str]:
    """dbt's environment: the profile's DuckDB file in build_dir."""
    return dbt_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "warehouse.duckdb"))


def cli_environment(build_dir: Path) -> dict[str, str]:
    """The installed `dbt-grounding`'s environment running this checkout's code (not whatever the venv installed)."""
    return cli_env(DBT_GROUNDING_DUCKDB_PATH=str(build_dir / "warehouse.duckdb"))


@dataclass
class Build:
    seconds: float
    cpu_s: float  # the dbt process's own user + system time (and any child it waited for), from wait4
    returncode: int
    output: str
    pid: int
    at_end: CpuSample | None = None  # every process's CPU time sampled the moment dbt ended


def dbt_build(build_dir: Path, as_of: str, sample_at_end: bool = False) -> Build:
    """`dbt build` run to its end: wall time, its exact CPU time (os.wait4's rusage of that one child, so the servers'
    CPU, children too, is never counted in it) and its output; with `sample_at_end`, every other process's CPU time
    sampled as soon as it ended."""
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen([dbt_executable(), "build", *dbt_args(build_dir), "--vars",
                                    f"{{dbt_grounding_as_of_date: '{as_of}'}}"], env=environment(build_dir),
                                   cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # as from a terminal or CI: a session of its own
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        at_end = cpu_sample() if sample_at_end else None
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
        output.seek(0)
        return Build(seconds, usage.ru_utime + usage.ru_stime, process.returncode, output.read()[-3000:],
                     process.pid, at_end)


def publish(build_dir: Path) -> None:
    result = subprocess.run([CLI, "publish", "--project-dir", str(REPO_ROOT), "--target-path",
                             str(build_dir / "target")], env=cli_environment(build_dir), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"dbt-grounding publish failed: {result.stderr[-2000:]}")


def invocation_of_last_build(build_dir: Path) -> str:
    return json.loads((build_dir / "target" / "run_results.json").read_text())["metadata"]["invocation_id"]


def customer_keys(build_dir: Path) -> list[int]:
    import duckdb

    path = build_dir / "target" / "dbt_grounding" / "published"
    current = json.loads((path / "current.json").read_text())["snapshot"]
    with duckdb.connect(str(path / current / "warehouse.duckdb"), read_only=True) as connection:
        return [key for (key,) in connection.execute(f"select customer_id from main_ai_grounding.{MART}").fetchall()]


def serve_args(build_dir: Path, options: list[str]) -> list[str]:
    return ["serve", "--project-dir", str(REPO_ROOT), "--target-path", str(build_dir / "target"), *options]


def server(build_dir: Path, options: list[str]) -> StdioServerParameters:
    return StdioServerParameters(command=CLI, args=[*serve_args(build_dir, options), "--role", ROLE],
                                 env=cli_environment(build_dir))


@asynccontextmanager
async def http_server(build_dir: Path, options: list[str]):
    """One `dbt-grounding serve --http` for every client; yields a function opening one client session on it, as
    ROLE (its bearer token, grounding_roles.yml `tokens:`)."""
    from engines import free_port  # the test suite's (python/tests, on the path bench_common sets)
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    port, token = free_port(), "serve-through-build-benchmark"
    env = {**cli_environment(build_dir), f"DBT_GROUNDING_TOKEN_{ROLE.upper()}": token}
    process = await anyio.open_process([CLI, *serve_args(build_dir, options), "--http", str(port)], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)  # as a service is started: a session of its own

    @asynccontextmanager
    async def session():
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
            async with Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client:
                yield client

    try:
        for _ in range(300):  # listening: a session opens (at most 60 s)
            try:
                async with session():
                    break
            except Exception:  # noqa: BLE001 - not listening yet
                await anyio.sleep(0.2)
        yield session
    finally:
        process.terminate()
        await process.wait()



async def ask(client: Client, number: int, key: int, run: Run) -> Call:
    started = time.monotonic()
    try:
        result = await client.call_tool("get_context", {"mart": MART, "key": {"customer_id": key}, "form": "json"})
        seconds = time.monotonic() - started
        text = result.content[0].text
        if result.is_error:
            call = Call(number, started, seconds, text.splitlines()[0][:200])
        else:
            document = json.loads(text)
            as_of = str(document["freshness"]["as_of"])  # the row's as_of_date (the mart's newest when no match)
            call = Call(number, started, seconds, "", document["citation"]["invocation_id"], as_of)
    except Exception as error:  # noqa: BLE001 - a transport failure is a failed request too
        call = Call(number, started, time.monotonic() - started, repr(error)[:200])
    run.calls.append(call)
    return call


async def under_load(build_dir: Path, clients: int, pause_s: float, as_of: str, keys: list[int],
                     old_invocation: str, http: bool = False, options: list[str] = ()) -> Run:
    run = Run()
    rng = random.Random(7)

    async def client_loop(client: Client, number: int, done: anyio.Event) -> None:
        while not done.is_set():
            await ask(client, number, rng.choice(keys), run)
            await anyio.sleep(pause_s)

    async def build_then_settle(done: anyio.Event) -> None:
        await anyio.sleep(2)  # the clients are under way
        run.at_start = cpu_sample()
        run.build_started = time.monotonic()
        build = await anyio.to_thread.run_sync(dbt_build, build_dir, as_of, True)
        run.at_end, run.build_pid = build.at_end, build.pid
        run.build_cpu_s = build.cpu_s
        run.servers_cpu_s = sum(run.at_end.children_since(run.at_start, exclude=build.pid).values())
        run.build_ended = run.build_started + build.seconds
        run.build_returncode, run.build_output = build.returncode, build.output
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:  # until every server has served a document of the new build
            newest = {}
            for call in run.calls:
                if call.started > run.build_ended and not call.failed:
                    newest[call.client] = call.invocation
            if len(newest) == clients and old_invocation not in newest.values():
                break
            await anyio.sleep(0.5)
        done.set()

    async with AsyncExitStack() as stack:
        if http:
            session = await stack.enter_async_context(http_server(build_dir, list(options)))
            sessions = [await stack.enter_async_context(session()) for _ in range(clients)]
        else:
            sessions = [await stack.enter_async_context(Client(server(build_dir, list(options)))) for _ in range(clients)]
        for number, client in enumerate(sessions):  # every server started and warm before the build
            await ask(client, number, keys[0], run)
        run.calls.clear()
        done = anyio.Event()
        async with anyio.create_task_group() as group:
            for number, client in enumerate(sessions):
                group.start_soon(client_loop, client, number, done)
            group.start_soon(build_then_settle, done)
    return run


def accounting(run: Run, calls: int, alone_s: float) -> dict:
    """Where the machine's CPU went while the build ran under load (core-seconds), and whether the serving it did
    could fit beside the build on this machine within the goal (+10% of the build's time alone).

    Fitting is necessary, not sufficient: with the cores' time to spare, the build may still wait behind a server
    the scheduler runs first."""
    start, end = run.at_start, run.at_end
    wall = end.at - start.at
    servers = end.children_since(start, exclude=run.build_pid)
    clients = end.own_s - start.own_s  # the clients' event loop is this process (and its idle waiting threads)
    busy = end.machine_busy_s - start.machine_busy_s
    others = max(0.0, busy - run.build_cpu_s - sum(servers.values()) - clients)
    goal_s = 1.10 * alone_s
    # in the goal's window: the cores, less what the build needs and what the rest of the machine took at its rate
    spare = end.cpus * goal_s - run.build_cpu_s - others / wall * goal_s
    serving = (sum(servers.values()) + clients) / wall * goal_s  # the serving done here, at its rate, in that window
    return {"wall": wall, "cpus": end.cpus, "build": run.build_cpu_s, "servers": servers, "clients": clients,
            "others": others, "idle": max(0.0, end.cpus * wall - busy), "spare_in_goal": spare,
            "serving_in_goal": serving, "calls": calls}


def print_accounting(account: dict, calls: int, alone_s: float, alone_cpu_s: float, alone_others_s: float) -> None:
    wall, cpus = account["wall"], account["cpus"]
    servers = account["servers"]
    per_call = (sum(servers.values()) + account["clients"]) * 1000 / max(1, calls)
    print(f"CPU in the build window ({wall:.1f} s x {cpus} cores = {wall * cpus:.1f} core-s): dbt {account['build']:.1f}, "
          f"servers {sum(servers.values()):.1f} ({len(servers)} processes: "
          + " ".join(f"{cpu:.1f}" for cpu in servers.values())
          + f"), clients {account['clients']:.1f} (one process, {calls} calls), "
          f"rest of the machine {account['others']:.1f}, idle {account['idle']:.1f}; "
          f"alone the build took {alone_cpu_s:.1f} s CPU in {alone_s:.1f} s, the rest of the machine "
          f"{alone_others_s:.1f} s")
    print(f"serving cost {per_call:.2f} ms CPU a call (servers + clients); within +10% of the build alone "
          f"({1.1 * alone_s:.1f} s) the cores have {account['spare_in_goal']:.1f} core-s beside the build and the rest of "
          f"the machine, and serving at this rate needs {account['serving_in_goal']:.1f}: it fits at "
          f"{account['spare_in_goal'] / max(1e-9, account['serving_in_goal']) * per_call:.2f} ms a call or less "
          f"(the rest of the machine at its rate in this run; 0 on a quiet machine)")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True)
class Alone:
    seconds: float
    cpu_s: float
    load: float
    others_s: float  # the rest of the machine's CPU time meanwhile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, required=True, help="where the demo is built (reused when there)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pause-ms", type=float, default=50.0, help="between one client's calls (default 50)")
    parser.add_argument("--quick", action="store_true", help="for make bench: 4 clients, 100 ms between calls")
    parser.add_argument("--json", action="store_true", help="print rows {measure, ours, peer, ratio, load}")
    parser.add_argument("--http", action="store_true",
                        help="a variant: one `serve --http` server for every client instead of a stdio server each")
    parser.add_argument("--serve-nice", type=int, default=None, metavar="N",
                        help="a variant: start the servers with `--nice N` (a lower CPU priority than the build)")
    parser.add_argument("--build-nice", default=None, metavar="N[,N...]",
                        help="start the servers with `--build-nice N` (0: their CPU share is left alone while dbt "
                             "builds; default: the server's default, 19); several values: one build under load each, "
                             "side by side against the same build alone (e.g. 19,0)")
    args = parser.parse_args()
    variants = [None] if args.build_nice is None else [int(value) for value in args.build_nice.split(",")]
    if args.quick:
        args.clients, args.pause_ms = 4, 100.0
    build_dir = args.build_dir.resolve()

    progress(f"demo build in {build_dir}")
    ensure_demo_build(build_dir)
    publish(build_dir)
    progress("dbt build alone")
    alone_start = cpu_sample()
    built = dbt_build(build_dir, AS_OF_DATES[0], sample_at_end=True)
    if built.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{built.output}")
    # everything else the machine ran meanwhile (other users; this process and its children are idle)
    alone = Alone(built.seconds, built.cpu_s, load(),
                  built.at_end.machine_busy_s - alone_start.machine_busy_s - built.cpu_s)
    previous = (invocation_of_last_build(build_dir), AS_OF_DATES[0])
    rows = []
    for number, build_nice in enumerate(variants):
        publish(build_dir)  # the servers start on the last build, published
        options = [*(["--nice", str(args.serve_nice)] if args.serve_nice else []),
                   *(["--build-nice", str(build_nice)] if build_nice is not None else [])]
        served_by = ("one HTTP server" if args.http else "a stdio server each") + (
            f", servers at nice {args.serve_nice}" if args.serve_nice else "") + (
            f", --build-nice {build_nice}" if build_nice is not None else ", --build-nice default")
        as_of = AS_OF_DATES[(number + 1) % 2]  # another as-of date than the build the servers start on
        variant_rows, previous = measure_under_load(args, build_dir, alone, previous, as_of, options, served_by)
        rows += [{**row, "measure": f"{row['measure']} [{served_by}]"} if len(variants) > 1 else row
                 for row in variant_rows]
    if args.json:
        print(json.dumps(rows, indent=2))


def progress(message: str) -> None:
    print(f"[serve_through_build] {message} (load {load()})", file=sys.stderr, flush=True)


def measure_under_load(args, build_dir: Path, alone: Alone, previous: tuple[str, str], as_of: str,
                       options: list[str], served_by: str) -> tuple[list[dict], tuple[str, str]]:
    """One build under load, its figures printed (unless --json) and returned as rows; and (its invocation, as_of)."""
    progress(f"dbt build with {args.clients} MCP clients asking every {args.pause_ms:.0f} ms ({served_by})")
    run = anyio.run(under_load, build_dir, args.clients, args.pause_ms / 1000, as_of, customer_keys(build_dir),
                    previous[0], args.http, options)
    loaded_load = load()
    if run.build_returncode != 0:
        raise SystemExit(f"dbt build under load failed:\n{run.build_output}")
    loaded_invocation = invocation_of_last_build(build_dir)
    # when dbt wrote run_results.json (the build's end for the servers; the process exits a little later), monotonic
    written = time.monotonic() - (time.time() - (build_dir / "target" / "run_results.json").stat().st_mtime)

    expected = {previous[0]: previous[1], loaded_invocation: as_of}
    answered = [call for call in run.calls if not call.failed]
    failed = [call for call in run.calls if call.failed]
    mixed = [call for call in answered if expected.get(call.invocation) != call.as_of]
    during = [call.seconds * 1000 for call in answered if run.build_started <= call.started < run.build_ended]
    loaded_s = run.build_ended - run.build_started
    first_new = {}
    for call in sorted(answered, key=lambda c: c.started):
        if call.invocation == loaded_invocation:
            first_new.setdefault(call.client, call.started - written)
    served_new_after = max(first_new.values()) if len(first_new) == args.clients else None

    account = accounting(run, len(during), alone.seconds)
    rows = [
        {"measure": f"dbt build of the demo, {args.clients} MCP clients asking (s; peer: alone)",
         "ours": round(loaded_s, 2), "peer": round(alone.seconds, 2), "ratio": round(loaded_s / alone.seconds, 3),
         "load": loaded_load},
        {"measure": "CPU time of that dbt build (s; peer: alone)", "ours": round(run.build_cpu_s, 2),
         "peer": round(alone.cpu_s, 2), "ratio": round(run.build_cpu_s / alone.cpu_s, 3), "load": loaded_load},
        {"measure": "CPU time of the MCP servers during that build (ms per call answered in it)",
         "ours": round(run.servers_cpu_s * 1000 / max(1, len(during)), 2), "peer": None, "ratio": None,
         "load": loaded_load},
        {"measure": "CPU time of the MCP clients during that build (ms per call answered in it)",
         "ours": round(account["clients"] * 1000 / max(1, len(during)), 2), "peer": None, "ratio": None,
         "load": loaded_load},
        {"measure": "CPU the build window had spare for serving within +10% of the build alone (s; peer: needed)",
         "ours": round(account["spare_in_goal"], 1), "peer": round(account["serving_in_goal"], 1),
         "ratio": round(account["spare_in_goal"] / account["serving_in_goal"], 3) if account["serving_in_goal"]
         else None, "load": loaded_load},
        {"measure": "failed requests during the run", "ours": len(failed), "peer": None, "ratio": None,
         "load": loaded_load},
        {"measure": "documents mixing two builds", "ours": len(mixed), "peer": None, "ratio": None,
         "load": loaded_load},
    ]
    if during:
        for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
            rows.append({"measure": f"get_context round trip during the build, {name} (ms)",
                         "ours": round(percentile(during, fraction), 1), "peer": None, "ratio": None,
                         "load": loaded_load})
    if args.json:
        return rows, (loaded_invocation, as_of)
    print(f"== {served_by}")
    print(f"dbt build alone: {alone.seconds:.1f} s (load {alone.load}); with {args.clients} clients: {loaded_s:.1f} s "
          f"(x{loaded_s / alone.seconds:.2f}, load {loaded_load}); its CPU time alone {alone.cpu_s:.1f} s, with the "
          f"clients {run.build_cpu_s:.1f} s (x{run.build_cpu_s / alone.cpu_s:.2f})")
    print(f"served by {served_by}; the servers' CPU time during the build: {run.servers_cpu_s:.1f} s, "
          f"{run.servers_cpu_s * 1000 / max(1, len(during)):.2f} ms per call started in it")
    print_accounting(account, len(during), alone.seconds, alone.cpu_s, alone.others_s)
    print(f"calls: {len(run.calls)} ({len(during)} started during the build), failed: {len(failed)}"
          + (f" e.g. {failed[0].failed}" if failed else ""))
    if during:
        print(f"round trip during the build: p50 {percentile(during, 0.5):.1f} ms, p95 {percentile(during, 0.95):.1f} "
              f"ms, p99 {percentile(during, 0.99):.1f} ms, max {max(during):.1f} ms")
    counts = {invocation[:8]: sum(call.invocation == invocation for call in answered) for invocation in expected}
    print(f"documents per build {counts}; mixing two builds: {len(mixed)}"
          + (f" e.g. {mixed[0]}" if mixed else ""))
    print("every server served the new build "
          + (f"{served_new_after:.1f} s after dbt wrote its run_results.json" if served_new_after is not None else
             f"NOT within {SETTLE_S} s ({len(first_new)} of {args.clients} did)"), flush=True)
    return rows, (loaded_invocation, as_of)


if __name__ == "__main__":
    main()
