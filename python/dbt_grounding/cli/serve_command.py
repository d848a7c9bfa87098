"""`dbt-grounding serve`: the grounding tools as an MCP server, over stdio (default) or streamable HTTP on the
loopback interface (`--http [PORT]`). Runs until the client closes stdin (stdio) or Ctrl-C (HTTP).

Nothing but the protocol may reach stdout in stdio mode: warnings go to stderr, and the command prints nothing
when it ends.
"""

from __future__ import annotations

import argparse
import sys

from dbt_grounding.cli.options import CommandOutput, add_project_options, add_role_option, positive_int

DEFAULT_HTTP_PORT = 8765


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run an MCP server with the grounding tools (stdio, or --http)")
    parser.add_argument("--http", type=positive_int, nargs="?", const=DEFAULT_HTTP_PORT, default=None, metavar="PORT",
                        help=f"serve streamable HTTP on 127.0.0.1:PORT/mcp (default port {DEFAULT_HTTP_PORT}) "
                             "instead of stdio")
    parser.add_argument("--hold-ms", type=positive_int, default=1000,
                        help="keep the DuckDB connection open this long after a call (default 1000); released "
                             "while a dbt command is running")
    parser.add_argument("--published", action="store_true",
                        help="serve the last published build and publish each build the gate passes (DuckDB: "
                             "readers never hold the file dbt builds; see `dbt-grounding publish`)")
    add_role_option(parser)
    add_project_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.agent.live import LiveProject
    from dbt_grounding.agent.mcp_server import build_server, serve_http, serve_stdio
    from dbt_grounding.errors import GroundingError

    live = LiveProject(args.project_dir, target_path=args.target_path, profiles_dir=args.profiles_dir,
                       target=args.target, hold_ms=args.hold_ms, role=args.role, published=args.published,
                       telemetry=args.telemetry)
    server = build_server(live)  # a missing `mcp` package is a usage error before anything is served
    try:  # warm: the artifacts decoded before the first call; unusable ones are each call's error, not the end
        with live.using() as project:
            for warning in project.warnings:
                print(f"warning: {warning}", file=sys.stderr)
    except GroundingError as error:
        print(f"warning: {error.message} (every tool call will say so until the artifacts can be read)",
              file=sys.stderr)
    try:
        if args.http is None:
            serve_stdio(server)
        else:
            print(f"dbt-grounding MCP server on http://127.0.0.1:{args.http}/mcp", file=sys.stderr)
            serve_http(server, args.http)
    finally:
        live.close()
    return CommandOutput("")
