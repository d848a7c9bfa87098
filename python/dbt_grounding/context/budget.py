"""Fit a document into a token budget by trimming its lowest-priority sections, and say what was trimmed.

Never trimmed: the key, the record values (or the no-match statement), as-of and freshness, the warnings, the
usage note and the citation. When even that minimum exceeds the budget, `TokenBudgetError` is raised: a document is
never cut silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from dbt_grounding.context.document import ContextDocument, Omission, TrimmableSection
from dbt_grounding.context.wording import plural
from dbt_grounding.errors import ExitCode, GroundingError


class TokenCounter(Protocol):
    """Counts the tokens of a text for the model the document is for: any object with `count(text) -> int`, e.g.
    a small class whose count returns `len(tiktoken_encoding.encode(text))`."""

    def count(self, text: str) -> int: ...


class EstimatedTokenCounter:
    """An offline estimate of BPE token counts (no tokenizer download), meant to err slightly high.

    Pieces: a run of ASCII letters counts one token per 6 letters (common words are one token), a run of other
    letters one per letter, a run of digits one per 3 digits (BPE vocabularies split numbers in threes), any other
    visible character one, a run of line breaks one. Real tokenizers differ: plug one in when the budget is tight.
    """

    _PIECES = re.compile(r"(?P<word>[^\W\d_]+)|(?P<digits>\d+)|(?P<breaks>\n+)|(?P<other>[^\s])")

    def count(self, text: str) -> int:
        total = 0
        for match in self._PIECES.finditer(text):
            piece = match.group()
            if match.lastgroup == "word":
                total += -(-len(piece) // 6) if piece.isascii() else len(piece)
            elif match.lastgroup == "digits":
                total += -(-len(piece) // 3)
            else:
                total += 1
        return total


class TokenBudgetError(GroundingError):
    """Even the minimum document exceeds max_tokens. details: model, max_tokens, minimum_tokens."""

    exit_code = ExitCode.USAGE


Trimmed = tuple[ContextDocument, str]  # the smaller document, and what it left out


@dataclass(frozen=True)
class TrimStep:
    """One way to shrink a document: `candidates` yields ever smaller versions (each with what it left out); the
    last one trims the whole section. Nothing is yielded when there is nothing to trim."""

    section: TrimmableSection
    candidates: Callable[[ContextDocument], Iterator[Trimmed]]


def _drop_passing_tests(document: ContextDocument) -> Iterator[Trimmed]:
    passing = [test for test in document.tests if test.status == "pass"]
    if passing:
        kept = [test for test in document.tests if test.status != "pass"]
        yield document.model_copy(update={"tests": kept}), f"{plural(len(passing), 'passing test')} not listed"


def _drop_sources(document: ContextDocument) -> Iterator[Trimmed]:
    if document.sources:
        what = f"{plural(len(document.sources), 'upstream source')} not listed (the JSON citation keeps them)"
        yield document.model_copy(update={"sources": []}), what


def _drop_tests(document: ContextDocument) -> Iterator[Trimmed]:
    if document.tests:
        what = f"{plural(len(document.tests), 'test result')} not listed (Warnings counts the failures)"
        yield document.model_copy(update={"tests": []}), what


def _drop_column_descriptions(document: ContextDocument) -> Iterator[Trimmed]:
    """Descriptions of non-key columns, one more at a time from the last column: models list their main columns
    first."""
    described = [column.name for column in document.columns if column.description and not column.is_key]
    for count in range(1, len(described) + 1):
        dropped = described[-count:]
        columns = [c.model_copy(update={"description": ""}) if c.name in dropped else c for c in document.columns]
        what = _columns_phrase("descriptions", "non-key column", dropped, described)
        yield document.model_copy(update={"columns": columns}), what


def _drop_column_rules(document: ContextDocument) -> Iterator[Trimmed]:
    ruled = [column.name for column in document.columns if column.rule]
    for count in range(1, len(ruled) + 1):
        dropped = ruled[-count:]
        columns = [c.model_copy(update={"rule": None}) if c.name in dropped else c for c in document.columns]
        what = _columns_phrase("business rules", "derived column", dropped, ruled)
        yield document.model_copy(update={"columns": columns}), what


def _drop_summary(document: ContextDocument) -> Iterator[Trimmed]:
    if document.summary:
        yield document.model_copy(update={"summary": ""}), "the model summary not shown"


def _columns_phrase(what: str, noun: str, dropped: list[str], of: list[str]) -> str:
    if len(dropped) == len(of) > 1:  # naming every column would cost what the trim saves
        return f"{what} of all {plural(len(of), noun)} not shown"
    return f"{what} of {plural(len(dropped), noun)} not shown: {', '.join(dropped)}"


# Lowest priority first. Column descriptions outrank sources and the test list (whose failures Warnings still
# counts): they carry the business meaning the document exists to ground.
TRIM_STEPS: tuple[TrimStep, ...] = (
    TrimStep("test_details", _drop_passing_tests),
    TrimStep("sources", _drop_sources),
    TrimStep("tests", _drop_tests),
    TrimStep("column_descriptions", _drop_column_descriptions),
    TrimStep("column_rules", _drop_column_rules),
    TrimStep("summary", _drop_summary),
)


def fit_to_budget(document: ContextDocument, max_tokens: int, counter: TokenCounter) -> ContextDocument:
    """`document` with sections trimmed, lowest priority first, until its Markdown fits `max_tokens`.

    Raises:
        TokenBudgetError: the document with every trimmable section trimmed still exceeds max_tokens.
    """
    tokens = counter.count(document.to_markdown())
    for step in TRIM_STEPS:
        if tokens <= max_tokens:
            return document
        document, tokens = _trim(document, tokens, step, max_tokens, counter)
    if tokens <= max_tokens:
        return document
    raise TokenBudgetError(
        f"The context document for {document.model} needs at least {tokens} tokens; max_tokens is {max_tokens}",
        hint=f"raise max_tokens to {tokens} or more, or look up a key that matches fewer rows",
        model=document.model, max_tokens=max_tokens, minimum_tokens=tokens,
    )


def _trim(
    document: ContextDocument, tokens: int, step: TrimStep, max_tokens: int, counter: TokenCounter
) -> tuple[ContextDocument, int]:
    """The first candidate of `step` that fits, else its smallest; `document` itself when no candidate is smaller
    (the line saying what was omitted can cost more than a short section)."""
    best = (document, tokens)
    for smaller, what in step.candidates(document):
        omission = Omission(section=step.section, reason=what)
        candidate = smaller.model_copy(update={"omitted": [*smaller.omitted, omission]}).with_content_hash()
        candidate_tokens = counter.count(candidate.to_markdown())
        if candidate_tokens < best[1]:
            best = (candidate, candidate_tokens)
        if candidate_tokens <= max_tokens:
            break
    return best
