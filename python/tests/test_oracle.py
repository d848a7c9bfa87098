"""The dbt-built marts agree, row for row, with an independent plain-Python oracle (oracle.py).

oracle.py recomputes from the raw CSVs what docs/raw_data_spec.md and docs/business_rules.md say the marts must
hold, sharing no SQL with the models. A failure lists every disagreeing row with both values: decide from the spec
which side is wrong.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import oracle
from dbt_runner import AS_OF_DATE, REPO_ROOT

AS_OF = date.fromisoformat(AS_OF_DATE)
SEED_DIR = REPO_ROOT / "seeds" / "raw"
LOOKUP_DIR = REPO_ROOT / "seeds" / "lookups"
MART_SCHEMA = "main_ai_grounding"

HEALTH_COLUMNS = (
    "health_status", "total_contract_value", "annual_recurring_revenue", "churn_risk_score", "last_login_date",
)
REVENUE_COLUMNS = (
    "customer_status", "annual_recurring_revenue", "monthly_recurring_revenue", "total_contract_value",
)
REJECTION_REASONS = {
    "missing_required_field", "invalid_number", "invalid_date", "out_of_range", "unknown_category",
    "orphan_foreign_key", "duplicate_record",
}


@pytest.fixture(scope="module")
def screened() -> tuple[dict[str, list[oracle.Row]], list[oracle.Rejection]]:
    """The oracle's accepted rows and rejections of the committed raw sample data."""
    return oracle.accepted_and_quarantined(oracle.load_raw(SEED_DIR), oracle.load_plan_codes(LOOKUP_DIR))


def fetch_rows(connection, relation: str, key: str, columns: tuple[str, ...]) -> dict[Any, dict[str, Any]]:
    """``key -> {column: value}`` for every row of a relation."""
    cursor = connection.execute(f"select {key}, {', '.join(columns)} from {relation}")
    return {row[0]: dict(zip(columns, row[1:])) for row in cursor.fetchall()}


def relation_of(connection, model: str) -> str:
    """``schema.model`` of a built model, wherever its schema config put it."""
    schemas = [
        row[0]
        for row in connection.execute(
            "select table_schema from information_schema.tables where table_name = ? order by table_schema", [model]
        ).fetchall()
    ]
    assert len(schemas) == 1, f"expected exactly one relation named {model}, found schemas {schemas}"
    return f"{schemas[0]}.{model}"


def same(expected: Any, actual: Any) -> bool:
    """Equal values; Decimals compare by value (0.29 == 0.290000)."""
    if isinstance(expected, Decimal) and isinstance(actual, (Decimal, int)):
        return expected == Decimal(actual)
    return expected == actual


def compare(
    expected: dict[Any, dict[str, Any]], actual: dict[Any, dict[str, Any]], columns: tuple[str, ...], what: str
) -> list[str]:
    """Every disagreement between two keyed row sets, one line each."""
    problems = []
    only_oracle, only_dbt = sorted(expected.keys() - actual.keys()), sorted(actual.keys() - expected.keys())
    if only_oracle:
        problems.append(f"{what}: only in the oracle: {only_oracle}")
    if only_dbt:
        problems.append(f"{what}: only in dbt: {only_dbt}")
    for key in sorted(expected.keys() & actual.keys()):
        for column in columns:
            if not same(expected[key][column], actual[key][column]):
                problems.append(
                    f"{what} {key}: {column} oracle={expected[key][column]!r} dbt={actual[key][column]!r}"
                )
    return problems


def fail_on(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} disagreement(s):\n" + "\n".join(problems)


@pytest.mark.dbt
def test_health_summary_matches_oracle(warehouse, screened) -> None:
    accepted, _ = screened
    expected = oracle.expected_health_summary(accepted, AS_OF)
    for row in expected.values():
        last_login = row["last_login_date"]
        row["days_since_last_login"] = None if last_login is None else (AS_OF - last_login).days
        row["as_of_date"] = AS_OF
    columns = (*HEALTH_COLUMNS, "days_since_last_login", "as_of_date")
    actual = fetch_rows(warehouse, f"{MART_SCHEMA}.fct_customer_health_summary", "customer_id", columns)
    fail_on(compare(expected, actual, columns, "customer"))


@pytest.mark.dbt
def test_health_activity_columns_match_oracle(warehouse, screened) -> None:
    """The columns the golden eval set (examples/golden) expects beside the rule's inputs."""
    accepted, _ = screened
    expected = oracle.expected_health_summary(accepted, AS_OF)
    columns = ("customer_name", "segment", "recent_login_count", "open_ticket_count")
    actual = fetch_rows(warehouse, f"{MART_SCHEMA}.fct_customer_health_summary", "customer_id", columns)
    fail_on(compare(expected, actual, columns, "customer"))


@pytest.mark.dbt
def test_support_digest_matches_oracle(warehouse, screened) -> None:
    accepted, _ = screened
    expected = oracle.expected_support_digest(accepted, AS_OF)
    columns = ("customer_name", "tickets_in_lookback", "open_ticket_count", "urgent_open_ticket_count",
               "last_ticket_opened_date", "avg_resolution_hours_in_lookback")
    actual = fetch_rows(warehouse, relation_of(warehouse, "fct_customer_support_digest"), "customer_id", columns)
    assert any(row["avg_resolution_hours_in_lookback"] is not None for row in expected.values())
    fail_on(compare(expected, actual, columns, "customer"))


@pytest.mark.dbt
def test_revenue_summary_matches_oracle(warehouse, screened) -> None:
    accepted, _ = screened
    expected = oracle.expected_revenue_summary(accepted, AS_OF)
    actual = fetch_rows(
        warehouse, relation_of(warehouse, "fct_customer_revenue_summary"), "customer_id", REVENUE_COLUMNS
    )
    fail_on(compare(expected, actual, REVENUE_COLUMNS, "customer"))


@pytest.mark.dbt
def test_quarantine_matches_oracle(warehouse, screened) -> None:
    _, rejected = screened
    expected = {
        record_id: {"source": oracle.SOURCES[table], "rejection_reason": reason}
        for table, record_id, reason in rejected
    }
    actual = {
        record_id: {"source": (source_name, source_table), "rejection_reason": reason}
        for record_id, source_name, source_table, reason in warehouse.execute(
            "select loader_record_id, source_name, source_table, rejection_reason from main.quarantine__rejected_records"
        ).fetchall()
    }
    fail_on(compare(expected, actual, ("source", "rejection_reason"), "record"))


def test_oracle_is_not_vacuous(screened) -> None:
    """The oracle exercises every branch: all rejection reasons, every raw row accounted for, all statuses."""
    accepted, rejected = screened
    raw = oracle.load_raw(SEED_DIR)
    rejected_per_table = Counter(table for table, _, _ in rejected)
    for table in oracle.TABLE_ORDER:
        assert len(raw[table]) == len(accepted[table]) + rejected_per_table[table], table
        assert accepted[table], f"nothing accepted in {table}"
    assert len({record_id for _, record_id, _ in rejected}) == len(rejected)
    assert {reason for _, _, reason in rejected} == REJECTION_REASONS

    health = oracle.expected_health_summary(accepted, AS_OF)
    assert Counter(row["health_status"] for row in health.values()).keys() == {"High Risk", "Inactive", "Healthy"}
    assert any(row["churn_risk_score"] is None for row in health.values())
    assert any(row["last_login_date"] is None or (AS_OF - row["last_login_date"]).days > 30 for row in health.values())
    assert any(row["annual_recurring_revenue"] > 0 for row in health.values())
    assert any(row["total_contract_value"] != row["annual_recurring_revenue"] for row in health.values())
    revenue = oracle.expected_revenue_summary(accepted, AS_OF)
    assert {row["customer_status"] for row in revenue.values()} == {"active", "churned", "prospect"}
    assert health.keys() < revenue.keys()


def test_oracle_parsing_rules() -> None:
    """Spot checks of the oracle's own parsing against the examples of the spec."""
    parse = oracle.parse_timestamp
    assert parse("2025-03-15") == parse("03/15/2025") == parse("15.03.2025")
    assert parse("2025-03-15T10:22:00Z") == parse("2025-03-15 10:22:00") == parse("1742034120")
    for bad in ("not available", "2025-13-45", "31/02/2025x", "N/A", "02/30/2025", "31.02.2025", "12345678"):
        assert parse(bad) is None, bad
    assert oracle.clean_text("\u200b Acme\u00a0 \tCorp  ") == "Acme Corp"
    assert oracle.clean_text(" \u200b ") is None
    assert oracle.normalize_category("crm_customers", "segment", " Mid Market") == "mid-market"
    assert oracle.normalize_category("crm_customers", "segment", "mid_market") == "mid-market"
    assert oracle.normalize_category("billing_subscriptions", "billing_period", "Yearly") == "annual"
    assert oracle.parse_decimal("$1,200.005", oracle.CENT, oracle._NUMBER) == Decimal("1200.01")
    assert oracle.parse_decimal("12,50", oracle.CENT, oracle._NUMBER) is None  # a decimal comma is not a number
    assert oracle.parse_decimal("-0.005", oracle.CENT, oracle._NUMBER) == Decimal("-0.01")  # half away from zero
    assert oracle.parse_decimal("NaN", oracle.CENT, oracle._NUMBER) is None
    assert oracle.parse_decimal("1234.5", oracle.MICRO, oracle._SCORE) is None
    assert oracle.parse_integer("42") == 42 and oracle.parse_integer("C-0044") is None
    assert oracle.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert oracle.health_status(Decimal("0.8"), None, AS_OF) == "Inactive"
    assert oracle.health_status(Decimal("0.800001"), AS_OF, AS_OF) == "High Risk"
    assert oracle.health_status(None, date(2026, 5, 31), AS_OF) == "Healthy"  # exactly 30 days
    assert oracle.health_status(None, date(2026, 5, 30), AS_OF) == "Inactive"
