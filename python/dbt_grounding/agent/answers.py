"""A tool's answer: its text, or the typed error as a result the agent can act on, never an exception.

Drift, stale data, failed tests and an unknown build are refusals: the data exists but must not be used, so the
answer says what to tell the user (and that nothing may be answered in its place); the fix is for the data team.
Other errors (an unknown mart, a bad key, a warehouse that cannot be read) say what was wrong and the hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dbt_grounding.errors import (
    FailedTestsError, GroundingError, SchemaDriftError, StaleGroundingError, UnknownBuildError,
)

# what the user is told, per refusal; {mart} is the mart asked about
TELL_USER: tuple[tuple[type[GroundingError], str], ...] = (
    (StaleGroundingError, "the {mart} data is out of date (past its freshness policy), so it cannot be used to "
                          "answer until it is rebuilt"),
    (FailedTestsError, "the {mart} data failed its quality checks in the last build, so it cannot be trusted until "
                       "they pass"),
    (SchemaDriftError, "the {mart} table no longer matches its documented definition, so its values cannot be "
                       "trusted until it is rebuilt"),
    (UnknownBuildError, "nothing shows that the {mart} data was built successfully from its current definition, so "
                        "it cannot be trusted until it is rebuilt"),
)


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns: `text` for the model; `is_error` when it is an error or a refusal; `error` the typed
    error's fields (error, message, hint, details, notes, refusal) for programs; `request_id` the request's id for
    feedback."""

    text: str
    is_error: bool = False
    error: dict[str, Any] | None = field(default=None)
    request_id: str | None = None  # the telemetry request this answered (record_feedback takes it)

    def __str__(self) -> str:
        return self.text


def refusal_wording(error: GroundingError) -> str | None:
    return next((wording for kind, wording in TELL_USER if isinstance(error, kind)), None)


def error_result(error: GroundingError, arguments: dict[str, Any]) -> ToolResult:
    wording = refusal_wording(error)
    notes = [f"Note: {note}" for note in error.notes]
    if wording is None:
        lines = [f"Error ({type(error).__name__}): {error.message}", *notes]
        if error.hint:
            lines.append(f"Hint: {error.hint}")
    else:
        mart = arguments.get("mart") or error.details.get("model") or "requested"
        lines = [
            f"Refused ({type(error).__name__}). Tell the user: {wording.format(mart=mart)}.",
            "Do not answer the question from memory or from other sources in place of this data.",
            f"Why: {error.message}",
            *notes,
        ]
        if error.hint:
            lines.append(f"Fix (for the data team): {error.hint}")
    fields = {**error.to_dict(), "refusal": wording is not None}
    return ToolResult("\n".join(lines) + "\n", is_error=True, error=_json_safe(fields))


def invalid_arguments(tool: str, problem: str) -> ToolResult:
    text = f"Error (invalid arguments for {tool}): {problem}\nHint: call {tool} with arguments its input schema allows.\n"
    return ToolResult(text, is_error=True, error={"error": "InvalidArguments", "message": problem, "refusal": False})


def internal_error(tool: str, exc: BaseException) -> ToolResult:
    from dbt_grounding import __version__

    problem = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    text = (f"Error (internal error in dbt-grounding {__version__} while running {tool}): {problem}\n"
            "Hint: this is a bug in dbt-grounding, not in the data: tell the user the tool failed; the server keeps "
            "running.\n")
    return ToolResult(text, is_error=True, error={"error": "InternalError", "message": problem, "refusal": False})


def _json_safe(value: Any) -> Any:
    """Details carry paths, tuples and dates: as JSON types, so every front end can send them."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(str(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
