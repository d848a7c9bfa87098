"""The MCP SDK's real client talking to `dbt-grounding serve` (the installed console script, running this
checkout's code through PYTHONPATH) over stdio, driven from synchronous tests through an anyio portal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from dbt_runner import REPO_ROOT, DbtProject

CLI = str(Path(sys.executable).with_name("dbt-grounding"))


def server_parameters(project: DbtProject, *options: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=CLI,
        args=["serve", "--project-dir", str(REPO_ROOT), "--target-path", str(project.target_path), *options],
        env=project.env(),  # the test process's environment (PYTHONPATH) with the project's DuckDB file
    )


@dataclass(frozen=True)
class Answer:
    text: str
    is_error: bool


class SyncClient:
    """One MCP session; each method blocks until the server answers."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self.portal, self.client = portal, client

    def call(self, tool: str, **arguments: Any) -> Answer:
        result = self.portal.call(self.client.call_tool, tool, arguments)
        (content,) = result.content
        return Answer(content.text, bool(result.is_error))

    def list_tools(self):
        return self.portal.call(self.client.list_tools).tools


@contextmanager
def mcp_session(project: DbtProject, *options: str) -> Iterator[SyncClient]:
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(Client(server_parameters(project, *options))) as client:
            yield SyncClient(portal, client)
