"""Serving context documents: check the key, check the schema, refuse untrusted data, fetch, build the document.

`Serving.contexts(ContextRequest(...))` is the one entry point: `GroundingProject.context()` (the Python API and
the CLI) and the agent server call it.
"""

from dbt_grounding.serving.policy import MAX_LISTED, ROW_LIMIT, OnProblem, ServingPolicy
from dbt_grounding.serving.service import MAX_KEYS, ContextRequest, Serving

__all__ = ["MAX_KEYS", "MAX_LISTED", "ROW_LIMIT", "ContextRequest", "OnProblem", "Serving", "ServingPolicy"]
