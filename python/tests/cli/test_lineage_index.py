"""`dbt-grounding lineage` (model level) from the manifest index, on a sandbox copy of a built fixture project: the
same answer from the index as from the JSON, and what it keeps beside the artifacts never hides a change: a renamed
project (its name is kept while dbt_project.yml's text is unchanged), a dbt_project.yml broken after the name was
kept, or one that moves the target path in a spelling only a YAML parser reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dbt_grounding.artifacts import locate_target_path
from dbt_grounding.artifacts.ownership import KNOWN_NAME_FILE
from dbt_grounding.errors import ConfigurationError, ExitCode
from inprocess import Sandbox, assert_documented, make_sandbox, run_main

pytestmark = pytest.mark.dbt
MART = "member_loans"


@pytest.fixture()
def library(built_gate_library, tmp_path: Path) -> Sandbox:
    return make_sandbox(built_gate_library, tmp_path / "sandbox")


def lineage(library: Sandbox, *args: str):
    outcome = run_main("lineage", MART, "--format", "json", *args, *library.args())
    assert_documented(outcome)
    return outcome


def test_the_index_answers_as_the_json(library: Sandbox) -> None:
    index = library.target_path / "dbt_grounding" / "manifest_index"
    answers = []
    for _ in range(2):  # decoded from manifest.json and indexed, then read from the index
        outcome = lineage(library, "--direction", "both")
        assert outcome.code == ExitCode.OK, str(outcome)
        answers.append(outcome.stdout)
        assert [path.name for path in index.iterdir()] == ["compact_graph.msgpack"]
    assert answers[0] == answers[1]
    answer = json.loads(answers[0])
    assert answer["unique_id"] == f"model.gate_library.{MART}" and answer["upstream"] and answer["edges"]
    shutil.rmtree(index)
    assert lineage(library, "--direction", "both").stdout == answers[0]


def test_a_renamed_project_is_refused_although_its_old_name_was_kept(library: Sandbox) -> None:
    assert lineage(library).code == ExitCode.OK
    assert (library.target_path / "dbt_grounding" / KNOWN_NAME_FILE).is_file()
    project_file = library.project_dir / "dbt_project.yml"
    project_file.write_text(project_file.read_text().replace("name: gate_library", "name: renamed_library"))
    outcome = lineage(library)
    assert outcome.code == ExitCode.ARTIFACTS
    assert "belong to dbt project 'gate_library', not to 'renamed_library'" in outcome.stderr
    project_file.write_text(project_file.read_text().replace("name: renamed_library", "name: gate_library"))
    assert lineage(library).code == ExitCode.OK


def test_a_broken_dbt_project_yml_is_reported_although_its_name_was_kept(library: Sandbox) -> None:
    assert lineage(library).code == ExitCode.OK
    project_file = library.project_dir / "dbt_project.yml"
    project_file.write_text(project_file.read_text() + "\nmodels: {unclosed: [\n")
    outcome = lineage(library)
    assert outcome.code == ExitCode.USAGE and "cannot read" in outcome.stderr and "dbt_project.yml" in outcome.stderr


@pytest.mark.parametrize(("line", "target"), [
    ("target-path: moved", "moved"),
    ('"target\\u002Dpath": escaped', "escaped"),  # YAML's escape: the key is target-path without those characters
    ("# no target path here", "target"),
])
def test_the_target_path_is_found_as_yaml_reads_it(tmp_path: Path, line: str, target: str) -> None:
    (tmp_path / "dbt_project.yml").write_text(f"name: shop\nversion: '1.0'\n{line}\n")
    assert locate_target_path(tmp_path, environ={}).path == tmp_path / target


def test_a_dbt_project_yml_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_bytes("name: café\n".encode("latin-1"))
    with pytest.raises(ConfigurationError):
        locate_target_path(tmp_path, environ={})
