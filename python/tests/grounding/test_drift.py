"""grounding/drift.py on its own: one relation judged against its expected schema on a copy of the built demo
changed behind dbt's back, the views bound again only downstream of a drift, and the pure pieces (what a drift
says, what it reaches, the one error listing it)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dbt_grounding.artifacts import Manifest, load_artifacts
from dbt_grounding.errors import MissingRelationError, SchemaDriftError
from dbt_grounding.grounding.drift import (
    Explanation, NodeDrift, RelationCheck, check_relation, columns_on_paths, describe, drift_error, explain,
    probe_downstream_of_drift, relation_of, unchecked_reason,
)
from dbt_grounding.grounding.expected_schema import ExpectedSchema, ExpectedSchemas
from dbt_grounding.warehouse import ColumnDifference, DifferenceKind, Warehouse, load_connection_settings, open_warehouse
from dbt_runner import REPO_ROOT, DbtProject, copy_build

pytestmark = pytest.mark.dbt

BASE = "model.dbt_grounding.base_crm__customers"  # a table
STAGING = "model.dbt_grounding.stg_crm__customers"  # a view reading BASE by column name
TICKETS = "model.dbt_grounding.base_support__tickets"  # a table no customer model reads
TICKETS_STAGING = "model.dbt_grounding.stg_support__tickets"  # a view reading TICKETS
MART = "model.dbt_grounding.fct_customer_health_summary"


class Judge:
    """check_relation's inputs for one copy of the built demo: its artifacts, expectations and warehouse."""

    def __init__(self, project: DbtProject) -> None:
        self.project = project
        self.artifacts = load_artifacts(project.target_path)
        self.schemas = ExpectedSchemas(self.artifacts, "duckdb")
        settings = load_connection_settings(REPO_ROOT, REPO_ROOT, "duckdb",
                                            environ={"DBT_GROUNDING_DUCKDB_PATH": str(project.duckdb_path)})
        self.warehouse: Warehouse = open_warehouse(settings)
        self._parents = json.loads((project.target_path / "manifest.json").read_text())["parent_map"]

    @property
    def manifest(self) -> Manifest:
        return self.artifacts.manifest

    def check(self, unique_id: str, *, probe: bool = True) -> RelationCheck:
        return check_relation(self.warehouse, self.schemas, "duckdb", self.manifest.nodes[unique_id], probe=probe)

    def upstream(self, unique_id: str) -> list[str]:
        """Every node upstream of `unique_id`, from manifest.json's parent_map (not the toolkit's graph)."""
        seen: set[str] = set()
        todo = list(self._parents.get(unique_id, []))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(self._parents.get(parent, []))
        return sorted(seen)

    def change(self, sql: str) -> None:
        """Change the warehouse behind dbt's back, after a first look at the relations these tests judge (the first
        look after a build is what the build produced: grounding.expected_schema)."""
        for unique_id in (BASE, STAGING, TICKETS, TICKETS_STAGING):
            self.check(unique_id)
        with duckdb.connect(str(self.project.duckdb_path)) as connection:
            connection.execute(sql)


@pytest.fixture()
def judge(built_package: DbtProject, tmp_path: Path):
    judge = Judge(copy_build(built_package, tmp_path / "copy"))
    yield judge
    judge.warehouse.close()


def test_a_relation_as_built_has_no_drift(judge: Judge) -> None:
    for unique_id in (BASE, STAGING, MART):
        check = judge.check(unique_id)
        assert check.drift is None, unique_id
        assert [name.lower() for name, _ in check.expected.columns] == [name.lower() for name, _ in check.state.columns]


def test_a_dropped_column_is_one_missing_difference(judge: Judge) -> None:
    expected_type = dict(judge.check(BASE).expected.columns)["customer_name"]
    judge.change("alter table main.base_crm__customers drop column customer_name")
    drift = judge.check(BASE).drift
    assert drift is not None and not drift.missing_relation and drift.relation.endswith('"base_crm__customers"')
    assert drift.differences == [ColumnDifference("customer_name", DifferenceKind.MISSING, expected_type, None)]


def test_a_dropped_relation_is_one_drift_not_one_per_column(judge: Judge) -> None:
    judge.change("drop table main.base_crm__customers")
    drift = judge.check(BASE).drift
    assert drift is not None and drift.missing_relation and drift.differences == []


def test_only_the_views_downstream_of_a_drift_are_bound_again(judge: Judge) -> None:
    judge.change("alter table main.base_support__tickets drop column subject")
    listed = [judge.check(unique_id, probe=False) for unique_id in (TICKETS, TICKETS_STAGING, STAGING)]
    assert listed[1].drift is None  # unbound, the view still lists the columns it was created with
    assert TICKETS not in judge.upstream(STAGING)
    checks = probe_downstream_of_drift(judge.warehouse, judge.schemas, "duckdb", listed, judge.upstream, {})
    assert checks[0] is listed[0] and checks[2] is listed[2]  # the drifted table, and a view on another branch
    [unreadable] = checks[1].drift.differences
    assert unreadable.kind is DifferenceKind.UNREADABLE and "subject" in unreadable.found


def test_without_a_drift_no_view_is_bound(judge: Judge) -> None:
    listed = [judge.check(unique_id, probe=False) for unique_id in (BASE, STAGING)]
    assert probe_downstream_of_drift(judge.warehouse, judge.schemas, "duckdb", listed, judge.upstream, {}) is listed


def test_a_missing_relation_alone_binds_no_view(judge: Judge) -> None:
    """A view downstream only of a relation that no longer exists cannot read: the missing relation is the error."""
    judge.change("drop table main.base_crm__customers")
    listed = [judge.check(unique_id, probe=False) for unique_id in (BASE, STAGING)]
    assert probe_downstream_of_drift(judge.warehouse, judge.schemas, "duckdb", listed, judge.upstream, {}) is listed


# ---------------------------------------------------------------- the pure pieces, on the demo's real nodes


@pytest.fixture(scope="module")
def manifest(built_package: DbtProject) -> Manifest:
    return load_artifacts(built_package.target_path).manifest


def test_relation_of_and_what_has_no_relation(manifest: Manifest) -> None:
    base = manifest.nodes[BASE]
    assert relation_of(base) == (base.database, "main", "base_crm__customers")
    source = next(s for s in manifest.sources.values() if s.name == "customers")
    assert relation_of(source)[1:] == ("main_raw", source.identifier or "customers")
    assert unchecked_reason(base) is None and unchecked_reason(source) is None
    test = next(node for node in manifest.nodes.values() if node.resource_type == "test")
    assert unchecked_reason(test) == unchecked_reason(None) == "not a relation"


@pytest.mark.parametrize("kind, expected, found, text", [
    (DifferenceKind.MISSING, "varchar", None, "c: expected varchar, found nothing"),
    (DifferenceKind.MISSING, None, None, "c: expected a column, found nothing"),
    (DifferenceKind.EXTRA, None, "integer", "c: not declared, found integer"),
    (DifferenceKind.UNREADABLE, None, "Binder Error: x", "c: the relation cannot be read (Binder Error: x)"),
    (DifferenceKind.TYPE_CHANGED, "integer", "date", "c: expected integer, found date"),
])
def test_describe(kind: DifferenceKind, expected: str | None, found: str | None, text: str) -> None:
    assert describe(ColumnDifference("c", kind, expected, found)) == text


def test_columns_on_paths_in_first_met_order_once_whatever_the_case() -> None:
    paths = {
        "health_status": [[("mart", "health_status"), ("int", "Churn_Score"), ("stg", "score")],
                          [("mart", "health_status"), ("int", "churn_score"), ("stg", "last_login")]],
        "customer_id": [[("mart", "customer_id"), ("stg", "customer_id")]],
    }
    assert columns_on_paths(paths) == {
        "mart": ["health_status", "customer_id"], "int": ["Churn_Score"], "stg": ["score", "last_login", "customer_id"],
    }


def short(unique_id: str) -> str:
    return unique_id.rsplit(".", 1)[-1]


NAME_PATHS = {"customer_name": [[(MART, "customer_name"), (STAGING, "customer_name"), (BASE, "customer_name")]],
              "customer_id": [[(MART, "customer_id"), (STAGING, "customer_id"), (BASE, "customer_id")]]}


def test_a_drifted_column_is_explained_by_the_mart_columns_it_feeds(manifest: Manifest) -> None:
    missing = ColumnDifference("CUSTOMER_NAME", DifferenceKind.MISSING, "varchar", None)
    drift = NodeDrift(manifest.nodes[BASE], "main.base_crm__customers", [missing], False)
    explained = explain(drift, manifest.nodes[MART], NAME_PATHS, short)
    assert explained == {"CUSTOMER_NAME": Explanation(
        ["customer_name"],
        ["fct_customer_health_summary.customer_name <- stg_crm__customers.customer_name "
         "<- base_crm__customers.customer_name"])}
    error = drift_error(manifest.nodes[MART], [drift], [explained])
    assert type(error) is SchemaDriftError
    assert error.message.splitlines()[:2] == [
        "schema drift behind fct_customer_health_summary:",
        "  main.base_crm__customers.CUSTOMER_NAME: expected varchar, found nothing -> affects "
        "fct_customer_health_summary: customer_name",
    ]
    assert error.hint.startswith("rebuild with `dbt build --select +fct_customer_health_summary`")
    assert [(d["column"], d["node"], d["affected"]) for d in error.details["differences"]] == [
        ("CUSTOMER_NAME", BASE, ["customer_name"])]


def test_a_missing_relation_is_explained_by_every_column_it_should_have(manifest: Manifest) -> None:
    expected = ExpectedSchema(BASE, (("customer_id", "bigint"), ("customer_name", "varchar")), "declared")
    drift = NodeDrift(manifest.nodes[BASE], "main.base_crm__customers", [], True, expected)
    explained = explain(drift, manifest.nodes[MART], NAME_PATHS, short)
    assert explained[None].affected == ["customer_id", "customer_name"]
    error = drift_error(manifest.nodes[MART], [drift], [explained])
    assert type(error) is MissingRelationError
    assert error.details["select"] == "dbt build --select base_crm__customers"
    assert error.hint == "run `dbt build --select base_crm__customers`"
    mart_missing = NodeDrift(manifest.nodes[MART], "main_ai_grounding.fct_customer_health_summary", [], True)
    assert drift_error(manifest.nodes[MART], [mart_missing], [{}]).hint == (
        "run `dbt build --select +fct_customer_health_summary`")


def test_a_missing_source_asks_for_the_loader(manifest: Manifest) -> None:
    source = next(s for s in manifest.sources.values() if s.name == "customers")
    error = drift_error(manifest.nodes[MART], [NodeDrift(source, "main_raw.crm_customers", [], True)], [{}])
    assert type(error) is MissingRelationError and "select" not in error.details
    assert error.hint == "restore the source relation the loader should have written"


def test_drift_error_pairs_each_drift_with_its_explanation(manifest: Manifest) -> None:
    """Two drifts, each explained by its own paths: the second's mart columns are not the first's."""
    first = NodeDrift(manifest.nodes[BASE], "b", [ColumnDifference("customer_id", DifferenceKind.TYPE_CHANGED,
                                                                   "bigint", "varchar")], False)
    second = NodeDrift(manifest.nodes[STAGING], "s", [ColumnDifference("customer_name", DifferenceKind.MISSING,
                                                                       "varchar", None)], False)
    mart = manifest.nodes[MART]
    error = drift_error(mart, [first, second], [explain(first, mart, NAME_PATHS, short),
                                                explain(second, mart, NAME_PATHS, short)])
    assert [(d["relation"], d["column"], d["affected"]) for d in error.details["differences"]] == [
        ("b", "customer_id", ["customer_id"]), ("s", "customer_name", ["customer_name"])]
    assert not isinstance(error, MissingRelationError)
