"""Telemetry: one structured event per served request (library API, CLI, MCP server, `ask`), feedback on what was
served, written as JSON Lines under <target-path>/dbt_grounding/telemetry/ by a background thread that never blocks
or fails a request; OpenTelemetry spans when the SDK is installed. README "Telemetry"; the event fields:
telemetry.events.

Layering: below the facade, the CLI and the agent server (which open requests), beside the warehouse and serving
(which time their phases through telemetry.timing, a leaf).
"""

from dbt_grounding.telemetry.config import TelemetryConfig
from dbt_grounding.telemetry.recorder import InvalidFeedbackError, Telemetry, TelemetryDisabledError
from dbt_grounding.telemetry.scope import RequestScope, current, last_request_id, request
from dbt_grounding.telemetry.timing import phase

__all__ = ["InvalidFeedbackError", "RequestScope", "Telemetry", "TelemetryConfig", "TelemetryDisabledError",
           "current", "last_request_id", "phase", "request"]
