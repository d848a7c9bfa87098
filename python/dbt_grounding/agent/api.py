"""The grounding tools as plain Python callables, with the schemas agents see (agent.specs), for agents wired
through function calling instead of MCP:

    from dbt_grounding import GroundingProject
    from dbt_grounding.agent import grounding_tools

    tools = {tool.name: tool for tool in grounding_tools(GroundingProject.open("."))}
    result = tools["get_context"](mart="fct_customer_health_summary", key={"customer_id": 42})
    result.text, result.is_error

`run_tool` is the one dispatcher: the MCP server calls it too. It checks the arguments against the tool's JSON
schema and turns every error into a result: it never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from contextlib import AbstractContextManager, ExitStack, nullcontext
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dbt_grounding.agent.answers import ToolResult, error_result, internal_error, invalid_arguments
from dbt_grounding.agent.specs import TOOLS, TOOLS_BY_NAME, ToolSpec
from dbt_grounding.errors import GroundingError
from dbt_grounding.telemetry import phase
from dbt_grounding.telemetry import request as telemetry_request

if TYPE_CHECKING:
    from dbt_grounding.agent.live import LiveProject
    from dbt_grounding.project import GroundingProject
    from dbt_grounding.telemetry import Telemetry

ProjectSource = Callable[[], AbstractContextManager["GroundingProject"]]


NOT_REQUESTS = frozenset({"record_feedback"})  # feedback is logged as feedback, not as a served request


def run_tool(name: str, arguments: dict[str, Any] | None, project: ProjectSource, *,
             surface: str = "api", telemetry: Telemetry | None = None, role: str | None = None) -> ToolResult:
    """Answer one tool call: one telemetry request (tool `name`, through `surface`), its id in the result.

    Args:
        name: the tool's name.
        arguments: its arguments as the agent sent them (checked here against the tool's input schema).
        project: gives the project to answer from, for the duration of the call (LiveProject.using, or a fixed
            project's nullcontext).
        surface: where the call came in, for telemetry: "api" (Python) or "mcp" (the server).
        telemetry: where the call's event goes when no project answers it (arguments refused before the project
            is used, artifacts that cannot be loaded), and `role` the caller's role then; otherwise the project's.

    Returns:
        The answer, or the error or refusal as a result with `is_error`.
    """
    if name in NOT_REQUESTS:
        return _answer(name, arguments, project, None)
    arguments_given = arguments if isinstance(arguments, dict) else {}
    mart = arguments_given.get("mart")
    with telemetry_request(name, surface=surface, mart=mart if isinstance(mart, str) else None,
                           question=arguments_given.get("question") if name == "ground_question" else None) as scope:
        if scope.telemetry is None:
            scope.telemetry, scope.pending.role = telemetry, role
        result = _answer(name, arguments, project, scope)
        scope.serve_text(result.text)
        return replace(result, request_id=scope.request_id)


def _answer(name: str, arguments: dict[str, Any] | None, project: ProjectSource, scope: Any) -> ToolResult:
    spec = TOOLS_BY_NAME.get(name)
    if spec is None:
        return _failed(scope, "InvalidArguments", invalid_arguments(
            name, f"there is no tool named {name!r}; the tools are: " + ", ".join(tool.name for tool in TOOLS)))
    arguments = dict(arguments or {})
    problem = argument_problem(spec, arguments)
    if problem is not None:
        return _failed(scope, "InvalidArguments", invalid_arguments(name, problem))
    try:
        with ExitStack() as stack:
            with phase("artifacts"):  # acquiring the project: a LiveProject reloads changed artifacts here
                opened = stack.enter_context(project())
            if scope is not None:
                scope.bind(opened)
            return ToolResult(spec.function(opened, **arguments))
    except GroundingError as error:
        if scope is not None:
            scope.fail(error)
        return error_result(error, arguments)
    except Exception as exc:  # noqa: BLE001 - a bug must not end the agent's session: reported as a result
        if scope is not None:
            scope.fail(exc)
        return internal_error(name, exc)


def _failed(scope: Any, error_type: str, result: ToolResult) -> ToolResult:
    if scope is not None:
        scope.pending.outcome, scope.pending.error_type = "error", error_type
    return result


def argument_problem(spec: ToolSpec, arguments: dict[str, Any]) -> str | None:
    """What is wrong with `arguments` for `spec`'s input schema, in one sentence; None when they fit."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(spec.name).iter_errors(arguments))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def prepare_validators() -> None:
    """Make every tool's argument validator now (jsonschema's import is most of it), e.g. while a server starts, so
    that its first call does not."""
    for spec in TOOLS:
        _validator(spec.name)


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator

    schema = TOOLS_BY_NAME[name].input_schema
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


class GroundingTool:
    """One grounding tool bound to a project: call it with keyword arguments; `name`, `description`,
    `input_schema` and `annotations` are what an agent is shown."""

    def __init__(self, spec: ToolSpec, project: ProjectSource, telemetry: Telemetry | None = None,
                 role: str | None = None) -> None:
        self.spec = spec
        self._project = project
        self._telemetry, self._role = telemetry, role

    name = property(lambda self: self.spec.name)
    description = property(lambda self: self.spec.description)
    input_schema = property(lambda self: self.spec.input_schema)
    annotations = property(lambda self: self.spec.annotations)

    def __call__(self, **arguments: Any) -> ToolResult:
        return run_tool(self.spec.name, arguments, self._project, telemetry=self._telemetry, role=self._role)

    def __repr__(self) -> str:
        return f"GroundingTool({self.spec.name!r})"


def grounding_tools(project: GroundingProject | LiveProject) -> list[GroundingTool]:
    """Every grounding tool, bound to `project` (a GroundingProject, or a LiveProject that reloads its artifacts
    when dbt rewrites them)."""
    source: ProjectSource = project.using if hasattr(project, "using") else (lambda: nullcontext(project))
    role = project.role if isinstance(project.role, str) else project.role.name  # LiveProject: the name
    return [GroundingTool(spec, source, project.telemetry, role) for spec in TOOLS]
