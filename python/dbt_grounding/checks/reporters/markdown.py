"""`--format markdown`: GitHub-flavoured Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

A heading with the counts, a table of findings, how to fix each rule, the skipped checks. Messages may use
`code spans` (ours do); everything else in them is escaped so a value from the project (a column called `a|b`, a
category '<none>') cannot break the table or inject HTML.
"""

from __future__ import annotations

import re

from ..findings import Finding
from ..summary import SHOWN
from ._common import TOOL_NAME, rules_used, summary_line

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
# ASCII punctuation Markdown or HTML would act on; a backslash makes any of them literal in GFM.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#!])")
# Control characters (a terminal colour code, NUL) mean nothing in a comment and some break it: show U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: str) -> str:
    return _CONTROL.sub("\ufffd", value.replace("\t", " "))


def _plain(value: str) -> str:
    lines = _printable(value).splitlines()
    return "<br>".join(_SPECIAL.sub(r"\\\1", line) for line in lines)


def _code(value: str) -> str:
    """A code span inside a table cell: GFM still needs `\\|` there; a backtick in the value needs a longer fence."""
    value = " ".join(_printable(value).splitlines()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def inline(value: str) -> str:
    """Text with code spans kept, all else escaped; one line (line breaks become `<br>`) so it fits a table cell."""
    out, last = [], 0
    for match in _CODE_SPAN.finditer(value):
        out += [_plain(value[last:match.start()]), _code(match.group(2))]
        last = match.end()
    out.append(_plain(value[last:]))
    return "".join(out)


def _nodes(finding: Finding) -> str:
    """The node; a summary's first few and how many more."""
    if finding.count == 1:
        return _code(finding.node)
    shown = ", ".join(_code(node) for node in finding.nodes[:SHOWN])
    return shown if finding.count <= SHOWN else f"{shown} and {finding.count - SHOWN:,} more"


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    lines = [f"## {TOOL_NAME} check: {summary_line(findings) if findings else 'passed'}", ""]
    if findings:
        lines += ["| Severity | Code | Node | Column | Message | Affected |", "|---|---|---|---|---|---|"]
        for f in findings:
            cells = [
                f.level.value,
                f"{f.code} {_plain(f.rule.title)}",
                _nodes(f),
                _code(f.column) if f.column else "",
                inline(f.message),
                ", ".join(_code(name) for name in f.affected),
            ]
            lines.append(f"| {' | '.join(cells)} |")
        lines += ["", "### How to fix", ""]
        lines += [f"- **{rule.code}** {_plain(rule.title)}: {inline(rule.fix)}" for rule in rules_used(findings)]
    else:
        lines.append("No findings.")
    if skipped:
        lines += ["", "### Skipped checks", ""] + [f"- {inline(reason)}" for reason in skipped]
    lines += ["", f"<sub>{TOOL_NAME} {_plain(tool_version)}</sub>"]
    return "\n".join(lines) + "\n"
