"""Render findings in the formats CI systems read: one module per format, one entry point, `render`.

Repeated findings (same code, level and cause) are summarised first (checks.summary): every format shows one
finding with its count and first nodes. Every format is deterministic: findings in `Finding.sort_key` order, no clock
values, no absolute paths, so the output of two runs on the same project diffs empty.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ...errors import ConfigurationError

if TYPE_CHECKING:
    from ..findings import Finding

Renderer = Callable[[list["Finding"], list[str], str], str]

# format -> the module rendering it, imported when asked for: every command's `--help` lists FORMATS, and must not
# pay for the XML and SARIF writers (issue 16: `dbt-grounding --help` <= 0.15 s).
RENDERERS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "junit": "junit",
    "github": "github",
    "sarif": "sarif",
    "markdown": "markdown",
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(findings: Sequence[Finding], fmt: str, *, skipped: Sequence[str] = (), tool_version: str) -> str:
    """Render findings as one document.

    Args:
        findings: the findings, in any order (they are sorted by `Finding.sort_key`); those with the same code,
            level and cause are shown as one (checks.summary).
        fmt: one of `FORMATS`: text, json, junit, github, sarif, markdown.
        skipped: sentences naming the checks that were skipped and why, in the order to show them.
        tool_version: the dbt-grounding version, written where the format has a place for it.

    Returns:
        The document, ending with a newline.

    Raises:
        ConfigurationError: unknown format.
    """
    module = RENDERERS.get(fmt)
    if module is None:
        raise ConfigurationError(
            f"unknown output format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}", format=fmt
        )
    from ..summary import summarised

    renderer: Renderer = importlib.import_module(f"{__name__}.{module}").render
    return renderer(summarised(findings), list(skipped), tool_version)


__all__ = ["FORMATS", "RENDERERS", "render"]
