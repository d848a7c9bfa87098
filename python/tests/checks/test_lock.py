"""grounding.lock.json on the really built package, and every interface change made for real in a copy of its sources
and compiled by dbt (one `dbt compile` carries all the changes that do not interfere)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from dbt_grounding import GroundingProject
from dbt_grounding.checks.lock import Lock, build_lock, compare_lock, lock_text, parse_lock, read_lock, write_lock
from dbt_grounding.errors import ConfigurationError
from dbt_runner import DbtProject, REPO_ROOT, copy_project_sources

pytestmark = pytest.mark.dbt

PKG = "model.dbt_grounding"
HEALTH, REVENUE, DIGEST = f"{PKG}.fct_customer_health_summary", f"{PKG}.fct_customer_revenue_summary", \
    f"{PKG}.fct_customer_support_digest"
STG_CUSTOMERS = f"{PKG}.stg_crm__customers"
AGENT = "exposure.dbt_grounding.customer_success_agent"
MARTS_YML = Path("models/marts/ai_grounding/_ai_grounding__models.yml")


def open_project(project: DbtProject) -> GroundingProject:
    return GroundingProject.open(project.project_dir, target_path=project.target_path)


def edit_yml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change({m["name"]: m for m in data["models"]})
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def column(model: dict, name: str) -> dict:
    return next(c for c in model["columns"] if c["name"] == name)


def drop_column(model: dict, name: str) -> None:
    model["columns"] = [c for c in model["columns"] if c["name"] != name]


@pytest.fixture(scope="module")
def baseline_lock(built_package: DbtProject) -> Lock:
    with open_project(built_package) as project:
        return build_lock(project)


@pytest.fixture(scope="module")
def changed(built_package: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The package with many interface changes at once, compiled for real (lineage needs compiled SQL)."""
    root = tmp_path_factory.mktemp("lock_changed")
    sources = copy_project_sources(root / "project")
    work = root / "work"
    work.mkdir()
    shutil.copy(built_package.duckdb_path, work / "warehouse.duckdb")

    def marts(models: dict) -> None:
        health, revenue, digest = (models[n] for n in ("fct_customer_health_summary", "fct_customer_revenue_summary",
                                                       "fct_customer_support_digest"))
        # accepted value 'Inactive' renamed 'Dormant' (DG005 + DG102)
        test = next(t for t in column(health, "health_status")["data_tests"] if isinstance(t, dict))
        test["accepted_values"]["arguments"]["values"] = ["High Risk", "Dormant", "Healthy"]
        drop_column(health, "primary_contact_email")  # DG002 (the SQL drops it too)
        column(health, "total_contract_value")["data_type"] = "decimal(18,4)"  # DG003
        column(health, "customer_name")["data_type"] = "text"  # a synonym of varchar: nothing
        column(health, "account_owner")["data_type"] = "VARCHAR"  # letter case: nothing
        column(health, "segment")["name"] = "SEGMENT"  # identifier case: nothing
        revenue["config"]["contract"] = {"enforced": False}  # DG006
        digest["config"]["meta"]["grounding"]["key"] = ["customer_id", "as_of_date"]  # DG004
        health["columns"].append({"name": "health_reason", "data_type": "varchar"})  # DG101

    edit_yml(sources / MARTS_YML, marts)
    sql = sources / "models/marts/ai_grounding/fct_customer_health_summary.sql"
    sql.write_text(sql.read_text().replace(
        "cast(contact_email as {{ dbt.type_string() }}) as primary_contact_email,",
        "'rule' as health_reason,"))
    # an upstream column removed from the staging model's documented interface (DG002 with affected mart columns)
    edit_yml(sources / "models/staging/crm/_crm__models.yml", lambda m: drop_column(m["stg_crm__customers"], "segment"))
    # a new grounding mart (DG103)
    new = sources / "models/marts/ai_grounding/fct_customer_segment.sql"
    new.write_text("{{ config(meta={'grounding': {'entity': 'customer', 'key': ['customer_id']}}) }}\n"
                   "select customer_id, segment from {{ ref('dim_customers') }}\n")
    project = DbtProject(sources, work)
    project.run("compile", "--vars", "{dbt_grounding_as_of_date: '2026-06-30'}")
    return project


@pytest.fixture(scope="module")
def findings(baseline_lock: Lock, changed: DbtProject):
    with open_project(changed) as project:
        return compare_lock(baseline_lock, project)


def only(findings, code: str, node: str, column: str | None = None):
    hits = [f for f in findings if f.code == code and f.node == node and f.column == column]
    assert len(hits) == 1, (code, node, column, findings)
    return hits[0]


# ------------------------------------------------------------------------------------------ the lock itself


def test_unchanged_project_compares_clean(built_package: DbtProject, baseline_lock: Lock) -> None:
    with open_project(built_package) as project:
        assert compare_lock(baseline_lock, project) == []


def test_lock_is_deterministic_and_portable(built_package: DbtProject, baseline_lock: Lock, tmp_path: Path) -> None:
    with open_project(built_package) as project:
        again = build_lock(project)
    assert lock_text(again) == lock_text(baseline_lock)
    first, second = write_lock(baseline_lock, tmp_path / "a.json"), write_lock(again, tmp_path / "b.json")
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    assert text.endswith("}\n") and text.startswith('{\n  "adapter"')
    assert str(built_package.work_dir) not in text and str(REPO_ROOT) not in text
    manifest = json.loads((built_package.target_path / "manifest.json").read_text())
    assert manifest["metadata"]["invocation_id"] not in text and manifest["metadata"]["generated_at"] not in text
    assert read_lock(first) == baseline_lock


def test_lock_content(baseline_lock: Lock, built_package: DbtProject) -> None:
    manifest = json.loads((built_package.target_path / "manifest.json").read_text())
    assert baseline_lock.lock_version == 1 and baseline_lock.manifest_schema_version == "v12"
    assert baseline_lock.dbt_version == manifest["metadata"]["dbt_version"]
    assert baseline_lock.project_name == "dbt_grounding"
    assert set(baseline_lock.marts) == {HEALTH, REVENUE, DIGEST}
    assert baseline_lock.marts[HEALTH].key == ["customer_id"]
    assert baseline_lock.marts[HEALTH].exposures == [AGENT]
    health = baseline_lock.nodes[HEALTH]
    assert health.columns["total_contract_value"] == "DECIMAL(18,2)"
    assert health.accepted_values["health_status"] == ["Healthy", "High Risk", "Inactive"]
    assert health.enforced
    # the interface only: no contract checksum (it hashes spellings and constraints the columns already compare)
    assert json.loads(lock_text(baseline_lock))["nodes"][HEALTH]["contract"] == {"enforced": True}
    # upstream nodes of every kind, tests and exposures not
    assert {STG_CUSTOMERS, "source.dbt_grounding.crm.customers", "seed.dbt_grounding.plan_tiers"} \
        <= set(baseline_lock.nodes)
    assert not any(uid.startswith(("test.", "exposure.")) for uid in baseline_lock.nodes)
    assert baseline_lock.nodes[STG_CUSTOMERS].accepted_values["segment"] == ["enterprise", "mid-market", "smb"]
    assert "contract" not in json.loads(lock_text(baseline_lock))["nodes"]["source.dbt_grounding.crm.customers"]


def test_a_lock_written_with_contract_checksums_still_reads_and_compares_clean(
        built_package: DbtProject, baseline_lock: Lock) -> None:
    """Locks written before the checksum was dropped carry one per contract: it is read and ignored."""
    data = json.loads(lock_text(baseline_lock))
    for node in data["nodes"].values():
        if "contract" in node:
            node["contract"]["checksum"] = "0" * 64 if node["contract"]["enforced"] else None
    older = parse_lock(data)
    assert older == baseline_lock
    with open_project(built_package) as project:
        assert compare_lock(older, project) == []


@pytest.mark.parametrize("content, problem", [
    ("{\"lock_version\": 1, \"marts\"", "not_json"),
    ("[1, 2]", "malformed"),
    ("{\"lock_version\": 1, \"marts\": {}}", "malformed"),
    ("{\"lock_version\": 99, \"marts\": {}, \"nodes\": {}}", "unsupported_version"),
])
def test_a_malformed_lock_is_a_configuration_error(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "grounding.lock.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError) as caught:
        read_lock(path)
    assert caught.value.details["problem"] == problem and "dbt-grounding lock" in caught.value.hint


def test_a_missing_lock_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        read_lock(tmp_path)
    assert caught.value.details["problem"] == "missing" and "dbt-grounding lock" in caught.value.hint


@pytest.mark.parametrize("change, said", [
    (lambda lock: lock["nodes"][HEALTH]["columns"].update(segment=5),
     f"nodes['{HEALTH}'].columns['segment'] is a number (5), not a type name or null"),
    (lambda lock: lock["marts"][HEALTH].update(key=["customer_id", None]),
     f"marts['{HEALTH}'].key[1] is null, not a column name"),
    (lambda lock: lock["marts"][HEALTH].pop("key"), f"marts['{HEALTH}'] has no key"),
    (lambda lock: lock["nodes"][HEALTH]["contract"].update(enforced="yes"),
     f"nodes['{HEALTH}'].contract.enforced is text ('yes'), not true or false"),
    (lambda lock: lock["nodes"][STG_CUSTOMERS]["accepted_values"].update(segment="smb"),
     f"nodes['{STG_CUSTOMERS}'].accepted_values['segment'] is text ('smb'), not a list"),
    (lambda lock: lock.update(nodes=[]), "nodes is a list, not an object"),
    (lambda lock: lock.update(lock_version="1"), "lock_version is text ('1'), not a whole number"),
])
def test_a_malformed_lock_names_the_field(tmp_path: Path, baseline_lock: Lock, change, said: str) -> None:
    data = json.loads(lock_text(baseline_lock))
    change(data)
    path = tmp_path / "grounding.lock.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigurationError) as caught:
        read_lock(path)
    assert caught.value.message == f"grounding.lock.json is not a grounding lock: {said}"
    assert caught.value.details["problem"] == "malformed"


# ------------------------------------------------------------------------------------------ real changes


def test_accepted_value_removed_is_breaking_and_names_the_prompts_reach(findings) -> None:
    finding = only(findings, "DG005", HEALTH, "health_status")
    assert "'Inactive'" in finding.message and "fct_customer_health_summary.health_status" in finding.message
    assert "'Dormant'" in finding.message  # the likely rename
    assert finding.affected == ("exposure.dbt_grounding.customer_success_agent",
                                "fct_customer_health_summary.health_status")
    assert finding.rule.severity.value == "error"


def test_accepted_value_added_is_additive(findings) -> None:
    finding = only(findings, "DG102", HEALTH, "health_status")
    assert "'Dormant'" in finding.message and finding.level.value == "warn"


def test_mart_column_removed(findings) -> None:
    finding = only(findings, "DG002", HEALTH, "primary_contact_email")
    assert "fct_customer_health_summary.primary_contact_email" in finding.affected and AGENT in finding.affected


def test_type_changed_but_synonyms_and_case_are_not(findings) -> None:
    finding = only(findings, "DG003", HEALTH, "total_contract_value")
    assert "DECIMAL(18,2)" in finding.message and "DECIMAL(18,4)" in finding.message
    assert "fct_customer_health_summary.total_contract_value" in finding.affected
    quiet = {"customer_name", "account_owner", "segment", "SEGMENT"}
    assert not [f for f in findings if f.node == HEALTH and f.column in quiet]


def test_contract_disabled(findings) -> None:
    finding = only(findings, "DG006", REVENUE)
    assert finding.affected == (AGENT, "fct_customer_revenue_summary")


def test_key_changed(findings) -> None:
    finding = only(findings, "DG004", DIGEST)
    assert "[customer_id]" in finding.message and "[customer_id, as_of_date]" in finding.message
    assert "fct_customer_support_digest.as_of_date" in finding.affected and AGENT in finding.affected


def test_column_and_mart_added_are_additive(findings) -> None:
    assert only(findings, "DG101", HEALTH, "health_reason").level.value == "info"
    added = only(findings, "DG103", f"{PKG}.fct_customer_segment")
    assert added.affected == ("fct_customer_segment",)


def test_upstream_column_removed_names_the_mart_columns_it_feeds(findings) -> None:
    finding = only(findings, "DG002", STG_CUSTOMERS, "segment")
    assert "stg_crm__customers.segment" in finding.message
    assert finding.affected == (AGENT, "fct_customer_health_summary.segment", "fct_customer_revenue_summary.segment",
                                "fct_customer_segment.segment")
    # the accepted_values test went with the column: one finding, not two
    assert not [f for f in findings if f.node == STG_CUSTOMERS and f.code == "DG005"]


def test_nothing_else_changed(findings) -> None:
    expected = {("DG005", HEALTH, "health_status"), ("DG102", HEALTH, "health_status"),
                ("DG002", HEALTH, "primary_contact_email"), ("DG003", HEALTH, "total_contract_value"),
                ("DG006", REVENUE, None), ("DG004", DIGEST, None), ("DG101", HEALTH, "health_reason"),
                ("DG103", f"{PKG}.fct_customer_segment", None), ("DG002", STG_CUSTOMERS, "segment")}
    assert {(f.code, f.node, f.column) for f in findings} == expected
    assert [f.sort_key() for f in findings] == sorted(f.sort_key() for f in findings)


def test_mart_removed_seen_from_the_changed_lock(changed: DbtProject, built_package: DbtProject) -> None:
    """The changed project's lock against the original: its new mart is gone there (DG001), its contract back."""
    with open_project(changed) as project:
        lock = build_lock(project)
    with open_project(built_package) as project:
        findings = compare_lock(lock, project)
    removed = only(findings, "DG001", f"{PKG}.fct_customer_segment")
    assert "fct_customer_segment was removed" in removed.message
    assert not [f for f in findings if f.code == "DG006"]  # re-enforcing a contract is not a break
