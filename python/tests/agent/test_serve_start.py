"""`dbt-grounding serve`'s start: the SDK imported with its own pydantic models built on first use (and nobody
else's), and the warm-up that checks a published build's marts before the first call without hiding from the calls
what they must refuse."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest

from dbt_grounding.agent import LiveProject, run_tool
from dbt_grounding.agent.warm_up import warm_up
from dbt_runner import REPO_ROOT, DbtProject

MART = "fct_customer_health_summary"
ROLE = "customer_success_agent"


def test_the_sdk_is_imported_with_only_its_own_models_deferred() -> None:
    # a fresh interpreter: this one may have imported the SDK already
    code = textwrap.dedent("""
        import pydantic, pydantic.main
        from dbt_grounding.agent.sdk_import import import_sdk
        before = dict(pydantic.BaseModel.model_config)
        import_sdk()
        assert dict(pydantic.BaseModel.model_config) == before, pydantic.BaseModel.model_config
        class After(pydantic.BaseModel):
            x: int
        import mcp_types
        deferred = not mcp_types.Tool.__pydantic_complete__
        tool = mcp_types.Tool(name="get_context", input_schema={"type": "object"})
        try:
            mcp_types.Tool(name=1, input_schema={"type": "object"})
            refused = False
        except pydantic.ValidationError:
            refused = True
        print(hasattr(pydantic.main, "_rebuild_lock"), deferred, After.__pydantic_complete__,
              mcp_types.Tool.__pydantic_complete__, refused, tool.name)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    has_lock, deferred, after_complete, tool_complete, refused, name = result.stdout.split()
    assert deferred == has_lock  # deferred exactly where pydantic builds a deferred model under a lock
    assert (after_complete, tool_complete, refused, name) == ("True", "True", "True", "get_context")


@pytest.mark.dbt
def test_the_warm_up_checks_the_marts_and_leaves_a_drift_to_the_call(scratch: DbtProject) -> None:
    served = LiveProject(REPO_ROOT, target_path=scratch.target_path, role=ROLE, published="duckdb")
    try:
        with served.using() as project:  # publishes the build first, as `serve` does
            marts = [mart.name for mart in project.access.readable(project.grounding_models())]
            database = project.published.database
    finally:
        served.close()
    assert MART in marts and len(marts) >= 2
    with duckdb.connect(str(database)) as writer:  # the published copy changed under the server, before it starts
        writer.execute(f"ALTER TABLE main_ai_grounding.{MART} DROP COLUMN segment")

    live = LiveProject(REPO_ROOT, target_path=scratch.target_path, role=ROLE, published="duckdb")
    try:
        warm_up(live)  # meets the drift, says nothing: the call that asks for the mart does
        with live.using() as project:
            assert project.warehouse().connected  # the held connection opened before any call
        drifted = run_tool("get_context", {"mart": MART, "key": {"customer_id": 51}}, live.using)
        other = next(name for name in marts if name != MART)
        served_other = run_tool("get_context", {"mart": other, "key": {"customer_id": 51}}, live.using)
    finally:
        live.close()
    assert drifted.is_error and drifted.error["error"] == "SchemaDriftError" and "segment" in drifted.text
    assert not served_other.is_error and served_other.text.startswith(f"# {other} customer_id = 51"), \
        served_other.text
