"""What the grounding layer must give on every engine, measured on DuckDB (the reference build) for the PostgreSQL and
Spark test modules: the same documents, the same lineage, the same explanations of drift."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.errors import GroundingError
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
    from dbt_grounding.lineage.memory import lineage_paths

    with open_project(project) as grounding:
        return lineage_paths(grounding.column_lineage(MART))


def mart_columns(project: DbtProject) -> list[str]:
    with open_project(project) as grounding:
        return list(grounding.node(MART).columns)


def refusal(project: DbtProject, error: type[GroundingError]) -> GroundingError:
    """The `error` the mart's document for CUSTOMER is refused with (the warehouse changed behind dbt's back)."""
    with open_project(project) as grounding, pytest.raises(error) as caught:
        grounding.context(MART, key={"customer_id": CUSTOMER})
    return caught.value


def check_dropped_email_is_explained(error: GroundingError) -> None:
    """The mart's primary_contact_email dropped: one missing column, with its lineage down to the source."""
    differences = error.details["differences"]
    assert [(d["column"], d["kind"]) for d in differences] == [("primary_contact_email", "missing")]
    assert differences[0]["lineage"] == [EMAIL_LINEAGE]


def check_retyped_contract_value(error: GroundingError, found: str) -> None:
    """total_contract_value cast to another type: one type change from the declared decimal(18, 2) to `found`."""
    (difference,) = error.details["differences"]
    assert (difference["column"], difference["kind"], difference["expected"], difference["found"]) == (
        "total_contract_value", "type_changed", "decimal(18, 2)", found)


def check_no_match_says_not_to_guess(project: DbtProject) -> None:
    with open_project(project) as grounding:
        document = grounding.context(MART, key={"customer_id": NO_SUCH_CUSTOMER})
    assert document.found is False and "Do not guess" in document.to_markdown()


def check_lineage_is_duckdbs(built_package: DbtProject, engine_build: DbtProject, adapter: str) -> None:
    """Artifact-only, from the manifest the engine's adapter wrote (its compiled SQL parsed in its dialect): the same
    column lineage as on DuckDB, the same upstream nodes."""
    paths = column_lineage_paths(engine_build)
    assert paths is not None and paths == column_lineage_paths(built_package)
    with open_project(engine_build) as grounding:
        assert grounding.manifest.metadata.adapter_type == adapter
        upstream = {node.unique_id for node in grounding.lineage(MART, direction="up").upstream}
    assert {"source.dbt_grounding.crm.customers", "model.dbt_grounding.dim_customers"} <= upstream


def check_gate_is_clean(project: DbtProject) -> None:
    with open_project(project) as grounding:
        result = grounding.check()
    assert result.findings == []
    assert not any("warehouse" in line for line in result.skipped)
