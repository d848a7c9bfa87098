"""Whether a target folder's artifacts were written by the dbt project they are read for.

A `--target-path` (or `--project-dir`) pointing at another project's build reads without complaint and makes every
answer about the wrong project: the gate reported 187 unrelated findings that way. Two facts are compared, both
reliable: the manifest's `metadata.project_name` with `name:` in the project's dbt_project.yml, and, for two
projects of the same name (dbt init's `my_new_project`), whether any file the manifest read for the root project
exists under the project directory. Without a dbt_project.yml there is nothing to compare with (an artifacts-only
use of the toolkit): nothing is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from pathlib import Path

import yaml

from dbt_grounding import yaml_text
from dbt_grounding.errors import ArtifactError, ConfigurationError

PROJECT_FILE = "dbt_project.yml"
_FILE_BACKED = ("model", "seed", "snapshot", "analysis")  # generated nodes (tests from yml) point at yml files too


def check_same_project(manifest, project_dir: Path, target_path: Path) -> None:
    """Raise unless `manifest` (a Manifest or ManifestGraph) was written by the project in `project_dir`.

    Raises:
        ArtifactError: the artifacts belong to another project; the message names both, the hint the fix.
        ConfigurationError: dbt_project.yml exists but cannot be read as YAML.
    """
    name = _project_name(Path(project_dir) / PROJECT_FILE)
    built_by = manifest.metadata.project_name
    if name is None or not built_by:
        return
    fix = (f"point --target-path at the artifacts of {name}'s own `dbt build` (default <project-dir>/target), or "
           f"--project-dir at the folder whose {PROJECT_FILE} says `name: {built_by}`")
    if built_by != name:
        raise ArtifactError(
            f"the artifacts in {target_path} belong to dbt project {built_by!r}, not to {name!r} ({project_dir})",
            hint=fix, path=str(target_path), problem="other_project", artifacts_project=built_by, project=name,
        )
    files = [node.original_file_path for node in _root_nodes(manifest.nodes.values(), built_by)]
    if files and not any((Path(project_dir) / file).is_file() for file in files):
        raise ArtifactError(
            f"the artifacts in {target_path} come from another copy of dbt project {built_by!r}: none of its "
            f"{len(files)} model and seed files (e.g. {sorted(files)[0]}) is in {project_dir}",
            hint=fix, path=str(target_path), problem="other_project", artifacts_project=built_by, project=name,
        )


def _root_nodes(nodes: Iterable, project_name: str) -> Iterable:
    return (node for node in nodes if node.package_name == project_name and node.resource_type in _FILE_BACKED
            and node.original_file_path)


def read_project_file(project_file: Path) -> Any:
    """dbt_project.yml parsed (any YAML value), None when there is no such file: the one reader of it in artifacts/
    (its `name:` here, its `target-path:` in location.py).

    Raises:
        ConfigurationError: the file exists but cannot be read as YAML.
    """
    try:
        text = project_file.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(project_file, error) from None
    try:
        return yaml_text.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise _unreadable(project_file, error) from None


def _project_name(project_file: Path) -> str | None:
    """dbt_project.yml's `name:`, or None when there is no such file or the name is templated."""
    project = read_project_file(project_file)
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str) or "{" in name:
        return None  # dbt itself refuses a project without a name; the comparison needs a plain one
    return name


def _unreadable(project_file: Path, error: Exception) -> ConfigurationError:
    reason = " / ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return ConfigurationError(f"cannot read {project_file}: {reason}",
                              hint="fix the file; `dbt parse` reports the same problem", path=str(project_file))
