"""The SQL macros (mask_pii, instruction_like_text) and the Python layer (context/text_rules.py) give the same
answer on the same inputs: every case of context/text_rules_cases.json (adversarial look-alikes, international
phone numbers, dates, amounts, ids and order numbers that must stay) goes through real dbt (`dbt show --inline`)
and through the Python functions, and both must equal the case's expected value.

This is what makes "the patterns are shared" true: _text_rules_generated.sql is generated from text_rules.py
(test_generated_macros_are_current), and this test proves the engines read the strings as Python does.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from dbt_runner import REPO_ROOT, DbtProject
from engines import PostgresCluster, require_java, spark_env

from dbt_grounding.context.text_rules import (
    GENERATED_MACROS,
    GENERATED_TABLES,
    generated_macros_source,
    generated_tables_source,
    looks_like_instructions,
    mask_email,
    scrub_contacts,
)

CASES = json.loads((Path(__file__).parent / "context" / "text_rules_cases.json").read_text(encoding="utf-8"))
EMAIL_VALUES = [
    ("Jane.Doe@Acme.com", "***@Acme.com"),
    ("jane\uff20acme.com", "***@acme.com"),
    ("ja\u200bne@acme.com", "***@acme.com"),
    ("not an address", "[email]"),
    ("jane@acme.com, joe@acme.com", "[email]"),
]


def test_generated_macros_are_current() -> None:
    committed = (REPO_ROOT / GENERATED_MACROS).read_text(encoding="utf-8")
    assert committed == generated_macros_source(), "run scripts/generate_text_rules_macros.py"


def test_generated_fold_tables_are_current() -> None:
    committed = (REPO_ROOT / GENERATED_TABLES).read_text(encoding="utf-8")
    if f"(Unicode {unicodedata.unidata_version})" not in committed.splitlines()[0]:
        pytest.skip(f"the tables were generated with another Unicode version than this Python's "
                    f"{unicodedata.unidata_version}; they stay valid (NFKC mappings are stable)")
    assert committed == generated_tables_source(), "run scripts/generate_text_rules_macros.py"


def test_python_gives_the_expected_answer_on_every_case() -> None:
    for case in CASES:
        assert scrub_contacts(case["text"]) == case["scrubbed"], case["why"]
        assert looks_like_instructions(case["text"]) is case["instruction_like"], case["why"]
    for value, masked in EMAIL_VALUES:
        assert mask_email(value) == masked


def test_sql_agrees_with_python_on_duckdb(tmp_path: Path) -> None:
    _check_sql_agrees(DbtProject(REPO_ROOT, tmp_path), _standard_literal)


@pytest.mark.pg
def test_sql_agrees_with_python_on_postgres(pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    _check_sql_agrees(DbtProject(REPO_ROOT, tmp_path, extra_env=pg_cluster.dbt_env()), _standard_literal)


@pytest.mark.spark
def test_sql_agrees_with_python_on_spark(tmp_path: Path) -> None:
    require_java()
    project = DbtProject(REPO_ROOT, tmp_path, extra_env=spark_env(tmp_path / "spark"))
    _check_sql_agrees(project, _spark_literal)


def _check_sql_agrees(project: DbtProject, literal) -> None:
    texts = [case["text"] for case in CASES] + [value for value, _ in EMAIL_VALUES]
    rows = ",\n".join(f"({position}, {literal(text)})" for position, text in enumerate(texts))
    sql = (
        "select position, input,\n"
        "  {{ dbt_grounding.mask_pii('input', 'free_text') }} as scrubbed,\n"
        "  {{ dbt_grounding.mask_pii('input', 'email') }} as email_masked,\n"
        "  {{ dbt_grounding.instruction_like_text('input') }} as instruction_like\n"
        f"from (values\n{rows}\n) as inputs (position, input)"
    )
    result = project.run("show", "--inline", sql, "--output", "json", "--limit", str(len(texts) + 1))
    shown = {row["position"]: row for row in _shown_rows(result.stdout)}
    assert len(shown) == len(texts)
    for position, text in enumerate(texts):
        row = shown[position]
        assert row["input"] == text, "the literal did not reach the engine intact"
        assert (row["scrubbed"], row["instruction_like"]) == (scrub_contacts(text), looks_like_instructions(text)), text
        assert row["email_masked"] == mask_email(text), text


def _shown_rows(stdout: str) -> list[dict]:
    """The rows of `dbt show --output json`: the JSON object after dbt's log lines."""
    start = stdout.index('{\n  "show"')
    return json.JSONDecoder().raw_decode(stdout[start:])[0]["show"]


def _standard_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _spark_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
