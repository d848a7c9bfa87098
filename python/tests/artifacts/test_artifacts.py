"""Reading dbt artifacts: real ones produced by dbt, and malformed ones written by hand (the only hand-written
fixtures: dbt cannot be made to produce them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dbt_grounding.artifacts import load_artifacts, load_manifest
from dbt_grounding.errors import ArtifactError, ExitCode, UnknownNodeError
from dbt_runner import REPO_ROOT, DbtProject


@pytest.fixture(scope="module")
def target(built_package: DbtProject) -> Path:
    return built_package.target_path


def test_real_artifacts_load_with_the_fields_used(target: Path) -> None:
    artifacts = load_artifacts(target)
    manifest = artifacts.manifest
    assert manifest.metadata.adapter_type == "duckdb"
    assert manifest.metadata.invocation_id == artifacts.run_results.metadata.invocation_id
    assert artifacts.warnings == []
    mart = manifest.model("fct_customer_health_summary")
    assert mart.contract_enforced
    assert mart.merged_meta["grounding"]["key"] == ["customer_id"]
    assert mart.columns["primary_contact_email"].merged_meta == {"pii": "email"}
    assert mart.columns["customer_id"].data_type == "bigint"
    assert mart.compiled_code and "select" in mart.compiled_code.lower()
    assert "model.dbt_grounding.dim_customers" in manifest.parents(mart.unique_id)
    assert "exposure.dbt_grounding.customer_success_agent" in manifest.children(mart.unique_id)
    statuses = {artifacts.run_results.by_unique_id()[t.unique_id].status for t in manifest.tests_on(mart.unique_id)}
    assert statuses == {"pass"}


def test_model_lookup_accepts_name_package_name_and_unique_id(target: Path) -> None:
    manifest = load_manifest(target / "manifest.json")
    uid = "model.dbt_grounding.fct_orders"
    assert manifest.model("fct_orders").unique_id == uid
    assert manifest.model("dbt_grounding.fct_orders").unique_id == uid
    assert manifest.model(uid).unique_id == uid


def test_unknown_model_suggests_close_names(target: Path) -> None:
    manifest = load_manifest(target / "manifest.json")
    with pytest.raises(UnknownNodeError) as caught:
        manifest.model("fct_customer_health")
    assert "fct_customer_health_summary" in caught.value.details["suggestions"]
    assert caught.value.exit_code == ExitCode.USAGE


def test_missing_target_folder_says_to_run_dbt_build(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError) as caught:
        load_artifacts(tmp_path / "target")
    assert caught.value.details["problem"] == "missing"
    assert "dbt build" in caught.value.hint
    assert caught.value.exit_code == ExitCode.ARTIFACTS


def copy_target(target: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "target"
    copy.mkdir()
    for name in ("manifest.json", "run_results.json"):
        shutil.copy(target / name, copy / name)
    return copy


def test_truncated_manifest_is_reported_as_cut_off(target: Path, tmp_path: Path) -> None:
    copy = copy_target(target, tmp_path)
    data = (copy / "manifest.json").read_bytes()
    (copy / "manifest.json").write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError) as caught:
        load_artifacts(copy)
    assert caught.value.details["problem"] == "invalid_json"
    assert "manifest.json" in caught.value.message and "truncated" in caught.value.hint


@pytest.mark.parametrize("content, problem", [(b"", "empty"), (b"   \n", "empty"), (b"<html>", "invalid_json"),
                                              (b"[1, 2]", "not_a_dbt_artifact"), (b'{"nodes": {}}', "not_a_dbt_artifact")])
def test_non_manifest_content_is_an_artifact_error(tmp_path: Path, content: bytes, problem: str) -> None:
    (tmp_path / "manifest.json").write_bytes(content)
    with pytest.raises(ArtifactError) as caught:
        load_manifest(tmp_path / "manifest.json")
    assert caught.value.details["problem"] == problem


def test_manifest_v5_is_refused_with_the_dbt_version_to_regenerate_with(tmp_path: Path) -> None:
    manifest = {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v5.json",
                             "dbt_version": "1.0.0"}, "nodes": {}, "sources": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError) as caught:
        load_manifest(tmp_path / "manifest.json")
    assert caught.value.details == {"path": str(tmp_path / "manifest.json"), "problem": "unsupported_version", "version": 5}
    assert "dbt >= 1.6" in caught.value.hint


def test_unknown_fields_from_newer_dbt_patches_are_accepted(target: Path, tmp_path: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["metadata"]["brand_new_field"] = {"x": 1}
    for node in manifest["nodes"].values():
        node["added_in_a_patch_release"] = [1, 2, 3]
        node["config"]["another_new_config"] = True
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert load_manifest(tmp_path / "manifest.json").model("fct_orders").name == "fct_orders"


def test_a_field_that_matters_with_the_wrong_type_names_it(target: Path, tmp_path: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["nodes"]["model.dbt_grounding.fct_orders"]["columns"] = ["not", "a", "mapping"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError) as caught:
        load_manifest(tmp_path / "manifest.json")
    assert caught.value.details["problem"] == "unexpected_shape"
    assert "columns" in caught.value.message


def test_dbt_parse_after_a_build_warns_of_missing_compiled_sql_and_another_invocation(tmp_path: Path) -> None:
    """Real dbt: `dbt parse` rewrites manifest.json without compiled SQL and leaves the build's run_results."""
    project = DbtProject(REPO_ROOT, tmp_path)
    project.run("seed", "--select", "plan_tiers")
    project.run("parse")
    artifacts = load_artifacts(project.target_path)
    assert any("rewritten by another invocation" in w and "files have not changed" in w for w in artifacts.warnings)
    models = [n for n in artifacts.manifest.nodes.values() if n.resource_type == "model"]
    assert any(f"compiled SQL is missing for {len(models)} model(s)" in w for w in artifacts.warnings)


def test_graph_only_reading_gives_the_same_lineage_as_the_full_manifest(target: Path) -> None:
    from dbt_grounding.artifacts import load_manifest_graph
    from dbt_grounding.lineage import model_lineage

    full, graph = load_manifest(target / "manifest.json"), load_manifest_graph(target / "manifest.json")
    for name in ("fct_customer_health_summary", "stg_crm__customers"):
        assert model_lineage(graph, name) == model_lineage(full, name)
    assert graph.model("fct_orders").unique_id == "model.dbt_grounding.fct_orders"


@pytest.mark.parametrize("version", [10, 11, 12])
def test_manifest_schema_versions_of_dbt_1_6_to_1_11_are_read(target: Path, tmp_path: Path, version: int) -> None:
    """dbt 1.11 writes v12; v10 (1.6) and v11 (1.7) hold the same fields we read, so the version alone differs."""
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["metadata"]["dbt_schema_version"] = f"https://schemas.getdbt.com/dbt/manifest/v{version}.json"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert load_manifest(tmp_path / "manifest.json").model("fct_orders").name == "fct_orders"


def test_a_newer_manifest_version_asks_for_a_newer_dbt_grounding(target: Path, tmp_path: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v13.json"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError) as caught:
        load_manifest(tmp_path / "manifest.json")
    assert caught.value.details["version"] == 13 and "upgrade dbt-grounding" in caught.value.hint
