"""`dbt-grounding serve`: the grounding tools as an MCP server, over stdio (default) or streamable HTTP on the
loopback interface (`--http [PORT]`). A DuckDB project is served from its published build (write-audit-publish:
each build the gate passes is published in the background; `--in-place` reads the warehouse dbt builds). Runs until
the client closes stdin (stdio) or Ctrl-C (HTTP).

Nothing but the protocol may reach stdout in stdio mode: warnings go to stderr, and the command prints nothing
when it ends.

`--nice N` lowers the server's CPU priority, for a machine where dbt builds and agents are served side by side
(benchmarks/serve_through_build.py --serve-nice measures both sides of that trade). `--build-nice N` (default 19)
lowers its scheduling group's share only while a dbt command runs (agent.build_priority: nice(2) alone does not
weigh against a build in another session).

Roles: over stdio every call is the role given (`--role`, else DBT_GROUNDING_ROLE, else public). Over HTTP each
connection is the role of its bearer token (grounding_roles.yml `tokens:`), `public` without one, refused (401) with
an unknown one; `--role` is then refused as a usage error, since one role for every HTTP client is what tokens
replace, and DBT_GROUNDING_ROLE is not used.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading

from dbt_grounding.cli.options import CommandOutput, add_project_options, add_role_option, positive_int

DEFAULT_HTTP_PORT = 8765
DEFAULT_BUILD_NICE = 19  # agent.build_priority's (not imported: its module is not needed to print --help)


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run an MCP server with the grounding tools (stdio, or --http)")
    parser.add_argument("--http", type=positive_int, nargs="?", const=DEFAULT_HTTP_PORT, default=None, metavar="PORT",
                        help=f"serve streamable HTTP on 127.0.0.1:PORT/mcp (default port {DEFAULT_HTTP_PORT}) "
                             "instead of stdio, each connection as the role of its bearer token (grounding_roles.yml "
                             "tokens:), public without one; not with --role")
    parser.add_argument("--hold-ms", type=positive_int, default=1000,
                        help="with --in-place: keep the DuckDB connection open this long after a call (default "
                             "1000); released while a dbt command is running")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--published", dest="in_place", action="store_false", default=False,
                       help="the default on DuckDB: serve the last published build and publish each build the gate "
                            "passes (readers never hold the file dbt builds; see `dbt-grounding publish`)")
    where.add_argument("--in-place", dest="in_place", action="store_true", default=False,
                       help="read the warehouse dbt builds (PostgreSQL and Spark always do): no publishing, the "
                            "connection held between calls (--hold-ms) except while a dbt command runs")
    parser.add_argument("--nice", type=positive_int, default=None, metavar="N",
                        help="lower the server's CPU priority by N (1-19, as nice(1)): on a machine that also runs "
                             "dbt builds, its calls yield the CPU to the build, and take longer while one runs")
    parser.add_argument("--build-nice", type=int, default=DEFAULT_BUILD_NICE, metavar="N",
                        help=f"while a dbt command runs, lower the server's CPU share to nice N (0-19, default "
                             f"{DEFAULT_BUILD_NICE}; 0: never), set back when it ends; Linux, a server in a session of "
                             "its own (as MCP clients start stdio servers)")
    add_role_option(parser)
    add_project_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    gc.disable()  # start-up makes ~1M long-lived objects (the SDK's models, ours): collecting them is wasted time
    try:
        return _serve(args)
    finally:
        gc.enable()


def _serve(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.agent.live import LiveProject
    from dbt_grounding.agent.mcp_server import build_server, serve_http, serve_stdio
    from dbt_grounding.agent.sdk_import import import_sdk
    from dbt_grounding.agent.warm_up import warm_up
    from dbt_grounding.errors import ConfigurationError
    from dbt_grounding.grounding.roles import DEFAULT_ROLE, ROLES_FILE

    if args.nice is not None:
        if args.nice > 19 or not hasattr(os, "nice"):
            why = "a priority is lowered by 1 to 19" if hasattr(os, "nice") else "not available on this system"
            raise ConfigurationError(f"--nice {args.nice}: {why}", hint="give --nice a number from 1 to 19, or "
                                                                         "leave it out")
        os.nice(args.nice)  # for good: an unprivileged process cannot raise its priority again
    if not 0 <= args.build_nice <= 19:
        raise ConfigurationError(f"--build-nice {args.build_nice}: a nice value is 0 to 19",
                                 hint="give --build-nice a number from 0 (never lower) to 19 (the lowest)")
    if args.http is not None and args.role:
        raise ConfigurationError(
            "--role cannot be given with --http: over HTTP each connection is served as the role of its bearer "
            "token, and as public without one.",
            hint=f"Give each agent a token mapped to its role in {ROLES_FILE} (`tokens:`; README \"Roles\"), or "
                 "serve one role over stdio with --role.")
    live = LiveProject(args.project_dir, target_path=args.target_path, profiles_dir=args.profiles_dir,
                       target=args.target, hold_ms=args.hold_ms,
                       role=DEFAULT_ROLE if args.http is not None else args.role,  # HTTP: public, the least
                       published=False if args.in_place else "duckdb", telemetry=args.telemetry,
                       build_nice=args.build_nice)
    # warm in the background while the SDK is imported and the client's handshake answered (agent.warm_up): the
    # first call waits for the load (LiveProject's lock), not the handshake
    warming = threading.Thread(target=warm_up, args=(live,), name="dbt-grounding-warm-up", daemon=True)
    warming.start()
    try:
        try:
            import_sdk()  # its pydantic models built on first use (agent.sdk_import): most of start-up otherwise
        except ImportError:
            pass  # build_server says how to install it
        server = build_server(live)  # a missing `mcp` package is a usage error before anything is served
    except ConfigurationError:
        warming.join()
        live.close()
        raise
    gc.freeze()  # what start-up made stays: every later collection skips it (a server's calls stay cheaper)
    gc.enable()
    token_digests, token_warnings = live.roles.token_digests() if args.http is not None else ({}, [])
    for warning in token_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        if args.http is None:
            serve_stdio(server)
        else:
            roles = sorted(set(token_digests.values()))
            print(f"dbt-grounding MCP server on http://127.0.0.1:{args.http}/mcp (bearer tokens for "
                  f"{', '.join(roles) or 'no role'}; without a token: {DEFAULT_ROLE})", file=sys.stderr)
            serve_http(server, args.http, token_digests)
    finally:
        live.close()
    return CommandOutput("")

