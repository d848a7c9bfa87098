"""integration_tests/: a consumer dbt project installs the package with `local: ../` and proves its macros and
generic tests on its own data, including tests that must find exactly the bad rows they were built to find."""

from __future__ import annotations

import json

import pytest

from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def built_consumer(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    project = DbtProject(
        REPO_ROOT / "integration_tests",
        tmp_path_factory.mktemp("integration_tests"),
        duckdb_path_env_var="DBT_GROUNDING_IT_DUCKDB_PATH",
    )
    project.run("deps")
    project.run("build")
    return project


def test_consumer_project_builds_green(built_consumer: DbtProject) -> None:
    results = json.loads((built_consumer.target_path / "run_results.json").read_text())["results"]
    statuses = {r["status"] for r in results}
    assert statuses <= {"success", "pass"}, [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass")]
    tests = [r["unique_id"] for r in results if r["unique_id"].startswith("test.")]
    assert len(tests) >= 40


def test_every_public_macro_is_exercised_by_the_consumer(built_consumer: DbtProject) -> None:
    manifest = json.loads((built_consumer.target_path / "manifest.json").read_text())
    used = set()
    for node in manifest["nodes"].values():
        if node.get("package_name") == "dbt_grounding_integration_tests":
            used.update(node.get("depends_on", {}).get("macros", []))
    # macros reached through other macros count too
    closure = set(used)
    frontier = list(used)
    while frontier:
        macro = manifest["macros"].get(frontier.pop())
        for child in (macro or {}).get("depends_on", {}).get("macros", []):
            if child not in closure:
                closure.add(child)
                frontier.append(child)
    public = {
        uid for uid, macro in manifest["macros"].items()
        if macro["package_name"] == "dbt_grounding"
        and not macro["name"].startswith(("_", "default__", "duckdb__", "postgres__", "redshift__", "spark__"))
    }
    assert public, "the package's macros are missing from the consumer's manifest"
    assert sorted(public - closure) == []


def test_expected_failure_tests_really_found_their_bad_rows(built_consumer: DbtProject) -> None:
    """An expect_fail__ test passes only when it returns exactly its N > 0 bad rows (error_if and warn_if "!=N"),
    so a generic test that silently stopped finding anything would break the build."""
    manifest = json.loads((built_consumer.target_path / "manifest.json").read_text())
    results = json.loads((built_consumer.target_path / "run_results.json").read_text())["results"]
    status = {r["unique_id"]: r["status"] for r in results}
    expect_fail = {uid: node for uid, node in manifest["nodes"].items() if node["name"].startswith("expect_fail__")}
    assert len(expect_fail) >= 10
    for uid, node in expect_fail.items():
        config = node["config"]
        assert config["error_if"] == config["warn_if"], uid
        assert config["error_if"].startswith("!=") and int(config["error_if"][2:]) > 0, (uid, config["error_if"])
        assert status[uid] == "pass", (uid, status[uid])
