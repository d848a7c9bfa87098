"""Fixtures for the warehouse tests: a small scratch DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

SCRATCH_SQL = """
create schema sales;
create table sales.orders (
    order_id bigint primary key,
    region varchar,
    amount decimal(18, 2),
    placed_on date,
    "we""ird col" varchar
);
insert into sales.orders values
    (1, 'north', 10.50, date '2026-01-01', 'a'),
    (2, 'north', 20.00, date '2026-02-01', 'b'),
    (3, 'south', 30.25, date '2026-03-01', 'c'),
    (4, 'north', 40.00, date '2026-04-01', 'd');
create table sales.tenant_users (tenant varchar, user_id integer, email varchar, primary key (tenant, user_id));
insert into sales.tenant_users values ('acme', 1, 'a@acme.test'), ('acme', 2, 'b@acme.test'), ('globex', 1, 'g@gx.test');
create schema "Odd Schema";
create table "Odd Schema"."Mixed Table" ("Key" varchar, "Value" integer);
insert into "Odd Schema"."Mixed Table" values ('k', 7);
create table sales.empty_table (id integer, seen date);
"""


@pytest.fixture(scope="session")
def scratch_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small DuckDB file (catalog name `scratch`); tests only read it."""
    path = tmp_path_factory.mktemp("scratch") / "scratch.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute(SCRATCH_SQL)
    connection.close()
    return path
