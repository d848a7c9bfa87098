"""Where dbt put the artifacts and the DuckDB file, found as dbt finds them, with real dbt runs of moved_target_shop:
`target-path` in dbt_project.yml, DBT_TARGET_PATH, and a relative DuckDB path opened from the directory dbt ran in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.artifacts import dbt_run_directory, locate_target_path
from dbt_grounding.errors import WarehouseError
from moved_target_shop import Shop

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def built_shop(built_moved_target_shop: Shop, tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return Shop.copy_of(tmp_path_factory.mktemp("built_shop"), built_moved_target_shop)  # the toolkit runs on it


def test_every_command_finds_the_moved_target_path(built_shop: Shop) -> None:
    for command in (["models", "--format", "json"], ["lineage", "customers"], ["check", "--no-warehouse"]):
        result = built_shop.cli(*command)
        assert result.returncode in (0, 1), result.stderr
        assert "manifest.json not found" not in result.stderr and "Traceback" not in result.stderr
    rows = json.loads(built_shop.cli("models", "--format", "json").stdout)
    assert {row["model"]: row["build"] for row in rows} == {"customers": "success", "orders": "success"}


def test_dbt_target_path_env_wins_over_dbt_project_yml(built_shop: Shop, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shop = Shop.copy_of(tmp_path, built_shop)
    env = {"DBT_TARGET_PATH": "alt_target"}  # relative: to the project, as dbt takes it
    shop.dbt("parse", env=env)
    assert (shop.project_dir / "alt_target" / "manifest.json").is_file()  # where dbt put it
    monkeypatch.setenv("DBT_TARGET_PATH", "alt_target")
    with GroundingProject.open(shop.project_dir) as project:
        assert project.artifacts.target_path == shop.project_dir / "alt_target"
    assert shop.cli("lineage", "customers", env=env).returncode == 0
    located = locate_target_path(shop.project_dir, environ={})
    assert (located.path, "dbt_project.yml" in located.reason) == (shop.target_path, True)
    assert locate_target_path(shop.project_dir, "given", environ=env).path == shop.project_dir / "given"


def test_a_missing_manifest_says_where_the_target_path_came_from(tmp_path: Path) -> None:
    shop = Shop.copy_of(tmp_path)  # never built
    result = shop.cli("models")
    assert result.returncode == 3
    assert "build/artifacts (from target-path in dbt_project.yml)" in result.stderr


def test_relative_duckdb_path_when_dbt_ran_from_the_parent_with_project_dir(tmp_path: Path) -> None:
    shop = Shop.copy_of(tmp_path)
    shop.dbt("build", cwd=shop.root, project_dir="shop")  # dbt writes <root>/shop.duckdb, not <root>/shop/shop.duckdb
    assert (shop.root / "shop.duckdb").is_file() and not shop.duckdb_path.exists()
    with GroundingProject.open(shop.project_dir) as project:
        assert project.dbt_run_directory().path == shop.root.resolve()
        assert project.context("customers", {"customer_id": 3}).found


def test_relative_duckdb_path_when_dbt_ran_from_a_sibling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = Shop.copy_of(tmp_path)
    sibling = shop.root / "elsewhere"
    sibling.mkdir()
    shop.dbt("build", cwd=sibling, project_dir="../shop")
    assert (sibling / "shop.duckdb").is_file()
    # run where dbt ran, the toolkit finds the file: `../shop` leads to the project from there
    result = shop.cli("context", "customers", "--key", "customer_id=3", cwd=sibling)
    assert result.returncode == 0, result.stderr
    # from anywhere else the sibling's name is lost: the error says where it looked and why
    monkeypatch.chdir(shop.root)
    with GroundingProject.open(shop.project_dir) as project:
        with pytest.raises(WarehouseError) as caught:
            project.context("customers", {"customer_id": 3})
    message = caught.value.message
    assert str(shop.duckdb_path.resolve()) in message
    assert "'shop.duckdb' is relative to the directory dbt ran in" in message
    assert "--project-dir ../shop from a directory whose name it does not record" in message


@pytest.mark.parametrize("recorded, command, expected", [
    (None, None, "project"),
    ("/abs/shop", "dbt build", "project"),
    ("shop", "dbt build --project-dir shop", "parent"),
    ("./a/shop", "dbt build --project-dir ./a/shop", "grandparent"),
    ("../shop", "dbt build --project-dir ../shop", "cwd"),
])
def test_the_directory_dbt_ran_in_from_what_run_results_recorded(tmp_path: Path, recorded, command, expected) -> None:
    project = tmp_path / "x" / "a" / "shop"
    project.mkdir(parents=True)
    cwd = tmp_path / "x" / "a" / "sibling"
    recorded = str(project) if recorded == "/abs/shop" else recorded
    located = dbt_run_directory(project, recorded, command, cwd=cwd)
    assert located.path == {"project": project, "parent": project.parent, "grandparent": project.parent.parent,
                            "cwd": cwd}[expected]
    assert located.reason


def test_a_corrupt_build_record_is_ignored_with_a_warning_and_rebuilt(built_shop: Shop, tmp_path: Path) -> None:
    shop = Shop.copy_of(tmp_path, built_shop)
    with GroundingProject.open(shop.project_dir) as project:
        assert project.build("customers").succeeded
    record = shop.target_path / "dbt_grounding" / "build_results.json"
    for corrupt in (b"{not json", b"[1, 2]", record.read_bytes()[:50], b'{"format": 99}'):
        record.write_bytes(corrupt)
        with GroundingProject.open(shop.project_dir) as project:
            assert any("build_results.json" in w and "ignored" in w for w in project.warnings)
            assert project.build("customers").succeeded  # rebuilt from run_results.json, which a build wrote
        assert json.loads(record.read_text())["format"] == 1
    (shop.target_path / "run_results.json").unlink()
    record.write_bytes(b"\x00\xff")
    result = shop.cli("context", "customers", "--key", "customer_id=3")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "run_results.json is missing" in result.stderr and "UnknownBuild" not in result.stderr
    shutil.rmtree(shop.target_path / "dbt_grounding")
