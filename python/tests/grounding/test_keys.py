"""grounding/keys.py on its own: coerce_key on the built demo's real nodes (the health mart's yml declares its
types; dim_customers' does not, so the relation's types are asked), and the canonical spellings as pure functions.
Spellings refused through the API and the CLI are in test_key_values.py."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from dbt_grounding.artifacts import Manifest, load_manifest
from dbt_grounding.context.inputs import MAX_KEY_VALUE_LENGTH
from dbt_grounding.errors import InvalidKeyError
from dbt_grounding.grounding.keys import canonical_decimal, canonical_integer, coerce_key
from dbt_grounding.grounding.spec import GroundingSpec, grounding_spec
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt
HEALTH = "fct_customer_health_summary"  # customer_id bigint, primary_contact_email varchar, last_login_date date
UNTYPED = "dim_customers"  # no data_type in its yml


@pytest.fixture(scope="module")
def manifest(built_package: DbtProject) -> Manifest:
    return load_manifest(built_package.target_path / "manifest.json")


def spec_with(manifest: Manifest, model: str, *keys: tuple[str, ...]) -> GroundingSpec:
    """The model's real spec, its candidate keys set to `keys` (columns of the model)."""
    spec = grounding_spec(manifest, manifest.model(model))
    return dataclasses.replace(spec, key=keys[0] if keys else (), candidate_keys=tuple(keys))


class AskedTypes:
    """column_types that counts how often it is asked."""

    def __init__(self, types: dict[str, str]) -> None:
        self.types, self.calls = types, 0

    def __call__(self) -> dict[str, str]:
        self.calls += 1
        return self.types


@pytest.mark.parametrize("text, canonical", [
    ("0", True), ("51", True), ("-7", True), ("9223372036854775807", True),
    ("-0", False), ("051", False), ("+51", False), (" 51", False), ("5_1", False), ("٥١", False), ("", False),
    ("1" * 20, False),
])
def test_canonical_integer(text: str, canonical: bool) -> None:
    assert canonical_integer(text) is canonical


@pytest.mark.parametrize("text, canonical", [
    ("0", True), ("12.50", True), ("-0.5", True), ("7", True),
    ("-0", False), ("-0.00", False), (".5", False), ("5.", False), ("1e3", False), ("+1", False), ("01.5", False),
    ("１.5", False), ("NaN", False),
])
def test_canonical_decimal(text: str, canonical: bool) -> None:
    assert canonical_decimal(text) is canonical


def test_the_key_comes_back_spelled_and_ordered_as_the_spec_declares(manifest: Manifest) -> None:
    spec = spec_with(manifest, HEALTH, ("customer_id", "last_login_date"))
    key = coerce_key(spec, manifest.model(HEALTH), {"LAST_LOGIN_DATE": "2026-06-30", "Customer_Id": "51"})
    assert list(key.items()) == [("customer_id", 51), ("last_login_date", date(2026, 6, 30))]


def test_each_value_is_typed_by_its_declared_column_type(manifest: Manifest) -> None:
    spec = spec_with(manifest, HEALTH, ("customer_id", "total_contract_value", "primary_contact_email"))
    key = coerce_key(spec, manifest.model(HEALTH), {"customer_id": 51, "total_contract_value": "0.50",
                                                    "primary_contact_email": "051"})
    assert key == {"customer_id": 51, "total_contract_value": Decimal("0.50"), "primary_contact_email": "051"}
    assert type(key["primary_contact_email"]) is str  # text keys are compared as given, never as numbers


def test_the_warehouse_types_are_asked_once_and_only_for_undeclared_columns(manifest: Manifest) -> None:
    declared = AskedTypes({"customer_id": "VARCHAR"})
    coerce_key(spec_with(manifest, HEALTH, ("customer_id",)), manifest.model(HEALTH), {"customer_id": "51"},
               column_types=declared)
    assert declared.calls == 0  # the yml's bigint wins over anything the warehouse says

    asked = AskedTypes({"CUSTOMER_ID": "BIGINT", "Created_At": "DATE", "segment": "VARCHAR"})
    spec = spec_with(manifest, UNTYPED, ("customer_id", "created_at"))
    key = coerce_key(spec, manifest.model(UNTYPED), {"customer_id": "51", "created_at": "2025-01-31"},
                     column_types=asked)
    assert key == {"customer_id": 51, "created_at": date(2025, 1, 31)} and asked.calls == 1


def test_without_any_type_a_value_is_text(manifest: Manifest) -> None:
    spec = spec_with(manifest, UNTYPED, ("customer_id",))
    assert coerce_key(spec, manifest.model(UNTYPED), {"customer_id": "051"}) == {"customer_id": "051"}
    assert coerce_key(spec, manifest.model(UNTYPED), {"customer_id": 51}) == {"customer_id": "51"}


@pytest.mark.parametrize("data_type, value, expected", [
    ("INTEGER", "7", 7), ("int64", "7", 7), ("hugeint", "7", 7), ("smallint", "7", 7),
    # DuckDB's unsigned integers: as text, '051' would reach the warehouse, which casts it to 51
    ("ubigint", "7", 7), ("usmallint", "7", 7), ("utinyint", "7", 7), ("uinteger", "7", 7), ("uhugeint", "7", 7),
    ("long", "7", 7), ("numeric(10, 2)", "7.25", Decimal("7.25")), ("double precision", "7.5", Decimal("7.5")),
    ("real", 7, Decimal(7)), ("interval", "7", "7"), ("varchar(10)", "7", "7"), ("date", "2026-01-02", date(2026, 1, 2)),
])
def test_type_spellings(manifest: Manifest, data_type: str, value, expected) -> None:
    spec = spec_with(manifest, UNTYPED, ("customer_id",))
    key = coerce_key(spec, manifest.model(UNTYPED), {"customer_id": value},
                     column_types=lambda: {"customer_id": data_type})
    assert key["customer_id"] == expected and type(key["customer_id"]) is type(expected)


@pytest.mark.parametrize("value, why", [
    (str(2**63), "expected an integer written plainly"), (2**63, "expected an integer written plainly"),
    (True, "not a bool"), (51.0, "expected an integer written plainly"), ("5\x001", "holding a NUL"),
    ("1" * (MAX_KEY_VALUE_LENGTH + 1), f"longer than {MAX_KEY_VALUE_LENGTH} characters"),
])
def test_values_a_bigint_cannot_hold(manifest: Manifest, value, why: str) -> None:
    with pytest.raises(InvalidKeyError, match=why) as raised:
        coerce_key(spec_with(manifest, HEALTH, ("customer_id",)), manifest.model(HEALTH), {"customer_id": value})
    assert raised.value.details == {"model": HEALTH, "column": "customer_id"}


def test_the_limits_themselves_are_accepted(manifest: Manifest) -> None:
    node = manifest.model(HEALTH)
    spec = spec_with(manifest, HEALTH, ("customer_id",))
    assert coerce_key(spec, node, {"customer_id": str(2**63 - 1)}) == {"customer_id": 2**63 - 1}
    assert coerce_key(spec, node, {"customer_id": -(2**63)}) == {"customer_id": -(2**63)}
    text = spec_with(manifest, HEALTH, ("primary_contact_email",))
    longest = "x" * MAX_KEY_VALUE_LENGTH
    assert coerce_key(text, node, {"primary_contact_email": longest}) == {"primary_contact_email": longest}


def test_a_node_without_a_key_refuses_every_lookup(manifest: Manifest) -> None:
    with pytest.raises(InvalidKeyError, match="has no declared key") as raised:
        coerce_key(spec_with(manifest, UNTYPED), manifest.model(UNTYPED), {"customer_id": 51})
    assert raised.value.details["expected"] == [] and raised.value.details["given"] == ["customer_id"]


ALTERNATIVES = (("customer_id",), ("primary_contact_email",), ("customer_name", "as_of_date"))


@pytest.mark.parametrize("key, message", [
    ({"segment": "smb"}, "'segment' is not a key column of fct_customer_health_summary; look rows up by "),
    ({}, "no key given for fct_customer_health_summary"),
    ({"customer_name": "Acme"}, "the key of fct_customer_health_summary is (customer_name, as_of_date); missing "
                                "as_of_date"),
    ({"customer_id": 51, "primary_contact_email": "a@b.c"}, "customer_id, primary_contact_email are not one key of "
                                                            "fct_customer_health_summary"),
    ({" ": 51}, "' ' is not a column name"),
    ({"customer_id": 51, "CUSTOMER_ID": 51}, "given twice ('customer_id' and 'CUSTOMER_ID')"),
])
def test_keys_that_name_no_one_candidate(manifest: Manifest, key: dict, message: str) -> None:
    with pytest.raises(InvalidKeyError) as raised:
        coerce_key(spec_with(manifest, HEALTH, *ALTERNATIVES), manifest.model(HEALTH), key)
    assert message in raised.value.message
    assert raised.value.details["expected"] == ["customer_id"]
