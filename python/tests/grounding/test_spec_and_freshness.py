"""Grounding specs from meta.grounding or dbt's own defaults, and freshness judged against a policy."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_artifacts, load_manifest
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.grounding.freshness import (
    as_of_instant, evaluate_freshness, last_successful_build,
)
from dbt_grounding.grounding.spec import grounding_spec, is_grounding_mart
from dbt_runner import DbtProject

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)


def test_declared_spec_of_the_health_mart(built_package: DbtProject) -> None:
    manifest = load_manifest(built_package.target_path / "manifest.json")
    node = manifest.model("fct_customer_health_summary")
    spec = grounding_spec(manifest, node)
    assert is_grounding_mart(node) and spec.declared
    assert (spec.entity, spec.key, spec.as_of_column, spec.access) == ("customer", ("customer_id",), "as_of_date", "internal")
    assert spec.freshness.warn_after.seconds == 24 * 3600 and str(spec.freshness.error_after) == "48 hours"
    assert spec.summary.startswith("Health of each active customer")


def test_plain_project_gets_keys_from_tests_and_constraints(built_plain_project: DbtProject) -> None:
    manifest = load_manifest(built_plain_project.target_path / "manifest.json")
    customers = grounding_spec(manifest, manifest.model("customers"))
    orders = grounding_spec(manifest, manifest.model("orders"))
    assert not is_grounding_mart(manifest.model("customers"))
    assert (customers.key, customers.freshness, customers.declared) == (("customer_id",), None, False)
    assert customers.summary == "One row per customer with their order totals."
    assert orders.key == ("order_id",)


@pytest.mark.parametrize("block, field", [
    ({"key": 42}, "key"),
    ({"key": ["no_such_column"]}, "key"),
    ({"as_of_column": "nope"}, "as_of_column"),
    ({"access": "everyone"}, "access"),
    ({"freshness": {"warn_after": {"count": 0, "period": "hour"}}}, "freshness"),
    ({"freshness": {"error_after": {"count": 2, "period": "fortnight"}}}, "freshness"),
    ({"freshness": "daily"}, "freshness"),
])
def test_malformed_grounding_meta_names_the_field(built_package: DbtProject, tmp_path: Path, block, field) -> None:
    raw = json.loads((built_package.target_path / "manifest.json").read_text())
    node = raw["nodes"]["model.dbt_grounding.fct_customer_health_summary"]
    node["config"]["meta"]["grounding"] = {**node["config"]["meta"]["grounding"], **block}
    (tmp_path / "manifest.json").write_text(json.dumps(raw))
    manifest = load_manifest(tmp_path / "manifest.json")
    with pytest.raises(ConfigurationError) as caught:
        grounding_spec(manifest, manifest.model("fct_customer_health_summary"))
    assert caught.value.details["field"] == field
    assert "fct_customer_health_summary" in caught.value.message


def test_freshness_statuses_at_the_policy_boundaries(built_package: DbtProject) -> None:
    manifest = load_manifest(built_package.target_path / "manifest.json")
    spec = grounding_spec(manifest, manifest.model("fct_customer_health_summary"))

    def status(age: timedelta) -> str:
        return evaluate_freshness(spec, last_built_at=NOW - age, as_of=None, now=NOW).status

    assert status(timedelta(hours=24)) == "fresh"
    assert status(timedelta(hours=24, seconds=1)) == "warn"
    assert status(timedelta(hours=48)) == "warn"
    assert status(timedelta(hours=48, seconds=1)) == "stale"
    assert evaluate_freshness(spec, last_built_at=None, as_of=None, now=NOW).status == "stale"


def test_age_comes_from_the_newest_evidence(built_package: DbtProject) -> None:
    manifest = load_manifest(built_package.target_path / "manifest.json")
    spec = grounding_spec(manifest, manifest.model("fct_customer_health_summary"))
    old_build = NOW - timedelta(days=10)
    result = evaluate_freshness(spec, last_built_at=old_build, as_of=as_of_instant(date(2026, 7, 1)), now=NOW)
    assert (result.status, result.age_seconds, result.evidence) == ("fresh", 12 * 3600, "as-of column")


def test_last_successful_build_comes_from_the_build_results(built_package: DbtProject) -> None:
    artifacts = load_artifacts(built_package.target_path)
    built = last_successful_build(artifacts.builds, "model.dbt_grounding.fct_customer_health_summary")
    assert built is not None and built.tzinfo is not None
    assert last_successful_build(artifacts.builds, "model.dbt_grounding.no_such_model") is None


def test_no_policy_is_unchecked_but_still_reports_the_age(built_plain_project: DbtProject) -> None:
    artifacts = load_artifacts(built_plain_project.target_path)
    spec = grounding_spec(artifacts.manifest, artifacts.manifest.model("customers"))
    built = last_successful_build(artifacts.builds, spec.unique_id)
    result = evaluate_freshness(spec, last_built_at=built, as_of=None, now=built + timedelta(days=400))
    assert (result.status, result.evidence, result.age_seconds) == ("unchecked", "last successful build", 400 * 86400)
