"""Seeds, snapshots and sources are nodes `context`, `lineage` and `models` accept by name, as models are (the
snapshot_shop fixture built by dbt); unknown and ambiguous names stay typed errors with suggestions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_manifest
from dbt_grounding.errors import UnknownNodeError
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
CLI = str(Path(sys.executable).with_name("dbt-grounding"))


def run_cli(project: DbtProject, *args: str, target_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args, "--project-dir", str(project.project_dir),
         "--target-path", str(target_path or project.target_path)],
        capture_output=True, text=True, timeout=120, env=project.env(),
    )


@pytest.mark.parametrize("name, unique_id", [
    ("shop.customers", "source.snapshot_shop.shop.customers"),
    ("snapshot_shop.shop.customers", "source.snapshot_shop.shop.customers"),
    ("source.snapshot_shop.shop.customers", "source.snapshot_shop.shop.customers"),
    ("customers_snapshot", "snapshot.snapshot_shop.customers_snapshot"),
    ("country_codes", "seed.snapshot_shop.country_codes"),
    ("shop_calendar.calendar_days", "model.shop_calendar.calendar_days"),
])
def test_lineage_accepts_every_node_with_rows_by_name(built_snapshot_shop: DbtProject, name: str,
                                                     unique_id: str) -> None:
    result = run_cli(built_snapshot_shop, "lineage", name, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unique_id"] == unique_id


def test_column_lineage_of_a_snapshot_reaches_its_source(built_snapshot_shop: DbtProject) -> None:
    result = run_cli(built_snapshot_shop, "lineage", "customers_snapshot", "--columns")
    assert result.returncode == 0, result.stderr
    assert "source.snapshot_shop.shop.customers.email" in result.stdout


def test_context_serves_a_source_checked_like_a_model(built_snapshot_shop: DbtProject) -> None:
    result = run_cli(built_snapshot_shop, "context", "shop.customers", "--key", "id=51", "--format", "json",
                     "--list-tests")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["model"] == "shop.customers" and document["found"]
    assert [row["id"] for row in document["rows"]] == [51]  # the documented column (the yml lists only id)
    assert document["freshness"]["status"] == "unchecked"
    assert {test["name"] for test in document["tests"]} >= {"source_unique_shop_customers_id"}


def test_context_serves_a_snapshot_by_its_unique_key(built_snapshot_shop: DbtProject) -> None:
    result = run_cli(built_snapshot_shop, "context", "customers_snapshot", "--key", "id=51", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["rows"]) == 2  # both versions of customer 51


def test_a_seed_without_a_key_is_refused_with_the_reason(built_snapshot_shop: DbtProject) -> None:
    result = run_cli(built_snapshot_shop, "context", "country_codes", "--key", "country_code=GB")
    assert result.returncode == 2 and "country_codes has no declared key" in result.stderr


def test_models_accepts_names_of_any_node(built_snapshot_shop: DbtProject) -> None:
    result = run_cli(built_snapshot_shop, "models", "shop.customers", "customers_snapshot", "dim_customers",
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["model"]: (row["resource_type"], row["key_text"]) for row in json.loads(result.stdout)}
    assert rows == {"shop.customers": ("source", "id"), "customers_snapshot": ("snapshot", "id"),
                    "dim_customers": ("model", "customer_id or email")}


@pytest.mark.parametrize("args, message", [
    (("context", "customers", "--key", "id=1"), "did you mean shop.customers"),
    (("lineage", "customer_snapshot"), "did you mean customers_snapshot"),
    (("models", "country_code"), "did you mean country_codes"),
])
def test_unknown_names_suggest_close_ones(built_snapshot_shop: DbtProject, args, message: str) -> None:
    result = run_cli(built_snapshot_shop, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_name_two_nodes_answer_to_is_ambiguous(built_snapshot_shop: DbtProject, tmp_path: Path) -> None:
    """A source `shop_calendar.calendar_days` beside the package's model of that package.name (hand-added: dbt
    would build it, but the point is only the name)."""
    target = tmp_path / "target"
    shutil.copytree(built_snapshot_shop.target_path, target, ignore=shutil.ignore_patterns("*.tmp"))
    raw = json.loads((target / "manifest.json").read_text())
    source = dict(raw["sources"]["source.snapshot_shop.shop.customers"])
    source.update(unique_id="source.snapshot_shop.shop_calendar.calendar_days", source_name="shop_calendar",
                  name="calendar_days")
    raw["sources"][source["unique_id"]] = source
    (target / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(UnknownNodeError) as caught:
        load_manifest(target / "manifest.json").find("shop_calendar.calendar_days")
    assert caught.value.details["suggestions"] == ["model.shop_calendar.calendar_days",
                                                   "source.snapshot_shop.shop_calendar.calendar_days"]
    result = run_cli(built_snapshot_shop, "lineage", "shop_calendar.calendar_days", target_path=target)
    assert result.returncode == 2 and "is ambiguous" in result.stderr and "unique_id" in result.stderr
