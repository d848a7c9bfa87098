"""lineage.traced: answers worked out from compiled SQL are read back only for the very artifacts they came from."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_artifacts
from dbt_grounding.lineage import traced
from dbt_grounding.lineage.project_lineage import ProjectLineage
from dbt_runner import DbtProject

MART = "model.dbt_grounding.fct_customer_health_summary"


def _copy(built_package: DbtProject, folder: Path) -> Path:
    folder.mkdir()
    shutil.copy2(built_package.target_path / "manifest.json", folder / "manifest.json")
    return folder


@pytest.mark.dbt
def test_the_key_follows_the_manifest_and_the_catalog(built_package: DbtProject, tmp_path: Path) -> None:
    target = _copy(built_package, tmp_path / "target")
    manifest = load_artifacts(target).manifest
    key = traced.trace_key(manifest, target)
    assert key is not None and traced.trace_key(manifest, target) == key
    stat = os.stat(target / "manifest.json")
    os.utime(target / "manifest.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    touched = traced.trace_key(manifest, target)
    assert touched not in (None, key)
    (target / "catalog.json").write_text("{}")  # a catalog written after the trace (`dbt docs generate`)
    assert traced.trace_key(manifest, target) not in (None, key, touched)
    (target / "manifest.json").unlink()
    assert traced.trace_key(manifest, target) is None  # nothing to stamp: always worked out


@pytest.mark.dbt
def test_paths_are_read_back_for_the_same_artifacts_and_traced_again_for_others(built_package: DbtProject,
                                                                                 tmp_path: Path) -> None:
    target = _copy(built_package, tmp_path / "target")
    artifacts = load_artifacts(target)
    first = ProjectLineage(artifacts.manifest, artifacts.catalog, target)
    paths = first.traced_paths(MART)
    assert paths and first._columns  # traced: the column lineage was computed
    again = ProjectLineage(artifacts.manifest, artifacts.catalog, target)
    assert again.traced_paths(MART) == paths and not again._columns  # read back, nothing traced
    kept = traced.traced_file(target, "paths", MART)
    kept.write_bytes(b'{"key": 5')  # unreadable: worked out again and rewritten
    third = ProjectLineage(artifacts.manifest, artifacts.catalog, target)
    assert third.traced_paths(MART) == paths and third._columns
    stat = os.stat(target / "manifest.json")
    os.utime(target / "manifest.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    fourth = ProjectLineage(artifacts.manifest, artifacts.catalog, target)
    assert fourth.traced_paths(MART) == paths and fourth._columns  # another stamp: traced again
