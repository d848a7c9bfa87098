"""`--format text` (the default): an aligned table for a terminal or a CI log, then the counts, the skipped checks,
what each finding reaches and how to fix each rule."""

from __future__ import annotations

import re
import unicodedata

from ..findings import Finding
from ..summary import first_nodes
from ._common import location, rules_used, summaries, summary_line

_HEADER = ("SEVERITY", "CODE", "NODE", "COLUMN", "MESSAGE")
_GAP = "  "
# C0/C1 controls other than newlines: a terminal would act on them (colours, cursor moves), so show them escaped.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _one_line(value: str) -> str:
    """Table cells hold one line: line breaks become ' / ', control characters their escape."""
    flat = " / ".join(value.splitlines()) if value else ""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), flat)


def _width(value: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value
    )


def _pad(value: str, width: int) -> str:
    return value + " " * (width - _width(value))


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(_HEADER) - 1)]
    # The last column (the message) is not padded: no trailing spaces.
    return [_GAP.join([*(_pad(cell, w) for cell, w in zip(row, widths)), row[-1]]) for row in rows]


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    lines: list[str] = []
    if findings:
        rows = [_HEADER] + [
            (f.level.value, f.code, _one_line(f.node if f.count == 1 else f"{f.node} (and {f.count - 1:,} more)"),
             _one_line(f.column or "-"), _one_line(f.message))
            for f in findings
        ]
        lines += _table(rows)
    else:
        lines.append("No findings.")
    lines += ["", summary_line(findings)]
    if skipped:
        lines += ["", "Skipped checks:"] + [f"  - {_one_line(reason)}" for reason in skipped]
    if summaries(findings):
        lines += ["", "Summarised (one row per code and cause):"]
        lines += [f"  {f.code} {_one_line(f.cause or f.message)}: {f.count:,} nodes: {_one_line(first_nodes(f))}"
                  for f in summaries(findings)]
    reaching = [f for f in findings if f.affected]
    if reaching:
        lines += ["", "Affected:"]
        lines += [f"  {f.code} {_one_line(location(f))}: {', '.join(map(_one_line, f.affected))}" for f in reaching]
    if findings:
        lines += ["", "How to fix:"] + [f"  {rule.code} {rule.title}: {rule.fix}" for rule in rules_used(findings)]
    return "\n".join(lines) + "\n"
