"""Helpers of the eval tests: the demo's golden set, projects opened on a session build, raw personal data."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from dbt_grounding.project import GroundingProject

from dbt_runner import REPO_ROOT, DbtProject

DEMO_GOLDEN = REPO_ROOT / "examples" / "golden" / "demo_golden.yml"
CLI = str(Path(sys.executable).with_name("dbt-grounding"))


def raw_pii() -> tuple[tuple[str, str], ...]:
    """Every e-mail, phone and person name of the raw CSVs, read here (not from the warehouse) so the leak check
    does not depend on the meta the toolkit reads."""
    found = []
    columns = {"crm_customers": {"contact_name": "person_name", "account_owner": "person_name",
                                 "contact_email": "email", "contact_phone": "phone"},
               "product_logins": {"user_email": "email"}}
    for table, kinds in columns.items():
        with open(REPO_ROOT / "seeds" / "raw" / f"{table}.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                found += [(kind, row[column]) for column, kind in kinds.items() if row[column]]
    return tuple(found)


@pytest.fixture(scope="module")
def open_demo(built_package: DbtProject):
    """(role, clock) -> the demo build opened as that role with that clock, the profile pointed at its file."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))

        def opener(role, clock):
            return GroundingProject.open(REPO_ROOT, target_path=built_package.target_path, role=role, clock=clock,
                                         warehouse_options={"hold_ms": 1000})

        yield opener
