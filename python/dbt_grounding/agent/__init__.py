"""The agent interface: the grounding tools (one registry, agent.specs), served over MCP (`dbt-grounding serve`),
printed as function-calling schemas (`dbt-grounding tools`), or called from Python:

    from dbt_grounding.agent import grounding_tools
    tools = {tool.name: tool for tool in grounding_tools(project)}   # a GroundingProject or a LiveProject
    tools["get_context"](mart="fct_customer_health_summary", key={"customer_id": 42}).text

Layering: above the project facade, the gate and the lineage renderers, like the CLI. The `mcp` SDK is imported
only by agent.mcp_server.
"""

from dbt_grounding.agent.answers import ToolResult
from dbt_grounding.agent.api import GroundingTool, grounding_tools, run_tool
from dbt_grounding.agent.live import LiveProject
from dbt_grounding.agent.specs import TOOLS, ToolSpec

__all__ = ["GroundingTool", "LiveProject", "TOOLS", "ToolResult", "ToolSpec", "grounding_tools", "run_tool"]
