"""Expected facts against a compact document: each record line `column: value[ unit]` is read back and compared
with the expected value (numbers as decimals within a tolerance, text and dates exactly, null as null)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from dbt_grounding.context.safety import ends_untrusted_block
from dbt_grounding.evaluation.golden import ExpectedFact

Outcome = Literal["hit", "wrong", "missing"]
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class FactCheck:
    """One expected fact looked up in a document: `hit` (stated with the expected value), `wrong` (stated with
    another value: an unsupported fact), `missing` (not stated, masked or only inside quoted text)."""

    column: str
    expected: str
    found: str | None
    outcome: Outcome


def record_values(document: str) -> dict[str, str]:
    """The record of a compact document: column -> the value as written (with its unit, `null`, or `(masked)`).
    Quoted untrusted text is left out: a value only there is not stated."""
    values: dict[str, str] = {}
    fence_tag: str | None = None
    for line in document.splitlines():
        if fence_tag is not None:
            if ends_untrusted_block(line, fence_tag):
                fence_tag = None
            continue
        column, sep, value = line.partition(": ")
        if not sep or not column or " " in column or column.startswith("#"):
            continue
        if value.startswith("untrusted data "):
            fence_tag = value.split()[2].rstrip(",:")
            continue
        values.setdefault(column, value)
    return values


def check_facts(facts: tuple[ExpectedFact, ...], document: str) -> list[FactCheck]:
    """Each expected fact against the document's record (module docstring)."""
    values = record_values(document)
    return [_check(fact, values.get(fact.column)) for fact in facts]


def _check(fact: ExpectedFact, found: str | None) -> FactCheck:
    expected = "null" if fact.value is None else str(fact.value)
    if found is None or found.endswith("(masked)"):
        return FactCheck(fact.column, expected, found, "missing")
    if fact.value is None:
        return FactCheck(fact.column, expected, found, "hit" if found == "null" else "wrong")
    if fact.numeric:
        number = _leading_number(found)
        if number is None:
            return FactCheck(fact.column, expected, found, "wrong")
        tolerance = fact.tolerance or Decimal(0)
        return FactCheck(fact.column, expected, found, "hit" if abs(number - fact.value) <= tolerance else "wrong")
    return FactCheck(fact.column, expected, found, "hit" if found == expected else "wrong")


def _leading_number(text: str) -> Decimal | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    try:
        return Decimal(match.group())
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
