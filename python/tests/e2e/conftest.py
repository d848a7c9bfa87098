"""Scratch copies of the built package: drift and failure scenarios change a copy, never the shared build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dbt_runner import REPO_ROOT, DbtProject


def copy_build(built: DbtProject, work_dir: Path) -> DbtProject:
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(built.duckdb_path, work_dir / "warehouse.duckdb")
    shutil.copytree(built.target_path, work_dir / "target")
    return DbtProject(REPO_ROOT, work_dir)


@pytest.fixture()
def scratch(built_package: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DbtProject:
    """A copy of the built warehouse and artifacts; the profile's DuckDB path points at the copy."""
    project = copy_build(built_package, tmp_path / "scratch")
    monkeypatch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(project.duckdb_path))
    return project


def copy_project_sources(destination: Path) -> Path:
    """The package's dbt sources (no venv, no build output), to change a model and rebuild for real."""
    ignore = shutil.ignore_patterns(".venv", ".git", "target", "logs", "dbt_packages", "*.duckdb", "python",
                                    "benchmarks", "integration_tests", "__pycache__")
    shutil.copytree(REPO_ROOT, destination, ignore=ignore)
    return destination
