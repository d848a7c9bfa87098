"""Type equivalence per adapter: cases in type_cases.txt (adding a case = adding a line), DuckDB checked against
DuckDB itself."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.warehouse.adapters import ADAPTERS, normalize_type, types_equivalent

CASES_FILE = Path(__file__).with_name("type_cases.txt")


def load_cases() -> list[tuple[str, str, str, bool]]:
    cases = []
    for line in CASES_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            adapter, declared, found, flag = (field.strip() for field in line.split("|"))
            cases.append((adapter, declared, found, flag == "true"))
    return cases


@pytest.mark.parametrize(("adapter", "declared", "found", "equivalent"), load_cases())
def test_type_cases(adapter: str, declared: str, found: str, equivalent: bool) -> None:
    assert types_equivalent(adapter, declared, found) is equivalent, (
        normalize_type(adapter, declared), normalize_type(adapter, found)
    )


def test_every_adapter_table_has_cases_both_ways() -> None:
    seen = {(adapter, equivalent) for adapter, _, _, equivalent in load_cases()}
    assert seen == {(adapter, flag) for adapter in ADAPTERS for flag in (True, False)}


# Spellings a dbt contract may use on DuckDB. DuckDB is asked what it makes of each: the canonical spelling
# must be exactly what information_schema reports, so found types compare without any guessing.
DUCKDB_SPELLINGS = [
    "varchar", "text", "string", "char(3)", "character varying(255)", "bpchar", "nvarchar",
    "bigint", "int8", "long", "int64", "integer", "int", "int4", "int32", "signed", "smallint", "int2", "short",
    "tinyint", "int1", "hugeint", "int128", "ubigint", "uint64", "usmallint", "uinteger", "utinyint", "uhugeint",
    "boolean", "bool", "logical", "double", "double precision", "float8", "float", "float4", "real",
    "float(10)", "float(30)", "decimal", "numeric", "dec(5,2)", "decimal(18, 2)", "numeric(18,2)", "numeric(10)",
    "decimal(38,10)", "date", "time", "timetz", "time with time zone", "timestamp", "datetime",
    "timestamp without time zone", "timestamptz", "timestamp with time zone", "timestamp_s", "timestamp_ms",
    "timestamp_ns", "timestamp_us", "interval", "blob", "bytea", "binary", "varbinary", "uuid", "json", "bit",
    "int[]", "varchar[3]", "int[][]", 'struct(a int, "B c" varchar)', "map(varchar, int)",
    "union(a int, b varchar)", "varint",
]


@pytest.mark.parametrize("spelling", DUCKDB_SPELLINGS)
def test_duckdb_canonical_spelling_is_what_information_schema_reports(spelling: str) -> None:
    connection = duckdb.connect()
    try:
        connection.execute(f"create table t (c {spelling})")
        (reported,) = connection.execute(
            "select data_type from information_schema.columns where table_name = 't'"
        ).fetchone()
    finally:
        connection.close()
    assert normalize_type("duckdb", spelling) == normalize_type("duckdb", reported)
    assert types_equivalent("duckdb", spelling, reported)


@pytest.mark.parametrize("reported", ["BIGINT", "VARCHAR", "DECIMAL(18,2)", "TIMESTAMP WITH TIME ZONE", "INTEGER[]"])
def test_duckdb_reported_spellings_are_already_canonical(reported: str) -> None:
    assert normalize_type("duckdb", reported) == reported


def test_unknown_adapter_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as raised:
        types_equivalent("oracle", "number", "number")
    assert "duckdb" in raised.value.hint
