"""Repeated findings shown as one: a project whose tests did not run has thousands of DG402 findings that say one
thing (16,028 rows at 5,000 models). Findings with the same code, level and cause (`Finding.cause`) become one
finding that counts them and keeps every node, which reports show as the first few and how many more.

Only the report is summarised: the verdict keeps every finding, and the exit code is judged on them (a summary has
its members' level, so it would judge the same)."""

from __future__ import annotations

from collections.abc import Iterable

from dbt_grounding.checks.findings import Finding

SHOWN = 5  # nodes a report names per summary; the rest are counted


def summarised(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` with each group of two or more sharing code, level and cause as one, sorted by `Finding.sort_key`.

    A summary's node is the group's first, its column the members' when they share one, its affected every
    member's, its message the cause with the count."""
    groups: dict[tuple, list[Finding]] = {}
    alone: list[Finding] = []
    for finding in findings:
        if finding.cause is None:
            alone.append(finding)
        else:
            groups.setdefault((finding.code, finding.level, finding.cause), []).append(finding)
    for (code, level, cause), members in groups.items():
        if len(members) == 1:
            alone.append(members[0])
            continue
        nodes = tuple(sorted({node for member in members for node in (member.nodes or (member.node,))}))
        columns = {member.column for member in members}
        alone.append(Finding(
            code, nodes[0], f"{cause} ({len(nodes):,} nodes)",
            column=columns.pop() if len(columns) == 1 else None,
            affected=tuple(sorted({name for member in members for name in member.affected})),
            severity=None if level is members[0].rule.severity else level, cause=cause, nodes=nodes,
        ))
    return sorted(alone, key=Finding.sort_key)


def first_nodes(finding: Finding) -> str:
    """'a, b, c, d, e and 16,023 more': the nodes a report names for a summary."""
    nodes = finding.nodes or (finding.node,)
    shown = ", ".join(nodes[:SHOWN])
    return shown if len(nodes) <= SHOWN else f"{shown} and {len(nodes) - SHOWN:,} more"
