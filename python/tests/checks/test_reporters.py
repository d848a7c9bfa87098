"""Reporters: every format equals its golden file byte for byte, for tricky findings and for none, and each is
well-formed for the system that reads it (JUnit XML counts, SARIF 2.1.0 structure, GitHub workflow commands).

Regenerate after an intended change, then review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest python/tests/checks/test_reporters.py -q
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from dbt_grounding.checks.findings import Finding, Severity
from dbt_grounding.checks.reporters import FORMATS, render
from dbt_grounding.checks.reporters.markdown import inline
from dbt_grounding.checks.summary import summarised
from dbt_grounding.errors import ConfigurationError

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
EXTENSIONS = {"text": "txt", "json": "json", "junit": "xml", "github": "log", "sarif": "sarif", "markdown": "md"}
VERSION = "0.1.0"

FINDINGS = [
    # Out of order on purpose: every format sorts by Finding.sort_key.
    Finding("DG302", "model.shop.customer_health", "built 30 h ago; policy: warn after 24 h, error after 48 h",
            affected=("exposure.shop.churn_agent",)),
    Finding("DG002", "model.shop.customer_health", "column `risk|tier` removed\nwas: varchar, 100% non-null",
            column="risk|tier", affected=("model.shop.grounding_customers.risk|tier", "exposure.shop.churn_agent")),
    Finding("DG005", "model.shop.customer_health", "value 'High Risk' removed from <status> & \"state\": ok, then?",
            column="status", affected=("exposure.shop.churn_agent",)),
    Finding("DG101", "model.shop.customer_health", "column added: café ☕ 日本語 (ß≠ss)", column="größe"),
    Finding("DG102", "model.shop.orders", "value `a`|`b` added\r\nline two\ttab, \x1b[31mred\x1b[0m \x00nul",
            column="kind", severity=Severity.ERROR),
    Finding("DG503", "model.shop.orders", "catalog has no entry; 50% of columns untyped"),
]
SKIPPED = [
    "warehouse checks skipped: no connection (profile 'shop', target dev): set DBT_PROFILES_DIR",
    "freshness of sources skipped: sources.json missing, run `dbt source freshness`",
]
CASES = {"findings": (FINDINGS, SKIPPED), "empty": ([], [])}
# The gate's repeated findings: 12 tests not run and 2 skipped upstream of two marts, one failed; each with its cause.
REPEATED = [
    *(Finding("DG402", f"test.shop.not_null_stg_{i:02d}_id", f"not_null_stg_{i:02d}_id was not run in the last run",
              affected=("customers",) if i % 2 else ("orders", "exposure.shop.agent"),
              cause="test not run in the last run") for i in range(12)),
    *(Finding("DG402", f"test.shop.unique_int_{i}_id", f"unique_int_{i}_id was skipped in the last run",
              affected=("orders",), cause="test skipped in the last run") for i in range(2)),
    Finding("DG401", "test.shop.unique_orders_id", "unique_orders_id failed on model.shop.orders",
            affected=("orders",), cause="test failed"),
]
GOLDEN_CASES = {**CASES, "summarised": (REPEATED, [])}

# The part of SARIF 2.1.0 (docs.oasis-open.org/sarif/sarif/v2.1.0, schema sarif-schema-2.1.0.json) that we write,
# with its required properties and enums, and no extra properties on the objects whose shape we rely on.
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "informationUri": {"type": "string", "format": "uri"},
                        "rules": {"type": "array", "uniqueItems": True, "items": {
                            "type": "object",
                            "required": ["id"],
                            "properties": {
                                "id": {"type": "string"},
                                "name": {"type": "string"},
                                "shortDescription": _MESSAGE,
                                "fullDescription": _MESSAGE,
                                "help": _MESSAGE,
                                "defaultConfiguration": {"type": "object", "properties": {"level": _LEVEL}},
                            },
                        }},
                    },
                }}},
                "invocations": {"type": "array", "items": {
                    "type": "object",
                    "required": ["executionSuccessful"],
                    "properties": {
                        "executionSuccessful": {"type": "boolean"},
                        "toolExecutionNotifications": {"type": "array", "items": {
                            "type": "object", "required": ["message"],
                            "properties": {"message": _MESSAGE, "level": _LEVEL},
                        }},
                    },
                }},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["message"],
                    "additionalProperties": False,
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": _LEVEL,
                        "message": _MESSAGE,
                        "locations": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"logicalLocations": {"type": "array", "minItems": 1, "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "name": {"type": "string"},
                                    "fullyQualifiedName": {"type": "string"},
                                    "kind": {"type": "string"},
                                },
                            }}},
                        }},
                        "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                        "properties": {"type": "object"},
                    },
                }},
            },
        }},
    },
}

# ::command key=value,key=value::data — properties may not hold raw `:` `,` `%` or line breaks; data no line breaks.
GITHUB_COMMAND = re.compile(r"^::(error|warning|notice)(?: title=([^:,\r\n]*))?::([^\r\n]*)$")


def unescape_workflow(value: str) -> str:
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}[m[1]],
                  value)


def check_golden(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path.name} missing: run with UPDATE_GOLDEN=1 to create it"
    assert path.read_bytes().decode("utf-8") == text, f"{path.name} differs: review, then UPDATE_GOLDEN=1"


def rendered(fmt: str, case: str = "findings") -> str:
    findings, skipped = GOLDEN_CASES[case]
    return render(findings, fmt, skipped=skipped, tool_version=VERSION)


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
@pytest.mark.parametrize("fmt", FORMATS)
def test_output_matches_golden_file(fmt: str, case: str) -> None:
    check_golden(GOLDEN_DIR / f"reporters_{case}.{EXTENSIONS[fmt]}", rendered(fmt, case))


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_and_independent_of_input_order(fmt: str) -> None:
    text = rendered(fmt)
    assert render(list(reversed(FINDINGS)), fmt, skipped=SKIPPED, tool_version=VERSION) == text
    assert text.endswith("\n")
    assert str(Path.cwd()) not in text and str(Path.home()) not in text


def test_unknown_format_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as raised:
        render(FINDINGS, "html", tool_version=VERSION)
    assert "sarif" in raised.value.hint and raised.value.details == {"format": "html"}


def test_text_is_an_aligned_table_with_summary_skips_and_fixes() -> None:
    lines = rendered("text").splitlines()
    table = lines[: len(FINDINGS) + 1]
    assert table[0].split() == ["SEVERITY", "CODE", "NODE", "COLUMN", "MESSAGE"]
    assert [line.split()[1] for line in table[1:]] == ["DG002", "DG005", "DG101", "DG102", "DG302", "DG503"]
    message_at = table[0].index("MESSAGE")  # the rows before DG101 (wide characters) are plain ASCII
    assert table[1][message_at - 2:message_at] == "  " and table[1][message_at] != " "
    assert "3 errors, 1 warning, 2 info" in lines  # DG102 raised to error by the finding's own severity
    assert "\x1b" not in "\n".join(lines) and "\\x1b[31mred" in table[4]
    assert all(line == line.rstrip() for line in lines)
    assert f"  - {SKIPPED[0]}" in lines
    assert any(line.startswith("  DG302 grounding data ageing: rebuild the mart soon") for line in lines)


def test_json_carries_every_field_and_counts() -> None:
    document = json.loads(rendered("json"))
    assert document["version"] == 2
    assert document["summary"] == {"error": 3, "warn": 1, "info": 2, "total": 6}
    assert document["skipped"] == SKIPPED
    first = document["findings"][0]
    assert first == {
        "code": "DG002", "title": "column removed or renamed", "severity": "error",
        "node": "model.shop.customer_health", "column": "risk|tier", "message": FINDINGS[1].message,
        "fix": FINDINGS[1].fix, "affected": list(FINDINGS[1].affected),
        "count": 1, "nodes": ["model.shop.customer_health"],
    }
    assert [f["message"] for f in document["findings"]] == [f.message for f in sorted(FINDINGS, key=Finding.sort_key)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_junit_parses_and_counts_match(case: str) -> None:
    findings, skipped = CASES[case]
    root = ET.fromstring(rendered("junit", case))
    assert root.tag == "testsuites"
    cases = root.findall("testsuite/testcase")
    failing = [f for f in findings if f.level is not Severity.INFO]
    assert int(root.get("tests")) == len(cases) == (len(findings) or 1) + len(skipped)
    assert int(root.get("failures")) == len(root.findall("testsuite/testcase/failure")) == len(failing)
    assert int(root.get("skipped")) == len(root.findall("testsuite/testcase/skipped")) == len(skipped)
    assert root.get("errors") == "0"
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
    if not findings:
        assert [c.get("name") for c in cases] == ["no findings"] and not root.findall(".//failure")


def test_junit_groups_by_rule_and_keeps_messages_intact() -> None:
    root = ET.fromstring(rendered("junit"))
    assert [s.get("name") for s in root.findall("testsuite")][:2] == [
        "DG002 column removed or renamed", "DG005 accepted value removed or renamed"]
    by_name = {c.get("name"): c for c in root.iter("testcase")}
    dg002 = by_name["model.shop.customer_health.risk|tier"]
    assert dg002.get("classname") == "DG002"
    assert dg002.find("failure").get("message") == FINDINGS[1].message  # newline survives the attribute
    assert dg002.find("failure").get("type") == "error"
    assert FINDINGS[2].message in by_name["model.shop.customer_health.status"].find("failure").text
    assert by_name["model.shop.customer_health.größe"].find("failure") is None  # info passes ...
    assert "café ☕" in by_name["model.shop.customer_health.größe"].find("system-out").text  # ... and says why
    dg102 = by_name["model.shop.orders.kind"].find("failure").get("message")
    assert "\x00" not in dg102 and "\ufffdnul" in dg102  # illegal in XML 1.0: replaced, document still parses


@pytest.mark.parametrize("case", sorted(CASES))
def test_sarif_validates_against_the_schema_subset(case: str) -> None:
    findings, skipped = CASES[case]
    document = json.loads(rendered("sarif", case))
    jsonschema.validate(document, SARIF_SUBSET)
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "dbt-grounding" and run["tool"]["driver"]["version"] == VERSION
    assert len(run["results"]) == len(findings)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({f.code for f in findings})
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]] == skipped


def test_sarif_levels_locations_and_fingerprints() -> None:
    results = json.loads(rendered("sarif"))["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "error", "note", "error", "warning", "note"]
    assert results[0]["locations"][0]["logicalLocations"] == [{
        "name": "risk|tier", "fullyQualifiedName": "model.shop.customer_health.risk|tier", "kind": "member"}]
    assert results[-1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "model.shop.orders"
    fingerprints = [r["partialFingerprints"]["dbtGroundingFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(results)


def test_github_lines_are_workflow_commands_that_round_trip() -> None:
    lines = rendered("github").splitlines()
    commands, summary = lines[:-1], lines[-1]
    assert summary == "dbt-grounding check: 3 errors, 1 warning, 2 info" and not summary.startswith("::")
    parsed = [GITHUB_COMMAND.match(line) for line in commands]
    assert all(parsed), [line for line, m in zip(commands, parsed) if not m]
    kinds = [m[1] for m in parsed]
    assert kinds == ["error", "error", "notice", "error", "warning", "notice", "notice", "notice"]
    for finding, match in zip(sorted(FINDINGS, key=Finding.sort_key), parsed):
        assert unescape_workflow(match[2]) == f"{finding.code} {finding.rule.title}"
        data = unescape_workflow(match[3])
        assert data.startswith(f"{finding.node}{'.' + finding.column if finding.column else ''}: {finding.message}\n")
        assert data.endswith(f"\nfix: {finding.fix}")
    assert [unescape_workflow(m[3]) for m in parsed[-2:]] == SKIPPED


def test_github_escapes_properties() -> None:
    from dbt_grounding.checks.reporters.github import command

    line = command("warning", "a\r\nb%", title="x: y, 100%\nz")
    assert line == "::warning title=x%3A y%2C 100%25%0Az::a%0D%0Ab%25"
    assert GITHUB_COMMAND.match(line)


def test_markdown_table_cells_stay_in_place() -> None:
    text = rendered("markdown")
    assert text.startswith("## dbt-grounding check: 3 errors, 1 warning, 2 info\n")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Severity")]
    assert len(rows) == len(FINDINGS)
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 8, row  # 6 cells between 7 unescaped pipes
    assert "<status>" not in text and "\\<status\\>" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f]", text) and "\ufffd\\[31mred" in text
    assert "### How to fix" in text and f"- {inline(SKIPPED[1])}" in text
    assert "`dbt source freshness`" in text  # code spans in messages survive


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a|b", "a\\|b"),
        ("use `x|y` now", "use `x\\|y` now"),
        ("`` a`b ``", "`` a`b ``"),
        ("one\ntwo", "one<br>two"),
        ("<b>*bold*</b>", "\\<b\\>\\*bold\\*\\</b\\>"),
        ("unbalanced ` tick", "unbalanced \\` tick"),
    ],
)
def test_markdown_inline_escaping(value: str, expected: str) -> None:
    assert inline(value) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_findings_render_sensibly(fmt: str) -> None:
    text = render([], fmt, tool_version=VERSION)
    if fmt == "text":
        assert text == "No findings.\n\n0 errors, 0 warnings, 0 info\n"
    elif fmt == "json":
        document = json.loads(text)
        assert document["findings"] == [] and document["summary"]["total"] == 0
    elif fmt == "junit":
        assert ET.fromstring(text).get("failures") == "0"
    elif fmt == "github":
        assert text == "dbt-grounding check: no findings\n"
    elif fmt == "sarif":
        assert json.loads(text)["runs"][0]["results"] == []
    elif fmt == "markdown":
        assert "\nNo findings.\n" in text and "|" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_repeated_findings_are_one_per_code_and_cause_in_every_format(fmt: str) -> None:
    text = render(REPEATED, fmt, tool_version=VERSION)
    first_five = [f"test.shop.not_null_stg_{i:02d}_id" for i in range(5)]
    assert all(node in text for node in first_five)  # the first few nodes are named
    assert "not_null_stg_05_id" not in text and "not_null_stg_11_id" not in text  # the rest are counted
    assert fmt in ("json", "sarif") or "7 more" in text  # the documents for people say how many more
    assert "unique_int_0_id" in text and "unique_int_1_id" in text  # another cause: its own summary
    assert "unique_orders_id failed on model.shop.orders" in text.replace("\\_", "_")  # alone: shown as it is
    if fmt == "json":
        document = json.loads(text)
        assert [(f["code"], f["count"]) for f in document["findings"]] == [("DG401", 1), ("DG402", 12), ("DG402", 2)]
        assert document["findings"][1]["nodes"] == first_five
        assert document["findings"][1]["affected"] == ["customers", "exposure.shop.agent", "orders"]
        assert document["summary"] == {"error": 1, "warn": 14, "info": 0, "total": 15}  # every finding counted
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert root.get("tests") == "3" and root.get("failures") == "3"
    elif fmt == "github":
        assert len([line for line in text.splitlines() if line.startswith("::")]) == 3
        assert text.splitlines()[-1] == "dbt-grounding check: 1 error, 14 warnings, 0 info"
    elif fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        assert [r["properties"].get("count", 1) for r in results] == [1, 12, 2]
    elif fmt == "text":
        assert "1 error, 14 warnings, 0 info" in text.splitlines()


def test_a_summary_has_its_members_level_and_a_lone_cause_is_not_summarised() -> None:
    raised = [Finding("DG402", f"test.shop.t{i}", f"t{i} was not run", cause="test not run in the last run",
                      severity=Severity.ERROR) for i in range(3)]
    kept = Finding("DG402", "test.shop.other", "other was not run", cause="test not run in the last run")
    shown = summarised([*raised, kept])
    assert [(f.level, f.count) for f in shown] == [(Severity.WARN, 1), (Severity.ERROR, 3)]  # other node first
    assert next(f for f in shown if f.count == 1) == kept
    assert summarised(FINDINGS) == sorted(FINDINGS, key=Finding.sort_key)  # no cause: nothing summarised
