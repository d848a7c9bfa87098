"""`--format json`: one object, sorted keys, for programs. Named json_report so it does not shadow `json`."""

from __future__ import annotations

import json

from ..findings import Finding
from ._common import TOOL_NAME, counts

SCHEMA_VERSION = 1  # bump on any incompatible change to the shape below


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    tally = counts(findings)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "summary": {**{level.value: n for level, n in tally.items()}, "total": len(findings)},
        "findings": [
            {
                "code": finding.code,
                "title": finding.rule.title,
                "severity": finding.level.value,
                "node": finding.node,
                "column": finding.column,
                "message": finding.message,
                "fix": finding.fix,
                "affected": list(finding.affected),
            }
            for finding in findings
        ],
        "skipped": skipped,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
