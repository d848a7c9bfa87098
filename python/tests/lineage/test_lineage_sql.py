"""One hop: the columns of the relations a compiled SELECT reads, per output column.

An independent check on the real package (sqlglot's own `lineage()` must find the same inputs for every column of
every model), then the SQL shapes that the package does not contain, and SQL that cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot import exp
from sqlglot.lineage import lineage as sqlglot_lineage
from sqlglot.schema import MappingSchema

from dbt_grounding.artifacts import Catalog, load_manifest
from dbt_grounding.lineage import ColumnRef
from dbt_grounding.lineage.dialect import dialect_for
from dbt_grounding.lineage.relations import mapping_schema, relation_key
from dbt_grounding.lineage.resolver import ModelResolver
from dbt_grounding.lineage.sql_lineage import RelationNames, resolve_select


@pytest.mark.dbt
def test_every_model_agrees_with_sqlglot_lineage(package_with_catalog: Path, package_catalog: Catalog) -> None:
    """With catalog.json every `*` expands, so sqlglot.lineage() (one call per model, all columns) is an oracle."""
    manifest = load_manifest(package_with_catalog / "manifest.json")
    resolver = ModelResolver(manifest, dialect="duckdb", catalog=package_catalog)
    models = [uid for uid, node in sorted(manifest.nodes.items()) if node.resource_type == "model"]
    assert len(models) > 20
    for uid in models:
        ours = resolver.resolve(uid)
        assert ours.issues == [] and ours.complete, uid
        schemas = [resolver.relation_schema(parent) for parent in manifest.parents(uid)]
        uid_by_table = {schema.key[-1]: schema.unique_id for schema in schemas}
        theirs = sqlglot_lineage(None, manifest.nodes[uid].compiled_code, mapping_schema(schemas, "duckdb"),
                                 dialect="duckdb")
        assert [column.name for column in ours.columns] == list(theirs), uid
        for column in ours.columns:
            leaves = {
                ColumnRef(uid_by_table[node.expression.name], node.name.rsplit(".", 1)[-1].strip('"'))
                for node in theirs[column.name].walk()
                # a table function (read_json over the telemetry files) has no name and no column to trace to
                if isinstance(node.expression, exp.Table) and not node.downstream and node.expression.name
            }
            assert set(column.inputs) == leaves, f"{uid}.{column.name}"


# -- SQL shapes, on inline SQL

T = "model.p.t"
ORDERS = "model.p.o"


def resolve(sql: str, schema: dict | None = None, dialect: str = "duckdb", relations: dict | None = None):
    names = relations or {("db", "s", "t"): T, ("db", "s", "o"): ORDERS}
    return resolve_select("model.p.m", sql, dialect=dialect, schema=MappingSchema(schema or {}, dialect=dialect),
                          relations=RelationNames(by_key=names))


def inputs(result, column: str) -> list[ColumnRef]:
    found = result.column(column)
    assert found is not None, column
    return found.inputs


def test_a_star_over_unknown_columns_passes_names_through() -> None:
    result = resolve("with src as (select * from db.s.t) select a, b + 1 as c from src")
    assert inputs(result, "a") == [ColumnRef(T, "a")]
    assert inputs(result, "c") == [ColumnRef(T, "b")]
    hidden = resolve("select * from db.s.t")
    assert not hidden.complete and hidden.passthrough == [T] and hidden.columns == []


def codes(result, column: str) -> list[str]:
    return [issue.code for issue in result.column(column).issues]


def test_every_union_branch_is_followed_even_behind_a_star() -> None:
    """The first branch's `*` hides where each column sits: every branch is still credited (the others by name, a
    guess) and the trace says so, instead of crediting the first branch alone without a word."""
    hidden = resolve("select t.* from db.s.t as t union all select o.id, o.name from db.s.o as o")
    assert (hidden.complete, hidden.passthrough) == (False, [ORDERS, T])
    assert [issue.code for issue in hidden.passthrough_issues] == ["unresolved_star"]
    named = resolve("with u as (select t.* from db.s.t as t union all select o.id, o.name from db.s.o as o) "
                    "select id from u")
    assert inputs(named, "id") == [ColumnRef(ORDERS, "id"), ColumnRef(T, "id")] and codes(named, "id") == [
        "unresolved_star"]
    later = resolve("select id, name from db.s.t union all select o.* from db.s.o as o")
    assert later.complete and later.passthrough == []  # the first branch names every column
    assert inputs(later, "name") == [ColumnRef(ORDERS, "name"), ColumnRef(T, "name")]
    assert codes(later, "name") == ["unresolved_star"]


def test_set_operations_over_listed_or_known_columns_are_exact() -> None:
    listed = resolve("select id, name from db.s.t union select k, v from db.s.o")
    assert inputs(listed, "name") == [ColumnRef(ORDERS, "v"), ColumnRef(T, "name")] and codes(listed, "name") == []
    known = resolve("select * from db.s.t union all select * from db.s.o",
                    {"db": {"s": {"t": {"id": "int", "name": "text"}, "o": {"k": "int", "v": "text"}}}})
    assert known.complete and inputs(known, "name") == [ColumnRef(ORDERS, "v"), ColumnRef(T, "name")]
    assert codes(known, "name") == []


def test_union_by_name_matches_branches_by_name() -> None:
    result = resolve("select id, name from db.s.t union all by name select name, id from db.s.o")
    assert inputs(result, "id") == [ColumnRef(ORDERS, "id"), ColumnRef(T, "id")] and codes(result, "id") == []
    wider = resolve("select id from db.s.t union by name select id, extra from db.s.o")
    assert [column.name for column in wider.columns] == ["id", "extra"]
    assert inputs(wider, "extra") == [ColumnRef(ORDERS, "extra")]


def test_intersect_takes_every_branch_and_except_the_left_one() -> None:
    result = resolve("select id from db.s.t intersect select k from db.s.o except select x from db.s.o")
    assert inputs(result, "id") == [ColumnRef(ORDERS, "k"), ColumnRef(T, "id")] and codes(result, "id") == []


def test_unqualified_columns_go_to_the_relation_that_has_them() -> None:
    sql = "select a, z from db.s.t join db.s.o on t.k = o.k"
    assert resolve(sql, {"db": {"s": {"t": {"a": "int", "k": "int"}}}}).column("z").inputs == [ColumnRef(ORDERS, "z")]
    ambiguous = resolve(sql)
    assert [issue.code for issue in ambiguous.column("a").issues] == ["ambiguous_column"]


def test_unnest_correlated_subquery_lambda_and_lateral_alias() -> None:
    schema = {"db": {"s": {"t": {"a": "int", "k": "int", "arr": "int[]"}, "o": {"k": "int", "v": "int"}}}}
    result = resolve(
        "select u.x, (select max(o.v) from db.s.o as o where o.k = t.k) as m,"
        " list_transform(t.arr, y -> y + t.a) as l, t.a + 1 as b, b * 2 as c"
        " from db.s.t as t, unnest(t.arr) as u(x)",
        schema,
    )
    assert inputs(result, "x") == [ColumnRef(T, "arr")]
    assert inputs(result, "m") == [ColumnRef(ORDERS, "v")]
    assert inputs(result, "l") == [ColumnRef(T, "a"), ColumnRef(T, "arr")]
    assert inputs(result, "c") == [ColumnRef(T, "a")]


def test_a_recursive_cte_reads_what_its_anchor_reads() -> None:
    result = resolve("with recursive r as (select id as n from db.s.t union all select n + 1 from r where n < 9)"
                     " select n from r")
    assert inputs(result, "n") == [ColumnRef(T, "id")] and result.column("n").issues == []
    counting = resolve("with recursive r as (select 1 as n union all select n + 1 from r where n < 3) select n from r")
    assert counting.column("n").inputs == [] and counting.column("n").issues == []


def test_unreadable_sql_and_unknown_tables_are_issues_not_errors() -> None:
    assert [issue.code for issue in resolve("select from where (").issues] == ["parse_error"]
    assert [issue.code for issue in resolve("create table x (a int)").issues] == ["not_a_query"]
    unknown = resolve("select a from db.s.elsewhere")
    assert unknown.column("a").inputs == []
    assert [issue.code for issue in unknown.column("a").issues] == ["unknown_relation"]


def test_identifiers_are_normalized_the_way_the_dialect_does() -> None:
    """Snowflake upper-cases unquoted names: relation names and SQL must meet in the same case."""
    key = relation_key('"ANALYTICS"."PUBLIC"."ORDERS"', "snowflake")
    assert key == ("ANALYTICS", "PUBLIC", "ORDERS")
    result = resolve("select customer_id as Customer_Id from analytics.public.orders", dialect="snowflake",
                     relations={key: ORDERS})
    assert [column.name for column in result.columns] == ["CUSTOMER_ID"]
    assert inputs(result, "customer_id") == [ColumnRef(ORDERS, "CUSTOMER_ID")]
    assert relation_key('"warehouse"."main"."stg_x"', "duckdb") == ("warehouse", "main", "stg_x")


def test_adapter_types_map_to_sqlglot_dialects() -> None:
    assert [dialect_for(name) for name in ("duckdb", "postgres", "sqlserver", "databricks", "spark")] == [
        "duckdb", "postgres", "tsql", "databricks", "spark",
    ]
    assert dialect_for("no_such_adapter") is None and dialect_for(None) is None
