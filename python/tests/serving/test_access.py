"""Roles on the built demo, through every surface that serves data: documents (API and CLI), the mart listing, the
agent tools and `ask`. The demo's grounding_roles.yml: customer_success_agent (internal, no e-mails),
account_manager_assistant (restricted, all personal data); built in: public (the default), internal, restricted.
A mart above a role's level must look exactly like a mart that does not exist."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_runner import REPO_ROOT, DbtProject
from dbt_grounding import GroundingProject
from dbt_grounding.agent import grounding_tools
from dbt_grounding.errors import AccessDeniedError, ExitCode, InvalidKeyError
from dbt_grounding.mart_summary import summaries

CLI = str(Path(sys.executable).with_name("dbt-grounding"))
HEALTH, REVENUE, SUPPORT = "fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"
AGENT, MANAGER = "customer_success_agent", "account_manager_assistant"


@pytest.fixture(autouse=True)
def _demo_warehouse(built_package: DbtProject, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))


def opened(built: DbtProject, role: str | None) -> GroundingProject:
    return GroundingProject.open(REPO_ROOT, target_path=built.target_path, role=role)


def _denied_message(project: GroundingProject, name: str) -> str:
    with pytest.raises(AccessDeniedError) as raised:
        project.context(name, {"customer_id": 51})
    return raised.value.message


def test_the_default_role_is_public_and_the_demo_has_no_public_mart(built_package, monkeypatch) -> None:
    monkeypatch.delenv("DBT_GROUNDING_ROLE")
    with GroundingProject.open(REPO_ROOT, target_path=built_package.target_path) as project:
        assert project.role.name == "public"
        assert summaries(project) == []
        assert _denied_message(project, HEALTH) == f"Role 'public' may read no node named '{HEALTH}'."


def test_a_denied_mart_looks_like_one_that_does_not_exist(built_package) -> None:
    with opened(built_package, AGENT) as project:
        denied = _denied_message(project, REVENUE)
        missing = _denied_message(project, "fct_customer_nps_summary")
    assert denied.replace(REVENUE, "X") == missing.replace("fct_customer_nps_summary", "X")
    with opened(built_package, AGENT) as project:
        with pytest.raises(AccessDeniedError) as raised:
            project.context("fct_customer_revenue_summry", {"customer_id": 51})  # a typo: suggestions are readable
    assert REVENUE not in raised.value.hint and REVENUE not in str(raised.value.details)


def test_columns_the_role_may_not_see_are_absent_and_listed(built_package) -> None:
    with opened(built_package, AGENT) as project:
        document = project.context(HEALTH, {"customer_id": 51})
        listed = [summary.model for summary in summaries(project)]
    assert "primary_contact_email" not in document.rows[0]
    assert "primary_contact_email" not in {column.name for column in document.columns}
    assert "account_owner" in document.rows[0]  # person names: this role may see them (masked)
    note = next(w for w in document.warnings if w.startswith("Withheld for role customer_success_agent"))
    assert "primary_contact_email (personal data (email))" in note
    for form in ("markdown", "compact"):  # named in the withheld note only, never as a record line
        assert "primary_contact_email:" not in document.render(form)
    assert "primary_contact_email" not in json.loads(document.to_json())["rows"][0]
    assert listed == [HEALTH, SUPPORT]
    with opened(built_package, "restricted") as project:
        full = project.context(HEALTH, {"customer_id": 51})
    assert "primary_contact_email" in full.rows[0]
    assert set(full.rows[0]) - set(document.rows[0]) == {"primary_contact_email"}


def test_a_lookup_by_a_column_the_role_may_not_see_is_refused_before_any_query(built_package) -> None:
    """Looking a record up by a withheld column would confirm its values (is this e-mail a customer's?): refused
    for the role, before the warehouse is asked, the same for a value that exists and one that does not; a role
    that may see the column gets the ordinary answer (it is not a key of the mart)."""
    statements: list = []
    email = {"primary_contact_email": "ops@maplesoftware.com"}
    with GroundingProject.open(REPO_ROOT, target_path=built_package.target_path, role=AGENT,
                               warehouse_options={"on_query": lambda sql, params: statements.append(sql)}) as project:
        refusals = []
        for key in (email, {"primary_contact_email": "nobody@example.invalid"}, {**email, "customer_id": 51}):
            with pytest.raises(AccessDeniedError) as raised:
                project.context(HEALTH, key)
            refusals.append(raised.value)
        with pytest.raises(AccessDeniedError):  # all or nothing: one withheld key refuses the whole request
            project.contexts(HEALTH, [{"customer_id": 51}, email])
        tools = {tool.name: tool for tool in grounding_tools(project)}
        answer = tools["get_context"](mart=HEALTH, key=email)
    assert statements == []  # refused before any query
    assert refusals[0].message == refusals[1].message.replace("nobody@example.invalid", "ops@maplesoftware.com")
    assert "ops@maplesoftware.com" not in refusals[0].message  # the value is not echoed
    assert all(r.details["columns"] == ["primary_contact_email"] and r.details["role"] == AGENT for r in refusals)
    assert "by primary_contact_email: personal data (email)" in refusals[0].message
    assert answer.is_error and answer.error["error"] == "AccessDeniedError" and "may not look" in answer.text
    with opened(built_package, "restricted") as project, pytest.raises(InvalidKeyError):
        project.context(HEALTH, email)
    refused = _cli(built_package, "context", HEALTH, "--key", "primary_contact_email=ops@maplesoftware.com",
                   "--role", AGENT)
    assert refused.returncode == ExitCode.ACCESS_DENIED and "may not look" in refused.stderr, refused.stderr


def test_the_managers_assistant_reads_revenue(built_package) -> None:
    with opened(built_package, MANAGER) as project:
        assert project.context(REVENUE, {"customer_id": 51}).found
        assert [summary.model for summary in summaries(project)] == [HEALTH, REVENUE, SUPPORT]


def test_every_agent_tool_denies_a_mart_above_the_role(built_package) -> None:
    with opened(built_package, AGENT) as project:
        tools = {tool.name: tool for tool in grounding_tools(project)}
        listing = tools["list_grounding_marts"]().text
        answers = {
            "describe_mart": tools["describe_mart"](mart=REVENUE),
            "get_context": tools["get_context"](mart=REVENUE, key={"customer_id": 51}),
            "get_contexts": tools["get_contexts"](mart=REVENUE, keys=[{"customer_id": 51}]),
            "check_grounding": tools["check_grounding"](mart=REVENUE),
            "explain_lineage": tools["explain_lineage"](mart=REVENUE),
        }
        checked_all = tools["check_grounding"]().text
        served = tools["get_context"](mart=HEALTH, key={"customer_id": 51})
    assert HEALTH in listing and REVENUE not in listing
    for name, answer in answers.items():
        assert answer.is_error and answer.error["error"] == "AccessDeniedError", (name, answer.text)
    assert REVENUE not in checked_all
    assert not served.is_error and "primary_contact_email:" not in served.text and "Withheld for role" in served.text


def test_ask_answers_only_from_marts_the_role_may_read(built_package) -> None:
    with opened(built_package, AGENT) as project:
        health = project.ask("Is Maple Software Ltd at risk of churning?")
        revenue = project.ask("What is the ARR of Maple Software Ltd?")
    assert health.mart == HEALTH
    assert revenue.mart != REVENUE and REVENUE not in json.dumps(revenue.as_dict())


def _cli(built: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args, "--project-dir", str(REPO_ROOT), "--target-path", str(built.target_path)],
                          capture_output=True, text=True, timeout=180, env=built.env())


def test_the_cli_exits_5_for_a_denied_mart_and_2_for_an_unknown_role(built_package) -> None:
    denied = _cli(built_package, "context", REVENUE, "--key", "customer_id=51", "--role", AGENT)
    assert denied.returncode == ExitCode.ACCESS_DENIED and "may read no node" in denied.stderr, denied.stderr
    unknown = _cli(built_package, "models", "--role", "admin")
    assert unknown.returncode == ExitCode.USAGE and "No role 'admin'" in unknown.stderr
    listed = _cli(built_package, "models", "--role", AGENT, "--format", "json")
    assert [row["model"] for row in json.loads(listed.stdout)] == [HEALTH, SUPPORT]


def test_the_server_serves_grounding_marts_only(built_package) -> None:
    """A staging model full of raw ticket bodies is one call away through the library (a developer's choice), never
    through the agent server: there it does not exist, even for the most privileged role."""
    from dbt_grounding.agent import LiveProject

    live = LiveProject(REPO_ROOT, target_path=built_package.target_path, role="restricted")
    try:
        tools = {tool.name: tool for tool in grounding_tools(live)}
        staging = tools["get_context"](mart="stg_support__tickets", key={"ticket_id": "tkt_5101"})
        mart = tools["get_context"](mart=HEALTH, key={"customer_id": 51})
    finally:
        live.close()
    assert staging.is_error and staging.error["error"] == "AccessDeniedError", staging.text
    assert not mart.is_error and "primary_contact_email" in mart.text
    with opened(built_package, "restricted") as project:
        assert project.context("stg_support__tickets", {"ticket_id": "tkt_5101"}).found


def test_ground_question_answers_as_the_role(built_package) -> None:
    with opened(built_package, AGENT) as project:
        tools = {tool.name: tool for tool in grounding_tools(project)}
        health = json.loads(tools["ground_question"](question="Is Maple Software Ltd at risk of churning?").text)
        revenue = tools["ground_question"](question="What is the ARR of Maple Software Ltd?").text
    assert health["status"] == "grounded" and health["mart"] == HEALTH
    assert health["documents"][0]["text"].startswith(f"# {HEALTH} customer_id = ")
    assert REVENUE not in revenue


def test_an_empty_listing_says_which_role_it_was_for(built_package, monkeypatch) -> None:
    monkeypatch.delenv("DBT_GROUNDING_ROLE")
    env = {key: value for key, value in built_package.env().items() if key != "DBT_GROUNDING_ROLE"}
    listed = subprocess.run([CLI, "models", "--project-dir", str(REPO_ROOT), "--target-path",
                             str(built_package.target_path)], capture_output=True, text=True, timeout=180, env=env)
    assert listed.returncode == 0 and listed.stdout.startswith("No grounding marts that role 'public' may read.")
    assert HEALTH not in listed.stdout
