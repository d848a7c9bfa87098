"""The eval tests' fixture: the demo build opened per role and clock."""

from __future__ import annotations

import pytest

from dbt_grounding.project import GroundingProject

from dbt_runner import REPO_ROOT, DbtProject


@pytest.fixture(scope="module")
def open_demo(built_package: DbtProject):
    """(role, clock) -> the demo build opened as that role with that clock, the profile pointed at its file."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))

        def opener(role, clock):
            return GroundingProject.open(REPO_ROOT, target_path=built_package.target_path, role=role, clock=clock,
                                         warehouse_options={"hold_ms": 1000}, telemetry="off")

        yield opener
