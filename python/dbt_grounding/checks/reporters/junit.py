"""`--format junit`: JUnit XML, as Jenkins, GitLab, Azure DevOps and test-report actions show it.

- One `<testsuite>` per rule code (named 'DG002 column removed or renamed'), one `<testcase>` per finding in it:
  classname the rule code, name the node (and column); a summary of repeated findings (checks.summary) is one
  testcase named by its first node and how many more, its first nodes in the body.
- Errors and warnings are failing testcases (`<failure type="error|warn">`): a CI UI lists them as failures.
  Whether the job fails is `--fail-on`'s business, not this report's.
- Info findings are passing testcases with the message in `<system-out>`.
- Each skipped check is a `<testcase>` with `<skipped>` in a last suite, 'skipped checks'.
- No findings: one passing testcase, 'no findings', so the report is never empty (Jenkins fails the build on a
  report without tests) and says plainly that the check passed.
- No timestamps or durations: `time` is always 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from ..findings import RULES, Finding, Severity
from ..summary import first_nodes
from ._common import TOOL_NAME, location

# Characters XML 1.0 cannot hold at all, not even escaped: ElementTree would write them and break the document.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value)


def _body(finding: Finding) -> str:
    lines = [f"{finding.code} {finding.rule.title} ({finding.level.value})", f"node: {finding.node}"]
    if finding.column:
        lines.append(f"column: {finding.column}")
    lines.append(f"message: {finding.message}")
    if finding.count > 1:
        lines.append(f"nodes ({finding.count:,}): {first_nodes(finding)}")
    if finding.affected:
        lines.append(f"affected: {', '.join(finding.affected)}")
    lines.append(f"fix: {finding.fix}")
    # A raw CR in element text is read back as LF by any XML parser: write the line breaks it will read.
    return _clean("\n".join(lines).replace("\r\n", "\n").replace("\r", "\n"))


def _suite(parent: ET.Element, name: str, cases: list[ET.Element]) -> None:
    tally = {
        "tests": len(cases),
        "failures": sum(case.find("failure") is not None for case in cases),
        "errors": 0,
        "skipped": sum(case.find("skipped") is not None for case in cases),
    }
    suite = ET.SubElement(parent, "testsuite", name=_clean(name), **{k: str(v) for k, v in tally.items()}, time="0")
    suite.extend(cases)


def _case(classname: str, name: str) -> ET.Element:
    return ET.Element("testcase", classname=_clean(classname), name=_clean(name), time="0")


def render(findings: list[Finding], skipped: list[str], tool_version: str) -> str:
    root = ET.Element("testsuites", name=f"{TOOL_NAME} check {tool_version}")
    for code, group in groupby(findings, key=lambda f: f.code):
        cases = []
        for finding in group:
            case = _case(code, location(finding))
            if finding.level is Severity.INFO:
                ET.SubElement(case, "system-out").text = _body(finding)
            else:
                failure = ET.SubElement(case, "failure", message=_clean(finding.message), type=finding.level.value)
                failure.text = _body(finding)
            cases.append(case)
        _suite(root, f"{code} {RULES[code].title}", cases)
    if skipped:
        cases = []
        for reason in skipped:
            case = _case(f"{TOOL_NAME}.skipped", reason.split(":", 1)[0])
            ET.SubElement(case, "skipped", message=_clean(reason))
            cases.append(case)
        _suite(root, "skipped checks", cases)
    if not findings:
        _suite(root, TOOL_NAME, [_case(TOOL_NAME, "no findings")])
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in root)))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
