"""`dbt-grounding serve` end to end: the SDK's real client over stdio against the built demo, every tool, its
errors as results, and the refusals (stale data through the SDK's in-process client, with a pinned clock)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from agent.mcp_session import CLI, SyncClient, mcp_session
from dbt_runner import REPO_ROOT, DbtProject, copy_build
from engines import free_port

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
MARTS = ["fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"]


@pytest.fixture(scope="module")
def served(built_package: DbtProject, tmp_path_factory: pytest.TempPathFactory):
    """One server for the read-only tool tests, on a copy of the build."""
    project = copy_build(built_package, tmp_path_factory.mktemp("served"))
    with mcp_session(project) as client:
        yield client


def test_the_tools_listed_are_the_registry_s_with_their_annotations(served: SyncClient) -> None:
    from dbt_grounding.agent.formats import tool_schemas

    listed = {tool.name: tool for tool in served.list_tools()}
    for expected in tool_schemas("mcp"):
        tool = listed.pop(expected["name"])
        assert tool.description == expected["description"] and tool.input_schema == expected["inputSchema"]
        annotations, expected_annotations = tool.annotations, expected["annotations"]
        assert (annotations.read_only_hint, annotations.idempotent_hint, annotations.open_world_hint) == (
            expected_annotations["readOnlyHint"], expected_annotations["idempotentHint"], False)
        assert annotations.read_only_hint == (tool.name != "record_feedback")
    assert listed == {}


def test_list_grounding_marts(served: SyncClient) -> None:
    answer = served.call("list_grounding_marts")
    assert not answer.is_error
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0][2:] for line in lines] == MARTS
    assert all("one row per customer; key customer_id; freshness fresh; last build success; tests " in line
               for line in lines), answer.text
    assert re.search(r"tests \d+ pass\. Health of each active customer", lines[0])


def test_describe_mart(served: SyncClient) -> None:
    answer = served.call("describe_mart", mart=MART)
    assert not answer.is_error, answer.text
    text = answer.text
    assert "- One row per customer; key: customer_id; access: internal" in text
    assert "- As of: each row's values hold as of its as_of_date" in text
    assert "- Freshness policy: warn after 24 hours, error after 48 hours" in text
    assert "- primary_contact_email (varchar, personal data: email, masked)" in text
    assert "  - Rule: 'High Risk' when churn_risk_score > 0.8" in text
    assert re.search(r"- Sources: .*crm\.customers.*ml\.churn_scores", text)


def test_get_context_markdown_and_json(served: SyncClient) -> None:
    compact = served.call("get_context", mart=MART, key={"customer_id": 12})
    assert not compact.is_error and "High Risk" in compact.text and "customer_id" in compact.text
    assert "Rule:" not in compact.text  # column meanings are describe_mart's, not repeated per record
    markdown = served.call("get_context", mart=MART, key={"customer_id": 12}, form="markdown")
    assert not markdown.is_error and markdown.text.startswith(f"# {MART}: customer_id = 12")
    assert "- health_status: High Risk" in markdown.text
    document = json.loads(served.call("get_context", mart=MART, key={"customer_id": "12"}, form="json").text)
    assert document["rows"][0]["health_status"] == "High Risk" and document["key"] == {"customer_id": 12}


def test_get_context_within_max_tokens_lists_what_it_left_out(served: SyncClient) -> None:
    from dbt_grounding.context import default_token_counter

    answer = served.call("get_context", mart=MART, key={"customer_id": 12}, max_tokens=1400, form="markdown")
    assert not answer.is_error and default_token_counter().count(answer.text) <= 1400
    assert "not listed" in answer.text and "- health_status: High Risk" in answer.text
    too_small = served.call("get_context", mart=MART, key={"customer_id": 12}, max_tokens=50, form="markdown")
    assert too_small.is_error and "needs at least" in too_small.text


def test_get_contexts_answers_each_key_in_order(served: SyncClient) -> None:
    answer = served.call("get_contexts", mart=MART, keys=[{"customer_id": 12}, {"customer_name": "Acme"},
                                                           {"customer_id": 987654}], form="markdown")
    assert not answer.is_error
    first, second, third = answer.text.split("\n---\n\n")
    assert first.startswith(f"# {MART}: customer_id = 12")
    assert second.startswith('# key {"customer_name": "Acme"}: error: ') and "customer_id" in second
    assert third.startswith(f"# {MART}: customer_id = 987654") and "Do not guess" in third


def test_check_grounding_is_the_gate_s_verdict(served: SyncClient) -> None:
    answer = served.call("check_grounding", mart=MART)
    assert not answer.is_error
    assert answer.text.startswith("## dbt-grounding check: passed") and "No findings." in answer.text


def test_explain_lineage_of_the_model_and_of_a_column(served: SyncClient) -> None:
    model = served.call("explain_lineage", mart=MART)
    assert model.text.startswith(f"model.dbt_grounding.{MART} [model]\nupstream:")
    assert "source.dbt_grounding.crm.customers [source]" in model.text
    column = served.call("explain_lineage", mart=MART, column="primary_contact_email")
    assert "    source.dbt_grounding.crm.customers.contact_email" in column.text
    assert "health_status" not in column.text
    trimmed = served.call("explain_lineage", mart=MART, max_tokens=80)
    assert "left out to fit max_tokens=80" in trimmed.text


@pytest.mark.parametrize("tool, arguments, expected", [
    # the server serves grounding marts only: any other name, known or not, is one answer
    ("get_context", {"mart": "no_such_mart", "key": {"customer_id": 1}},
     "Error (AccessDeniedError): Role 'restricted' may read no node named 'no_such_mart'"),
    ("get_context", {"mart": MART, "key": {"customer_name": "Acme"}}, "Error (InvalidKeyError): 'customer_name' is"),
    ("get_context", {"mart": MART, "key": {"customer_id": "1; drop table x"}}, "Error (InvalidKeyError)"),
    ("get_context", {"mart": MART}, "Error (invalid arguments for get_context): 'key' is a required property"),
    ("explain_lineage", {"mart": MART, "column": "nope"}, "has no column 'nope'"),
    ("no_such_tool", {}, "there is no tool named 'no_such_tool'"),
])
def test_errors_are_tool_results_and_the_session_goes_on(served: SyncClient, tool: str, arguments: dict,
                                                          expected: str) -> None:
    answer = served.call(tool, **arguments)
    assert answer.is_error and expected in answer.text, answer.text
    assert "Hint: " in answer.text and "Traceback" not in answer.text
    assert not served.call("get_context", mart=MART, key={"customer_id": 12}).is_error


def test_stale_data_is_a_refusal_saying_what_to_tell_the_user(built_package: DbtProject, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The same server, through the SDK's in-process client: a subprocess cannot be given a later clock."""
    from dbt_grounding.agent import LiveProject
    from dbt_grounding.agent.mcp_server import build_server

    project = copy_build(built_package, tmp_path / "stale")
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(project.duckdb_path))
    later = datetime.now(timezone.utc) + timedelta(days=3)
    live = LiveProject(REPO_ROOT, target_path=project.target_path, clock=lambda: later)

    async def ask():
        async with Client(build_server(live)) as client:
            return await client.call_tool("get_context", {"mart": MART, "key": {"customer_id": 12}})

    try:
        result = anyio.run(ask)
    finally:
        live.close()
    text = result.content[0].text
    assert result.is_error and text.startswith(f"Refused (StaleGroundingError). Tell the user: the {MART} data is "
                                               "out of date"), text
    assert text.splitlines()[1] == "Do not answer the question from memory or from other sources in place of this data."
    assert f"Why: {MART} is stale" in text and "Fix (for the data team): rebuild it" in text


def test_streamable_http_on_loopback(built_package: DbtProject, tmp_path: Path) -> None:
    project = copy_build(built_package, tmp_path / "http")
    port = free_port()
    server = subprocess.Popen([CLI, "serve", "--http", str(port), "--project-dir", str(REPO_ROOT), "--target-path",
                               str(project.target_path)],
                              env={**project.env(), "DBT_GROUNDING_TOKEN_ACCOUNT_MANAGER_ASSISTANT": "a-token"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        async def ask():
            deadline = time.monotonic() + 60
            while True:
                try:
                    # a role per bearer token over HTTP (test_mcp_http_roles.py); without one, public sees no demo mart
                    async with create_mcp_http_client(headers={"Authorization": "Bearer a-token"}) as http, \
                            Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client:
                        return await client.call_tool("get_context", {"mart": MART, "key": {"customer_id": 12}})
                except Exception:  # noqa: BLE001 - not listening yet
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    await anyio.sleep(0.2)

        result = anyio.run(ask)
        assert not result.is_error and result.content[0].text.startswith(f"# {MART} customer_id = 12")
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds the server's process in /proc (Linux)")
def test_nice_lowers_the_server_s_cpu_priority(built_package: DbtProject, tmp_path: Path) -> None:
    """`serve --nice N`: the server runs N below the priority it was started with and answers as usual; a priority
    outside 1-19 is a usage error, and so is a --build-nice outside 0-19."""
    project = copy_build(built_package, tmp_path / "nice")
    arguments = ["--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path)]
    refused = subprocess.run([CLI, "serve", "--nice", "20", *arguments], env=project.env(), stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "a priority is lowered by 1 to 19" in refused.stderr, refused.stderr
    refused = subprocess.run([CLI, "serve", "--build-nice", "20", *arguments], env=project.env(),
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "a nice value is 0 to 19" in refused.stderr, refused.stderr
    with mcp_session(project, "--nice", "7") as client:
        answer = client.call("get_context", mart=MART, key={"customer_id": 12})
        assert not answer.is_error, answer.text
        servers = [int(path.parent.name) for path in Path("/proc").glob("[0-9]*/cmdline")  # this copy's server
                   if _readable(path) and str(project.target_path).encode() in path.read_bytes().split(b"\0")]
        assert len(servers) == 1 and os.getpriority(os.PRIO_PROCESS, servers[0]) == os.getpriority(
            os.PRIO_PROCESS, 0) + 7


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True
