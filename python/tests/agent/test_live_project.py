"""LiveProject, in process on a copy of the built demo: the Python API's callables, a manifest caught mid-write
(an error result, never a half-loaded project, served again once whole), and the held connection let go while a
dbt command is running (manifest.json newer than run_results.json)."""

from __future__ import annotations

import os
import shutil

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.agent import LiveProject, grounding_tools
from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"


@pytest.fixture()
def live(scratch: DbtProject):
    project = LiveProject(REPO_ROOT, target_path=scratch.target_path)
    yield project
    project.close()


def test_the_python_api_answers_with_the_same_tools(scratch: DbtProject) -> None:
    with GroundingProject.open(REPO_ROOT, target_path=scratch.target_path) as project:
        tools = {tool.name: tool for tool in grounding_tools(project)}
        result = tools["get_context"](mart=MART, key={"customer_id": 12})
        refused = tools["get_context"](mart=MART, key={"customer_name": "Acme"})
    assert not result.is_error and result.text.startswith(f"# {MART} customer_id = 12")
    assert tools["get_context"].input_schema["required"] == ["mart", "key"]
    assert refused.is_error and refused.error["error"] == "InvalidKeyError" and refused.error["refusal"] is False


def test_a_manifest_caught_mid_write_is_an_error_until_it_is_whole(live: LiveProject, scratch: DbtProject) -> None:
    get = grounding_tools(live)[2]
    assert get.name == "get_context" and not get(mart=MART, key={"customer_id": 12}).is_error
    manifest = scratch.target_path / "manifest.json"
    whole = manifest.read_bytes()
    manifest.write_bytes(whole[: len(whole) // 2])  # what a reader meets while dbt writes the file
    broken = get(mart=MART, key={"customer_id": 12})
    assert broken.is_error and broken.error["error"] == "ArtifactError", broken.text
    loads, failed = live.loads, live.failed_loads
    assert failed == 1 and get(mart=MART, key={"customer_id": 12}).error["error"] == "ArtifactError"
    assert live.failed_loads == failed  # the same unreadable files are not decoded again
    manifest.write_bytes(whole)
    assert not get(mart=MART, key={"customer_id": 12}).is_error and live.loads == loads + 1


def test_the_connection_is_held_except_while_a_dbt_command_runs(live: LiveProject, scratch: DbtProject) -> None:
    with live.using() as project:
        assert project.warehouse_options["hold_ms"] == 1000
    run_results = scratch.target_path / "run_results.json"
    manifest = scratch.target_path / "manifest.json"
    stamp = run_results.stat().st_mtime_ns
    shutil.copy(manifest, manifest.with_suffix(".tmp"))
    os.replace(manifest.with_suffix(".tmp"), manifest)  # dbt has parsed: a new manifest.json, no results yet
    os.utime(manifest, ns=(stamp + 10**9, stamp + 10**9))
    with live.using() as project:
        assert project.warehouse_options["hold_ms"] == 0
    os.utime(run_results, ns=(stamp + 2 * 10**9, stamp + 2 * 10**9))  # the command ended
    with live.using() as project:
        assert project.warehouse_options["hold_ms"] == 1000


def test_each_role_is_a_warm_view_of_the_one_load(live: LiveProject) -> None:
    """The HTTP server's connections of several roles: one load, one warehouse connection, one view per role,
    each seeing what its role may read."""
    with live.using("customer_success_agent") as agent, live.using("account_manager_assistant") as manager:
        with live.using() as served, live.using("customer_success_agent") as again:
            assert again is agent and served.role.name == live.role and live.loads == 1
            assert agent.warehouse() is manager.warehouse() is served.warehouse()
        assert agent.context(MART, {"customer_id": 12}).found
        assert any(w.startswith("Withheld for role customer_success_agent")
                   for w in agent.context(MART, {"customer_id": 12}).warnings)
        assert manager.context("fct_customer_revenue_summary", {"customer_id": 12}).found
    with live.using("customer_success_agent") as agent:
        warehouse = agent.warehouse()
        agent.close()  # a view closes nothing: the project that owns the connection does
        assert agent.warehouse() is warehouse
    with live.using("account_manager_assistant") as manager:
        assert manager.context(MART, {"customer_id": 12}).found


def test_warm_only_when_the_published_build_is_loaded_and_nothing_is_to_publish(scratch: DbtProject) -> None:
    """LiveProject.warm says when the server may answer a lookup on its event loop: the published build loaded,
    no newer build to publish, no newer publication to load; never in place."""
    in_place = LiveProject(REPO_ROOT, target_path=scratch.target_path)
    published = LiveProject(REPO_ROOT, target_path=scratch.target_path, published="duckdb")
    try:
        for live in (in_place, published):
            assert not live.warm()  # nothing loaded yet
            assert not grounding_tools(live)[2](mart=MART, key={"customer_id": 12}).is_error
        assert not in_place.warm() and published.warm()
        run_results = scratch.target_path / "run_results.json"
        stamp = run_results.stat().st_mtime_ns + 10**9
        os.utime(run_results, ns=(stamp, stamp))  # a build has ended: to be audited and published first
        assert not published.warm()
        with published.using():
            pass  # starts publishing it in the background; the last published build answers meanwhile
        published._publishing.join()
        with published.using():
            pass  # the attempt is over (this build is the one already published: left as it is)
        assert published.warm() and published.last_publish is not None
    finally:
        in_place.close()
        published.close()
