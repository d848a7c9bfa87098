"""The selected dbt target, and what each adapter's profile output must hold: checked once, here, when the settings
are read (`profile.load_connection_settings` calls the adapter's resolver from the registry, `adapters.py`); the
warehouses trust what they are given.

DuckDB: a relative `path` is resolved as dbt resolves it, against the directory dbt ran in, else the project
directory; the reason is kept (`path_origin`) so a missing file says where it was looked for and why. `:memory:`
and remote paths are refused.

PostgreSQL: dbt-postgres's fields and aliases (`dbname` = `database`, `pass` = `password`); `port` may arrive as
text (an env_var rendered without `| as_number`).

Spark: only dbt-spark's `method: session`; `database`, when given, must equal `schema` (dbt-spark's rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_grounding.errors import ConfigurationError

__all__ = [
    "ConnectionSettings", "TargetResolver", "resolve_duckdb", "resolve_postgres", "resolve_spark",
    "writer_connect_attempts",
]

# (rendered output, (directory a relative path is relative to, why), target name) -> the checked settings
TargetResolver = Callable[[dict[str, Any], tuple[Path, str], str], dict[str, Any]]

@dataclass(frozen=True)
class ConnectionSettings:
    """The selected dbt target, rendered.

    Attributes:
        adapter_type: the output's `type` (lower case), e.g. `duckdb`.
        profile_name: the profile used.
        target_name: the target (output) used.
        project_dir: the dbt project directory (absolute).
        profiles_file: the profiles.yml read.
        settings: the output's rendered fields; for duckdb `path` is absolute and `database` is set as
            dbt-duckdb sets it; for postgres `database`, `password` and an int `port` are set whichever alias the
            profile used. Not in repr: postgres outputs hold passwords.
    """

    adapter_type: str
    profile_name: str
    target_name: str
    project_dir: Path
    profiles_file: Path
    settings: Mapping[str, Any] = field(repr=False)



def resolve_duckdb(settings: dict[str, Any], relative_to: tuple[Path, str], target_name: str) -> dict[str, Any]:
    path = str(settings.get("path") or ":memory:")  # dbt-duckdb's default path is :memory:
    if path == ":memory:" or path.startswith(":memory:"):
        raise ConfigurationError(
            f"DuckDB target {target_name!r} is in memory; its tables vanish when dbt exits.",
            hint="Give the target a file `path:` (e.g. warehouse.duckdb) and run dbt build again.",
            target=target_name,
        )
    if "://" in path or path.split(":", 1)[0].lower() in ("md", "motherduck", "ducklake"):
        raise ConfigurationError(
            f"DuckDB target {target_name!r} uses {path!r}; only local DuckDB files can be queried yet.",
            hint="Point the grounding layer at a target whose `path:` is a local .duckdb file.",
            target=target_name, path=path,
        )
    resolved = Path(path).expanduser()
    if resolved.is_absolute():
        origin = f"the profile's path {path!r} is absolute"
    else:
        base, why = relative_to
        resolved = base / resolved
        origin = f"the profile's path {path!r} is relative to the directory dbt ran in: {why}"
    settings = {**settings, "path": str(resolved.resolve()), "path_origin": origin}
    # dbt-duckdb's rule (credentials.path_derived_database_name): the first dot-part of the file name
    settings.setdefault("database", resolved.name.lstrip(".").split(".")[0])
    return settings


_POSTGRES_REQUIRED = ("host", "user", "database")
_SPARK_METHODS = ("session",)


def resolve_postgres(settings: dict[str, Any], relative_to: tuple[Path, str], target_name: str) -> dict[str, Any]:
    settings = dict(settings)
    for alias, name in (("dbname", "database"), ("pass", "password")):  # dbt-postgres's _ALIASES
        if alias in settings:
            value = settings.pop(alias)
            settings.setdefault(name, value)
    missing = [name for name in _POSTGRES_REQUIRED if settings.get(name) in (None, "")]
    if missing:
        named = ", ".join("dbname" if name == "database" else name for name in missing)
        raise ConfigurationError(
            f"PostgreSQL target {target_name!r} lacks {named}.",
            hint="Give the output host, port, user, password and dbname, as dbt-postgres needs them (`dbt debug` "
                 "checks the same settings).",
            adapter="postgres", target=target_name, missing=missing,
        )
    port = settings.get("port", 5432)
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)  # rendered from env_var without | as_number
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigurationError(
            f"PostgreSQL target {target_name!r} has port {port!r}, not a TCP port number.",
            hint="Set `port:` to a number, e.g. \"{{ env_var('PGPORT', '5432') | as_number }}\".",
            target=target_name,
        )
    settings["port"] = port
    settings.setdefault("password", "")
    return settings


def resolve_spark(settings: dict[str, Any], relative_to: tuple[Path, str], target_name: str) -> dict[str, Any]:
    method = str(settings.get("method") or "").lower()
    if method not in _SPARK_METHODS:
        raise ConfigurationError(
            f"Spark target {target_name!r} uses method {method or '(none)'!r}; dbt-grounding reads Spark only "
            "through `method: session`.",
            hint="`session` runs Spark inside this process from the profile's server_side_parameters, as dbt-spark "
                 "does; thrift, http and odbc need a remote server's driver (PyHive, pyodbc) that dbt-grounding "
                 "does not support. Point the grounding layer at a session target over the same metastore and "
                 "warehouse directory.",
            target=target_name, method=method, supported=list(_SPARK_METHODS),
        )
    schema, database = settings.get("schema"), settings.get("database")
    if database not in (None, "") and database != schema:
        raise ConfigurationError(
            f"Spark target {target_name!r} has database {database!r} and schema {schema!r}; Spark has no database "
            "level.",
            hint="Omit `database:` or give it the schema's value, as dbt-spark requires.", target=target_name,
        )
    parameters = settings.get("server_side_parameters") or {}
    if not isinstance(parameters, Mapping) or not all(
        isinstance(value, (str, int, float, bool)) for value in parameters.values()
    ):
        raise ConfigurationError(
            f"Spark target {target_name!r}: server_side_parameters must map Spark settings to single values.",
            hint="e.g. server_side_parameters: {spark.master: 'local[2]', spark.sql.session.timeZone: UTC}",
            target=target_name,
        )
    # Spark reads settings as text; YAML's true/false/numbers become what Spark's own config files would hold
    parameters = {str(key): _spark_setting(value) for key, value in parameters.items()}
    return {**settings, "method": method, "database": None, "server_side_parameters": parameters}


def _spark_setting(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)



def writer_connect_attempts(settings: ConnectionSettings) -> int:
    """How many times dbt-duckdb tries to open the file for a build (profile `retries.connect_attempts`).

    Args:
        settings: a duckdb target's settings.

    Returns:
        The attempts; 1 (dbt-duckdb's default) means a build fails if it starts while a reader has the file open.
    """
    retries = settings.settings.get("retries")
    attempts = retries.get("connect_attempts", 1) if isinstance(retries, Mapping) else 1
    if isinstance(attempts, str) and attempts.strip().isdigit():
        attempts = int(attempts)  # rendered from env_var without | as_number
    return attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else 1
