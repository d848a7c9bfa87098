"""Hostile key values from an agent reach SQL only as bound parameters of SELECTs, or are refused with a typed
error: never another statement, never the value in the SQL text, never a traceback."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbt_grounding import GroundingProject
from dbt_grounding.errors import GroundingError, InvalidKeyError
from bound_sql import assert_value_only_bound
from dbt_runner import DbtProject

pytestmark = pytest.mark.dbt

INJECTIONS = [
    "1; drop table main_ai_grounding.fct_customer_health_summary",
    "1 or 1=1", "' or ''='", "1) union select * from information_schema.tables --",
    "12\x00", "１２", "-0", "9" * 40, "1e3", "0x0c", "12 ", "\u202e12",
]
hostile = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=300),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-5, max_value=400),  # the mart's customer ids and their neighbours: found and not found
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(min_size=5_000, max_size=20_000, alphabet="';-*/\\x\" "),
)


@pytest.fixture(scope="module")
def recorded(built_package: DbtProject):
    statements: list[tuple[str, tuple]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_GROUNDING_DUCKDB_PATH", str(built_package.duckdb_path))
        project = GroundingProject.open(
            built_package.project_dir, target_path=built_package.target_path,
            warehouse_options={"on_query": lambda sql, params: statements.append((sql, tuple(params or ())))},
        )
        yield project, statements
        project.close()


@pytest.fixture(scope="module")
def customer_ids(built_package: DbtProject) -> frozenset[int]:
    """The customers the health mart holds, read straight from the built DuckDB file."""
    with duckdb.connect(str(built_package.duckdb_path), read_only=True) as connection:
        rows = connection.execute("select customer_id from main_ai_grounding.fct_customer_health_summary").fetchall()
    return frozenset(customer_id for (customer_id,) in rows)


def test_the_recorder_sees_the_bound_lookup(recorded) -> None:
    project, statements = recorded
    statements.clear()
    assert project.context("fct_customer_health_summary", key={"customer_id": "12"}, schema_check=False).found
    # the row lookup (the relation's columns are introspected first, by bound names too)
    lookups = [(sql, params) for sql, params in statements if "WHERE" in sql.upper() and "information_schema" not in sql]
    assert lookups and all(params == (12,) and "12" not in sql for sql, params in lookups)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_hostile_key_values_only_ever_become_bound_selects(recorded, customer_ids, value) -> None:
    project, statements = recorded
    statements.clear()
    project.context("fct_customer_health_summary", key={"customer_id": 1}, schema_check=False)
    template = "\n".join(sql for sql, _ in statements)  # what the same call sends for another key
    statements.clear()
    try:
        document = project.context("fct_customer_health_summary", key={"customer_id": value}, schema_check=False)
    except InvalidKeyError:
        pass
    except GroundingError as error:  # any other refusal must still be typed
        pytest.fail(f"unexpected {type(error).__name__} for {value!r}: {error}")
    else:  # accepted only in its one canonical spelling, and then the answer is whether that customer exists
        assert isinstance(value, int) or (isinstance(value, str) and value == str(int(value))), value
        assert document.found == (int(value) in customer_ids), value
        assert [row["customer_id"] for row in document.rows] == ([int(value)] if document.found else [])
    for sql, params in statements:
        assert sql.lstrip().upper().startswith("SELECT"), sql
        assert ";" not in sql.rstrip().rstrip(";"), sql
        assert_value_only_bound(value, sql, template)
