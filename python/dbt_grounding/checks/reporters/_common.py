"""What every format shares: the severity order, the counts and the summary sentence."""

from __future__ import annotations

from ..findings import RULES, Finding, Rule, Severity

TOOL_NAME = "dbt-grounding"
SEVERITIES: tuple[Severity, ...] = (Severity.ERROR, Severity.WARN, Severity.INFO)
_NOUNS = {Severity.ERROR: ("error", "errors"), Severity.WARN: ("warning", "warnings"), Severity.INFO: ("info", "info")}


def counts(findings: list[Finding]) -> dict[Severity, int]:
    """Findings per level, a summary counting as every finding it stands for."""
    tally = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        tally[finding.level] += finding.count
    return tally


def summary_line(findings: list[Finding]) -> str:
    """'2 errors, 1 warning, 0 info'."""
    return ", ".join(f"{n} {_NOUNS[level][n != 1]}" for level, n in counts(findings).items())


def rules_used(findings: list[Finding]) -> list[Rule]:
    return [RULES[code] for code in sorted({finding.code for finding in findings})]


def location(finding: Finding) -> str:
    """The node, with the column when there is one: 'model.shop.customers.status'; a summary's first node and how
    many more: 'test.shop.not_null_a (and 16,027 more)'."""
    where = f"{finding.node}.{finding.column}" if finding.column else finding.node
    return f"{where} (and {finding.count - 1:,} more)" if finding.count > 1 else where


def summaries(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.count > 1]
