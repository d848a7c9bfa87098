"""Real artifacts for the lineage tests: the package built by dbt (session fixture `built_package`), the same with
a catalog.json, and the small `lineage_project/` built by dbt (ephemeral model, snapshot, Python model, UNION...)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest

from dbt_grounding.artifacts import Catalog, Manifest, load_catalog, load_manifest
from dbt_runner import AS_OF_DATE, REPO_ROOT, DbtProject
from shared_builds import build_once

LINEAGE_PROJECT_DIR = Path(__file__).parent / "lineage_project"


@pytest.fixture(scope="session")
def package_manifest(built_package: DbtProject) -> Manifest:
    return load_manifest(built_package.target_path / "manifest.json")


@pytest.fixture(scope="session")
def package_with_catalog(built_package: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A target folder with manifest.json and catalog.json from `dbt docs generate`, run on a copy of the built
    package's work dir: docs generate rewrites manifest.json, and the shared target dir must stay as built."""

    def generate(root: Path) -> Path:
        work_dir = root / "work"
        shutil.copytree(built_package.work_dir, work_dir, ignore=shutil.ignore_patterns("logs", "*.tmp"))
        project = DbtProject(REPO_ROOT, work_dir)
        project.run("docs", "generate", "--vars", f"{{dbt_grounding_as_of_date: '{AS_OF_DATE}'}}")
        return project.target_path

    return build_once(tmp_path_factory, "package_docs", generate)


@pytest.fixture(scope="session")
def package_catalog(package_with_catalog: Path) -> Catalog:
    return load_catalog(package_with_catalog / "catalog.json")


@pytest.fixture(scope="session")
def lineage_project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:

    def build(work_dir: Path) -> DbtProject:
        project = DbtProject(LINEAGE_PROJECT_DIR, work_dir)
        project.run("build")
        return project

    return build_once(tmp_path_factory, "lineage_project", build)


@pytest.fixture(scope="session")
def project_manifest(lineage_project: DbtProject) -> Manifest:
    return load_manifest(lineage_project.target_path / "manifest.json")


@pytest.fixture()
def edited_manifest(
    built_package: DbtProject, tmp_path: Path
) -> Callable[[Callable[[dict[str, Any]], None]], Manifest]:
    """A copy of the built package's manifest.json changed by `edit(raw_json_dict)`, loaded: the only way to get
    artifacts dbt does not write (a model without compiled SQL after `dbt build`, SQL sqlglot cannot read...)."""

    def make(edit: Callable[[dict[str, Any]], None]) -> Manifest:
        raw = json.loads((built_package.target_path / "manifest.json").read_text(encoding="utf-8"))
        edit(raw)
        path = tmp_path / "edited" / "manifest.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(raw), encoding="utf-8")
        return load_manifest(path)

    return make
