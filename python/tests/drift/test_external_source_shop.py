"""A real-project shape on its own fixture (fixtures/external_source_shop): a source read from a CSV file in place
(dbt-duckdb `external_location`), most columns undocumented, a documented column the SQL never produced, a DECIMAL
column without any data_type in the yml, a moved target-path. Built by real `dbt build`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.checks.lock import build_lock, compare_lock
from dbt_grounding.errors import SchemaDriftError
from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt

FIXTURE = REPO_ROOT / "python" / "tests" / "fixtures" / "external_source_shop"
MART = "product_ratings"
MART_ID = "model.external_source_shop.product_ratings"


@pytest.fixture(scope="module")
def built_shop(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project = DbtProject(FIXTURE, tmp_path_factory.mktemp("external_source_shop"),
                         duckdb_path_env_var="EXTERNAL_SHOP_DUCKDB_PATH")
    project.run("build")
    return project


@pytest.fixture()
def shop(built_shop: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    """A copy of the build (warehouse and artifacts) for one test."""
    copy = DbtProject(FIXTURE, tmp_path, duckdb_path_env_var="EXTERNAL_SHOP_DUCKDB_PATH")
    shutil.copy(built_shop.duckdb_path, copy.duckdb_path)
    shutil.copytree(built_shop.target_path, copy.target_path)
    monkeypatch.setenv("EXTERNAL_SHOP_DUCKDB_PATH", str(copy.duckdb_path))
    return copy


def open_shop(project: DbtProject) -> GroundingProject:
    return GroundingProject.open(FIXTURE, target_path=project.target_path, profiles_dir=FIXTURE)


def test_the_external_file_source_is_named_as_unchecked_and_nothing_false_alarms(shop: DbtProject) -> None:
    with open_shop(shop) as project:
        result = project.check()
    assert [f for f in result.findings if f.code.startswith("DG2")] == []
    assert any("shop_files.ratings" in line and "external file" in line for line in result.skipped)
    assert result.checked and "staging (2)" in result.checked[0]
    never_built = {(f.node, f.column) for f in result.findings if f.code == "DG602"}
    assert never_built == {(MART_ID, "review_sentiment"),
                           ("model.external_source_shop.stg_shop__ratings", "sentiment")}


def test_the_whole_row_is_served_typed_and_the_never_built_column_is_stated(shop: DbtProject) -> None:
    with open_shop(shop) as project:
        document = json.loads(project.context(MART, key={"sku": "SKU-200"}).to_json())
    assert list(document["rows"][0]) == [
        "sku", "list_price", "average_stars", "product_name", "category", "launched_on", "rating_count",
        "last_reviewed_at", "helpful_votes"]
    types = {column["name"]: column["data_type"] for column in document["columns"]}
    assert types["list_price"] == "DECIMAL(10,2)" and types["launched_on"] == "DATE"
    assert None not in types.values() and "review_sentiment" not in types
    assert any("review_sentiment" in warning and "never produced" in warning for warning in document["warnings"])
    assert any("product_name" in warning and "not documented" in warning for warning in document["warnings"])


def test_a_decimal_retyped_behind_dbts_back_is_drift_and_a_lock_type_change(shop: DbtProject) -> None:
    with open_shop(shop) as project:
        project.check()  # the first look after the build remembers the schema built
        lock = build_lock(project)
    assert lock.nodes[MART_ID].columns["list_price"] == "DECIMAL(10,2)"
    with duckdb.connect(str(shop.duckdb_path)) as connection:
        connection.execute(f"create or replace table main.{MART} as select * replace "
                           f"(cast(list_price as double) as list_price) from main.{MART}")
    with open_shop(shop) as project:
        findings = project.check().findings
        with pytest.raises(SchemaDriftError) as caught:
            project.context(MART, key={"sku": "SKU-200"})
    (drift,) = [f for f in findings if f.code == "DG202"]
    assert (drift.node, drift.column) == (MART_ID, "list_price") and "found DOUBLE" in drift.message
    assert caught.value.details["differences"][0]["found"] == "DOUBLE"


def test_the_lock_catches_a_type_change_between_builds(shop: DbtProject) -> None:
    """list_price becomes DOUBLE in the SQL and is rebuilt for real: the lock made before says DG003."""
    with open_shop(shop) as project:
        project.check()
        lock = build_lock(project)
    sources = shop.work_dir / "project"
    shutil.copytree(FIXTURE, sources)
    model = sources / "models" / "staging" / "stg_shop__products.sql"
    model.write_text(model.read_text().replace("    list_price,", "    cast(list_price as double) as list_price,"))
    rebuilt = DbtProject(sources, shop.work_dir, duckdb_path_env_var="EXTERNAL_SHOP_DUCKDB_PATH")
    rebuilt.run("build")
    with GroundingProject.open(sources, target_path=rebuilt.target_path, profiles_dir=sources) as project:
        assert not [f for f in project.check().findings if f.code.startswith("DG2")]
        changes = compare_lock(lock, project)
    (retyped,) = [f for f in changes if f.code == "DG003"]
    assert (retyped.node, retyped.column) == (MART_ID, "list_price")
    assert "DECIMAL(10,2)" in retyped.message and "DOUBLE" in retyped.message


def test_with_a_catalog_from_after_the_build_a_retype_is_found_on_the_very_first_look(shop: DbtProject) -> None:
    """`dbt docs generate --no-compile` after the build (it keeps the build's run_results.json): catalog.json is
    the schema built, so nothing needs to have been seen before the change."""
    shop.run("docs", "generate", "--no-compile")
    assert not (shop.target_path / "dbt_grounding" / "built_schema").exists()
    with duckdb.connect(str(shop.duckdb_path)) as connection:
        connection.execute(f"create or replace table main.{MART} as select * replace "
                           f"(cast(list_price as double) as list_price) from main.{MART}")
    with open_shop(shop) as project:
        findings = project.check().findings
    (drift,) = [f for f in findings if f.code.startswith("DG2")]
    assert (drift.code, drift.column) == ("DG202", "list_price") and "expected DECIMAL(10,2), found DOUBLE" in drift.message
    never_built = [f for f in findings if f.code == "DG602" and f.node == MART_ID]
    assert never_built and "catalog.json" in never_built[0].message


def test_without_the_warehouse_a_never_built_column_is_judged_only_from_what_was_seen(shop: DbtProject) -> None:
    """`check --no-warehouse` parses no SQL: before any look at the built relations (no catalog), the columns only
    compiled SQL could judge are listed as skipped, not passed; once a warehouse check has seen the build, the same
    `--no-warehouse` gate reports them from that remembered look."""
    with open_shop(shop) as project:
        blind = project.check(use_warehouse=False)
    assert [f for f in blind.findings if f.code == "DG602"] == []
    assert any(line.startswith("documented columns never built (DG602) of ") and "--no-warehouse given" in line
               for line in blind.skipped)
    with open_shop(shop) as project:
        project.check()  # the first look after the build is remembered
    with open_shop(shop) as project:
        seen = project.check(use_warehouse=False)
    assert (MART_ID, "review_sentiment") in {(f.node, f.column) for f in seen.findings if f.code == "DG602"}
