"""The grounding tools an agent is shown, pinned: every name, description, schema and annotation in each format
(golden/tools.json), and the argument checks every front end shares (agent.api.run_tool).

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest python/tests/agent/test_tool_specs.py -q
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from cli.inprocess import run_main
from dbt_grounding.agent import TOOLS, run_tool
from dbt_grounding.agent.formats import FORMATS, tool_schemas

GOLDEN = Path(__file__).parent / "golden" / "tools.json"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def all_formats() -> str:
    return json.dumps({fmt: tool_schemas(fmt) for fmt in FORMATS}, indent=2, ensure_ascii=False) + "\n"


def test_every_schema_and_description_is_pinned() -> None:
    text = all_formats()
    if UPDATE:
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "golden/tools.json missing: run with UPDATE_GOLDEN=1 to create it"
    assert GOLDEN.read_text(encoding="utf-8") == text, "the tools agents see changed: review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_tools_command_prints_the_pinned_schemas(fmt: str) -> None:
    outcome = run_main("tools", "--format", fmt)
    assert outcome.code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == json.loads(GOLDEN.read_text(encoding="utf-8"))[fmt]


def test_the_tools_are_seven_read_only_closed_world_tools_and_record_feedback() -> None:
    assert [tool.name for tool in TOOLS] == ["list_grounding_marts", "describe_mart", "get_context", "get_contexts",
                                             "check_grounding", "explain_lineage", "ground_question",
                                             "record_feedback"]
    for tool in TOOLS:
        Draft202012Validator.check_schema(tool.input_schema)
        assert tool.input_schema["additionalProperties"] is False
        if tool.name == "record_feedback":  # it writes a feedback record: never announced as read-only
            assert tool.annotations == {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False,
                                        "openWorldHint": False}
            continue
        assert tool.annotations == {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True,
                                    "openWorldHint": False}
        assert "max_tokens" in tool.input_schema["properties"], tool.name


@contextmanager
def no_project():
    raise AssertionError("arguments that do not fit the schema must be refused before the project is used")
    yield  # pragma: no cover


@pytest.mark.parametrize("name, arguments, problem", [
    ("get_context", {"mart": "m"}, "'key' is a required property"),
    ("get_context", {"mart": "m", "key": {}}, "key: {} should be non-empty"),
    ("get_context", {"mart": "m", "key": {"id": [1]}}, "key/id: [1] is not of type 'string', 'integer', 'number'"),
    ("get_context", {"mart": "m", "key": {"id": 1}, "form": "html"}, "form: 'html' is not one of"),
    ("get_context", {"mart": "m", "key": {"id": 1}, "max_tokens": 0}, "max_tokens: 0 is less than the minimum of 1"),
    ("get_context", {"mart": "m", "key": {"id": 1}, "sql": "drop table x"}, "Additional properties are not allowed"),
    ("get_contexts", {"mart": "m", "keys": [{"id": n} for n in range(51)]}, "keys: [{'id': 0}"),
    ("describe_mart", {"mart": ""}, "mart: '' should be non-empty"),
    ("no_such_tool", {}, "there is no tool named 'no_such_tool'"),
])
def test_arguments_outside_the_schema_are_error_results(name: str, arguments: dict, problem: str) -> None:
    result = run_tool(name, arguments, no_project)
    assert result.is_error and problem in result.text, result.text
    assert result.error["error"] == "InvalidArguments"
