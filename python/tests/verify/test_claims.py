"""Claims as written: numbers with their unit and the precision they state, dates in their written forms; and the
tolerance rules between a stated figure and a document value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.verify import hallucination_rate, verify_answer
from dbt_grounding.verify.claims import find_dates, find_numbers

RECORD = """# fct_example customer_id = 7
amount: 12345.67 USD
share: 0.800000
days_open: 26 days
opened_on: 2026-06-04
as_of_date: 2026-06-30
"""


@pytest.mark.parametrize(("written", "value", "tolerance", "unit"), [
    ("$12.3k", "12300", "50", "USD"),
    ("$12,345.67", "12345.67", "0.005", "USD"),
    ("80%", "80", "0.5", "percent"),
    ("1.2M", "1200000", "50000", None),
    ("USD 57,000", "57000", "500", "USD"),
    ("30 days", "30", "0.5", "days"),
    ("0.29", "0.29", "0.005", None),
])
def test_a_number_keeps_its_unit_and_the_precision_it_is_written_to(written, value, tolerance, unit) -> None:
    [number] = find_numbers(f"it is {written} now")
    assert (number.text, number.value, number.tolerance, number.unit) == (
        written, Decimal(value), Decimal(tolerance), unit)


@pytest.mark.parametrize(("written", "parts"), [
    ("2026-06-04", (2026, 6, 4)), ("June 4, 2026", (2026, 6, 4)), ("4 June 2026", (2026, 6, 4)),
    ("Jun 4th 2026", (2026, 6, 4)), ("06/04/2026", (2026, 6, 4)), ("June 2026", (2026, 6, None)),
    ("2026-06-21T00:00:00 UTC", (2026, 6, 21)),
])
def test_dates_in_their_written_forms(written, parts) -> None:
    [date] = find_dates(f"on {written}, it happened")
    assert (date.text, (date.year, date.month, date.day)) == (written, parts)


@pytest.mark.parametrize(("answer", "supported"), [
    ("The amount is $12.3k.", True), ("The amount is $12.4k.", False), ("The amount is 12,346 USD.", True),
    ("The share is 80%.", True), ("The share is 85%.", False), ("It was open 26 days.", True),
    ("It was open 26 hours.", False), ("It opened on June 4, 2026.", True), ("It opened in June 2026.", True),
    ("It opened on June 5, 2026.", False), ("The amount is $12,345.67 as of 2026-06-30.", True),
    ("The amount is 12345.67 days.", False),
])
def test_tolerance_between_stated_figures_and_document_values(answer: str, supported: bool) -> None:
    assert verify_answer(answer, RECORD).ok is supported


def test_a_document_of_an_unknown_kind_is_a_typed_error() -> None:
    with pytest.raises(ConfigurationError, match="cannot read a int"):
        verify_answer("ARR is $5.", [42])


def test_hallucination_rate_is_the_share_of_answers_with_an_unsupported_claim() -> None:
    answers = [verify_answer(text, RECORD) for text in ("$12.3k", "$99k", "26 days", "June 5, 2026")]
    assert hallucination_rate(answers) == 0.5
    assert hallucination_rate([]) == 0.0
