"""What the documents an LLM was given say: every value of their records (with column and unit), the dates and
numbers in their text, their string values (statuses, names) and the text itself.

Documents come as the library's objects (context.ContextDocument, ask's Document with its rendered text, or a whole
ask result) or as the text the LLM saw: compact, Markdown or JSON form. An object stands for its record (the compact
form's content); a text stands for everything in it, column descriptions included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dbt_grounding.context.document import ContextDocument
from dbt_grounding.context.types import UntrustedText
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.verify.claims import find_dates, find_numbers, parse_number

_RECORD_LINE = re.compile(r"^(?:- )?(?P<column>[a-z_][a-z0-9_]*)(?: \(key\))?: (?P<value>.*)$", re.MULTILINE)
_VALUE_WITH_UNIT = re.compile(r"^(?P<number>-?\d+(?:\.\d+)?)(?: (?P<unit>[A-Za-z]+))?$")
_FRESHNESS = re.compile(r"\bfreshness: (?P<status>fresh|warn|stale|unchecked)\b", re.IGNORECASE)
_QUOTED_VALUE = re.compile(r"'(?P<value>[A-Za-z][A-Za-z -]{1,28}[A-Za-z])'")
_MASKED = re.compile(r"\((?:masked|personal data: [^)]*)\)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Fact:
    """One value the documents state: from a record's column, or found in their text (column None)."""

    column: str | None
    text: str
    number: Decimal | None = None
    unit: str | None = None
    date: tuple[int, int, int] | None = None


@dataclass
class Evidence:
    """Everything the documents state, gathered once per verification."""

    facts: list[Fact] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the documents' text, for names and codes
    quoted_values: set[str] = field(default_factory=set)  # 'High Risk'-like values their descriptions quote

    @property
    def columns(self) -> set[str]:
        return {fact.column for fact in self.facts if fact.column}

    def strings(self) -> set[str]:
        """Every string value of a record, folded (case, spacing)."""
        return {fold(fact.text) for fact in self.facts if fact.column and fact.number is None}

    def numbers(self) -> list[Fact]:
        return [fact for fact in self.facts if fact.number is not None]

    def dates(self) -> list[tuple[int, int, int]]:
        return [fact.date for fact in self.facts if fact.date is not None]

    def text(self) -> str:
        return "\n".join(self.texts)


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def gather(documents: Iterable[Any] | Any) -> Evidence:
    """The evidence in `documents` (one document or several).

    Raises:
        ConfigurationError: a document of a kind this module does not read.
    """
    if isinstance(documents, (str, bytes, ContextDocument, Mapping)) or hasattr(documents, "text"):
        documents = [documents]
    elif isinstance(getattr(documents, "documents", None), tuple):  # an ask result: the documents it served
        documents = documents.documents
    evidence = Evidence()
    for document in documents:
        _add(evidence, document)
    return evidence


def _add(evidence: Evidence, document: Any) -> None:
    if isinstance(document, ContextDocument):
        _add_document(evidence, document)
    elif isinstance(document, bytes):
        _add(evidence, document.decode("utf-8"))
    elif isinstance(document, str):
        _add_text(evidence, document)
    elif isinstance(document, Mapping):
        _add_mapping(evidence, document)
    elif isinstance(getattr(document, "text", None), str):  # ask.Document: a document rendered in some form
        _add_text(evidence, document.text)
    else:
        raise ConfigurationError(f"cannot read a {type(document).__name__} as a context document",
                                 hint="pass ContextDocument objects, ask documents, or their compact, Markdown or "
                                      "JSON text", kind=type(document).__name__)


def _add_document(evidence: Evidence, document: ContextDocument) -> None:
    units = {column.name: column.unit for column in document.columns}
    for column, value in document.key.items():
        _add_value(evidence, column, value, units.get(column))
    for row in document.rows:
        for column, value in row.items():
            _add_value(evidence, column, value, units.get(column))
    freshness = document.freshness
    evidence.facts.append(Fact("freshness", freshness.status))
    for stamp in (freshness.as_of, freshness.last_built_at):
        if stamp:
            _add_value(evidence, "as_of" if stamp == freshness.as_of else "last_built_at", stamp, None)
    evidence.facts.append(Fact("tests", str(document.test_counts.total), Decimal(document.test_counts.total)))
    for description in [column.description for column in document.columns] + [document.summary]:
        evidence.quoted_values.update(m.group("value") for m in _QUOTED_VALUE.finditer(description))
    evidence.texts.append(document.to_compact())


def _add_value(evidence: Evidence, column: str, value: Any, unit: str | None) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, UntrustedText):
        _add_loose(evidence, value.untrusted_text, column)
        return
    if isinstance(value, (int, float)):
        evidence.facts.append(Fact(column, str(value), Decimal(str(value)), unit))
        return
    text = str(value)
    number = parse_number(text) if re.fullmatch(r"-?\d+(?:\.\d+)?", text.strip()) else None
    if number is not None:
        evidence.facts.append(Fact(column, text, number, unit))
        return
    iso = _ISO_DATE.match(text)
    if iso:
        evidence.facts.append(Fact(column, text, date=(int(iso[1]), int(iso[2]), int(iso[3]))))
        return
    evidence.facts.append(Fact(column, text))


def _add_loose(evidence: Evidence, text: str, column: str | None) -> None:
    """Numbers and dates found in free text; the text itself kept for names and codes."""
    evidence.texts.append(text)
    dates = find_dates(text)
    for found in dates:
        if found.year and found.month and found.day:
            evidence.facts.append(Fact(column, found.text, date=(found.year, found.month, found.day)))
    for number in find_numbers(text, [(d.start, d.end) for d in dates]):
        evidence.facts.append(Fact(column, number.text, number.value, number.unit))


def _add_text(evidence: Evidence, text: str) -> None:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            _add_mapping(evidence, parsed)
            return
    for line in _RECORD_LINE.finditer(text):
        value = _MASKED.sub("", line.group("value")).strip()
        if value == line.group("value").strip() or not value:  # masked values state nothing checkable
            with_unit = _VALUE_WITH_UNIT.match(value)
            if with_unit and with_unit.group("unit"):
                evidence.facts.append(Fact(line.group("column"), with_unit.group("number"),
                                           Decimal(with_unit.group("number")),
                                           with_unit.group("unit")))
            elif value and not value.startswith("untrusted"):
                _add_value(evidence, line.group("column"), value, None)
    for status in _FRESHNESS.finditer(text):
        evidence.facts.append(Fact("freshness", status.group("status").lower()))
    evidence.quoted_values.update(m.group("value") for m in _QUOTED_VALUE.finditer(text))
    _add_loose(evidence, text, None)


def _add_mapping(evidence: Evidence, document: Mapping[str, Any]) -> None:
    if {"rows", "columns", "citation"} <= set(document):
        try:
            _add_document(evidence, ContextDocument.model_validate(document))
            return
        except ValueError:
            pass  # not exactly a document: read it as plain JSON
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)
    evidence.texts.append(text)
    _walk(evidence, document, None)


def _walk(evidence: Evidence, value: Any, column: str | None) -> None:
    if isinstance(value, Mapping):
        if "untrusted_text" in value and isinstance(value["untrusted_text"], str):
            _add_loose(evidence, value["untrusted_text"], column)
            return
        for key, item in value.items():
            _walk(evidence, item, str(key))
    elif isinstance(value, (list, tuple)):
        for item in value:
            _walk(evidence, item, column)
    elif column is not None:
        _add_value(evidence, column, value, None)
