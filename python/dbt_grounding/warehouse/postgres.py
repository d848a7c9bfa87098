"""PostgreSQL: read-only lookups over one connection held open and reused, through psycopg2.

Unlike a DuckDB file, a PostgreSQL server lets readers and `dbt build` work at the same time (MVCC), so nothing
here needs to leave gaps for a writer: the connection opens on the first operation and stays open until `close()`.
Opening one costs a TCP (and maybe TLS) handshake plus authentication, far more than a key lookup, so warm lookups
never reconnect, and serving never goes through `dbt show` (a process start and a parse per lookup).

- The session is read-only (`set_session(readonly=True, autocommit=True)`: every statement runs in its own
  read-only transaction, so a lookup holds no snapshot or lock between documents) with a `statement_timeout`, so a
  lookup on a missing index cannot run for ever.
- A connection the server or the network dropped (restart, idle timeout, failover) is reopened once and the
  statement retried: every statement here is a SELECT, so running it again is safe. A second failure is raised.
- Key values are bound with psycopg2's `%s` (escaped by libpq, never pasted into SQL by us); identifiers come from
  the manifest and are quoted by `sql.quote_identifier`, `%` doubled so psycopg2 does not take it for a marker.
- Columns come from pg_catalog with `format_type`, so types read as PostgreSQL spells them with their modifiers
  (`numeric(18,2)`, `character varying(40)`): information_schema's `data_type` drops them (`numeric`), which
  would hide a rescaled decimal.
- Views cannot break behind dbt's back here (PostgreSQL refuses to drop or retype a column a view reads, and
  `CASCADE` drops the view), so `inspect` never reports a broken view, only columns. Inside a `session()` the first
  inspect of a schema reads the columns of all its relations in one catalog query; the listing is kept until the
  session ends (a gate run), so it is as of that first look.
- Relation names are matched exactly: dbt-postgres quotes database, schema and identifier by default, so the
  manifest holds the names as PostgreSQL stores them. A connection reads one database; a relation the manifest
  places in another one is refused, not silently looked up in the connected database.

psycopg2 is imported lazily: the default install is DuckDB only (`pip install 'dbt-grounding[postgres]'`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dbt_grounding.errors import ConfigurationError, GroundingError, InvalidKeyError, WarehouseError
from dbt_grounding.warehouse.base import QueryFailure, QueryHook, Relation, RelationState, Warehouse, import_driver
from dbt_grounding.warehouse.sql import KeyValue, quote_identifier, short_reason

if TYPE_CHECKING:
    from dbt_grounding.warehouse.targets import ConnectionSettings

__all__ = ["PostgresWarehouse", "connect_kwargs"]

# The columns of every relation of one schema (_ONE_RELATION appended: of one relation), whether it is a view.
_SCHEMA_COLUMNS_SQL = (
    "SELECT c.relname, c.relkind = 'v', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)"
    " FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'p', 'f')"
    " AND a.attnum > 0 AND NOT a.attisdropped"
)
_ONE_RELATION = " AND c.relname = %s"
_COLUMN_ORDER = " ORDER BY c.relname, a.attnum"
# The session's settings and identity in one round trip, as a SELECT (the only statement kind this layer runs).
_SETUP_SQL = "SELECT pg_catalog.set_config('statement_timeout', %s, false), current_database(), pg_backend_pid()"
_ROLE_SQL = "SELECT pg_catalog.set_config('role', %s, false)"
# libpq connection parameters taken from the profile as they are (dbt-postgres passes the same ones)
_PASSED_THROUGH = ("connect_timeout", "sslmode", "sslcert", "sslkey", "sslrootcert", "sslpassword", "keepalives",
                   "keepalives_interval", "keepalives_count", "target_session_attrs", "application_name")
# SQLSTATE classes and codes, as PostgreSQL reports them (Appendix A of its manual)
_UNDEFINED_TABLE, _UNDEFINED_SCHEMA = "42P01", "3F000"
_UNDEFINED_COLUMN = "42703"
_QUERY_CANCELED = "57014"
_DATA_EXCEPTION_CLASS = "22"
_UNDEFINED_FUNCTION = "42883"  # `bigint = text` has no operator: a key value of the wrong type
_SERVER_HINT = (
    "Check that the server is running and accepts connections at {where} (this package's local cluster: "
    "`scripts/pg_cluster.sh start`), and the target's host/port in profiles.yml (this package's profile reads "
    "DBT_GROUNDING_PG_HOST / DBT_GROUNDING_PG_PORT); `dbt debug` tests the same settings."
)
_LOGIN_HINT = (
    "Check the target's user, password and dbname in profiles.yml (this package's profile reads "
    "DBT_GROUNDING_PG_USER / DBT_GROUNDING_PG_PASSWORD / DBT_GROUNDING_PG_DATABASE); `dbt debug` tests the same "
    "settings."
)


def connect_kwargs(settings: ConnectionSettings) -> dict[str, Any]:
    """psycopg2.connect's arguments for a PostgreSQL target, as dbt-postgres connects (also the telemetry table
    sink's, which writes where this class reads)."""
    output = settings.settings  # host, user and database checked by targets.resolve_postgres
    kwargs: dict[str, Any] = {
        "host": output["host"], "port": output.get("port", 5432), "user": output["user"],
        "password": output.get("password", ""), "dbname": output["database"], "connect_timeout": 10,
    }
    kwargs.update({name: output[name] for name in _PASSED_THROUGH if output.get(name) not in (None, "")})
    if output.get("keepalives_idle"):  # dbt-postgres: 0 means libpq's default, and passing 0 breaks setsockopt
        kwargs["keepalives_idle"] = output["keepalives_idle"]
    kwargs.setdefault("application_name", "dbt-grounding")
    return kwargs


class PostgresWarehouse(Warehouse):
    """One read-only psycopg2 connection, opened on first use and reused; reopened once when it was dropped.

    Thread-safe: operations on one object run one at a time over its single connection.

    Attributes:
        connections_opened: how many connections this object has opened so far (1 while the first one lives).
    """

    adapter_type = "postgres"
    engine_name = "PostgreSQL"

    def __init__(
        self,
        connect_kwargs: Mapping[str, Any],
        *,
        statement_timeout_ms: int = 30_000,
        role: str | None = None,
        on_query: QueryHook | None = None,
        source: str = "the PostgreSQL target",
        connect: Callable[..., Any] | None = None,
    ) -> None:
        """
        Args:
            connect_kwargs: psycopg2.connect keyword arguments (host, port, user, password, dbname, ...).
            statement_timeout_ms: the server cancels a statement running longer (0 = no limit).
            role: `SET ROLE` after connecting, as dbt-postgres does with the profile's `role`.
            on_query: called with (sql, params) before every statement.
            source: the profile output the settings come from, for error messages.
            connect: replaces psycopg2.connect (tests).
        """
        if isinstance(statement_timeout_ms, bool) or not isinstance(statement_timeout_ms, int) \
                or statement_timeout_ms < 0:
            raise ValueError(f"statement_timeout_ms must be an int >= 0, not {statement_timeout_ms!r}")
        super().__init__(on_query=on_query)
        self._psycopg2 = import_driver("psycopg2", "psycopg2.extensions", extra="postgres", engine="PostgreSQL")
        self.driver_errors = (self._psycopg2.Error,)
        self._connect_kwargs = dict(connect_kwargs)
        self._connect = connect or self._psycopg2.connect
        self.statement_timeout_ms = statement_timeout_ms
        self.role = role
        self.source = source
        self._connection: Any = None
        self._database: str | None = None
        self._backend_pid: int | None = None
        self.connections_opened = 0

    def __repr__(self) -> str:  # the password stays out of logs and tracebacks
        return f"PostgresWarehouse({self._where()}, database={self._connect_kwargs.get('dbname')!r})"

    @classmethod
    def _from_checked_settings(cls, settings: ConnectionSettings, **options: Any) -> PostgresWarehouse:
        output = settings.settings
        kwargs = connect_kwargs(settings)
        options.setdefault("role", output.get("role") or None)
        options.setdefault(
            "source", f"{settings.profiles_file}: {settings.profile_name}.outputs.{settings.target_name}"
        )
        return cls(kwargs, **options)

    # ------------------------------------------------------------------ state

    @property
    def connected(self) -> bool:
        """Whether a connection is open now."""
        return self._connection is not None and not self._connection.closed

    @property
    def backend_pid(self) -> int | None:
        """The server process of the current connection (pg_stat_activity.pid), None before the first operation."""
        return self._backend_pid if self.connected else None

    # unchanged_since stays None (the base's): other sessions may alter a relation at any moment (no lock is held
    # between statements), so each document checks again (one catalog query on the open connection).

    # ------------------------------------------------------------------ operations

    def inspect(self, relation: Relation | tuple[str | None, str, str], *, probe: bool = True) -> RelationState:
        # PostgreSQL's dependency tracking keeps views bound: nothing to probe
        relation = Relation(*relation)
        with self._operation():
            self._check_database(relation)
            listed = self._listed(
                relation.schema, relation.identifier, fold_case=False,
                one=(_SCHEMA_COLUMNS_SQL + _ONE_RELATION + _COLUMN_ORDER, (relation.schema, relation.identifier)),
                whole_schema=(_SCHEMA_COLUMNS_SQL + _COLUMN_ORDER, (relation.schema,)),
            )
        return RelationState(listed[1] if listed else None)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                connection, self._connection = self._connection, None
                try:
                    connection.close()
                except self._psycopg2.Error:
                    pass  # closing a connection the server already dropped: nothing left to release

    # ------------------------------------------------------------------ connection

    def _ensure_connected(self) -> Any:
        if self._connection is None or self._connection.closed:
            self._connection = None
            self._connection = self._open()
        return self._connection

    def _open(self) -> Any:
        psycopg2 = self._psycopg2
        try:
            connection = self._connect(**self._connect_kwargs)
        except psycopg2.Error as exc:
            raise self._connect_error(exc) from exc
        try:
            connection.set_session(readonly=True, autocommit=True)
            self._report(_SETUP_SQL, (str(self.statement_timeout_ms),))
            _, rows = self._run(connection, _SETUP_SQL, (str(self.statement_timeout_ms),))
            _, database, self._backend_pid = rows[0]
            if self.role:
                self._report(_ROLE_SQL, (self.role,))
                self._run(connection, _ROLE_SQL, (self.role,))
        except psycopg2.Error as exc:
            connection.close()
            raise WarehouseError(
                f"Connected to PostgreSQL at {self._where()} but could not set up the read-only session: "
                f"{short_reason(exc)}",
                hint="Check the profile's `role` and that the user may read the catalog.",
                source=self.source, reason=short_reason(exc),
            ) from exc
        except BaseException:
            connection.close()
            raise
        if self._database is None:
            self._database = database
        self.connections_opened += 1
        return connection

    def _connect_error(self, exc: Exception) -> WarehouseError:
        reason = short_reason(exc)
        login = any(text in reason for text in ("authentication failed", "role \"", "does not exist", "password"))
        return WarehouseError(
            f"Cannot connect to PostgreSQL at {self._where()} (database {self._connect_kwargs.get('dbname')!r}, "
            f"user {self._connect_kwargs.get('user')!r}): {reason}",
            hint=_LOGIN_HINT if login else _SERVER_HINT.format(where=self._where()),
            host=self._connect_kwargs.get("host"), port=self._connect_kwargs.get("port"), source=self.source,
            reason=reason,
        )

    def _where(self) -> str:
        return f"{self._connect_kwargs.get('host')}:{self._connect_kwargs.get('port', 5432)}"

    # ------------------------------------------------------------------ SQL

    def _check_database(self, relation: Relation) -> None:
        self._ensure_connected()  # the connected database is known from the first connection on
        if relation.database and self._database is not None and relation.database != self._database:
            raise ConfigurationError(
                f"{relation} is in database {relation.database!r}, but the target connects to {self._database!r}; "
                "a PostgreSQL connection reads one database.",
                hint="Point the target's dbname at the database dbt built the relation in.",
                relation=str(relation), database=self._database,
            )

    def _relation_sql(self, relation: Relation) -> str:
        self._check_database(relation)
        return f"{self._quote(relation.schema)}.{self._quote(relation.identifier)}"

    def _quote(self, identifier: str) -> str:
        # psycopg2 reads every % in the SQL text as a marker or an escape when parameters are given
        return quote_identifier(identifier).replace("%", "%%")

    def _placeholder(self, position: int) -> str:
        return "%s"

    def _bind_value(self, column: str, value: KeyValue) -> Any:
        """psycopg2 adapts str, numbers, Decimal, date/time; a UUID travels as text (PostgreSQL casts it for the
        comparison) so no adapter registration is needed. Text holding NUL is refused: PostgreSQL text cannot."""
        if isinstance(value, str) and "\x00" in value:
            raise InvalidKeyError(
                f"Key value for {column!r} holds a NUL character, which PostgreSQL text cannot hold.",
                hint="Pass the key's actual value.", column=column,
            )
        return str(value) if isinstance(value, uuid.UUID) else value

    def _execute(self, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement on the held connection; reopen and retry once when the connection was lost (every
        statement here is a SELECT, so running it again is safe)."""
        psycopg2 = self._psycopg2
        connection = self._ensure_connected()
        try:
            return self._run(connection, sql, params)
        except psycopg2.Error as exc:
            if not connection.closed:  # the server answered: an error about this statement
                raise
            lost = exc
        self._connection = None
        try:
            connection.close()
        except psycopg2.Error:
            pass
        connection = self._ensure_connected()  # a connect error here says the server is gone
        try:
            return self._run(connection, sql, params)
        except psycopg2.Error as exc:
            if connection.closed:
                self._connection = None
                raise WarehouseError(
                    f"The connection to PostgreSQL at {self._where()} dropped twice in a row: {short_reason(exc)}",
                    hint=_SERVER_HINT.format(where=self._where()), source=self.source, reason=short_reason(exc),
                    first_reason=short_reason(lost),
                ) from exc
            raise

    @staticmethod
    def _run(connection: Any, sql: str, params: tuple[Any, ...]) -> tuple[list[str], list[tuple[Any, ...]]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [description[0] for description in cursor.description], cursor.fetchall()

    def _classify(self, exc: BaseException) -> QueryFailure:
        code = getattr(exc, "pgcode", None) or ""
        if code in (_UNDEFINED_TABLE, _UNDEFINED_SCHEMA):
            return QueryFailure.MISSING_RELATION
        if code == _UNDEFINED_COLUMN:
            return QueryFailure.MISSING_COLUMN
        if code.startswith(_DATA_EXCEPTION_CLASS) or code == _UNDEFINED_FUNCTION:
            return QueryFailure.BAD_KEY_VALUE
        return QueryFailure.OTHER

    def _engine_error(self, exc: BaseException, relation: Relation | None, reason: str) -> GroundingError | None:
        if getattr(exc, "pgcode", None) == _QUERY_CANCELED:
            return WarehouseError(
                f"Query on {relation} ran past statement_timeout ({self.statement_timeout_ms} ms) and was cancelled.",
                hint="Index the key columns (a primary key constraint does), or raise statement_timeout_ms.",
                relation=str(relation), reason=reason,
            )
        return None
