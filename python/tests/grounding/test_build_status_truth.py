"""Build and test status after the dbt command sequences people run, on the moved_target_shop fixture built by real
dbt: run_results.json is rewritten by every command, so status must come from the last build command's results,
remembered beside the artifacts, never from compile or docs results."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dbt_grounding import GroundingProject
from dbt_grounding.artifacts.build_record import record_file
from dbt_grounding.mart_summary import summaries
from dbt_grounding.errors import FailedTestsError, InvalidKeyError, StaleGroundingError, UnknownBuildError
from moved_target_shop import Shop

pytestmark = pytest.mark.dbt
CUSTOMERS = "model.moved_target_shop.customers"
ORDERS = "model.moved_target_shop.orders"
HEALTH_TEST = "test.moved_target_shop.accepted_values_customers_health_status__healthy__neutral__at_risk.a610e94cfe"


@pytest.fixture(scope="module")
def built_shop(built_moved_target_shop: Shop) -> Shop:
    """`dbt build` run in the project folder; nothing has read its artifacts yet (tests work on copies)."""
    return built_moved_target_shop


@pytest.fixture()
def shop(built_shop: Shop, tmp_path: Path) -> Shop:
    return Shop.copy_of(tmp_path, built_shop)


# An unsuccessful or unknown build makes `context` check every layer upstream first, where stg_payments documents a
# column its SQL never produced: that is the schema checks' business, not this module's, so those calls skip it.
NO_SCHEMA_CHECK = {"schema_check": False}


def opened(shop: Shop, **options) -> GroundingProject:
    """The project as every command opens it: no target path given (dbt_project.yml moves it)."""
    return GroundingProject.open(shop.project_dir, **options)


def seen_by_the_toolkit(shop: Shop) -> None:
    """Any dbt-grounding command after a build: it records that build's results."""
    with opened(shop) as project:
        summaries(project)


def codes(shop: Shop, **options) -> dict[str, list]:
    with opened(shop, **options) as project:
        findings = project.check(use_warehouse=False).findings
    by_code: dict[str, list] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    return by_code


def test_the_artifacts_are_found_under_the_moved_target_path(shop: Shop) -> None:
    assert not (shop.project_dir / "target").exists()
    with opened(shop) as project:
        assert project.artifacts.target_path == shop.target_path
        assert project.context("customers", {"customer_id": 3}).rows[0]["health_status"] == "healthy"
    assert record_file(shop.target_path).is_file()


def test_build_then_docs_generate_keeps_the_builds_results_once_seen(shop: Shop) -> None:
    seen_by_the_toolkit(shop)
    shop.dbt("docs", "generate")  # rewrites run_results.json with compile results: every model "success"
    assert json.loads((shop.target_path / "run_results.json").read_text())["args"]["which"] == "generate"
    with opened(shop) as project:
        (customers,) = [m for m in summaries(project) if m.model == "customers"]
        assert (customers.build, customers.freshness) == ("success", "fresh")
        assert "not run" not in customers.tests and customers.tests.endswith("pass")
        assert project.context("customers", {"customer_id": 1}).found
    found = codes(shop)
    assert "DG404" not in found and "DG402" not in found and "DG501" not in found  # the later catalog is normal
    (note,) = found["DG504"]
    assert note.level.value == "info" and "`dbt generate`" in note.message and "recorded" in note.message


def test_build_then_docs_generate_unseen_is_unknown_and_refused(shop: Shop) -> None:
    shop.dbt("docs", "generate")  # the build's results are gone before anything read them
    with opened(shop) as project:
        with pytest.raises(UnknownBuildError) as caught:
            project.context("customers", {"customer_id": 1}, **NO_SCHEMA_CHECK)
        assert "`dbt generate`, which builds nothing" in caught.value.message
        assert "--no-compile" in caught.value.hint and "--allow-unknown-build" in caught.value.hint
        (customers,) = [m for m in summaries(project) if m.model == "customers"]
        assert (customers.build, customers.freshness, customers.last_built_at) == ("unknown", "stale", None)
        document = project.context("customers", {"customer_id": 1}, on_unknown_build="annotate",
                                   on_stale="annotate", **NO_SCHEMA_CHECK)
        assert any("the last build of customers is unknown" in w for w in document.warnings)
        assert {t.status for t in document.tests} == {"not run"}
    found = codes(shop)
    assert CUSTOMERS in {f.node for f in found["DG404"] if f.level.value == "error"}
    assert found["DG504"][0].level.value == "warn"


def test_build_then_docs_generate_no_compile_needs_no_help(shop: Shop) -> None:
    shop.dbt("docs", "generate", "--no-compile")  # leaves run_results.json and manifest.json as the build wrote them
    with opened(shop) as project:
        assert project.build("customers").succeeded
        assert project.artifacts.catalog is not None
    found = codes(shop)
    assert not {"DG404", "DG501", "DG504"} & set(found)


def test_compile_does_not_make_a_stale_mart_fresh(shop: Shop) -> None:
    two_days_later = datetime.now(timezone.utc) + timedelta(days=2)  # past error_after 24 h
    with opened(shop, clock=lambda: two_days_later) as project:
        with pytest.raises(StaleGroundingError):
            project.context("customers", {"customer_id": 1})
    shop.dbt("compile")
    with opened(shop, clock=lambda: two_days_later) as project:
        with pytest.raises(StaleGroundingError):
            project.context("customers", {"customer_id": 1})
    assert CUSTOMERS in {f.node for f in codes(shop, clock=lambda: two_days_later)["DG301"]}


def test_a_failing_build_then_docs_generate_still_refuses(shop: Shop) -> None:
    seen_by_the_toolkit(shop)
    shop.dbt("build", "--vars", "{bogus_status: true}", check=False)  # customer 3 gets 'Bogus'; its test fails
    seen_by_the_toolkit(shop)
    shop.dbt("docs", "generate")
    with opened(shop) as project:
        with pytest.raises(FailedTestsError) as caught:
            project.context("customers", {"customer_id": 3})
        assert "accepted_values_customers_health_status" in caught.value.message
    assert HEALTH_TEST in {f.node for f in codes(shop)["DG401"]}


def test_a_model_that_failed_to_build_then_docs_generate_is_not_fresh(shop: Shop) -> None:
    seen_by_the_toolkit(shop)
    shop.dbt("build", "--vars", "{break_orders: true}", check=False)  # orders errors, customers is skipped
    shop.dbt("docs", "generate", "--no-compile")
    with opened(shop) as project:
        builds = {m.model: (m.build, m.freshness) for m in summaries(project)}
        assert builds == {"customers": ("skipped", "stale"), "orders": ("error", "stale")}
        with pytest.raises(FailedTestsError) as caught:
            project.context("customers", {"customer_id": 1}, **NO_SCHEMA_CHECK)
        assert "the last build of customers itself (skipped)" in caught.value.message
    failed = {f.node: f.message for f in codes(shop)["DG403"]}
    assert "ended error" in failed[ORDERS] and "ended skipped" in failed[CUSTOMERS]


def test_build_then_test_select_keeps_every_other_result(shop: Shop) -> None:
    seen_by_the_toolkit(shop)
    shop.dbt("test", "--select", "customers")  # run_results.json: five tests, no model
    with opened(shop) as project:
        (customers,) = [m for m in summaries(project) if m.model == "customers"]
        assert (customers.build, customers.freshness) == ("success", "fresh")
        outcomes = {t.status for t in project.tests("customers")}
        assert outcomes == {"pass"}
    assert "DG402" not in codes(shop) and "DG404" not in codes(shop)


def test_a_rebuild_without_tests_leaves_its_old_test_results_unproven(shop: Shop) -> None:
    seen_by_the_toolkit(shop)
    shop.dbt("run", "--select", "customers", "--vars", "{bogus_status: true}")  # new data, no test ran on it
    with opened(shop) as project:
        statuses = {t.unique_id: t.status for t in project.tests("customers")}
        assert statuses[HEALTH_TEST] == "not run"  # its pass described the data `dbt run` replaced
        assert statuses["test.moved_target_shop.not_null_stg_customers_customer_id.e2cfb1f9aa"] == "pass"
    shop.dbt("test", "--select", "customers", check=False)
    with opened(shop) as project:
        with pytest.raises(FailedTestsError):
            project.context("customers", {"customer_id": 3})


def test_a_model_changed_since_its_build_is_unknown(shop: Shop) -> None:
    seen_by_the_toolkit(shop)
    sql = shop.project_dir / "models" / "marts" / "customers.sql"
    sql.write_text(sql.read_text().replace("as full_name", "as customer_name"))
    shop.dbt("compile")
    with opened(shop) as project:
        assert project.context("orders", {"order_id": 101}).found  # unchanged: its build still describes it
        with pytest.raises(UnknownBuildError) as caught:
            project.context("customers", {"customer_id": 1}, **NO_SCHEMA_CHECK)
        assert "its code changed since its last build" in caught.value.message


def test_an_unseen_build_then_parse_knows_only_the_nodes_whose_files_did_not_change(shop: Shop) -> None:
    sql = shop.project_dir / "models" / "marts" / "customers.sql"
    sql.write_text(sql.read_text().replace("as full_name", "as customer_name"))
    shop.dbt("parse")  # rewrites manifest.json before anything read the build's: no checksums from the build
    with opened(shop) as project:
        assert project.build("orders").succeeded  # its file predates the build
        assert "its file changed since" in project.build("customers").unknown
    assert "DG501" in codes(shop)


def cli_findings(shop: Shop) -> tuple[int, dict[str, list[dict]]]:
    result = shop.cli("check", "--no-warehouse", "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr
    by_code: dict[str, list[dict]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        by_code.setdefault(finding["code"], []).append(finding)
    return result.returncode, by_code


def test_cli_a_failing_build_then_docs_generate(shop: Shop) -> None:
    assert shop.cli("models").returncode == 0  # the good build is recorded
    shop.dbt("build", "--vars", "{bogus_status: true}", check=False)
    exit_code, found = cli_findings(shop)  # the CI gate right after the build records it too
    assert exit_code == 1 and HEALTH_TEST in {f["node"] for f in found["DG401"]}
    shop.dbt("docs", "generate")
    served = shop.cli("context", "customers", "--key", "customer_id=3")
    assert (served.returncode, served.stdout) == (1, "")
    assert "customers cannot be trusted" in served.stderr and "accepted_values_customers_health_status" in served.stderr
    rows = {row["model"]: row for row in json.loads(shop.cli("models", "--format", "json").stdout)}
    assert "1 fail" in rows["customers"]["tests"] and rows["customers"]["build"] == "success"
    exit_code, found = cli_findings(shop)
    assert exit_code == 1 and HEALTH_TEST in {f["node"] for f in found["DG401"]} and "DG501" not in found


def test_missing_run_results_is_stated_in_the_error_the_document_and_the_gate(shop: Shop) -> None:
    (shop.target_path / "run_results.json").unlink()
    refused = shop.cli("context", "customers", "--key", "customer_id=3")
    # whichever error wins (the unknown build, or the upstream check an unknown build triggers), it says so
    assert refused.returncode == 1 and "note: run_results.json is missing" in refused.stderr, refused.stderr
    with opened(shop) as project:
        with pytest.raises(UnknownBuildError) as caught:
            project.context("customers", {"customer_id": 3}, **NO_SCHEMA_CHECK)
        assert caught.value.message.startswith("the last build of customers is unknown: run_results.json is missing")
        document = project.context("customers", {"customer_id": 3}, on_unknown_build="annotate", on_stale="annotate",
                                   **NO_SCHEMA_CHECK)
    assert any(w.startswith("run_results.json is missing") for w in document.warnings)
    assert "run_results.json is missing" in document.to_markdown()
    exit_code, found = cli_findings(shop)
    assert exit_code == 1 and found["DG504"][0]["severity"] == "warn"
    assert CUSTOMERS in {f["node"] for f in found["DG404"]}


def test_missing_run_results_is_stated_when_another_error_wins(shop: Shop) -> None:
    (shop.target_path / "run_results.json").unlink()
    with opened(shop) as project:
        with pytest.raises(InvalidKeyError) as caught:
            project.context("customers", {"no_such_column": 1})
    assert any("run_results.json is missing" in note for note in caught.value.notes)
    assert "run_results.json is missing" in str(caught.value)
    result = shop.cli("context", "customers", "--key", "no_such_column=1")
    assert result.returncode == 2 and "note: run_results.json is missing" in result.stderr
