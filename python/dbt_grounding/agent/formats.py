"""The grounding tools as function-calling schemas: MCP's `tools/list` entries, OpenAI's function tools (Chat
Completions `tools`), Anthropic's Messages API `tools`. All derived from agent.specs.TOOLS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dbt_grounding.agent.specs import TOOLS, ToolSpec


def mcp_tool(spec: ToolSpec) -> dict[str, Any]:
    return {"name": spec.name, "title": spec.title, "description": spec.description,
            "inputSchema": spec.input_schema, "annotations": {"title": spec.title, **spec.annotations}}


def openai_tool(spec: ToolSpec) -> dict[str, Any]:
    # not `strict`: OpenAI's strict mode needs every property required and no open objects, and a key is an open
    # object (its columns are the mart's)
    return {"type": "function", "function": {"name": spec.name, "description": spec.description,
                                             "parameters": spec.input_schema}}


def anthropic_tool(spec: ToolSpec) -> dict[str, Any]:
    return {"name": spec.name, "description": spec.description, "input_schema": spec.input_schema}


FORMATS: dict[str, Callable[[ToolSpec], dict[str, Any]]] = {
    "mcp": mcp_tool, "openai": openai_tool, "anthropic": anthropic_tool,
}


def tool_schemas(fmt: str) -> list[dict[str, Any]]:
    """Every tool in `fmt` (one of FORMATS), in the registry's order."""
    return [FORMATS[fmt](spec) for spec in TOOLS]


def tool_schemas_json(fmt: str) -> str:
    return json.dumps(tool_schemas(fmt), indent=2, ensure_ascii=False) + "\n"
