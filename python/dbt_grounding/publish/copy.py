"""Copy relations out of the DuckDB file dbt builds into a new DuckDB file, in one read-only attach.

The source is attached read-only for the whole copy: DuckDB then keeps writers out until the copy ends, so the
copied relations are all from one state of the file (no build can write between two of them). A writer holding the
file makes the attach fail at once; it is retried with backoff until `lock_wait_s`, by the warehouse's own retry
(warehouse.duckdb.retry_while_locked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from dbt_grounding.errors import WarehouseError
from dbt_grounding.publish.store import PublishedMart
from dbt_grounding.warehouse.duckdb import is_lock_conflict, retry_while_locked
from dbt_grounding.warehouse.sql import quote_identifier

__all__ = ["RelationToCopy", "copy_relations"]

RelationToCopy = tuple[str, str, str]  # (unique_id, schema, identifier) in the source file


def copy_relations(source: Path, destination: Path, relations: Sequence[RelationToCopy], *,
                   lock_wait_s: float = 120.0, before_copy: Callable[[], None] | None = None) -> list[PublishedMart]:
    """Copy each relation (table or view: its rows) from `source` into the new file `destination`, keeping schema,
    name, column names, order and types.

    Args:
        source: the DuckDB file dbt built.
        destination: a file that does not exist yet.
        relations: what to copy.
        lock_wait_s: how long to retry while a writer (a dbt command) holds `source`.
        before_copy: called once the source is attached (writers are kept out from then on), e.g. to check that
            the artifacts still describe the file; it raises to abandon the copy.

    Raises:
        WarehouseError: the source cannot be opened (missing, not DuckDB, held by a writer past lock_wait_s) or a
            relation cannot be read.
    """
    if not source.is_file():
        raise WarehouseError(f"The DuckDB file {source} does not exist.",
                             hint="Run `dbt build` first; publish copies what it built.", path=str(source))
    connection = duckdb.connect(str(destination))
    try:
        _attach_read_only(connection, source, lock_wait_s)
        try:
            if before_copy is not None:
                before_copy()
            return [_copy_one(connection, *relation) for relation in sorted(relations)]
        finally:
            connection.execute("DETACH src")
    finally:
        connection.close()


def _attach_read_only(connection: duckdb.DuckDBPyConnection, source: Path, lock_wait_s: float) -> None:
    literal = "'" + str(source).replace("'", "''") + "'"
    try:
        retry_while_locked(lambda: connection.execute(f"ATTACH {literal} AS src (READ_ONLY)"), lock_wait_s)
    except duckdb.Error as error:
        if is_lock_conflict(error):
            raise WarehouseError(
                f"A dbt command held the DuckDB file {source} for more than {lock_wait_s:g} s.",
                hint="Publish after the build ends (or raise lock_wait_s).", path=str(source),
            ) from None
        raise _cannot_open(source, error) from None


def _cannot_open(source: Path, error: duckdb.Error) -> WarehouseError:
    return WarehouseError(f"Cannot open the DuckDB file {source}: {error}", path=str(source),
                          hint="Check that it is the file dbt builds (the profile's `path`).")


def _create_like_source(connection: duckdb.DuckDBPyConnection, schema: str, identifier: str) -> bool:
    """Create the empty table with the source table's own DDL, so its primary key (an index: a point lookup on a
    1M-row mart takes ~1 ms with it, ~8 ms without) and NOT NULL constraints come along. False for a view, or
    for DDL that does not hold alone in the copy (a foreign key to a relation not published): the rows are copied
    without constraints then."""
    found = connection.execute(
        "SELECT sql FROM duckdb_tables() WHERE database_name = 'src' AND lower(schema_name) = lower(?)"
        " AND lower(table_name) = lower(?)", [schema, identifier]).fetchone()
    if found is None:
        return False
    try:
        connection.execute(found[0])  # `CREATE TABLE schema.name (...)`: the default database is the copy
    except duckdb.Error:
        return False
    return True


def _copy_one(connection: duckdb.DuckDBPyConnection, unique_id: str, schema: str, identifier: str) -> PublishedMart:
    target = f"{quote_identifier(schema)}.{quote_identifier(identifier)}"
    try:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
        if not _create_like_source(connection, schema, identifier):
            connection.execute(f"CREATE TABLE {target} AS SELECT * FROM src.{target}")
        else:  # in the source's order (DuckDB keeps insertion order): a mart written in key order stays so
            connection.execute(f"INSERT INTO {target} SELECT * FROM src.{target}")
    except duckdb.Error as error:
        raise WarehouseError(f"Cannot copy {schema}.{identifier} ({unique_id}) for publishing: {error}",
                             hint="Rebuild it (`dbt build`) and publish again.", node=unique_id) from None
    rows = connection.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    columns = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, identifier],
    ).fetchall()
    return PublishedMart(unique_id=unique_id, schema=schema, identifier=identifier, rows=int(rows),
                         columns=[(name, data_type) for name, data_type in columns])
