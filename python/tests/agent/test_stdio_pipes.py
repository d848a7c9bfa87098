"""agent.stdio_pipes: the stdio transport the event loop serves itself. The server answering through it over real
pipes is what every stdio test of python/tests/agent does (the SDK's client spawns `dbt-grounding serve` on pipes);
here what it promises beside that, in fresh processes: it is only used on pipes and sockets, and nothing printed
while serving reaches the protocol's stream."""

from __future__ import annotations

import subprocess
import sys


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
