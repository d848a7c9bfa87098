"""`--format sarif`: SARIF 2.1.0, one run, one result per finding.

Findings name dbt nodes, not files, so results carry `logicalLocations` (the node's unique_id, and the column as a
member of it) and no `physicalLocation`. Skipped checks are tool execution notifications of the invocation.
A summary of repeated findings (checks.summary) is one result with `count` and its first `nodes` in its properties.
`partialFingerprints` (code, node, column; a summary's code and cause) let a viewer follow a finding across runs even
when its message changes.
"""

from __future__ import annotations

import hashlib
import json

from ..findings import Finding, Rule, Severity
from ..summary import SHOWN
from ._common import TOOL_NAME, location, rules_used

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "note"}


def _rule_name(rule: Rule) -> str:
    """SARIF wants an identifier-like name: 'column removed or renamed' -> 'ColumnRemovedOrRenamed'."""
    return "".join(word[:1].upper() + word[1:] for word in rule.title.split())


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.code,
        "name": _rule_name(rule),
        "shortDescription": {"text": rule.title},
        "help": {"text": rule.fix},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _logical_locations(finding: Finding) -> list[dict]:
    if finding.column:
        return [{"name": finding.column, "fullyQualifiedName": location(finding), "kind": "member"}]
    return [{"name": finding.node.rsplit(".", 1)[-1], "fullyQualifiedName": finding.node, "kind": "module"}]


def _result(finding: Finding, rule_index: int) -> dict:
    # a summary is followed by its cause: its first node changes as its members do
    identity = "\x1f".join((finding.code, finding.node, finding.column or "") if finding.count == 1
                           else (finding.code, "summary", finding.cause or ""))
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.level],
        "message": {"text": f"{location(finding)}: {finding.message}"},
        "locations": [{"logicalLocations": _logical_locations(finding)}],
        "partialFingerprints": {"dbtGroundingFinding/v1": hashlib.sha256(identity.encode()).hexdigest()},
        "properties": {"node": finding.node, "column": finding.column, "affected": list(finding.affected),
                       **({"count": finding.count, "nodes": list(finding.nodes[:SHOWN])} if finding.count > 1 else {})},
    }


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    rules = rules_used(findings)
    index = {rule.code: i for i, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": TOOL_NAME, "version": tool_version, "rules": [_rule(rule) for rule in rules]}},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [{"level": "note", "message": {"text": reason}} for reason in skipped],
        }],
        "results": [_result(finding, index[finding.code]) for finding in findings],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
