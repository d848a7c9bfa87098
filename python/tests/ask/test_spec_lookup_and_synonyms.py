"""meta.grounding.lookup and synonyms (mart and column) as the spec reads them, defaults on a plain project, and
malformed values as typed errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_manifest
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.grounding.spec import grounding_spec

from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
MART = "model.dbt_grounding.fct_customer_health_summary"


def test_the_demo_declares_lookup_and_synonyms(built_package: DbtProject) -> None:
    manifest = load_manifest(built_package.target_path / "manifest.json")
    spec = grounding_spec(manifest, manifest.model("fct_customer_health_summary"))
    assert spec.lookup == ("customer_name",)
    assert "at risk" in spec.synonyms
    columns = dict(spec.column_synonyms)
    assert columns["annual_recurring_revenue"] == ("ARR", "annual revenue", "recurring revenue")
    assert "customer_id" not in columns  # only columns that declare synonyms


def test_a_plain_project_looks_rows_up_by_its_name_columns(built_plain_project: DbtProject) -> None:
    manifest = load_manifest(built_plain_project.target_path / "manifest.json")
    assert grounding_spec(manifest, manifest.model("customers")).lookup == ("full_name",)
    assert grounding_spec(manifest, manifest.model("orders")).lookup == ()
    assert grounding_spec(manifest, manifest.model("customers")).synonyms == ()


@pytest.mark.parametrize("block, column_block, field, message", [
    ({"lookup": ["nope"]}, None, "lookup", "lookup names columns the model does not document: nope"),
    ({"lookup": []}, None, "lookup", "lookup must be a column name or a list of them"),
    ({"lookup": [3]}, None, "lookup", "lookup must be a column name or a list of them"),
    ({"synonyms": {"ARR": "annual_recurring_revenue"}}, None, "synonyms", "synonyms must be a phrase or a list"),
    ({"synonyms": ["ok", " "]}, None, "synonyms", "synonyms must be a phrase or a list"),
    ({}, {"synonyms": 12}, "synonyms", "column health_status: config.meta.grounding.synonyms must be a phrase"),
])
def test_malformed_lookup_or_synonyms_name_the_field(built_package: DbtProject, tmp_path: Path, block,
                                                       column_block, field, message) -> None:
    raw = json.loads((built_package.target_path / "manifest.json").read_text())
    node = raw["nodes"][MART]
    node["config"]["meta"]["grounding"] = {**node["config"]["meta"]["grounding"], **block}
    if column_block is not None:
        column = node["columns"]["health_status"]
        column["config"]["meta"]["grounding"] = {**column["config"]["meta"]["grounding"], **column_block}
    (tmp_path / "manifest.json").write_text(json.dumps(raw))
    manifest = load_manifest(tmp_path / "manifest.json")
    with pytest.raises(ConfigurationError) as caught:
        grounding_spec(manifest, manifest.model("fct_customer_health_summary"))
    assert caught.value.details["field"] == field
    assert message in caught.value.message and "fct_customer_health_summary" in caught.value.message
