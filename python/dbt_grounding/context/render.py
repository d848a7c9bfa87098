"""Render a context document for a prompt: the full Markdown form (context.markdown, in Python) and the compact form
for agents (the Jinja template compact_document.md.j2 shipped in the package), from the same views of the record,
so masking and fencing are the same in both; and a mart's description (context.markdown).

Autoescape is off (this is Markdown, not HTML); instead every value taken from the data goes through one of the
filters in `SAFE_FILTERS`: `md` flattens and neutralises it (safety.neutralise_inline), `fenced_text` and `fence`
place untrusted text inside a fence it cannot close. A test parses the templates and fails on any `{{ }}` output
that is neither one of these filters nor a macro call; context.markdown applies the same functions to every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from dbt_grounding.context.markdown import markdown_document, markdown_mart
from dbt_grounding.context.safety import clean_block_text, fence_for, neutralise_inline, untrusted_tag
# Documents are typed by their shared base (context.types.Frozen): render is below document.py and mart.py, which
# call it, and imports neither (a ContextDocument or a MartDescription is what each function is given).
from dbt_grounding.context.types import Frozen, JsonScalar, UntrustedText
from dbt_grounding.context.wording import describe_duration, describe_key

if TYPE_CHECKING:
    from jinja2 import Environment, FileSystemBytecodeCache

COMPACT_TEMPLATE = "compact_document.md.j2"
# between documents served as one text (get_contexts, ask); telemetry counts the API's documents joined the same way
DOCUMENTS_SEPARATOR = "\n---\n\n"
SAFE_FILTERS = {"md": neutralise_inline, "fenced_text": clean_block_text, "fence": fence_for}
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class CellView:
    """One value of the record as the template shows it."""

    column: str
    kind: str  # plain | masked | untrusted
    value: JsonScalar = None  # plain and masked values
    tag: str = ""  # untrusted: the tag of its quoted block
    is_key: bool = False
    pii: str | None = None
    instruction_like: bool = False  # untrusted: the text reads as addressed to an AI model
    unit: str | None = None  # plain values: the column's meta.grounding.unit


@dataclass(frozen=True)
class BlockView:
    """An untrusted text value, quoted in a labelled fence."""

    column: str
    text: str
    tag: str
    instruction_like: bool = False


@dataclass(frozen=True)
class RowView:
    cells: list[CellView]
    blocks: list[BlockView]


def render_markdown(document: Frozen) -> str:
    """The document as Markdown; deterministic: no clock, no path, nothing but the document. A document whose full
    form was trimmed to fit max_tokens (omitted section full_form) is rendered in the compact form."""
    if any(omission.section == "full_form" for omission in document.omitted):
        return _render(COMPACT_TEMPLATE, document)
    return _tidy(markdown_document(document, **_views(document)))


def render_compact(document: Frozen) -> str:
    """The document's compact form; deterministic like render_markdown."""
    return _render(COMPACT_TEMPLATE, document)


def render_mart_description(description: Frozen) -> str:
    """A mart's description (describe_mart) as Markdown: columns with meaning, rule, unit and source columns, key,
    as-of, freshness policy, sources."""
    return _tidy(markdown_mart(description))


def _render(template: str, document: Frozen) -> str:
    return _tidy(_environment().get_template(template).render(doc=document, **_views(document)))


def _views(document: Frozen) -> dict[str, object]:
    """What a document's forms show besides the document: the key as words, the rows as cells and quoted blocks,
    the age as words, the sections omitted."""
    return {
        "key_text": describe_key(document.key),
        "rows": [_row_view(document, row) for row in document.rows],
        "age_text": _age_text(document),
        "omitted": {omission.section for omission in document.omitted},
    }


def _tidy(text: str) -> str:
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", text))
    return text.strip("\n") + "\n"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # jinja2 is imported when a template is first rendered: the JSON form needs none (issue 16, a cold `context`)
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("dbt_grounding", "context/templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Compiling the templates is most of a cold process's rendering time: jinja2 keeps their bytecode in a
        # private per-user folder under the temp dir, keyed by each template's source checksum (a changed template
        # is compiled again).
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters.update(SAFE_FILTERS)
    return environment


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    from jinja2 import FileSystemBytecodeCache

    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no private folder can be made under the temp dir: compile in each process
        return None


def _row_view(document: Frozen, row: dict[str, object]) -> RowView:
    columns = {column.name: column for column in document.columns}
    cells, blocks = [], []
    for name, value in row.items():
        column = columns[name]
        if isinstance(value, UntrustedText):
            tag = untrusted_tag(value.untrusted_text)
            flagged = value.instruction_like
            cells.append(CellView(name, "untrusted", tag=tag, is_key=column.is_key, pii=column.pii,
                                  instruction_like=flagged))
            blocks.append(BlockView(name, value.untrusted_text, tag, flagged))
        else:
            kind = "masked" if column.pii and column.pii != "free_text" and value is not None else "plain"
            cells.append(CellView(name, kind, value=value, is_key=column.is_key, pii=column.pii, unit=column.unit))
    return RowView(cells, blocks)


def _age_text(document: Frozen) -> str:
    age = document.freshness.age_seconds
    return "" if age is None else describe_duration(age)
