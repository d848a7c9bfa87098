"""8 clients (each its own `dbt-grounding serve` over stdio, as 8 agents would start it, serving the published build:
the default) asking for documents while `dbt build` rewrites the DuckDB file: bounded in calls and time, every call
answered (0 failed), the build succeeds, no document mixes two builds (the build runs with another as-of date, so a
document's as_of_date tells whose data it holds and its citation whose artifacts), and every server ends up serving
the new build once it is published. Where Linux schedules by session (autogroups), every server, a session of its
own as the SDK starts it, lowers its group's CPU share while the build runs and sets it back after
(agent.build_priority). The figures are printed (run with -s); nothing asserts a time
(benchmarks/serve_through_build.py measures them)."""

from __future__ import annotations

import json
import os
import statistics
import time
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import pytest
from mcp import Client

from agent.mcp_session import server_parameters
from dbt_runner import AS_OF_DATE, DbtProject, copy_build

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
NEW_AS_OF = "2026-07-01"  # the build under load: data of another day than the first build's AS_OF_DATE
CLIENTS = 8
MAX_CALLS = 400  # per client
DEADLINE_S = 900  # the whole exchange, whatever the machine's load
PAUSE_S = 0.05  # between one client's calls
PUBLISHED_WAIT_S = 300  # after the build: for every server to audit, publish and serve it
AUTOGROUPS = Path("/proc/self/autogroup").is_file()


def servers_nice() -> dict[int, int]:
    """Each running `dbt-grounding serve` child's scheduling group's nice value, from /proc/<pid>/autogroup."""
    niceness = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if (int(stat.read_text().rsplit(")", 1)[1].split()[1]) == os.getpid()
                    and b"serve" in (stat.parent / "cmdline").read_bytes().split(b"\0")):
                niceness[int(stat.parent.name)] = int((stat.parent / "autogroup").read_text().split()[-1])
        except (OSError, ValueError):
            continue
    return niceness


def test_clients_keep_getting_answers_while_dbt_build_runs(built_package: DbtProject, tmp_path) -> None:
    project = copy_build(built_package, tmp_path / "scratch")
    calls: list[tuple[int, float, float, bool, str, str]] = []  # client, started, seconds, failed, invocation, as-of
    build: dict = {}
    while_building: list[dict[int, int]] = []  # the servers' groups' nice values, each after every server answered
    # a call while dbt was building (manifest.json newer than run_results.json)

    async def ask(client: Client, number: int, customer: int) -> None:
        started = time.monotonic()
        try:
            result = await client.call_tool("get_context", {"mart": MART, "key": {"customer_id": customer},
                                                            "form": "json"})
            failed, text = bool(result.is_error), result.content[0].text
            document = {} if failed else json.loads(text)
            invocation = document["citation"]["invocation_id"] if document else ""
            as_of = str(document["freshness"]["as_of"]) if document else ""  # the row's, or the mart's newest
        except Exception as exc:  # noqa: BLE001 - a transport failure is a failed request too
            failed, text, invocation, as_of = True, repr(exc), "", ""
        calls.append((number, started, time.monotonic() - started, failed, invocation if not failed else text, as_of))

    async def client_loop(client: Client, number: int, stop: anyio.Event) -> None:
        for call in range(MAX_CALLS):
            await ask(client, number, 11 + (number * 7 + call) % 50)
            if stop.is_set():
                return
            await anyio.sleep(PAUSE_S)

    def building() -> bool:
        target = project.target_path
        return (target / "manifest.json").stat().st_mtime_ns > (target / "run_results.json").stat().st_mtime_ns

    async def run_build(stop: anyio.Event, clients: list[Client]) -> None:
        await anyio.sleep(2)  # the clients are under way
        build["started"] = time.monotonic()
        async with anyio.create_task_group() as watch:
            async def sample() -> None:  # the client loops may have made their MAX_CALLS while dbt parsed
                while True:
                    if building():
                        for number, client in enumerate(clients):
                            await ask(client, number, 12)
                        seen = servers_nice()
                        if building():  # still: what the servers set while the build ran
                            while_building.append(seen)
                    await anyio.sleep(0.5)
            if AUTOGROUPS:
                watch.start_soon(sample)
            result = await anyio.to_thread.run_sync(lambda: project.run(
                "build", "--vars", f"{{dbt_grounding_as_of_date: '{NEW_AS_OF}'}}", check=False))
            watch.cancel_scope.cancel()
        build.update(ended=time.monotonic(), returncode=result.returncode, output=result.stdout[-3000:])
        await anyio.sleep(1)
        stop.set()

    async def main() -> None:
        async with AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(Client(server_parameters(project))) for _ in range(CLIENTS)]
            for number, client in enumerate(clients):  # every server warm before the build starts
                await ask(client, number, 12)
            before = len(calls)
            with anyio.fail_after(DEADLINE_S):
                stop = anyio.Event()
                async with anyio.create_task_group() as group:
                    for number, client in enumerate(clients):
                        group.start_soon(client_loop, client, number, stop)
                    group.start_soon(run_build, stop, clients)
            # after the build: each server audits and publishes it in the background (one of them copies it, the
            # others find it published), and then serves it
            deadline = time.monotonic() + PUBLISHED_WAIT_S
            for number, client in enumerate(clients):
                await ask(client, number, 12)
                while calls[-1][5] != NEW_AS_OF and time.monotonic() < deadline:
                    await anyio.sleep(0.5)
                    await ask(client, number, 12)
            build["warm_calls"] = before
            for number, client in enumerate(clients):  # 0.1 s apart: the kernel's rate limit on setting it
                await anyio.sleep(0.15)
                await ask(client, number, 12)
            build["nice_after"] = servers_nice()  # every server has answered a call since the build ended

    anyio.run(main)
    assert build["returncode"] == 0, build["output"]
    failed = [call for call in calls if call[3]]
    during = [call for call in calls if build["started"] <= call[1] < build["ended"]]
    latencies = sorted(call[2] for call in during)
    print(f"\n{CLIENTS} clients, {len(calls)} calls, {len(failed)} failed; dbt build {build['ended'] - build['started']:.1f} s; "
          f"{len(during)} calls started during it: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    assert not failed, failed[:3]
    assert {call[0] for call in during} == set(range(CLIENTS))  # every client was asking while dbt built
    first, last = calls[0][4], {[call for call in calls if call[0] == number][-1][4] for number in range(CLIENTS)}
    assert len(last) == 1 and first not in last  # all servers serve the new build's artifacts
    (new,) = last
    data_of = {first: AS_OF_DATE, new: NEW_AS_OF}
    mixed = [call for call in calls if data_of.get(call[4]) != call[5]]
    assert not mixed, mixed[:3]  # every document: one build's artifacts with the same build's data
    if AUTOGROUPS:  # the servers gave way to the build, and took their share back once it ended
        assert while_building, "no sample while dbt built"
        assert any(len(seen) == CLIENTS and set(seen.values()) == {19} for seen in while_building), while_building
        assert set(build["nice_after"].values()) == {0}, build["nice_after"]
