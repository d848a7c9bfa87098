"""The dbt package, really built on DuckDB: contracts, grounding meta, quarantine balance, edge cases handled."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

import oracle
from dbt_grounding.context.text_rules import looks_like_instructions, scrub_contacts
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject, copy_build

pytestmark = pytest.mark.dbt

RAW_SCHEMA = "main_raw"
GROUNDING_SCHEMA = "main_ai_grounding"
GROUNDING_MARTS = ["fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"]
# raw table -> (source name, source table, staging model)
RAW_TABLES = {
    "crm_customers": ("crm", "customers", "stg_crm__customers"),
    "billing_subscriptions": ("billing", "subscriptions", "stg_billing__subscriptions"),
    "billing_orders": ("billing", "orders", "stg_billing__orders"),
    "billing_payments": ("billing", "payments", "stg_billing__payments"),
    "product_logins": ("product", "logins", "stg_product__logins"),
    "support_tickets": ("support", "tickets", "stg_support__tickets"),
    "ml_churn_scores": ("ml", "churn_scores", "stg_ml__churn_scores"),
}
REJECTION_REASONS = {
    "missing_required_field", "invalid_number", "invalid_date", "out_of_range",
    "unknown_category", "orphan_foreign_key", "duplicate_record",
}


@pytest.fixture(scope="module")
def raw_tickets() -> list[oracle.Row]:
    """The accepted support tickets, straight from seeds/raw (oracle.py)."""
    accepted, _ = oracle.accepted_and_quarantined(oracle.load_raw(REPO_ROOT / "seeds" / "raw"))
    return accepted["support_tickets"]


def load_artifact(project: DbtProject, name: str) -> dict:
    return json.loads((project.target_path / name).read_text())


def grounding_nodes(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] in GROUNDING_MARTS
    }


# ---------------------------------------------------------------- the build


def test_build_ran_models_data_tests_and_unit_tests_without_failure(built_package: DbtProject) -> None:
    results = load_artifact(built_package, "run_results.json")["results"]
    executable = [r for r in results if not r["unique_id"].startswith("exposure.")]  # exposures are always no-op
    bad = [(r["unique_id"], r["status"], r.get("message")) for r in executable if r["status"] not in ("success", "pass")]
    assert not bad, f"dbt build had non-passing nodes: {bad}"
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "test", "unit_test", "seed"} <= kinds
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 10


def test_every_grounding_mart_has_an_enforced_contract_and_documented_typed_columns(built_package: DbtProject) -> None:
    marts = grounding_nodes(load_artifact(built_package, "manifest.json"))
    assert sorted(marts) == sorted(GROUNDING_MARTS)
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["columns"], name
        for column_name, column in node["columns"].items():
            assert column.get("data_type"), f"{name}.{column_name} has no data_type"
            assert len(column.get("description", "")) > 20, f"{name}.{column_name} is not described for an agent"


def test_every_grounding_mart_declares_the_grounding_meta_contract(built_package: DbtProject) -> None:
    marts = grounding_nodes(load_artifact(built_package, "manifest.json"))
    for name, node in marts.items():
        grounding = node["config"]["meta"]["grounding"]
        assert grounding["entity"] == "customer"
        assert grounding["key"] == ["customer_id"]
        assert grounding["as_of_column"] in node["columns"]
        assert set(grounding["freshness"]) == {"warn_after", "error_after"}
        for policy in grounding["freshness"].values():
            assert policy["period"] in ("minute", "hour", "day") and policy["count"] > 0
        assert grounding["access"] in ("public", "internal", "restricted")
        assert len(grounding["summary"]) > 50


def test_personal_data_columns_carry_pii_meta(built_package: DbtProject) -> None:
    health = grounding_nodes(load_artifact(built_package, "manifest.json"))["fct_customer_health_summary"]
    pii = {name: column["config"]["meta"].get("pii") for name, column in health["columns"].items()}
    assert pii["primary_contact_email"] == "email"
    assert pii["account_owner"] == "person_name"
    assert pii["recent_support_tickets_summary"] == "free_text"
    assert pii["health_status"] is None


def test_the_agent_is_an_exposure_that_depends_on_every_grounding_mart(built_package: DbtProject) -> None:
    manifest = load_artifact(built_package, "manifest.json")
    exposures = [e for e in manifest["exposures"].values() if e["type"] == "application"]
    assert len(exposures) == 1
    depends_on = {uid.split(".")[-1] for uid in exposures[0]["depends_on"]["nodes"]}
    assert depends_on == set(GROUNDING_MARTS)


def test_grounding_marts_have_an_indexed_primary_key(warehouse) -> None:
    rows = warehouse.execute(
        "select table_name, constraint_column_names from duckdb_constraints() "
        "where schema_name = ? and constraint_type = 'PRIMARY KEY'",
        [GROUNDING_SCHEMA],
    ).fetchall()
    assert {table: list(columns) for table, columns in rows} == {mart: ["customer_id"] for mart in GROUNDING_MARTS}


# ---------------------------------------------------------------- nothing lost


@pytest.mark.parametrize("raw_table", sorted(RAW_TABLES))
def test_every_raw_row_is_accepted_or_quarantined(warehouse, raw_table: str) -> None:
    source_name, source_table, staging_model = RAW_TABLES[raw_table]
    raw = warehouse.execute(f'select count(*) from {RAW_SCHEMA}."{raw_table}"').fetchone()[0]
    accepted = warehouse.execute(f'select count(*) from main."{staging_model}"').fetchone()[0]
    quarantined = warehouse.execute(
        "select count(*) from main.quarantine__rejected_records where source_name = ? and source_table = ?",
        [source_name, source_table],
    ).fetchone()[0]
    assert raw > 0 and accepted > 0
    assert raw == accepted + quarantined, f"{raw_table}: {raw} raw != {accepted} accepted + {quarantined} quarantined"


def test_each_quarantined_row_is_a_distinct_raw_row_with_a_reason(warehouse) -> None:
    rows = warehouse.execute(
        "select loader_record_id, source_name, source_table, rejection_reason, rejection_detail "
        "from main.quarantine__rejected_records"
    ).fetchall()
    record_ids = [row[0] for row in rows]
    assert len(record_ids) == len(set(record_ids))
    for record_id, source_name, source_table, reason, detail in rows:
        raw_table = next(t for t, (s, n, _) in RAW_TABLES.items() if (s, n) == (source_name, source_table))
        assert record_id.startswith(raw_table + "-"), record_id
        assert reason in REJECTION_REASONS and detail, (record_id, reason, detail)


def test_every_rejection_reason_occurs_in_the_sample_data(warehouse) -> None:
    reasons = {r for (r,) in warehouse.execute("select distinct rejection_reason from main.quarantine__rejected_records").fetchall()}
    assert reasons == REJECTION_REASONS


# ---------------------------------------------------------------- edge cases handled, asserted by name

DATE_FORMATS = {
    "iso_date": r"^\d{4}-\d{2}-\d{2}$",
    "iso_timestamp_t": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$",
    "iso_timestamp_space": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "us_slash": r"^\d{2}/\d{2}/\d{4}$",
    "eu_dot": r"^\d{2}\.\d{2}\.\d{4}$",
    "epoch": r"^\d{9,10}$",
}


@pytest.mark.parametrize("date_format", sorted(DATE_FORMATS))
def test_each_date_format_is_parsed_into_accepted_logins(warehouse, date_format: str) -> None:
    pattern = re.compile(DATE_FORMATS[date_format])
    raw = warehouse.execute(f"select login_id, trim(logged_in_at) from {RAW_SCHEMA}.product_logins").fetchall()
    ids = [login_id for login_id, value in raw if value and pattern.match(value)]
    assert ids, f"no raw login uses {date_format}"
    parsed = warehouse.execute(
        "select count(*) from main.base_product__logins where login_id in (select unnest(?)) and logged_in_at is not null",
        [ids],
    ).fetchone()[0]
    assert parsed > 0, f"{date_format}: none of {ids[:5]} parsed"


def test_us_and_eu_dates_are_read_month_first_and_day_first(warehouse) -> None:
    rows = warehouse.execute(
        "select logged_in_at_text, logged_in_at from main.base_product__logins "
        "where logged_in_at is not null and (logged_in_at_text like '__/__/____' or logged_in_at_text like '__.__.____')"
    ).fetchall()
    assert {"/" in text for text, _ in rows} == {True, False}, "both US and EU dates should occur"
    for text, parsed in rows:
        first, second, year = re.split(r"[/.]", text)
        month, day = (first, second) if "/" in text else (second, first)
        assert (parsed.year, parsed.month, parsed.day) == (int(year), int(month), int(day)), text


def test_categories_are_normalised_from_inconsistent_casing_and_whitespace(warehouse) -> None:
    raw_segments = {s for (s,) in warehouse.execute(f"select distinct segment from {RAW_SCHEMA}.crm_customers").fetchall()}
    assert len(raw_segments) > 3, "the raw data should carry segment variants"
    segments = {s for (s,) in warehouse.execute("select distinct segment from main.stg_crm__customers").fetchall()}
    assert segments <= {"smb", "mid-market", "enterprise", None}
    statuses = {s for (s,) in warehouse.execute("select distinct status from main.stg_billing__subscriptions").fetchall()}
    assert statuses == {"active", "cancelled", "trial"}


def test_stray_characters_are_removed_from_names(warehouse) -> None:
    raw_dirty = warehouse.execute(
        f"select count(*) from {RAW_SCHEMA}.crm_customers "
        "where customer_name like '%' || chr(160) || '%' or customer_name like '%' || chr(8203) || '%' "
        "or customer_name <> trim(customer_name)"
    ).fetchone()[0]
    assert raw_dirty > 0, "the raw data should carry stray characters"
    clean_dirty = warehouse.execute(
        "select count(*) from main.stg_crm__customers "
        "where customer_name like '%' || chr(160) || '%' or customer_name like '%' || chr(8203) || '%' "
        "or customer_name <> trim(customer_name) or customer_name like '%  %'"
    ).fetchone()[0]
    assert clean_dirty == 0


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(\+\d{1,3} )?(\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")


def test_ticket_text_reaches_grounding_marts_scrubbed_of_emails_and_phones(warehouse) -> None:
    raw_subjects = [s for (s,) in warehouse.execute(f"select subject from {RAW_SCHEMA}.support_tickets").fetchall() if s]
    assert any(EMAIL.search(s) for s in raw_subjects), "the raw subjects should contain e-mail addresses"
    for mart in ("fct_customer_health_summary", "fct_customer_support_digest"):
        summaries = [s for (s,) in warehouse.execute(f"select recent_support_tickets_summary from {GROUNDING_SCHEMA}.{mart}").fetchall()]
        leaks = [s for s in summaries if EMAIL.search(s) or PHONE.search(s)]
        assert not leaks, f"{mart} leaks personal data: {leaks[:3]}"
        assert any("[email]" in s for s in summaries)


def test_prompt_injection_in_ticket_bodies_is_flagged(warehouse, raw_tickets) -> None:
    """The raw table holds exactly the CSV's injected tickets, and each customer's instruction_like_ticket_count is
    the number of its accepted tickets opened by the as-of date whose subject or body reads like instructions
    (text_rules.looks_like_instructions: the rule the SQL macro is generated from and checked against)."""
    with (REPO_ROOT / "seeds" / "raw" / "support_tickets.csv").open(newline="", encoding="utf-8") as handle:
        injected_in_csv = sum("ignore previous instructions" in row["body"].lower() for row in csv.DictReader(handle))
    injected = warehouse.execute(
        f"select count(*) from {RAW_SCHEMA}.support_tickets where lower(body) like '%ignore previous instructions%'"
    ).fetchone()[0]
    assert injected == injected_in_csv == 1
    as_of = date.fromisoformat(AS_OF_DATE)
    expected = Counter(ticket["customer_id"] for ticket in raw_tickets if oracle.counts_at(ticket["opened_at"], as_of)
                       and (looks_like_instructions(ticket["subject"]) or looks_like_instructions(ticket["body"] or "")))
    flagged = dict(warehouse.execute(
        f"select customer_id, instruction_like_ticket_count from {GROUNDING_SCHEMA}.fct_customer_support_digest"
    ).fetchall())
    assert flagged == {customer_id: expected[customer_id] for customer_id in flagged}
    assert sum(flagged.values()) > 0, "the sample data should carry instruction-like tickets"


def test_health_mart_has_one_row_per_active_customer_and_all_statuses(warehouse) -> None:
    active = warehouse.execute("select count(*) from main.dim_customers where is_active").fetchone()[0]
    rows = warehouse.execute(
        f"select health_status, count(*) from {GROUNDING_SCHEMA}.fct_customer_health_summary group by 1"
    ).fetchall()
    assert sum(n for _, n in rows) == active
    assert {status for status, _ in rows} == {"High Risk", "Inactive", "Healthy"}
    as_of = warehouse.execute(f"select distinct as_of_date from {GROUNDING_SCHEMA}.fct_customer_health_summary").fetchall()
    assert [str(d) for (d,) in as_of] == ["2026-06-30"]


def test_marts_cross_check_reports_a_customer_two_marts_disagree_on(built_package: DbtProject, tmp_path: Path) -> None:
    """assert_grounding_marts_agree_with_each_other, on a copy of the build where the revenue mart calls a customer of
    the health and support marts churned: the data test fails and names both marts' rows."""
    scratch = copy_build(built_package, tmp_path / "scratch")
    with duckdb.connect(str(scratch.duckdb_path)) as connection:
        (customer_id,) = connection.execute(
            f"select min(customer_id) from {GROUNDING_SCHEMA}.fct_customer_support_digest").fetchone()
        connection.execute(f"update {GROUNDING_SCHEMA}.fct_customer_revenue_summary set customer_status = 'churned' "
                           f"where customer_id = ?", [customer_id])
    result = scratch.run("test", "--select", "assert_grounding_marts_agree_with_each_other", "--store-failures",
                         check=False)
    assert result.returncode == 1, result.stdout
    with duckdb.connect(str(scratch.duckdb_path), read_only=True) as connection:
        failures = connection.execute(
            "select customer_id, disagreement from main_dbt_test__audit.assert_grounding_marts_agree_with_each_other "
            "order by disagreement").fetchall()
    assert failures == [
        (customer_id, "fct_customer_health_summary holds a customer that is not active"),
        (customer_id, "fct_customer_support_digest holds a customer that is not active"),
    ]


# ---------------------------------------------------------------- the generator


def test_sample_data_generator_reproduces_the_committed_seeds(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "generate_raw_data.py"), "--out", str(tmp_path)],
        check=True, capture_output=True, text=True,
    )
    committed = sorted((REPO_ROOT / "seeds" / "raw").glob("*.csv"))
    assert len(committed) == len(RAW_TABLES)
    for path in committed:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs from a fresh generation"


# ---------------------------------------------------------------- forced boundary customers (scripts/generate_raw_data.py)

BOUNDARY_CUSTOMERS = {
    11: ("Healthy", "latest churn score exactly 0.8 is not above the threshold"),
    12: ("High Risk", "churn score 0.81"),
    13: ("Healthy", "last login exactly 30 days before the as-of date"),
    14: ("Inactive", "last login 31 days before the as-of date"),
    15: ("Inactive", "no login at all"),
    16: ("Healthy", "no churn score, logged in on the as-of date"),
    17: ("Inactive", "a login after the as-of date is ignored"),
    18: ("Healthy", "a high score written after the as-of date is ignored"),
    20: ("High Risk", "a score written late on the as-of date counts"),
}


@pytest.mark.parametrize("customer_id", sorted(BOUNDARY_CUSTOMERS))
def test_boundary_customers_get_the_health_status_the_rule_gives(warehouse, customer_id: int) -> None:
    expected, why = BOUNDARY_CUSTOMERS[customer_id]
    (status,) = warehouse.execute(
        f"select health_status from {GROUNDING_SCHEMA}.fct_customer_health_summary where customer_id = ?", [customer_id]
    ).fetchone()
    assert status == expected, why


REVENUE_BOUNDARIES = {
    22: (0, 0, "active customer without a subscription"),
    23: (0, 0, "subscription starting the day after the as-of date"),
    24: (0, 588, "status active but the term has ended"),
    25: (0, 0, "trial only"),
    28: (0, 5388, "annual term ending exactly on the as-of date"),
    29: (5388, 5388, "annual term starting 2025-07-01, still running"),
}


@pytest.mark.parametrize("customer_id", sorted(REVENUE_BOUNDARIES))
def test_boundary_customers_get_the_arr_and_contract_value_the_rules_give(warehouse, customer_id: int) -> None:
    arr, tcv, why = REVENUE_BOUNDARIES[customer_id]
    row = warehouse.execute(
        f"select annual_recurring_revenue, total_contract_value from {GROUNDING_SCHEMA}.fct_customer_revenue_summary "
        "where customer_id = ?",
        [customer_id],
    ).fetchone()
    assert row == (arr, tcv), why


def test_tickets_from_the_day_after_the_as_of_date_are_not_summarised(warehouse, raw_tickets) -> None:
    """Customer 56 has an accepted ticket opened the day after the as-of date: the summary is exactly its tickets
    of the lookback up to the as-of date, as the raw data gives them, without that one."""
    tickets = sorted((t for t in raw_tickets if t["customer_id"] == 56), key=lambda t: t["opened_at"], reverse=True)
    day_after = date.fromisoformat(AS_OF_DATE) + timedelta(days=1)
    assert [t["ticket_id"] for t in tickets if t["opened_at"].date() == day_after] == ["tkt_5602"]
    in_staging = warehouse.execute("select count(*) from main.stg_support__tickets where ticket_id = 'tkt_5602'")
    assert in_staging.fetchone()[0] == 1, "the day-after ticket is accepted: only the as-of rule may leave it out"
    summarised = [t for t in tickets if 0 <= (date.fromisoformat(AS_OF_DATE) - t["opened_at"].date()).days < 90][:3]
    expected = " | ".join(f"{t['opened_at'].date()} [{t['priority']}/{t['status']}] {scrub_contacts(t['subject'])}"
                          for t in summarised)
    (summary,) = warehouse.execute(
        f"select recent_support_tickets_summary from {GROUNDING_SCHEMA}.fct_customer_support_digest where customer_id = 56"
    ).fetchone()
    assert summarised and summary == expected
