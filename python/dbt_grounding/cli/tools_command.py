"""`dbt-grounding tools --format mcp|openai|anthropic`: the grounding tools as function-calling schemas, for agents
not on MCP (the same tools `serve` offers, from one registry)."""

from __future__ import annotations

import argparse

from dbt_grounding.cli.options import CommandOutput

FORMATS = ("mcp", "openai", "anthropic")


def register(subparsers) -> None:
    parser = subparsers.add_parser("tools", help="print the grounding tools as function-calling schemas (JSON)")
    parser.add_argument("--format", choices=FORMATS, default="mcp",
                        help="mcp: tools/list entries; openai: Chat Completions tools; anthropic: Messages API tools")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> CommandOutput:
    from dbt_grounding.agent.formats import tool_schemas_json

    return CommandOutput(tool_schemas_json(args.format))
