"""Whether a target folder's artifacts were written by the dbt project they are read for.

A `--target-path` (or `--project-dir`) pointing at another project's build reads without complaint and makes every
answer about the wrong project: the gate reported 187 unrelated findings that way. Two facts are compared, both
reliable: the manifest's `metadata.project_name` with `name:` in the project's dbt_project.yml, and, for two
projects of the same name (dbt init's `my_new_project`), whether any file the manifest read for the root project
exists under the project directory. Without a dbt_project.yml there is nothing to compare with (an artifacts-only
use of the toolkit): nothing is checked.
"""

from __future__ import annotations

from typing import Any
from pathlib import Path

import msgspec

from dbt_grounding.artifacts.state import read_state, state_dir, write_state
from dbt_grounding.errors import ArtifactError, ConfigurationError

PROJECT_FILE = "dbt_project.yml"
KNOWN_NAME_FILE = "project_name.json"  # beside the artifacts (artifacts.state): the name last read from PROJECT_FILE
_FILE_BACKED = ("model", "seed", "snapshot", "analysis")  # generated nodes (tests from yml) point at yml files too


def check_same_project(manifest, project_dir: Path, target_path: Path, *, files: list[str] | None = None,
                       remember_name: bool = False) -> None:
    """Raise unless `manifest` (a Manifest, ManifestGraph or CompactGraph) was written by the project in
    `project_dir`.

    Args:
        files: the manifest's `project_files` when already known (a CompactGraph keeps them, not the nodes').
        remember_name: keep the name read from dbt_project.yml beside the artifacts (`target_path`), and read it
            from there while the file's text is unchanged: no YAML parser in a cold command that only reads.

    Raises:
        ArtifactError: the artifacts belong to another project; the message names both, the hint the fix.
        ConfigurationError: dbt_project.yml exists but cannot be read as YAML.
    """
    name = _project_name(Path(project_dir) / PROJECT_FILE, state_dir(target_path) if remember_name else None)
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
    files = project_files(manifest) if files is None else files
    if files and not any((Path(project_dir) / file).is_file() for file in files):
        raise ArtifactError(
            f"the artifacts in {target_path} come from another copy of dbt project {built_by!r}: none of its "
            f"{len(files)} model and seed files (e.g. {sorted(files)[0]}) is in {project_dir}",
            hint=fix, path=str(target_path), problem="other_project", artifacts_project=built_by, project=name,
        )


def project_files(manifest) -> list[str]:
    """The files the manifest (a Manifest or ManifestGraph) read for its own project's models, seeds, snapshots and
    analyses: one of them existing under the project directory says the artifacts are that project's."""
    name = manifest.metadata.project_name
    return [node.original_file_path for node in manifest.nodes.values() if node.package_name == name
            and node.resource_type in _FILE_BACKED and node.original_file_path]


def read_project_file(project_file: Path) -> Any:
    """dbt_project.yml parsed (any YAML value), None when there is no such file: the one reader of it in artifacts/
    (its `name:` here, its `target-path:` in location.py).

    Raises:
        ConfigurationError: the file exists but cannot be read as YAML.
    """
    text = _text(project_file)
    return None if text is None else _parse(project_file, text)


def may_set(project_file: Path, key: str) -> bool:
    """Whether dbt_project.yml may set the top-level `key`, answered without a YAML parser (~15 ms of imports in a
    cold command): False only when the file is missing, or is UTF-8 text that cannot spell `key` (the characters
    are nowhere in it, and there is no backslash, the only way YAML spells a key in other characters); a file that
    cannot be read says True, so that the parser reports it."""
    try:
        data = project_file.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return key.encode() in data or b"\\" in data


class _KnownName(msgspec.Struct, frozen=True):
    """dbt_project.yml's text as last parsed, and the `name` read from it (None: none to compare with)."""

    text: str
    name: str | None


def _project_name(project_file: Path, kept_in: Path | None) -> str | None:
    """dbt_project.yml's `name:`, or None when there is no such file or the name is templated. With `kept_in` (a
    state folder, artifacts.state), the name read from the same text last time is kept there and read back: no YAML
    parser (~15 ms of imports) while dbt_project.yml is unchanged."""
    text = _text(project_file)
    if text is None:
        return None
    kept_at = kept_in / KNOWN_NAME_FILE if kept_in is not None else None
    kept = read_state(kept_at, _KnownName) if kept_at is not None else None
    if kept is not None and kept.text == text:
        return kept.name
    project = _parse(project_file, text)
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str) or "{" in name:
        name = None  # dbt itself refuses a project without a name; the comparison needs a plain one
    if kept_at is not None:
        write_state(kept_at, _KnownName(text=text, name=name))
    return name


def _text(project_file: Path) -> str | None:
    try:
        return project_file.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise _unreadable(project_file, error) from None


def _parse(project_file: Path, text: str) -> Any:
    import yaml  # here: only a changed dbt_project.yml (or one that sets target-path) is parsed

    from dbt_grounding import yaml_text

    try:
        return yaml_text.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise _unreadable(project_file, error) from None


def _unreadable(project_file: Path, error: Exception) -> ConfigurationError:
    reason = " / ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return ConfigurationError(f"cannot read {project_file}: {reason}",
                              hint="fix the file; `dbt parse` reports the same problem", path=str(project_file))
