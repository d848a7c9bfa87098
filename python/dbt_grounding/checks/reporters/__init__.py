"""Render findings in the formats CI systems read: one module per format, one entry point, `render`.

Repeated findings (same code, level and cause) are summarised first (checks.summary): every format shows one
finding with its count and first nodes. Every format is deterministic: findings in `Finding.sort_key` order, no clock
values, no absolute paths, so the output of two runs on the same project diffs empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...errors import ConfigurationError
from ..findings import Finding
from ..summary import summarised
from . import github, json_report, junit, markdown, sarif, text

Renderer = Callable[[list[Finding], list[str], str], str]

RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "github": github.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
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
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ConfigurationError(
            f"unknown output format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}", format=fmt
        )
    return renderer(summarised(findings), list(skipped), tool_version)


__all__ = ["FORMATS", "RENDERERS", "render"]
