"""GroundingProject, the facade: each method gives the answer of the layer it delegates to, for the model it is
given, on the really built demo (the end-to-end tests cover what a document says)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.errors import UnknownNodeError
from dbt_grounding.grounding import test_status
from dbt_grounding.lineage.columns import ColumnLineage
from dbt_grounding.lineage.graph import ModelLineage
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
MART_ID = f"model.dbt_grounding.{MART}"


@pytest.fixture()
def project(built_package: DbtProject, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))
    statements: list[str] = []
    with GroundingProject.open(built_package.project_dir, target_path=built_package.target_path,
                               warehouse_options={"on_query": lambda sql, params: statements.append(sql)}) as opened:
        opened.statements = statements
        yield opened


def test_model_lineage_and_column_lineage_are_two_methods(project: GroundingProject) -> None:
    graph = project.lineage(MART, direction="up", depth=1)
    assert isinstance(graph, ModelLineage) and graph.unique_id == MART_ID and graph.downstream == []
    assert sorted(node.unique_id for node in graph.upstream) == sorted(project.manifest.parents(MART_ID))
    everything = project.lineage(MART)
    assert {node.unique_id for node in everything.upstream} == set(project.upstream(MART_ID))
    assert [node.unique_id for node in everything.downstream] == ["exposure.dbt_grounding.customer_success_agent"]

    columns = project.column_lineage(MART)
    assert isinstance(columns, ColumnLineage) and columns.unique_id == MART_ID
    assert [name.lower() for name in columns.columns] == [name.lower() for name in project.node(MART).columns]
    churn = columns.columns["churn_risk_score"]
    assert any(ref.unique_id == "source.dbt_grounding.ml.churn_scores" for path in churn.paths for ref in path)
    assert project.column_lineage(MART_ID) is columns  # by name or unique_id, traced once per process


def test_upstream_is_every_node_upstream_down_to_the_sources(project: GroundingProject) -> None:
    upstream = project.upstream(MART_ID)
    assert upstream == sorted(upstream) and MART_ID not in upstream
    assert {"source.dbt_grounding.ml.churn_scores", "model.dbt_grounding.dim_customers"} <= set(upstream)
    parents = {parent for uid in [MART_ID, *upstream] for parent in project.manifest.parents(uid)}
    assert parents <= set(upstream)  # closed under parents: nothing upstream is left out


def test_tests_are_the_outcomes_on_the_mart_and_upstream(project: GroundingProject) -> None:
    tests = project.tests(MART)
    assert tests == test_status.test_outcomes(project.manifest, project.artifacts.builds, MART_ID, project.upstream(MART_ID))
    assert {t.status for t in tests} == {"pass"}
    assert tests[0].on == MART_ID and any(t.on != MART_ID for t in tests)
    assert project.tests(MART_ID) is tests  # computed once per open project


def test_freshness_and_build_come_from_the_last_build(project: GroundingProject) -> None:
    build = project.build(MART)
    assert build.succeeded and build.command == "build"
    fresh = project.freshness(MART)
    assert fresh.status == "fresh" and fresh.last_built_at == build.completed_at
    as_of = project.freshness(MART, as_of_value="2026-06-30")
    assert as_of.as_of == datetime(2026, 6, 30, tzinfo=timezone.utc) and as_of.evidence == "last successful build"


def test_check_schema_returns_the_marts_live_columns(project: GroundingProject) -> None:
    check = project.check_schema(MART)
    assert check.drift is None and check.resource.unique_id == MART_ID
    assert [name.lower() for name, _ in check.state.columns] == [c.lower() for c in project.node(MART).columns]


def test_known_names_are_read_once(project: GroundingProject) -> None:
    names = project.known_names()
    read = len(project.statements)
    assert read > 0 and not names.truncated and names.unread == []
    assert project.known_names() is names and len(project.statements) == read


def test_context_and_contexts_call_the_one_serving_entry_point(project: GroundingProject) -> None:
    single = project.context(MART, {"customer_id": 12})
    (batched,) = project.contexts(MART, [{"customer_id": 12}])
    assert single.key == batched.key == {"customer_id": 12} and single.found
    assert single.model_dump(exclude={"freshness", "citation"}) == batched.model_dump(exclude={"freshness", "citation"})


def test_check_is_the_gate_on_the_marts_asked(project: GroundingProject) -> None:
    everything = project.check()
    assert everything.checked and not [f for f in everything.findings if f.level.value == "error"]
    offline = project.check([MART], use_warehouse=False)
    assert any("--no-warehouse given" in line for line in offline.skipped) and offline.checked == []
    assert not [f for f in offline.findings if f.code.startswith("DG2")]
    with pytest.raises(UnknownNodeError):
        project.check(["no_such_mart"])
