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

The output's adapter must be in the registry (`adapters.py`); its resolver (`targets.py`) checks what that adapter
needs (a DuckDB file path resolved against the directory dbt ran in, PostgreSQL's host/user/dbname and port, Spark's
`method: session`), once, here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dbt_grounding import yaml_text
from dbt_grounding.errors import ConfigurationError
from dbt_grounding.warehouse.adapters import ADAPTERS
from dbt_grounding.warehouse.rendering import render_data, render_value
from dbt_grounding.warehouse.targets import ConnectionSettings

if TYPE_CHECKING:
    from dbt_grounding.artifacts.location import Located

__all__ = ["ConnectionSettings", "find_profiles_file", "load_connection_settings"]


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
    adapter = ADAPTERS.get(adapter_type)
    if adapter is None:
        raise ConfigurationError(
            f"Target {target_name!r} of profile {profile_name!r} uses adapter {adapter_type or '(none)'!r}, "
            "which dbt-grounding cannot query yet.",
            hint=f"Select a target of type {', '.join(ADAPTERS)} (--target or DBT_TARGET).",
            adapter=adapter_type, profile=profile_name, target=target_name, profiles_file=str(profiles_file),
        )
    relative_to = (run_directory.path, run_directory.reason) if run_directory is not None else (
        project_path, "the project directory, where dbt runs unless told otherwise")
    settings = adapter.resolve_target(settings, relative_to, target_name)
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
        data = yaml_text.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            f"Cannot read {path}: {exc}", hint="Fix the file; `dbt debug` reports the same problem.", path=str(path)
        ) from exc
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"{path} is not a YAML mapping.", hint="Fix the file; `dbt debug` reports the same problem.", path=str(path)
        )
    return data
