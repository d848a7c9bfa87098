"""The drift matrix: every kind of schema change, made with duckdb behind dbt's back on a copy of the built demo, at
every layer from the source to the grounding mart. `check` (the gate) and `context` must each detect every drift,
naming the relation, the column and the lineage path to the mart column it feeds, and raise no alarm for a harmless
change (a synonym type, identifier case, column order, an added column of a model without a contract).

"View replaced": the relation is replaced by a hand-written view of the same name that selects only part of what
dbt built (a table becomes a view, or a view gets another definition): what agents read is no longer what the build
produced. The copy is first looked at once after its build (as `dbt build && dbt-grounding check` does), so the
schema each relation was built with is remembered; then it is changed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.errors import MissingRelationError, SchemaDriftError
from dbt_runner import DbtProject, copy_build

pytestmark = pytest.mark.dbt

MART = "fct_customer_health_summary"
MART_ID = f"model.dbt_grounding.{MART}"


@dataclass(frozen=True)
class Layer:
    name: str
    unique_id: str
    relation: str  # schema.identifier in the DuckDB file
    column: str  # a column of the relation that feeds the mart
    mart_column: str  # the mart column it feeds
    incompatible: str  # SQL expression of `column` under another type
    synonym: str  # the same type under another name


LAYERS = [
    Layer("source", "source.dbt_grounding.crm.customers", "main_raw.crm_customers", "contact_email",
          "primary_contact_email", "length(contact_email)", "text"),
    Layer("base", "model.dbt_grounding.base_crm__customers", "main.base_crm__customers", "contact_email",
          "primary_contact_email", "length(contact_email)", "string"),
    Layer("staging", "model.dbt_grounding.stg_crm__customers", "main.stg_crm__customers", "contact_email",
          "primary_contact_email", "length(contact_email)", "text"),
    Layer("intermediate", "model.dbt_grounding.int_customer_revenue_aggregated",
          "main.int_customer_revenue_aggregated", "total_contract_value", "total_contract_value",
          "cast(total_contract_value as double)", "numeric(18, 6)"),
    Layer("core mart", "model.dbt_grounding.dim_customers", "main.dim_customers", "contact_email",
          "primary_contact_email", "length(contact_email)", "varchar"),
    Layer("grounding mart", MART_ID, f"main_ai_grounding.{MART}", "segment", "segment", "length(segment)", "text"),
]
DRIFTS = ["drop", "rename", "incompatible retype", "relation dropped", "view replaced"]
HARMLESS = ["synonym retype", "identifier case", "column order", "add"]
OUTCOMES: dict[tuple[str, str, str], bool] = {}  # (layer, change, detector) -> detected as it should be


def is_view(connection: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return bool(connection.execute("select count(*) from duckdb_views() where schema_name = ? and view_name = ?",
                                   [schema, name]).fetchone()[0])


def replace(connection: duckdb.DuckDBPyConnection, relation: str, projection: str) -> None:
    """Make `relation` select `projection` over what it holds now, keeping its kind (table or view)."""
    schema, name = relation.split(".")
    if is_view(connection, relation):
        definition = connection.execute("select sql from duckdb_views() where schema_name = ? and view_name = ?",
                                        [schema, name]).fetchone()[0]
        body = definition[definition.upper().index(" AS ") + 4:].rstrip().rstrip(";")
        connection.execute(f"create or replace view {relation} as select {projection} from ({body}) as built")
    else:
        connection.execute(f"create or replace table {relation} as select {projection} from {relation}")


# the projection each change makes the relation select over what it holds now
PROJECTIONS = {
    "drop": lambda layer: f"* exclude ({layer.column})",
    "rename": lambda layer: f"* rename ({layer.column} as {layer.column}_renamed)",
    "incompatible retype": lambda layer: f"* replace ({layer.incompatible} as {layer.column})",
    "synonym retype": lambda layer: f"* replace (cast({layer.column} as {layer.synonym}) as {layer.column})",
    "identifier case": lambda layer: f'* rename ({layer.column} as "{layer.column.upper()}")',
    "column order": lambda layer: f"{layer.column}, * exclude ({layer.column})",
    "add": lambda layer: "*, 'surprise' as added_by_hand",
}


def change(path: Path, layer: Layer, kind: str) -> None:
    with duckdb.connect(str(path)) as connection:
        kind_sql = "view" if is_view(connection, layer.relation) else "table"
        if kind in PROJECTIONS:
            replace(connection, layer.relation, PROJECTIONS[kind](layer))
        elif kind == "relation dropped":
            connection.execute(f"drop {kind_sql} {layer.relation}")
        elif kind == "view replaced":
            columns = [row[0] for row in connection.execute(f"select * from {layer.relation} limit 0").description]
            keep = [column for column in columns if column != layer.column][:2]  # a narrower hand-written view
            connection.execute(f"create table main.hand_made_copy as select * from {layer.relation}")
            connection.execute(f"drop {kind_sql} {layer.relation}")
            connection.execute(f"create view {layer.relation} as select {', '.join(keep)} from main.hand_made_copy")


@pytest.fixture(scope="module")
def looked_at(built_package: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A copy of the build, looked at once by the gate right after it (the schemas built are remembered)."""
    project = copy_build(built_package, tmp_path_factory.mktemp("drift_matrix") / "built")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(project.duckdb_path))
        with GroundingProject.open(project.project_dir, target_path=project.target_path) as grounding:
            result = grounding.check()
    assert not [f for f in result.findings if f.code in ("DG201", "DG202", "DG203")], result.findings
    return project


@pytest.fixture()
def changed_copy(looked_at: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    project = copy_build(looked_at, tmp_path / "changed")
    shutil.copytree(looked_at.target_path / "dbt_grounding", project.target_path / "dbt_grounding", dirs_exist_ok=True)
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(project.duckdb_path))
    return project


def drift_findings(project: DbtProject) -> list:
    with GroundingProject.open(project.project_dir, target_path=project.target_path) as grounding:
        result = grounding.check()
    return [f for f in result.findings if f.code in ("DG201", "DG202", "DG203")]


def context_refusal(project: DbtProject) -> SchemaDriftError | None:
    with GroundingProject.open(project.project_dir, target_path=project.target_path) as grounding:
        try:
            grounding.context(MART, key={"customer_id": 12}, on_stale="annotate")
        except SchemaDriftError as error:  # MissingRelationError included
            return error
    return None


@pytest.mark.parametrize("kind", DRIFTS)
@pytest.mark.parametrize("layer", LAYERS, ids=[layer.name for layer in LAYERS])
def test_drift_is_detected_by_check_and_context(changed_copy: DbtProject, layer: Layer, kind: str) -> None:
    change(changed_copy.duckdb_path, layer, kind)
    whole_relation = kind in ("relation dropped",)
    findings = [f for f in drift_findings(changed_copy) if f.node == layer.unique_id]
    named = [f for f in findings if whole_relation or f.column and f.column.casefold() == layer.column.casefold()]
    fed = f"{MART}." if whole_relation else f"{MART}.{layer.mart_column}"  # a whole relation: any mart column
    check_ok = bool(named) and all(any(a.startswith(fed) for a in f.affected) for f in named) and (
        layer.unique_id == MART_ID or any((f"lineage: {fed}" if whole_relation else f"{fed} <- ") in f.message for f in named))
    OUTCOMES[(layer.name, kind, "check")] = check_ok

    error = context_refusal(changed_copy)
    details = [d for d in (error.details.get("differences", []) if error else []) if d["node"] == layer.unique_id]
    hit = [d for d in details if whole_relation and d["kind"] == "missing_relation"
           or d["column"] and d["column"].casefold() == layer.column.casefold()]
    context_ok = bool(hit) and (layer.unique_id == MART_ID or any(
        path.startswith(f"{MART}.{layer.mart_column} <- ") for d in hit for path in d["lineage"]))
    if whole_relation:
        context_ok = context_ok and isinstance(error, MissingRelationError)
    OUTCOMES[(layer.name, kind, "context")] = context_ok
    assert check_ok, [f.message for f in findings]
    assert context_ok, error


@pytest.mark.parametrize("kind", HARMLESS)
@pytest.mark.parametrize("layer", LAYERS, ids=[layer.name for layer in LAYERS])
def test_harmless_change_raises_no_alarm(changed_copy: DbtProject, layer: Layer, kind: str) -> None:
    change(changed_copy.duckdb_path, layer, kind)
    if kind == "add" and layer.unique_id == MART_ID:  # the contract forbids it: a drift, named
        findings = drift_findings(changed_copy)
        error = context_refusal(changed_copy)
        detected = any(f.column == "added_by_hand" for f in findings) and error is not None and any(
            d["column"] == "added_by_hand" for d in error.details["differences"])
        OUTCOMES[(layer.name, kind, "check+context")] = detected
        assert detected, findings
        return
    findings = drift_findings(changed_copy)
    error = context_refusal(changed_copy)
    OUTCOMES[(layer.name, kind, "no alarm")] = not findings and error is None
    assert not findings, [f.message for f in findings]
    assert error is None, error


def test_detection_rate(capsys: pytest.CaptureFixture[str]) -> None:
    """The figure: runs last in this module, over the cases above."""
    expected = len(LAYERS) * (2 * len(DRIFTS) + len(HARMLESS))
    if len(OUTCOMES) < expected:
        pytest.skip(f"only {len(OUTCOMES)} of {expected} matrix cells ran (selected with -k?)")
    detections = {k: v for k, v in OUTCOMES.items() if k[2] in ("check", "context", "check+context")}
    calm = {k: v for k, v in OUTCOMES.items() if k[2] == "no alarm"}
    by_check = sum(v for k, v in detections.items() if k[2] in ("check", "check+context"))
    by_context = sum(v for k, v in detections.items() if k[2] in ("context", "check+context"))
    cells = len(LAYERS) * len(DRIFTS) + 1
    figure = (f"drift matrix: check detected {by_check} of {cells}, context {by_context} of {cells}; "
              f"harmless changes without alarm {sum(calm.values())} of {len(calm)}")
    with capsys.disabled():
        print("\n" + figure)
    assert by_check == by_context == cells and all(calm.values()), figure
