"""Schema drift for real: the package built by dbt, then a copy of its DuckDB file changed under the manifest."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_grounding.warehouse import (
    ColumnDifference,
    DifferenceKind,
    Relation,
    Warehouse,
    compare_columns,
    load_connection_settings,
    open_warehouse,
)
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt

GROUNDING_SCHEMA = "main_ai_grounding"
GROUNDING_MARTS = ["fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"]
HEALTH = "fct_customer_health_summary"


def declared_marts(project: DbtProject) -> dict[str, tuple[Relation, list[tuple[str, str | None]]]]:
    """Each grounding mart's relation and declared (column, data_type), as the manifest has them."""
    manifest = json.loads((project.target_path / "manifest.json").read_text())
    marts = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"] in GROUNDING_MARTS:
            relation = Relation(node["database"], node["schema"], node["alias"])
            marts[node["name"]] = (relation, [(c["name"], c.get("data_type")) for c in node["columns"].values()])
    assert sorted(marts) == sorted(GROUNDING_MARTS)
    return marts


def warehouse_on(path: Path) -> Warehouse:
    """Through the package's own profile, as the grounding layer would connect."""
    settings = load_connection_settings(REPO_ROOT, environ={"DBT_GROUNDING_DUCKDB_PATH": str(path)})
    return open_warehouse(settings)


@pytest.fixture()
def drifted(built_package: DbtProject, tmp_path: Path) -> Path:
    """A copy of the built file (the session's own file is never changed), under another name than the
    manifest's database: lookups must not depend on the file's name."""
    path = tmp_path / "drifted.duckdb"
    shutil.copy(built_package.duckdb_path, path)
    return path


def alter(path: Path, *statements: str) -> None:
    connection = duckdb.connect(str(path))
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def differences(path: Path, project: DbtProject, mart: str) -> list[ColumnDifference]:
    relation, declared = declared_marts(project)[mart]
    with warehouse_on(path) as warehouse:
        return compare_columns("duckdb", declared, warehouse.columns(relation))


def test_the_built_marts_match_their_contracts(built_package: DbtProject) -> None:
    marts = declared_marts(built_package)
    with warehouse_on(built_package.duckdb_path) as warehouse:
        for relation, declared in marts.values():
            assert relation.schema == GROUNDING_SCHEMA
            assert all(data_type for _, data_type in declared)  # enforced contracts: every column typed
            assert compare_columns("duckdb", declared, warehouse.columns(relation)) == []


def test_a_dropped_column_is_missing(drifted: Path, built_package: DbtProject) -> None:
    alter(drifted, f"alter table {GROUNDING_SCHEMA}.{HEALTH} drop column segment")
    assert differences(drifted, built_package, HEALTH) == [
        ColumnDifference("segment", DifferenceKind.MISSING, "varchar", None)
    ]


def test_a_rescaled_decimal_is_a_type_change(drifted: Path, built_package: DbtProject) -> None:
    alter(drifted, f"alter table {GROUNDING_SCHEMA}.{HEALTH} alter column total_contract_value type decimal(18, 4)")
    assert differences(drifted, built_package, HEALTH) == [
        ColumnDifference("total_contract_value", DifferenceKind.TYPE_CHANGED, "decimal(18, 2)", "DECIMAL(18,4)")
    ]


def test_varchar_to_integer_is_a_type_change(drifted: Path, built_package: DbtProject) -> None:
    alter(
        drifted,
        f"alter table {GROUNDING_SCHEMA}.{HEALTH} alter column segment type integer using length(segment)",
    )
    assert differences(drifted, built_package, HEALTH) == [
        ColumnDifference("segment", DifferenceKind.TYPE_CHANGED, "varchar", "INTEGER")
    ]


def test_an_added_column_is_extra(drifted: Path, built_package: DbtProject) -> None:
    alter(drifted, f"alter table {GROUNDING_SCHEMA}.{HEALTH} add column surprise varchar")
    assert differences(drifted, built_package, HEALTH) == [
        ColumnDifference("surprise", DifferenceKind.EXTRA, None, "VARCHAR")
    ]


def test_a_dropped_relation_has_no_columns(drifted: Path, built_package: DbtProject) -> None:
    alter(drifted, f"drop table {GROUNDING_SCHEMA}.fct_customer_support_digest")
    relation, declared = declared_marts(built_package)["fct_customer_support_digest"]
    with warehouse_on(drifted) as warehouse:
        found = warehouse.columns(relation)
    assert found is None
    assert {d.kind for d in compare_columns("duckdb", declared, found)} == {DifferenceKind.MISSING}
    assert len(compare_columns("duckdb", declared, found)) == len(declared)
    # the other marts are untouched
    assert differences(drifted, built_package, HEALTH) == []


def test_lookup_and_as_of_on_the_built_mart(built_package: DbtProject) -> None:
    relation, _ = declared_marts(built_package)[HEALTH]
    with warehouse_on(built_package.duckdb_path) as warehouse:
        rows = warehouse.fetch_rows(relation, {"customer_id": 11}, ["customer_id", "health_status"], limit=1)
        as_of = warehouse.max_value(relation, "as_of_date")
    assert len(rows) == 1 and rows[0]["customer_id"] == 11
    assert rows[0]["health_status"] in {"High Risk", "Inactive", "Healthy"}
    assert as_of == datetime.date.fromisoformat(AS_OF_DATE)
