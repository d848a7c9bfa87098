"""What the gate checks in a plain dbt project (no meta.grounding; checks.scope): the models an exposure depends on,
else the marts layer, else every model with a key. On real projects dbt parsed or built: the plain fixture as it is
(flat, no exposure), copies of it given an exposure or a marts folder, and bikeshare_views (layered, no exposure)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_manifest
from dbt_grounding.checks.scope import gate_scope
from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt

PLAIN = REPO_ROOT / "python" / "tests" / "fixtures" / "plain_project"
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
EXPOSURE = """version: 2
exposures:
  - name: order_desk
    type: application
    owner: {name: Order desk}
    depends_on: ["ref('orders')"]
"""


def plain_copy(tmp_path: Path, change) -> DbtProject:
    """The plain fixture copied and changed by `change(project_dir)`, parsed by dbt."""
    copy = tmp_path / "plain_shop"
    shutil.copytree(PLAIN, copy, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb"))
    change(copy)
    project = DbtProject(copy, tmp_path / "work", duckdb_path_env_var="PLAIN_SHOP_DUCKDB_PATH")
    return project


def scope_names(project: DbtProject) -> tuple[list[str], str]:
    chosen = gate_scope(load_manifest(project.target_path / "manifest.json"))
    return [node.name for node in chosen.nodes], chosen.rule


def check_json(project: DbtProject) -> dict:
    result = subprocess.run([CLI, "check", "--no-warehouse", "--format", "json", "--project-dir",
                             str(project.project_dir), "--target-path", str(project.target_path)],
                            capture_output=True, text=True, timeout=180, env=project.env())
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_a_flat_plain_project_checks_every_model_with_a_key(built_plain_project: DbtProject) -> None:
    names, rule = scope_names(built_plain_project)
    assert names == ["customers", "orders"]  # unique + not_null tests; a primary key constraint
    assert rule == "no meta.grounding, exposures or marts layer: every model with a key"
    with built_plain_project.grounding() as project:
        assert project.check(use_warehouse=False).scope == rule


def test_an_exposure_chooses_the_models_it_depends_on(tmp_path: Path) -> None:
    project = plain_copy(tmp_path, lambda copy: (copy / "models" / "exposures.yml").write_text(EXPOSURE))
    project.run("build")
    assert scope_names(project) == (["orders"], "no meta.grounding: the models exposures depend on")
    report = check_json(project)
    reached = {name for finding in report["findings"] for name in finding["affected"]}
    assert "customers" not in reached  # the keyed model no exposure reads is not checked
    # the gate judged `orders`: its build and tests were read (all passed: nothing to report about it)
    assert report["summary"]["error"] == 0


def test_without_exposures_the_marts_layer_is_checked(tmp_path: Path) -> None:
    def into_marts(copy: Path) -> None:
        (copy / "models" / "marts").mkdir()
        shutil.move(copy / "models" / "customers.sql", copy / "models" / "marts" / "customers.sql")

    project = plain_copy(tmp_path, into_marts)
    project.run("parse")
    assert scope_names(project) == (["customers"], "no meta.grounding nor exposures: the models in the marts layer")


def test_a_layered_project_is_checked_on_its_marts_not_on_its_keyed_staging(built_bikeshare_views) -> None:
    manifest = load_manifest(built_bikeshare_views.target_path / "manifest.json")
    names, _ = scope_names(built_bikeshare_views)
    assert names == ["fct_trips"]
    keyed_elsewhere = [n.name for n in manifest.nodes.values() if n.resource_type == "model"
                       and "marts" not in n.fqn and any(t.test_metadata and t.test_metadata.name == "unique"
                                                        for t in manifest.tests_on(n.unique_id))]
    assert keyed_elsewhere  # the rule it replaces would have made these grounding marts too


def test_a_project_with_grounding_meta_is_checked_on_its_grounding_marts(tmp_path: Path) -> None:
    def declare(copy: Path) -> None:
        (copy / "models" / "exposures.yml").write_text(EXPOSURE)  # an exposure does not override the declaration
        yml = copy / "models" / "schema.yml"
        yml.write_text(yml.read_text().replace(
            "    description: One row per customer with their order totals.\n",
            "    description: One row per customer with their order totals.\n"
            "    config:\n      meta:\n        grounding: {entity: customer, key: customer_id}\n"))

    project = plain_copy(tmp_path, declare)
    project.run("parse")
    assert scope_names(project) == (["customers"], "the grounding marts (models with meta.grounding)")
