"""Keys read as dbt means them, on the snapshot_shop fixture built by dbt: alternative keys from unique + not_null
tests, composite keys only from constraints or unique_combination_of_columns, incremental and snapshot unique_keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.artifacts import load_manifest
from dbt_grounding.mart_summary import summaries
from dbt_grounding.errors import InvalidKeyError
from dbt_grounding.grounding.spec import describe_keys, grounding_spec
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def shop(built_snapshot_shop: DbtProject):
    with built_snapshot_shop.grounding() as project:
        yield project


def test_dbt_lists_alternative_keys_in_one_primary_key(shop: GroundingProject) -> None:
    """What dbt 1.11 writes, and why it is not read as one key: every unique + not_null column lands in one list
    (built from a set, so in no fixed order), and so do the columns of a unique_combination_of_columns test."""
    nodes = shop.manifest.nodes
    assert sorted(nodes["model.snapshot_shop.dim_customers"].primary_key) == ["customer_id", "email"]
    assert sorted(nodes["model.snapshot_shop.order_lines"].primary_key) == ["line_number", "order_id"]
    assert nodes["model.snapshot_shop.fct_orders"].primary_key == []  # the incremental unique_key is not in it
    assert nodes["model.snapshot_shop.fct_orders"].config.unique_key == "order_id"
    assert nodes["snapshot.snapshot_shop.customers_snapshot"].config.unique_key == "id"


@pytest.mark.parametrize("name, keys", [
    ("dim_customers", [("customer_id",), ("email",)]),  # two alternative keys, each enough alone
    ("order_lines", [("order_id", "line_number")]),  # the project's own unique_combination_of_columns test
    ("fct_orders", [("order_id",)]),  # incremental unique_key, a string
    ("fct_daily_revenue", [("order_date", "country_code")]),  # incremental unique_key, a list
    ("customers_snapshot", [("id",)]),  # the snapshot's unique_key: a record, with every version of it
    ("shop.customers", [("id",)]),  # a source: unique + not_null tests on its column
    ("customer_segments", [("customer_id",)]),  # a Python model with a unique test alone
    ("shop_calendar.calendar_days", [("date_day",)]),  # a model of the local package
    ("country_codes", []),  # a seed nobody tested: no key
])
def test_candidate_keys(shop: GroundingProject, name: str, keys: list[tuple[str, ...]]) -> None:
    spec = shop.spec(name)
    assert list(spec.candidate_keys) == keys
    assert spec.key == (keys[0] if keys else ())


def test_a_declared_key_is_the_only_candidate(built_package: DbtProject) -> None:
    manifest = load_manifest(built_package.target_path / "manifest.json")
    spec = grounding_spec(manifest, manifest.model("fct_customer_health_summary"))
    assert spec.candidate_keys == (("customer_id",),) and describe_keys(spec) == "customer_id"


def test_any_one_alternative_key_serves_the_same_record(shop: GroundingProject) -> None:
    by_id = shop.context("dim_customers", {"customer_id": 51})
    by_email = shop.context("dim_customers", {"EMAIL": "hedy.lamarr@example.com"})
    assert by_id.rows == by_email.rows and len(by_id.rows) == 1
    assert by_email.to_markdown().startswith("# dim_customers: email = ")


@pytest.mark.parametrize("key, message", [
    ({"customer_id": 51, "email": "hedy.lamarr@example.com"}, "customer_id, email are not one key of dim_customers: "
                                                              "its keys are customer_id or email, each enough alone"),
    ({"full_name": "Hedy Lamarr"}, "'full_name' is not a key column of dim_customers; look rows up by "
                                   "customer_id or email"),
    ({}, "no key given for dim_customers; look rows up by customer_id or email"),
])
def test_keys_that_are_not_one_candidate(shop: GroundingProject, key: dict, message: str) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        shop.context("dim_customers", key)
    assert caught.value.message == message
    assert caught.value.details["candidates"] == [["customer_id"], ["email"]]


def test_a_composite_key_needs_every_column(shop: GroundingProject) -> None:
    with pytest.raises(InvalidKeyError, match=r"the key of order_lines is \(order_id, line_number\); missing "
                                              r"line_number"):
        shop.context("order_lines", {"order_id": 103})
    document = shop.context("order_lines", {"order_id": 103, "line_number": 2})
    assert [(row["order_id"], row["line_number"]) for row in document.rows] == [(103, 2)]


def test_a_snapshot_key_serves_every_version_of_the_record(shop: GroundingProject) -> None:
    document = shop.context("customers_snapshot", {"id": 51})
    assert [row["id"] for row in document.rows] == [51, 51]  # the e-mail changed between the two builds
    assert sorted(row["dbt_valid_to"] is None for row in document.rows) == [False, True]  # old and current


def test_models_lists_alternative_keys(shop: GroundingProject) -> None:
    [summary] = summaries(shop, ["dim_customers"])
    assert (summary.key, summary.candidate_keys, summary.key_text) == (
        ["customer_id"], [["customer_id"], ["email"]], "customer_id or email")


def test_the_lock_keeps_alternatives_and_a_dropped_one_is_a_breaking_change(
        built_snapshot_shop: DbtProject, tmp_path: Path, shop: GroundingProject) -> None:
    from dbt_grounding.checks.lock import build_lock, compare_lock, lock_text, parse_lock

    lock = build_lock(shop)
    written = json.loads(lock_text(lock))
    mart = written["marts"]["model.snapshot_shop.dim_customers"]
    assert mart["key"] == ["customer_id"] and mart["candidate_keys"] == [["customer_id"], ["email"]]
    assert "candidate_keys" not in written["marts"]["model.snapshot_shop.fct_orders"]  # one key: as before
    assert compare_lock(lock, shop) == []
    # an agent looked customers up by e-mail, and the e-mail tests were removed: that lookup breaks
    mart["candidate_keys"].append(["phone"])
    [finding] = compare_lock(parse_lock(written), shop)
    assert finding.code == "DG004" and "from [phone] to [customer_id]" in finding.message
