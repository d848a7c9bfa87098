"""The MCP server: the grounding tools (agent.specs) over stdio or streamable HTTP, with the official `mcp` SDK
(an optional extra: `pip install 'dbt-grounding[mcp]'`).

The SDK's MCPServer gives the protocol and the transports; its `list_tools` and `call_tool` are overridden so that
the tools, their JSON schemas and their argument checks come from the registry, the same that `dbt-grounding tools`
prints and the Python API exposes. Calls run in worker threads (the warehouse is blocking I/O); every outcome is a
tool result, errors with `isError`, so one bad call never ends a session.

Over stdio every call is served as the server's role (one process, one connection); over HTTP as the role of the
connection's bearer token, `public` without one (agent.http_auth).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from dbt_grounding import __version__
from dbt_grounding.agent.api import run_tool
from dbt_grounding.agent.specs import TOOLS
from dbt_grounding.errors import ConfigurationError

if TYPE_CHECKING:
    from dbt_grounding.agent.live import LiveProject

LOOPBACK = "127.0.0.1"
REQUEST_ID_META = "dbt_grounding/request_id"  # MCP _meta keys are prefixed by who defines them
# Answered on the event loop itself over stdio when the project is warm (LiveProject.warm: the published copy on its
# held connection, nothing to load or publish first): a lookup of a few milliseconds, bounded (MAX_KEYS keys, one
# query), to which a worker thread adds a hand-off and a hand-back (two wake-ups, two passes of the GIL: CPU, and a
# wait for a core on a busy machine). Over stdio one client is served; every other tool, a cold or reloading
# project, and every HTTP connection (many clients on one loop) run in worker threads.
INLINE_TOOLS = frozenset({"get_context", "get_contexts"})
INSTRUCTIONS = (
    "Verified business records from a dbt project's grounding marts. Answer questions about these records only "
    "from what these tools return, and cite it. Start with list_grounding_marts, call describe_mart once per mart "
    "for what its columns mean, then get_context (or get_contexts) for the records. When a tool refuses (stale "
    "data, failed tests, a changed table), tell the user what the refusal says; never answer from memory instead."
)


def build_server(live: LiveProject):
    """An MCPServer answering the grounding tools from `live`.

    Raises:
        ConfigurationError: the `mcp` package is not installed.
    """
    try:
        import anyio
        from mcp.server.mcpserver import MCPServer
        from mcp.types import CallToolResult, TextContent, Tool, ToolAnnotations

        from dbt_grounding.agent.http_auth import connection_role
    except ImportError as error:
        raise ConfigurationError(
            f"The MCP server needs the `mcp` package ({error})",
            hint="install the extra: pip install 'dbt-grounding[mcp]' (make install includes it)",
        ) from None

    listed = [
        Tool(name=spec.name, title=spec.title, description=spec.description, input_schema=spec.input_schema,
             annotations=ToolAnnotations(title=spec.title, read_only_hint=spec.annotations["readOnlyHint"],
                                         destructive_hint=spec.annotations["destructiveHint"],
                                         idempotent_hint=spec.annotations["idempotentHint"],
                                         open_world_hint=spec.annotations["openWorldHint"]))
        for spec in TOOLS
    ]

    class GroundingServer(MCPServer):
        async def list_tools(self) -> list[Tool]:
            return list(listed)

        async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> CallToolResult:
            try:  # the HTTP request carrying the call (None over stdio), authenticated by http_auth.with_roles
                request = context.request_context.request
            except (AttributeError, ValueError):  # called in process, outside a request
                request = None
            role = connection_role(request, live.role)
            call = partial(run_tool, name, arguments, partial(live.using, role), surface="mcp",
                           telemetry=live.telemetry, role=role)
            if request is None and name in INLINE_TOOLS and live.warm():
                result = call()  # one client's warm lookup: a worker thread's two hand-offs would cost as much
            else:
                result = await anyio.to_thread.run_sync(call)
            # the request id in the result's _meta, for the client's thumbs up/down (record_feedback): not in the
            # text, which the model reads and every token of which counts
            meta = {REQUEST_ID_META: result.request_id} if result.request_id else None
            return CallToolResult(content=[TextContent(type="text", text=result.text)], is_error=result.is_error,
                                  meta=meta)

    return GroundingServer(name="dbt-grounding", version=__version__, instructions=INSTRUCTIONS,
                           log_level="WARNING")


def serve_stdio(server) -> None:
    """Serve on stdin/stdout until the client closes them: read and written by the event loop when they are pipes
    or sockets (agent.stdio_pipes: no thread hand-off per line), else by the SDK's own transport."""
    from dbt_grounding.agent.stdio_pipes import pipes_usable, serve_pipes

    if pipes_usable():
        import anyio

        anyio.run(serve_pipes, server)
    else:
        server.run("stdio")


def serve_http(server, port: int, token_digests: dict[str, str] | None = None) -> None:
    """Serve streamable HTTP on the loopback interface only (http://127.0.0.1:PORT/mcp), each connection as the role
    of its bearer token (`token_digests`: SHA-256 hex digest -> role, Roles.token_digests), `public` without one,
    401 for an unknown one (agent.http_auth). Tokens travel in clear over plain HTTP: nothing beyond this machine
    may reach it."""
    import anyio
    import uvicorn

    from dbt_grounding.agent.http_auth import with_roles

    app = with_roles(server.streamable_http_app(host=LOOPBACK), token_digests or {})
    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning")
    anyio.run(uvicorn.Server(config).serve)
