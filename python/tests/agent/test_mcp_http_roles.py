"""`dbt-grounding serve --http` serves each connection as the role of its bearer token (grounding_roles.yml
`tokens:`, here the demo's `env:` entries): the SDK's real streamable HTTP client against the installed server on a
copy of the demo build. Without a token a connection is public (the demo's marts are all internal or restricted:
it sees none); an unknown token is refused with 401; a session is bound to the token that opened it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from agent.mcp_session import CLI
from dbt_grounding.errors import ExitCode
from dbt_runner import REPO_ROOT, DbtProject, copy_build
from engines import free_port

pytestmark = pytest.mark.dbt
HEALTH, REVENUE, SUPPORT = "fct_customer_health_summary", "fct_customer_revenue_summary", "fct_customer_support_digest"
TOKENS = {"customer_success_agent": "cs-token-for-tests", "account_manager_assistant": "am-token-for-tests"}
TOKEN_ENV = {"customer_success_agent": "DBT_GROUNDING_TOKEN_CUSTOMER_SUCCESS_AGENT",
             "account_manager_assistant": "DBT_GROUNDING_TOKEN_ACCOUNT_MANAGER_ASSISTANT"}
CUSTOMER = {"customer_id": 12}


@dataclass(frozen=True)
class Answer:
    text: str
    is_error: bool


@dataclass(frozen=True)
class HttpServer:
    url: str
    process: subprocess.Popen

    def calls(self, token: str | None, *calls: tuple[str, dict]) -> list[Answer]:
        """`calls` (tool, arguments) in one MCP session opened with `token` (None: no Authorization header)."""
        async def run() -> list[Answer]:
            headers = {"Authorization": f"Bearer {token}"} if token is not None else None
            async with create_mcp_http_client(headers=headers) as http:
                async with Client(streamable_http_client(self.url, http_client=http)) as client:
                    answers = []
                    for tool, arguments in calls:
                        result = await client.call_tool(tool, arguments)
                        answers.append(Answer(result.content[0].text, bool(result.is_error)))
                    return answers

        return anyio.run(run)


@pytest.fixture(scope="module")
def http_server(built_package: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    project = copy_build(built_package, tmp_path_factory.mktemp("http_roles"))
    port = free_port()
    env = {**project.env(), **{TOKEN_ENV[role]: token for role, token in TOKENS.items()}}
    env.pop("DBT_GROUNDING_ROLE", None)
    server = subprocess.Popen([CLI, "serve", "--http", str(port), "--project-dir", str(REPO_ROOT), "--target-path",
                               str(project.target_path)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while True:  # listening once an unauthenticated GET gets any HTTP answer
            try:
                httpx2.get(url, timeout=2)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(f"the server did not start: {server.stderr.read() if server.poll() else ''}")
                time.sleep(0.2)
        yield HttpServer(url, server)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _marts(answer: Answer) -> list[str]:
    return [line.split(":")[0][2:] for line in answer.text.splitlines() if line.startswith("- ")]


def test_two_tokens_two_roles_on_one_server(http_server: HttpServer) -> None:
    agent = http_server.calls(TOKENS["customer_success_agent"], ("list_grounding_marts", {}),
                              ("get_context", {"mart": HEALTH, "key": CUSTOMER, "form": "markdown"}),
                              ("get_context", {"mart": REVENUE, "key": CUSTOMER}),
                              ("describe_mart", {"mart": REVENUE}))
    manager = http_server.calls(TOKENS["account_manager_assistant"], ("list_grounding_marts", {}),
                                ("get_context", {"mart": HEALTH, "key": CUSTOMER, "form": "markdown"}),
                                ("get_context", {"mart": REVENUE, "key": CUSTOMER}),
                                ("describe_mart", {"mart": REVENUE}))
    assert _marts(agent[0]) == [HEALTH, SUPPORT]  # the revenue mart is restricted: not listed
    assert _marts(manager[0]) == [HEALTH, REVENUE, SUPPORT]

    assert not agent[1].is_error and not manager[1].is_error
    assert "primary_contact_email" not in agent[1].text.replace("Withheld for role customer_success_agent: "
                                                                "primary_contact_email", "")
    assert "Withheld for role customer_success_agent: primary_contact_email" in agent[1].text
    assert "primary_contact_email" in manager[1].text and "Withheld for role" not in manager[1].text

    assert agent[2].is_error and f"Role 'customer_success_agent' may read no node named {REVENUE!r}" in agent[2].text
    assert not manager[2].is_error and manager[2].text.startswith(f"# {REVENUE} customer_id = 12"), manager[2].text

    assert agent[3].is_error and agent[3].text.splitlines()[0] == agent[2].text.splitlines()[0]  # worded alike
    assert not manager[3].is_error and manager[3].text.startswith(f"# {REVENUE}"), manager[3].text


def test_no_token_is_served_as_public(http_server: HttpServer) -> None:
    listed, health, support = http_server.calls(None, ("list_grounding_marts", {}),
                                                ("get_context", {"mart": HEALTH, "key": CUSTOMER}),
                                                ("explain_lineage", {"mart": SUPPORT}))
    assert not listed.is_error and _marts(listed) == []  # every demo mart is internal or restricted
    for denied, mart in ((health, HEALTH), (support, SUPPORT)):
        assert denied.is_error and f"Role 'public' may read no node named {mart!r}" in denied.text, denied.text


@pytest.mark.parametrize("authorization", ["Bearer not-a-known-token", f"Bearer {TOKENS['customer_success_agent']}x",
                                           "Basic dXNlcjpwYXNz", "Bearer"])
def test_an_unknown_token_is_refused_with_401(http_server: HttpServer, authorization: str) -> None:
    response = httpx2.post(http_server.url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                           headers={"Authorization": authorization, "Accept": "application/json, text/event-stream"},
                           timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_the_sdk_client_with_an_unknown_token_gets_nothing(http_server: HttpServer) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the SDK's transport error type is its own affair
        http_server.calls("wrong", ("list_grounding_marts", {}))
    # the client cannot even initialize: the server answered its first request with the 401 (no session, no call)
    assert "Server returned an error response" in repr(raised.value), repr(raised.value)


def test_a_session_is_bound_to_the_token_that_opened_it(http_server: HttpServer) -> None:
    """A connection's role cannot be switched or borrowed: another token on its session id finds no session."""
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "test", "version": "0"}}}
    opened = httpx2.post(http_server.url, json=initialize, timeout=10,
                         headers={**accept, "Authorization": f"Bearer {TOKENS['customer_success_agent']}"})
    assert opened.status_code == 200, opened.text
    session = opened.headers["mcp-session-id"]
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    for authorization in (f"Bearer {TOKENS['account_manager_assistant']}", None):
        headers = {**accept, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18"}
        if authorization:
            headers["Authorization"] = authorization
        response = httpx2.post(http_server.url, json=listing, headers=headers, timeout=10)
        assert response.status_code == 404, (authorization, response.status_code, response.text)


def test_role_with_http_is_a_usage_error(tmp_path) -> None:
    """One role for every HTTP client is what the tokens replace: refused before anything is served."""
    refused = subprocess.run([CLI, "serve", "--http", str(free_port()), "--role", "restricted", "--project-dir",
                              str(REPO_ROOT), "--target-path", str(tmp_path)], capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == ExitCode.USAGE, refused.stderr
    assert "--role cannot be given with --http" in refused.stderr and "tokens:" in refused.stderr


def test_describe_mart_names_the_columns_a_role_may_not_see_and_nothing_more(http_server: HttpServer) -> None:
    """describe_mart as each role sees it: a column the role may not see (the customer success agent may not see
    e-mail addresses) is named under "Withheld" only, with no type, meaning, rule or lineage, as documents leave it
    out of records, and explain_lineage refuses it; a role that may see it gets its full line and its lineage, and no
    Withheld section; public reads no such mart."""
    email = ("explain_lineage", {"mart": HEALTH, "column": "primary_contact_email"})
    unknown = ("explain_lineage", {"mart": HEALTH, "column": "no_such_column"})
    agent, agent_email, agent_unknown = http_server.calls(TOKENS["customer_success_agent"],
                                                          ("describe_mart", {"mart": HEALTH}), email, unknown)
    manager, manager_email = http_server.calls(TOKENS["account_manager_assistant"],
                                               ("describe_mart", {"mart": HEALTH}), email)
    (public,) = http_server.calls(None, ("describe_mart", {"mart": HEALTH}))
    assert not agent.is_error and not manager.is_error, (agent.text, manager.text)
    columns, withheld = agent.text.split("\n## Withheld\n")
    assert "primary_contact_email" not in columns and "E-mail address" not in agent.text
    assert withheld.strip().startswith("Not shown to this role: primary_contact_email. ")
    assert "- account_owner (varchar, personal data: person_name, masked): The employee" in columns  # it may see
    assert "- primary_contact_email (varchar, personal data: email, masked): E-mail address" in manager.text
    assert "## Withheld" not in manager.text
    assert public.is_error and f"Role 'public' may read no node named {HEALTH!r}" in public.text
    # its lineage is withheld as well, and the columns an error suggests are those the role may see
    assert agent_email.is_error and "may not see fct_customer_health_summary.primary_contact_email" in agent_email.text
    assert "contact_email" not in agent_email.text.replace("primary_contact_email", "")
    assert agent_unknown.is_error and "account_owner" in agent_unknown.text
    assert "primary_contact_email" not in agent_unknown.text
    assert not manager_email.is_error and "crm.customers.contact_email" in manager_email.text
