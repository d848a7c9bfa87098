"""How the tools write what they return: the forms of a context document, the token counter, and trimming plain
text (lists, descriptions, lineage, findings) to a token budget.

Agents get the compact form by default (context: the record, as-of, freshness, tests, warnings and a citation; column
meanings stay in describe_mart); the full forms are there for audits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbt_grounding.context import ContextDocument, TokenCounter


@dataclass(frozen=True)
class DocumentForm:
    description: str  # for the model reading the tool's schema
    render: Callable[[ContextDocument], str]


DOCUMENT_FORMS: dict[str, DocumentForm] = {
    "compact": DocumentForm("the record with units, as-of, freshness, tests, warnings and a citation; column "
                            "meanings are in describe_mart (the default)", lambda document: document.to_compact()),
    "markdown": DocumentForm("the full document as Markdown, for reading", lambda document: document.to_markdown()),
    "json": DocumentForm("the full document as JSON (schema context_document.schema.json), for programs",
                         lambda document: document.to_json()),
}
DEFAULT_FORM = "compact"


def token_counter() -> TokenCounter:
    """The counter every tool's max_tokens is measured with (the context package's default)."""
    from dbt_grounding.context import default_token_counter

    return default_token_counter()


def fit_text(text: str, max_tokens: int | None, *, what: str) -> str:
    """`text` cut to whole lines that fit `max_tokens` (the first line always kept), ending with a line that says
    how many lines were left out and how to get them.

    Raises:
        TokenBudgetError: not even the first line and that note fit.
    """
    if max_tokens is None:
        return text
    counter = token_counter()
    if counter.count(text) <= max_tokens:
        return text
    lines = text.rstrip("\n").split("\n")

    def cut(kept: int) -> str:
        note = (f"[{len(lines) - kept} more line(s) of {what} left out to fit max_tokens={max_tokens}; "
                "call again with a larger max_tokens to see them]")
        return "\n".join([*lines[:kept], note]) + "\n"

    low, high = 1, len(lines) - 1  # the most lines that fit, searched: fewer lines never cost more tokens
    best = None
    while low <= high:
        middle = (low + high) // 2
        if counter.count(cut(middle)) <= max_tokens:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    if best is not None:
        return cut(best)
    from dbt_grounding.context import TokenBudgetError

    needed = counter.count(cut(1) if len(lines) > 1 else text)
    raise TokenBudgetError(f"The {what} needs at least {needed} tokens; max_tokens is {max_tokens}",
                           hint=f"raise max_tokens to {needed} or more", max_tokens=max_tokens,
                           minimum_tokens=needed)
