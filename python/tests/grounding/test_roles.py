"""Roles: the built-in ones, a project's grounding_roles.yml, the default (least privileged) and what each withholds."""

from __future__ import annotations

import hashlib

import pytest

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.grounding.roles import ROLES_FILE, load_roles


def _roles(tmp_path, text: str | None):
    if text is not None:
        (tmp_path / ROLES_FILE).write_text(text, encoding="utf-8")
    return load_roles(tmp_path)


def test_without_a_file_the_default_role_is_public_and_sees_only_public(tmp_path):
    role = _roles(tmp_path, None).resolve(environ={})
    assert role.name == "public"
    assert [level for level in ("public", "internal", "restricted") if role.may_read(level)] == ["public"]
    assert role.withheld({"email": {"pii": "email"}, "plan": {}}) == {"email": "personal data (email)"}


def test_the_environment_names_the_role_when_the_caller_does_not(tmp_path):
    roles = _roles(tmp_path, None)
    assert roles.resolve(environ={"DBT_GROUNDING_ROLE": "internal"}).name == "internal"
    assert roles.resolve("restricted", environ={"DBT_GROUNDING_ROLE": "internal"}).name == "restricted"


def test_a_project_role_sees_its_level_and_its_pii_kinds_only(tmp_path):
    roles = _roles(tmp_path, """
roles:
  support_agent:
    description: the support assistant
    access: internal
    pii: [person_name, FREE_TEXT]
""")
    agent = roles.resolve("support_agent", environ={})
    assert agent.may_read("internal") and not agent.may_read("restricted")
    columns = {
        "customer_name": {"pii": "person_name"},
        "email": {"pii": "email"},
        "notes": {"pii": "free_text"},
        "margin": {"grounding": {"access": "restricted"}},
        "plan": {"grounding": {"access": "internal"}},
    }
    assert agent.withheld(columns) == {"email": "personal data (email)", "margin": "access restricted"}
    assert roles.resolve("restricted", environ={}).withheld(columns) == {}


def test_an_unknown_level_counts_as_the_highest(tmp_path):
    internal = _roles(tmp_path, None).resolve("internal", environ={})
    assert not internal.may_read("secret")
    assert internal.withheld({"x": {"grounding": {"access": "secret"}}}) == {"x": "access secret"}


def test_an_unknown_role_lists_the_roles(tmp_path):
    with pytest.raises(ConfigurationError, match=r"No role 'admin' \(given\); the roles are internal, public, restricted"):
        _roles(tmp_path, None).resolve("admin", environ={})
    with pytest.raises(ConfigurationError, match="from DBT_GROUNDING_ROLE"):
        _roles(tmp_path, None).resolve(environ={"DBT_GROUNDING_ROLE": "admin"})


@pytest.mark.parametrize("text, problem", [
    ("roles: [a, b]", "must hold one mapping"),
    ("roles: {x: {access: secret}}", r"roles\.x\.access must be one of public, internal, restricted"),
    ("roles: {x: {access: public, pii: 3}}", r"roles\.x\.pii must be a list"),
    ("roles: {x: {access: public, colour: red}}", r"roles\.x must be a mapping of access, description, pii"),
    ("roles: {internal: {access: public}}", "redefines the built-in role 'internal'"),
    ("roles: {x: [unclosed", "is not valid YAML"),
    ("users: {}", "must hold one mapping"),
])
def test_a_malformed_file_says_what_and_where(tmp_path, text, problem):
    with pytest.raises(ConfigurationError, match=problem) as raised:
        _roles(tmp_path, text)
    assert raised.value.details["path"].endswith(ROLES_FILE)


DIGEST = hashlib.sha256(b"a-manager-token").hexdigest()


def test_tokens_map_to_roles_by_digest_and_the_file_holds_no_token(tmp_path):
    roles = _roles(tmp_path, f"""
roles:
  support_agent: {{access: internal}}
tokens:
  support_agent:
    - env: SUPPORT_TOKEN
    - sha256: {DIGEST.upper()}
  restricted:
    - env: UNSET_TOKEN
""")
    digests, warnings = roles.token_digests({"SUPPORT_TOKEN": "s3cret"})
    assert digests == {hashlib.sha256(b"s3cret").hexdigest(): "support_agent", DIGEST: "support_agent"}
    assert warnings == [f"{ROLES_FILE}: tokens.restricted: $UNSET_TOKEN is not set, so no connection is served as "
                        "restricted through it"]
    assert roles.token_digests({"SUPPORT_TOKEN": "s3cret", "UNSET_TOKEN": "r00t"})[0][
        hashlib.sha256(b"r00t").hexdigest()] == "restricted"  # a built-in role may have tokens too
    assert _roles(tmp_path, "roles: {}\n").token_digests({}) == ({}, [])


def test_one_token_for_two_roles_is_refused(tmp_path):
    roles = _roles(tmp_path, "tokens: {internal: [{env: A}], restricted: [{env: B}]}\n")
    with pytest.raises(ConfigurationError, match="One bearer token is given to two roles") as raised:
        roles.token_digests({"A": "same", "B": "same"})
    assert "same" not in raised.value.message  # the token is never echoed
    assert roles.token_digests({"A": "one", "B": "other"})[0] == {
        hashlib.sha256(b"one").hexdigest(): "internal", hashlib.sha256(b"other").hexdigest(): "restricted"}


@pytest.mark.parametrize("text, problem", [
    ("tokens: [a]", "tokens must be a mapping of role names"),
    ("tokens: {admin: [{env: A}]}", r"gives tokens to 'admin', which is no role \(the roles are internal"),
    ("tokens: {internal: []}", r"tokens\.internal must be a list"),
    ("tokens: {internal: [{token: hunter2}]}", "the file never holds a token itself"),
    ("tokens: {internal: [{env: A, sha256: b}]}", "an entry that is neither `env: VAR`"),
    ("tokens: {internal: [{env: 'not a name'}]}", r"tokens\.internal: env must name an environment variable"),
    ("tokens: {internal: [{sha256: hunter2}]}", r"sha256 must be the 64 hex digits"),
])
def test_a_malformed_tokens_section_says_what_and_where(tmp_path, text, problem):
    with pytest.raises(ConfigurationError, match=problem) as raised:
        _roles(tmp_path, text)
    assert raised.value.details["path"].endswith(ROLES_FILE)
    assert "hunter2" not in raised.value.message  # what may be a token is never echoed
