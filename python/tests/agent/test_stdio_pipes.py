"""agent.stdio_pipes: the stdio transport the event loop serves itself. The server answering through it over real
pipes is what every stdio test of python/tests/agent does (the SDK's client spawns `dbt-grounding serve` on pipes);
here what it promises beside that, in fresh processes: it is only used on pipes and sockets, and nothing printed
while serving reaches the protocol's stream."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

MART = "fct_customer_health_summary"
ROLE = "customer_success_agent"  # the demo's agent (grounding_roles.yml)


def _python(code: str, **streams) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output="stdout" not in streams, text=True,
                          timeout=60, check=True, **streams)


def test_used_on_pipes_and_not_on_a_file(tmp_path) -> None:
    code = "from dbt_grounding.agent.stdio_pipes import pipes_usable; print(pipes_usable())"
    assert _python(code, stdin=subprocess.PIPE).stdout == "True\n"
    with (tmp_path / "out.txt").open("w") as out:
        _python(code, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE)
    assert (tmp_path / "out.txt").read_text() == "False\n"


def test_stray_output_goes_to_stderr_and_the_streams_come_back(tmp_path) -> None:
    code = """
import os, sys
from dbt_grounding.agent.stdio_pipes import _claimed
print("before", flush=True)
with _claimed(0, os.devnull) as stdin_fd, _claimed(1, None) as stdout_fd:
    print("stray print", flush=True)
    os.write(1, b"stray write\\n")
    assert sys.stdin.buffer.raw.read() == b""  # fd 0 reads /dev/null
    os.write(stdout_fd, b"wire\\n")
    wire = os.read(stdin_fd, 100)
    os.write(stdout_fd, wire)
print("after", flush=True)
"""
    result = subprocess.run([sys.executable, "-c", code], input="from the client\n", capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout == "before\nwire\nfrom the client\nafter\n"
    assert result.stderr == "stray print\nstray write\n"


@pytest.mark.dbt
def test_answers_on_the_loop_are_the_in_process_answers(built_package, tmp_path, monkeypatch) -> None:
    """`serve` over pipes, warm lookups answered on its event loop: every get_context / get_contexts text (records,
    a key with no row, a bad key, the json form) is byte for byte the Python API's for the same build and role."""
    from agent.mcp_session import mcp_session
    from dbt_grounding.agent import LiveProject, grounding_tools
    from dbt_runner import REPO_ROOT, copy_build

    project = copy_build(built_package, tmp_path / "served")
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(project.duckdb_path))
    calls = [("get_context", {"mart": MART, "key": {"customer_id": key}}) for key in (12, 51, 987654)]
    calls += [("get_context", {"mart": MART, "key": {"customer_id": 12}, "form": "json"}),
              ("get_contexts", {"mart": MART, "keys": [{"customer_id": 12}, {"customer_name": "Acme"},
                                                       {"customer_id": 42}]})]
    with mcp_session(project, "--role", ROLE) as client:
        served = [client.call(name, **arguments) for name, arguments in calls * 2]  # the second round warm
    live = LiveProject(REPO_ROOT, target_path=project.target_path, published="duckdb", role=ROLE)
    try:
        tools = {tool.name: tool for tool in grounding_tools(live)}
        expected = [tools[name](**arguments) for name, arguments in calls * 2]
    finally:
        live.close()
    assert [(_no_age(answer.text), answer.is_error) for answer in served] == [
        (_no_age(e.text), e.is_error) for e in expected]
    assert "customer_id = 12" in served[0].text and served[2].text != served[0].text


def _no_age(text: str) -> str:
    """The text but the data's age, which the clock moves between the two runs ("fresh, 9 seconds old")."""
    return re.sub(r"\b\d+(\.\d+)? (second|minute|hour|day)s? old\b", "<age> old",
                  re.sub(r'"age_seconds": [\d.]+', '"age_seconds": <age>', text))
