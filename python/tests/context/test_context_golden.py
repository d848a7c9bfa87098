"""Golden files: each case of context_cases.GOLDEN_CASES rendered as Markdown, JSON and the compact form must equal
golden/<case>.md, golden/<case>.json and golden/<case>.compact.txt byte for byte; the health mart's description
golden/health_mart_description.md and .json.

Regenerate after an intended change, then review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest python/tests/context -q
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from context_cases import GOLDEN_CASES, health_inputs

from dbt_grounding.context import FreshnessPolicy, build_document
from dbt_grounding.context.budget import TiktokenCounter
from dbt_grounding.context.mart import build_mart_description

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def check_golden(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path.name} missing: run with UPDATE_GOLDEN=1 to create it"
    assert path.read_text(encoding="utf-8") == text, f"{path.name} differs: review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_markdown_and_json_match_golden_files(case: str) -> None:
    spec = GOLDEN_CASES[case]
    counter = None
    if spec.max_tokens is not None:
        pytest.importorskip("tiktoken")
        counter = TiktokenCounter()  # budgets are in cl100k tokens, whatever the default counter is
    document = build_document(spec.inputs(), max_tokens=spec.max_tokens, token_counter=counter,
                              include_passing_tests=spec.include_passing_tests)

    check_golden(GOLDEN_DIR / f"{case}.md", document.to_markdown())
    check_golden(GOLDEN_DIR / f"{case}.json", document.to_json())
    check_golden(GOLDEN_DIR / f"{case}.compact.txt", document.to_compact())


def test_mart_description_matches_golden_files() -> None:
    inputs = health_inputs()
    description = build_mart_description(
        inputs.model, inputs.columns, key=["customer_id"],
        freshness=FreshnessPolicy(warn_after="24 hours", error_after="48 hours"),
        sources=["crm.customers", "billing.subscriptions", "support.tickets"],
        column_sources={"customer_id": ["crm.customers.customer_id"],
                        "total_contract_value": ["billing.subscriptions.term_months",
                                                 "billing.subscriptions.period_amount"]},
    )
    check_golden(GOLDEN_DIR / "health_mart_description.md", description.to_markdown())
    check_golden(GOLDEN_DIR / "health_mart_description.json", description.to_json())


def test_every_golden_file_belongs_to_a_case() -> None:
    expected = {f"{case}{suffix}" for case in GOLDEN_CASES for suffix in (".md", ".json", ".compact.txt")}
    expected |= {"health_mart_description.md", "health_mart_description.json"}
    found = {path.name for path in GOLDEN_DIR.iterdir() if path.suffix in (".md", ".json", ".txt")}
    assert found - {"README.md"} == expected
