"""max_tokens: trimming order, what is never trimmed, the budget error, pluggable token counters."""

from __future__ import annotations

import pytest
from context_cases import INJECTION_PHRASE, health_inputs, not_found_inputs

from dbt_grounding.context import EstimatedTokenCounter, TokenBudgetError, build_document
from dbt_grounding.context.budget import TRIM_STEPS
from dbt_grounding.errors import ExitCode, GroundingError

COUNTER = EstimatedTokenCounter()


def tokens(document) -> int:
    return COUNTER.count(document.to_markdown())


def test_estimate_counts_words_digits_and_symbols() -> None:
    assert COUNTER.count("") == 0
    assert COUNTER.count("the customer") == 3  # 'customer' is 8 letters: 2 pieces
    assert COUNTER.count("43200.00") == 4  # 432|00 . 00
    assert COUNTER.count("## Record\n\n- a: 1") == 8  # # # Record, line breaks, - a : 1
    assert COUNTER.count("日本") == 2


def test_a_large_budget_changes_nothing() -> None:
    full = build_document(health_inputs())
    assert build_document(health_inputs(), max_tokens=tokens(full)).to_json() == full.to_json()


def test_trimming_goes_lowest_priority_first_and_says_so() -> None:
    full, minimum = build_document(health_inputs()), build_document(health_inputs(), max_tokens=10**6)
    budget = tokens(full) - 1
    document = build_document(health_inputs(), max_tokens=budget)
    assert tokens(document) <= budget
    assert [o.section for o in document.omitted] == ["test_details"]
    assert document.omitted[0].reason == "8 passing tests not listed"
    assert "- test_details: 8 passing tests not listed." in document.to_markdown()
    assert minimum.omitted == []


def minimum_tokens(make_inputs=health_inputs) -> int:
    with pytest.raises(TokenBudgetError) as raised:
        build_document(make_inputs(), max_tokens=1)
    return raised.value.details["minimum_tokens"]


def test_the_minimum_document_keeps_key_record_freshness_and_warnings() -> None:
    full = build_document(health_inputs())
    smallest = build_document(health_inputs(), max_tokens=minimum_tokens())
    assert [o.section for o in smallest.omitted] == [step.section for step in TRIM_STEPS]
    assert smallest.rows == full.rows and smallest.key == full.key
    assert smallest.freshness == full.freshness and smallest.warnings == full.warnings
    assert smallest.citation.nodes == full.citation.nodes
    assert smallest.has_valid_hash()
    markdown = smallest.to_markdown()
    for line in ("- customer_id (key): 51", "- health_status: High Risk", "- as_of_date: 2026-06-30",
                 "- Freshness: warn (policy: warn after 24 hours, error after 48 hours)", INJECTION_PHRASE):
        assert line in markdown


def test_column_descriptions_go_one_at_a_time_from_the_last_column() -> None:
    full = build_document(health_inputs())
    without_tests = build_document(health_inputs(), max_tokens=tokens(full) - 250)
    assert [o.section for o in without_tests.omitted] == ["test_details", "sources", "tests"]
    document = build_document(health_inputs(), max_tokens=tokens(without_tests) - 1)
    assert document.omitted[-1].reason.startswith("descriptions of ")
    dropped = document.omitted[-1].reason.split(": ")[1].split(", ")
    assert dropped == [c.name for c in full.columns][-len(dropped):]
    assert all(column.description for column in document.columns if column.name not in dropped)


def _fits(budget: int) -> bool:
    try:
        build_document(health_inputs(), max_tokens=budget)
    except TokenBudgetError:
        return False
    return True


def test_a_budget_below_the_minimum_raises_with_a_hint() -> None:
    with pytest.raises(TokenBudgetError) as raised:
        build_document(health_inputs(), max_tokens=200)
    error = raised.value
    assert isinstance(error, GroundingError) and error.exit_code == ExitCode.USAGE
    assert error.details["max_tokens"] == 200 and error.details["minimum_tokens"] > 200
    assert f"raise max_tokens to {error.details['minimum_tokens']}" in error.hint
    assert _fits(error.details["minimum_tokens"]) and not _fits(error.details["minimum_tokens"] - 1)


def test_not_found_statement_survives_trimming() -> None:
    full = build_document(not_found_inputs())
    document = build_document(not_found_inputs(), max_tokens=tokens(full) - 200)
    assert document.omitted and "Do not guess values for this record." in document.to_markdown()


class CharacterCounter:
    """A deliberately different tokenizer: one token per character."""

    def count(self, text: str) -> int:
        return len(text)


def test_a_custom_token_counter_is_used() -> None:
    full_chars = len(build_document(health_inputs()).to_markdown())
    document = build_document(health_inputs(), max_tokens=full_chars - 1, token_counter=CharacterCounter())
    assert len(document.to_markdown()) <= full_chars - 1 and document.omitted
    with pytest.raises(TokenBudgetError):
        build_document(health_inputs(), max_tokens=1000, token_counter=CharacterCounter())
