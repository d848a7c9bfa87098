"""Connection settings from the user's own dbt profile: the warehouse is configured once, for dbt.

Resolution follows dbt 1.10/1.11 (dbt/cli/params.py, dbt/config/profile.py):
- profile name: the `profile` argument, else env DBT_PROFILE, else `profile:` in dbt_project.yml (rendered);
- profiles.yml: in `profiles_dir`, else env DBT_PROFILES_DIR, else the project directory, else the current
  directory, else ~/.dbt. (dbt itself checks only the current directory before ~/.dbt; looking in the project
  directory first finds the same file when dbt is run from the project, as it usually is, and the right one
  when this toolkit is pointed at a project from elsewhere.) An explicit directory must hold the file;
- target: the `target` argument, else env DBT_TARGET (dbt's `--target` reads it), else the profile's `target:`
  (rendered: it may be Jinja), else `default`;
- only the selected output is rendered, so an env var used by another target need not be set (as in dbt).

DuckDB: a relative `path` is resolved as dbt resolves it, against the directory dbt ran in (`run_directory`, found
from what run_results.json recorded: artifacts.location.dbt_run_directory), else the project directory, where dbt
runs by default; resolving against our own current directory instead would silently open, or fail to find, another
file. The reason for the directory is kept in the settings (`path_origin`), so a missing file says where it was
looked for and why. `:memory:` is refused: an in-memory database exists only inside the dbt process.

PostgreSQL: dbt-postgres's fields and aliases (`dbname` = `database`, `pass` = `password`); `port` may arrive as
text (an env_var rendered without `| as_number`). The settings keep the password: they are never shown (see
ConnectionSettings).

Spark: only dbt-spark's `method: session` (Spark inside this process, as dbt-spark runs it). thrift, http and odbc
reach a remote server through drivers (PyHive, pyodbc) this toolkit does not ship; they are refused with a hint.
Spark has no database level: `database`, when given, must equal `schema` (dbt-spark's rule).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.warehouse.rendering import render_data, render_value

if TYPE_CHECKING:
    from dbt_grounding.artifacts.location import Located

__all__ = ["SUPPORTED_ADAPTERS", "ConnectionSettings", "find_profiles_file", "load_connection_settings"]

# Adapters with a Warehouse implementation: adding one means a type table (types.py), a settings resolver below and
# a Warehouse subclass (warehouse/base.py) registered in warehouse/__init__.py.
SUPPORTED_ADAPTERS = ("duckdb", "postgres", "spark")


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


def load_connection_settings(
    project_dir: str | os.PathLike[str],
    profiles_dir: str | os.PathLike[str] | None = None,
    target: str | None = None,
    *,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    run_directory: Located | None = None,
) -> ConnectionSettings:
    """Read the connection settings dbt would use for this project.

    Args:
        project_dir: directory holding dbt_project.yml.
        profiles_dir: directory holding profiles.yml (dbt's --profiles-dir); None = dbt's search order.
        target: target name (dbt's --target); None = env DBT_TARGET, else the profile's default.
        profile: profile name (dbt's --profile); None = env DBT_PROFILE, else dbt_project.yml's `profile`.
        environ: environment for env_var() and the DBT_* variables; None = os.environ.
        run_directory: the directory dbt ran in and why (a relative DuckDB path is relative to it); None = the
            project directory.

    Returns:
        The rendered settings of the selected target.

    Raises:
        ConfigurationError: no dbt_project.yml or profiles.yml, unknown profile or target, a missing env var,
            an unsupported adapter or Spark method, an unusable DuckDB path, a PostgreSQL output lacking
            host/user/dbname or with a non-numeric port; each with a hint saying how to fix it.
    """
    environ = os.environ if environ is None else environ
    project_path = Path(project_dir).expanduser().resolve()
    project_file, project = _read_project(project_path)
    profile_name = profile or environ.get("DBT_PROFILE") or _profile_name(project_file, project, environ)
    profiles_file = find_profiles_file(project_path, profiles_dir, environ)
    raw_profile = _read_profile(profiles_file, profile_name)
    target_name = _target_name(raw_profile, profile_name, profiles_file, target, environ)
    output = _select_output(raw_profile, profile_name, target_name, profiles_file)
    settings = render_data(
        output, environ=environ, source=f"{profiles_file}: {profile_name}.outputs.{target_name}"
    )
    adapter_type = str(settings.get("type") or "").lower()
    if adapter_type not in SUPPORTED_ADAPTERS:
        raise ConfigurationError(
            f"Target {target_name!r} of profile {profile_name!r} uses adapter {adapter_type or '(none)'!r}, "
            "which dbt-grounding cannot query yet.",
            hint=f"Select a target of type {', '.join(SUPPORTED_ADAPTERS)} (--target or DBT_TARGET).",
            adapter=adapter_type, profile=profile_name, target=target_name, profiles_file=str(profiles_file),
        )
    relative_to = (run_directory.path, run_directory.reason) if run_directory is not None else (
        project_path, "the project directory, where dbt runs unless told otherwise")
    settings = _RESOLVERS[adapter_type](settings, relative_to, target_name)
    return ConnectionSettings(adapter_type, profile_name, target_name, project_path, profiles_file, settings)


def find_profiles_file(
    project_dir: Path, profiles_dir: str | os.PathLike[str] | None, environ: Mapping[str, str]
) -> Path:
    """The profiles.yml dbt would read (see the module docstring for the order).

    Args:
        project_dir: the dbt project directory.
        profiles_dir: an explicit directory, or None.
        environ: where DBT_PROFILES_DIR is read.

    Returns:
        The path of an existing profiles.yml.
    """
    explicit = profiles_dir if profiles_dir is not None else environ.get("DBT_PROFILES_DIR")
    if explicit:
        candidate = Path(explicit).expanduser().resolve() / "profiles.yml"
        if candidate.is_file():
            return candidate
        origin = "profiles_dir" if profiles_dir is not None else "DBT_PROFILES_DIR"
        raise ConfigurationError(
            f"No profiles.yml in {candidate.parent} ({origin}).",
            hint=f"Point {origin} at the directory holding profiles.yml, as for dbt's --profiles-dir.",
            path=str(candidate),
        )
    searched = [project_dir / "profiles.yml", Path.cwd() / "profiles.yml", Path.home() / ".dbt" / "profiles.yml"]
    for candidate in searched:
        if candidate.is_file():
            return candidate
    raise ConfigurationError(
        "No profiles.yml found.",
        hint="Create one (dbt init does), or pass profiles_dir / set DBT_PROFILES_DIR to its directory.",
        searched=[str(path) for path in searched],
    )


def _read_project(project_dir: Path) -> tuple[Path, Mapping[str, Any]]:
    project_file = project_dir / "dbt_project.yml"
    if not project_file.is_file():
        raise ConfigurationError(
            f"No dbt_project.yml in {project_dir}.",
            hint="Pass the dbt project's directory (the one holding dbt_project.yml) as project_dir.",
            path=str(project_file),
        )
    return project_file, _load_yaml(project_file)


def _profile_name(project_file: Path, project: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    name = render_value(project.get("profile"), environ=environ, source=f"{project_file}: profile")
    if not name or not isinstance(name, str):
        raise ConfigurationError(
            f"{project_file} names no profile.",
            hint="Add `profile: <name of a profile in profiles.yml>` to dbt_project.yml, or set DBT_PROFILE.",
            path=str(project_file),
        )
    return name


def _read_profile(profiles_file: Path, profile_name: str) -> Mapping[str, Any]:
    profiles = _load_yaml(profiles_file)
    raw_profile = profiles.get(profile_name)
    if not isinstance(raw_profile, Mapping):
        available = sorted(name for name, value in profiles.items() if name != "config" and isinstance(value, dict))
        raise ConfigurationError(
            f"Profile {profile_name!r} is not in {profiles_file}.",
            hint=f"Add it, or use one of: {', '.join(available) or '(none)'} (dbt_project.yml `profile:`).",
            profile=profile_name, profiles_file=str(profiles_file), available=available,
        )
    return raw_profile


def _target_name(
    raw_profile: Mapping[str, Any],
    profile_name: str,
    profiles_file: Path,
    target: str | None,
    environ: Mapping[str, str],
) -> str:
    if target:
        return target
    if environ.get("DBT_TARGET"):
        return environ["DBT_TARGET"]
    if "target" in raw_profile:
        rendered = render_value(raw_profile["target"], environ=environ, source=f"{profiles_file}: {profile_name}.target")
        return str(rendered)
    return "default"  # dbt's fallback when a profile names no target


def _select_output(
    raw_profile: Mapping[str, Any], profile_name: str, target_name: str, profiles_file: Path
) -> Mapping[str, Any]:
    outputs = raw_profile.get("outputs")
    if not isinstance(outputs, Mapping) or not isinstance(outputs.get(target_name), Mapping):
        available = sorted(outputs) if isinstance(outputs, Mapping) else []
        raise ConfigurationError(
            f"Profile {profile_name!r} has no target {target_name!r}.",
            hint=f"Use one of: {', '.join(available) or '(none: add outputs)'} (target argument or DBT_TARGET).",
            profile=profile_name, target=target_name, available=available, profiles_file=str(profiles_file),
        )
    return outputs[target_name]


def _load_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            f"Cannot read {path}: {exc}", hint="Fix the file; `dbt debug` reports the same problem.", path=str(path)
        ) from exc
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"{path} is not a YAML mapping.", hint="Fix the file; `dbt debug` reports the same problem.", path=str(path)
        )
    return data


def _resolve_duckdb(settings: dict[str, Any], relative_to: tuple[Path, str], target_name: str) -> dict[str, Any]:
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


def _resolve_postgres(settings: dict[str, Any], relative_to: tuple[Path, str], target_name: str) -> dict[str, Any]:
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


def _resolve_spark(settings: dict[str, Any], relative_to: tuple[Path, str], target_name: str) -> dict[str, Any]:
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


_RESOLVERS = {"duckdb": _resolve_duckdb, "postgres": _resolve_postgres, "spark": _resolve_spark}
