"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error title=DG002 column removed or renamed::model.shop.customers.status: column removed%0Afix: ...

A summary of repeated findings (checks.summary) is one annotation naming its first nodes and how many more.
`error` for errors, `warning` for warnings, `notice` for info; each skipped check is a `notice` too. Findings name
dbt nodes, not files, so there is no `file=`/`line=`: the annotations show on the run's summary page, not in the
diff. The last line is a plain summary (not a command). GitHub shows at most 10 annotations of each kind per step.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from ..summary import first_nodes
from ._common import TOOL_NAME, location, summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARN: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """The message after `::`: `%` first, so the escapes themselves are not escaped again."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A `key=value` property: also `:` (would end the properties) and `,` (would start the next one)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _message(finding: Finding) -> str:
    parts = [f"{location(finding)}: {finding.message}"]
    if finding.count > 1:
        parts.append(f"nodes: {first_nodes(finding)}")
    if finding.affected:
        parts.append(f"affected: {', '.join(finding.affected)}")
    parts.append(f"fix: {finding.fix}")
    return "\n".join(parts)


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    lines = [command(COMMANDS[f.level], _message(f), title=f"{f.code} {f.rule.title}") for f in findings]
    lines += [command("notice", reason, title=f"{TOOL_NAME} check skipped") for reason in skipped]
    lines.append(f"{TOOL_NAME} check: {summary_line(findings) if findings else 'no findings'}")
    return "\n".join(lines) + "\n"
