"""`--format json`: one object, sorted keys, for programs. Named json_report so it does not shadow `json`."""

from __future__ import annotations

import json

from ..findings import Finding
from ..summary import SHOWN
from ._common import TOOL_NAME, counts

# bump on any incompatible change to the shape below. 2: a finding may stand for several (`count`; `nodes` the first
# few, `node` the first of them), and the summary counts every finding, not the entries of `findings`.
SCHEMA_VERSION = 2


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    tally = counts(findings)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "summary": {**{level.value: n for level, n in tally.items()}, "total": sum(tally.values())},
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
                "count": finding.count,
                "nodes": list(finding.nodes[:SHOWN] or (finding.node,)),
            }
            for finding in findings
        ],
        "skipped": skipped,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
