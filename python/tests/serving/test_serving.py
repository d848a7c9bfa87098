"""serving: the one entry point for documents (Serving.contexts), its refusal policy and its query budget, on the
really built demo and the plain project. GroundingProject.context() is a call of it (test_facade.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.artifacts import NodeBuild
from dbt_grounding.errors import (
    ConfigurationError, FailedTestsError, InvalidKeyError, StaleGroundingError, UnknownBuildError,
)
from dbt_grounding.grounding.freshness import FreshnessResult
from dbt_grounding.grounding.test_status import TestOutcome
from dbt_grounding.serving import MAX_KEYS, ContextRequest, ServingPolicy
from dbt_grounding.serving.policy import refuse_stale, refuse_untrusted_build
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
MART = "fct_customer_health_summary"
MART_ID = f"model.dbt_grounding.{MART}"
NOW = datetime.now(timezone.utc)  # the demo is built in this session: its last build is minutes old


def catalog_queries(statements: list[tuple[str, tuple]]) -> list[str]:
    return [sql for sql, _ in statements if "information_schema" in sql.lower()]


def row_lookups(statements: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    return [(sql, params) for sql, params in statements if " WHERE " in sql.upper() and "information_schema" not in sql]


def open_recorded(project: DbtProject, statements: list) -> GroundingProject:
    """A project opened afresh (nothing cached) whose every warehouse statement is recorded."""
    return GroundingProject.open(
        project.project_dir, target_path=project.target_path, clock=lambda: NOW,
        warehouse_options={"on_query": lambda sql, params: statements.append((sql, tuple(params or ())))},
    )


@pytest.fixture()
def demo(built_package: DbtProject, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))
    return built_package


@pytest.fixture()
def plain(built_plain_project: DbtProject, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    monkeypatch.setenv("PLAIN_SHOP_DUCKDB_PATH", str(built_plain_project.duckdb_path))
    return built_plain_project


def test_one_request_serves_each_key_in_order(demo: DbtProject) -> None:
    keys = [{"customer_id": 12}, {"customer_id": "51"}, {"customer_id": 987654}]
    with open_recorded(demo, []) as project:
        documents = project.serving.contexts(ContextRequest(MART, keys))
        alone = project.context(MART, {"customer_id": "51"})
    assert [document.key for document in documents] == [{"customer_id": 12}, {"customer_id": 51},
                                                         {"customer_id": 987654}]
    assert [document.found for document in documents] == [True, True, False]
    assert [row["customer_id"] for document in documents[:2] for row in document.rows] == [12, 51]
    assert documents[1] == alone  # the same document as a request for that key alone
    assert documents[0].citation.content_hash != documents[1].citation.content_hash


def test_a_request_is_one_connection_and_one_schema_check_however_many_keys(demo: DbtProject) -> None:
    one: list = []
    with open_recorded(demo, one) as project:
        project.contexts(MART, [{"customer_id": 12}])
        assert project.warehouse().connections_opened == 1
    three: list = []
    with open_recorded(demo, three) as project:
        project.contexts(MART, [{"customer_id": 12}, {"customer_id": 51}, {"customer_id": 7}])
        assert project.warehouse().connections_opened == 1
    assert catalog_queries(one) and len(catalog_queries(three)) == len(catalog_queries(one))
    assert [params for _, params in row_lookups(one)] == [(12,)]
    assert [params for _, params in row_lookups(three)] == [(12, 51, 7) * 2]  # one query for the three keys


def test_get_contexts_reads_every_valid_key_in_one_query_and_answers_a_bad_one_in_place(demo: DbtProject) -> None:
    from dbt_grounding.agent import grounding_tools

    statements: list = []
    with open_recorded(demo, statements) as project:
        served = project.contexts(MART, [{"customer_id": 12}, {"customer_name": "Acme"}, {"customer_id": 51}],
                                  invalid_keys="answer")
        direct = row_lookups(statements)
        statements.clear()
        tool = {tool.name: tool for tool in grounding_tools(project)}["get_contexts"]
        answer = tool(mart=MART, keys=[{"customer_id": key} for key in (12, 51, 7, 987654)] + [{"segment": "smb"}])
        by_tool = row_lookups(statements)
    assert [type(item).__name__ for item in served] == ["ContextDocument", "InvalidKeyError", "ContextDocument"]
    assert [params for _, params in direct] == [(12, 51) * 2]  # one query for the two valid keys
    assert [params for _, params in by_tool] == [(12, 51, 7, 987654) * 2]  # the tool: one query for four keys
    assert not answer.is_error and answer.text.count(f"# {MART} customer_id = ") == 4
    assert 'key {"segment": "smb"}: error: ' in answer.text


def test_a_key_typed_by_the_warehouse_costs_no_catalog_query_of_its_own(plain: DbtProject) -> None:
    """customers.customer_id declares no data_type: its type comes from the relation's columns, which the schema
    check (or the plain inspect without it) has just read. Every relation of the plain project is in one schema,
    listed in one catalog query per session: one catalog query per document, not one more for the key."""
    for schema_check in (False, True):
        statements: list = []
        with open_recorded(plain, statements) as project:
            document = project.context("customers", {"customer_id": "3"}, schema_check=schema_check,
                                       on_unknown_build="annotate")
        assert document.found and document.key == {"customer_id": 3}  # typed as the integer column it is
        assert [params for _, params in row_lookups(statements)] == [(3,)]
        assert len(catalog_queries(statements)) == 1, (schema_check, catalog_queries(statements))


def test_a_bad_key_anywhere_in_a_request_refuses_it_before_any_query(demo: DbtProject) -> None:
    statements: list = []
    with open_recorded(demo, statements) as project, pytest.raises(InvalidKeyError) as caught:
        project.contexts(MART, [{"customer_id": 12}, {"customer_name": "Acme"}])
    assert caught.value.details["given"] == ["customer_name"]
    assert statements == []


@pytest.mark.parametrize("keys, said", [
    ({"customer_id": 12}, "a list of keys, got a dict"),
    ("customer_id=12", "a list of keys, got a str"),
    ([], "names 1 to 100 keys, got 0"),
    ([{"customer_id": n} for n in range(MAX_KEYS + 1)], "names 1 to 100 keys, got 101"),
])
def test_a_request_names_one_to_max_keys_keys(demo: DbtProject, keys, said: str) -> None:
    statements: list = []
    with open_recorded(demo, statements) as project, pytest.raises(InvalidKeyError) as caught:
        project.contexts(MART, keys)
    assert said in caught.value.message and statements == []


@pytest.mark.parametrize("options", [
    {"on_stale": "anotate"}, {"on_failed_tests": True}, {"on_unknown_build": None}, {"row_limit": 0},
    {"row_limit": True}, {"row_limit": 2.5},
])
def test_a_policy_that_is_no_policy_is_refused(options: dict) -> None:
    """A typo must not turn a refusal into serving (the old facade treated any value but "raise" as annotate)."""
    with pytest.raises(ConfigurationError) as caught:
        ServingPolicy(**options)
    assert caught.value.details["option"] == next(iter(options))


# ---------------------------------------------------------------- the refusal policy, on the real mart and build

def test_failed_tests_and_a_failed_build_are_refused_first_unless_annotated(built_package: DbtProject) -> None:
    with GroundingProject.open(built_package.project_dir, target_path=built_package.target_path) as project:
        node, artifacts = project.node(MART), project.artifacts
        build = artifacts.builds.node(MART_ID)
        assert build.succeeded and build.unknown is None
        failing = [TestOutcome("test.dbt_grounding.t1", "not_null_x", "fail", MART_ID),
                   TestOutcome("test.dbt_grounding.t2", "unique_y", "pass", MART_ID),
                   TestOutcome("test.dbt_grounding.t3", "accepted_z", "error", "model.dbt_grounding.dim_customers")]
        with pytest.raises(FailedTestsError) as caught:
            refuse_untrusted_build(node, build, failing, artifacts, ServingPolicy(), project.short_name)
        assert caught.value.details["tests"] == [{"unique_id": "test.dbt_grounding.t1", "status": "fail"},
                                                 {"unique_id": "test.dbt_grounding.t3", "status": "error"}]
        assert "2 problem(s)" in caught.value.message and "on dim_customers" in caught.value.message
        refuse_untrusted_build(node, build, failing, artifacts, ServingPolicy(on_failed_tests="annotate"),
                               project.short_name)  # served with the failures stated
        refuse_untrusted_build(node, build, [t for t in failing if not t.blocking], artifacts, ServingPolicy(),
                               project.short_name)

        skipped = NodeBuild(MART_ID, "skipped")
        with pytest.raises(FailedTestsError) as caught:
            refuse_untrusted_build(node, skipped, [], artifacts, ServingPolicy(), project.short_name)
        assert "the last build of fct_customer_health_summary itself (skipped)" in caught.value.message

        unknown = NodeBuild(MART_ID, None, unknown="its file changed since")
        with pytest.raises(FailedTestsError):  # a failed test is the cause when both apply
            refuse_untrusted_build(node, unknown, failing, artifacts, ServingPolicy(), project.short_name)
        with pytest.raises(UnknownBuildError) as caught:
            refuse_untrusted_build(node, unknown, failing, artifacts, ServingPolicy(on_failed_tests="annotate"),
                                   project.short_name)
        assert caught.value.details["reason"] == "its file changed since"
        refuse_untrusted_build(node, unknown, [], artifacts, ServingPolicy(on_unknown_build="annotate"),
                               project.short_name)


def test_only_stale_data_is_refused_and_only_when_asked(built_package: DbtProject) -> None:
    """The mart's policy: warn after 24 h, error after 48 h, judged from its last successful build here."""
    built = GroundingProject.open(built_package.project_dir, target_path=built_package.target_path) \
        .artifacts.builds.node(MART_ID).completed_at
    for hours, status in ((0, "fresh"), (36, "warn"), (72, "stale")):
        at = built + timedelta(hours=hours, minutes=1)
        with GroundingProject.open(built_package.project_dir, target_path=built_package.target_path,
                                   clock=lambda at=at: at) as project:
            node, freshness = project.node(MART), project.freshness(MART)
        assert (freshness.status, freshness.age_seconds) == (status, hours * 3600 + 60)
        if status == "stale":
            with pytest.raises(StaleGroundingError) as caught:
                refuse_stale(node, freshness, ServingPolicy())
            assert caught.value.details["age_seconds"] == 72 * 3600 + 60
            assert "72 hours old" in caught.value.message and "past error_after 48 hours" in caught.value.message
            refuse_stale(node, freshness, ServingPolicy(on_stale="annotate"))
        else:
            refuse_stale(node, freshness, ServingPolicy())
    unjudged = FreshnessResult("stale", None, None, None, None, None, "48 hours")
    with pytest.raises(StaleGroundingError) as caught:
        refuse_stale(node, unjudged, ServingPolicy())
    assert "of unknown age" in caught.value.message
