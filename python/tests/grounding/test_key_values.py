"""Key values: each accepted only in its one canonical spelling, so lists of allowed or denied key strings cannot be
walked around (`٥١`, `５１`, `+51`, `051`, ` 51` all name customer 51 to int() or to a warehouse cast), and every
malformed key is an InvalidKeyError, through the API and the CLI."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbt_grounding import GroundingProject
from dbt_grounding.artifacts import Manifest, load_manifest
from dbt_grounding.errors import InvalidKeyError
from dbt_grounding.grounding.keys import coerce_key
from dbt_grounding.grounding.spec import grounding_spec
from dbt_runner import REPO_ROOT, DbtProject

pytestmark = pytest.mark.dbt
CLI = str(Path(sys.executable).with_name("dbt-grounding"))
MART = "fct_customer_health_summary"  # customer_id: bigint; total_contract_value: decimal; last_login_date: date


@pytest.fixture(scope="module")
def manifest(built_package: DbtProject) -> Manifest:
    return load_manifest(built_package.target_path / "manifest.json")


def lookup(manifest: Manifest, column: str, value):
    """The value as the health mart's key would take it, were `column` its key (the types are the yml's)."""
    node = manifest.model(MART)
    spec = dataclasses.replace(grounding_spec(manifest, node), key=(column,), candidate_keys=((column,),))
    return coerce_key(spec, node, {column: value})[column]


@pytest.mark.parametrize("column, value, expected", [
    ("customer_id", "51", 51), ("customer_id", 51, 51), ("customer_id", "-7", -7), ("customer_id", "0", 0),
    ("total_contract_value", "12.50", Decimal("12.50")), ("total_contract_value", "0", Decimal(0)),
    ("total_contract_value", 12.5, Decimal("12.5")),
    ("last_login_date", "2026-06-30", date(2026, 6, 30)), ("last_login_date", date(2026, 6, 30), date(2026, 6, 30)),
])
def test_canonical_values_are_typed(manifest: Manifest, column: str, value, expected) -> None:
    assert lookup(manifest, column, value) == expected


@pytest.mark.parametrize("column, value", [
    *[("customer_id", v) for v in ["٥١", "５１", "51\u0660", " 51", "51 ", "\t51", "+51", "051", "-0", "5_1", "51.0",
                                   "0x33", "1e1", "", "  ", 51.0]],
    *[("total_contract_value", v) for v in ["١٢.٥", "１２.5", " 12.5", "+12.5", "012.5", "1_000", "-0.0", "NaN",
                                            "Infinity", "1e3", ".5", "5.", float("nan"), float("inf")]],
    *[("last_login_date", v) for v in ["２０２６-06-30", "20260630", "2026-W26-2", " 2026-06-30", "2026-06-30T00:00",
                                       "2026-6-30", "2026-02-30"]],
])
def test_every_other_spelling_is_refused(manifest: Manifest, column: str, value) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        lookup(manifest, column, value)
    assert caught.value.details["column"] == column


@given(st.text(alphabet=st.characters(categories=["Nd", "Zs", "Pd", "Sm", "Pc"]) | st.sampled_from("0123456789-+ "),
               max_size=25))
def test_an_accepted_integer_is_ascii_and_round_trips(manifest: Manifest, text: str) -> None:
    try:
        number = lookup(manifest, "customer_id", text)
    except InvalidKeyError:
        return
    assert text.isascii() and str(number) == text


@pytest.fixture(scope="module")
def demo(built_package: DbtProject):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))
        with GroundingProject.open(REPO_ROOT, target_path=built_package.target_path) as project:
            yield project


@pytest.mark.parametrize("key, message", [
    (None, "must map key columns to values, got NoneType"),
    ([("customer_id", 51)], "must map key columns to values, got list"),
    ({"customer_id": 51, "CUSTOMER_ID": 52}, "given twice ('customer_id' and 'CUSTOMER_ID')"),
    ({"customer_id": ""}, "an empty key value names no record"),
    ({"customer_id": None}, "cannot be NULL"),
    ({"customer_id": [51]}, "a string or a number, not a list"),
])
def test_malformed_keys_through_the_api(demo: GroundingProject, key, message: str) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        demo.context(MART, key)
    assert message in caught.value.message


def run_cli(project: DbtProject, project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args, "--project-dir", str(project_dir), "--target-path", str(project.target_path)],
                          capture_output=True, text=True, timeout=120, env=project.env())


@pytest.mark.parametrize("keys, message", [
    (["customer_id=51", "customer_id=52"], "--key customer_id is given twice"),
    (["customer_id=51", "Customer_ID=51"], "--key Customer_ID is given twice"),
    (["customer_id="], "an empty key value names no record"),
    (["customer_id=٥١"], "digits outside ASCII"),
    (["customer_id=５１"], "digits outside ASCII"),
    (["customer_id=+51"], "expected an integer written plainly"),
])
def test_malformed_keys_through_the_cli_exit_2(built_package: DbtProject, keys: list[str], message: str) -> None:
    result = run_cli(built_package, REPO_ROOT, "context", MART, *[arg for key in keys for arg in ("--key", key)])
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_the_canonical_key_is_served(built_package: DbtProject) -> None:
    result = run_cli(built_package, REPO_ROOT, "context", MART, "--key", "customer_id=51")
    assert result.returncode == 0 and result.stdout.startswith(f"# {MART}: customer_id = 51")


@pytest.mark.parametrize("value, served", [("51", True), ("051", False), ("+51", False), ("51.0", False)])
def test_an_undocumented_key_type_comes_from_the_warehouse(built_snapshot_shop: DbtProject, value: str,
                                                           served: bool) -> None:
    """dim_customers' yml gives customer_id no data_type (as most projects): the relation's type decides, so a
    respelling the warehouse would cast to 51 is refused, not served as customer 51."""
    result = run_cli(built_snapshot_shop, built_snapshot_shop.project_dir, "context", "dim_customers",
                     "--key", f"customer_id={value}", "--format", "json")
    assert result.returncode == (0 if served else 2), result.stderr
    if served:
        assert [row["customer_id"] for row in json.loads(result.stdout)["rows"]] == [51]
    else:
        assert "expected an integer written plainly" in result.stderr and result.stdout == ""
