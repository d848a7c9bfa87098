"""What the grounding layer must give on every engine, measured on DuckDB (the reference build) for the PostgreSQL and
Spark test modules: the same documents, the same lineage, the same explanations of drift."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from dbt_grounding import GroundingProject
from dbt_runner import DbtProject

MART = "fct_customer_health_summary"
MART_ID = f"model.dbt_grounding.{MART}"
CUSTOMER = 51
NO_SUCH_CUSTOMER = 987654
# The document without what names the engine or the build (relation spelling, invocation id, build time, hash)
DATA_SECTIONS = ("model", "unique_id", "entity", "access", "summary", "key", "found", "no_match", "rows", "columns",
                 "sources", "omitted", "warnings")
EMAIL_LINEAGE = (f"{MART}.primary_contact_email <- dim_customers.contact_email <- stg_crm__customers.contact_email "
                 "<- base_crm__customers.contact_email <- crm.customers.contact_email")
HOSTILE_KEYS = ["1; drop table main_ai_grounding.fct_customer_health_summary", "' or 1=1 --", "' or ''='",
                "1) union select * from information_schema.tables --", "Maple Software Ltd' --"]


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """The profile is rendered from os.environ when the warehouse opens: set a target's variables around it."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield


def open_project(project: DbtProject, **options: Any) -> GroundingProject:
    return GroundingProject.open(project.project_dir, target_path=project.target_path, **options)


def data_sections(document_json: str) -> dict[str, Any]:
    document = json.loads(document_json)
    data = {section: document[section] for section in DATA_SECTIONS}
    freshness = document["freshness"]
    data["freshness"] = {name: freshness[name] for name in ("status", "policy", "as_of")}
    data["tests"] = sorted((test["unique_id"], test["status"]) for test in document["tests"])
    return data


def documents(project: DbtProject, env: Mapping[str, str]) -> dict[int, dict[str, Any]]:
    """Data sections of the documents of CUSTOMER and NO_SUCH_CUSTOMER, read through the target `env` selects."""
    with environment(env), open_project(project) as grounding:
        return {customer: data_sections(grounding.context(MART, key={"customer_id": customer}).to_json())
                for customer in (CUSTOMER, NO_SUCH_CUSTOMER)}


def duckdb_env(project: DbtProject) -> dict[str, str]:
    return {"DBT_GROUNDING_TARGET": "duckdb", "DBT_GROUNDING_DUCKDB_PATH": str(project.duckdb_path)}


def column_lineage_paths(project: DbtProject) -> dict[str, list[list[tuple[str, str]]]] | None:
    """Every mart column's lineage paths down to source columns, traced from the project's manifest (no warehouse)."""
    from dbt_grounding.grounding.lineage_memory import lineage_paths

    with open_project(project) as grounding:
        return lineage_paths(grounding.lineage(MART, columns=True))


def mart_columns(project: DbtProject) -> list[str]:
    with open_project(project) as grounding:
        return list(grounding.node(MART).columns)
