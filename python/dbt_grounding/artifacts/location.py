"""Where dbt put its artifacts, and the directory dbt ran in: found as dbt finds them, each with the reason.

Target path (dbt 1.11, dbt/config/project.py): the `--target-path` flag, else env DBT_TARGET_PATH (the flag's
env var), else `target-path` in dbt_project.yml (rendered: it may read env_var), else `target`; a relative one is
relative to the project directory.

The directory dbt ran in: dbt opens a relative DuckDB `path` from there (measured: `dbt build --project-dir ../shop`
run in a sibling folder writes the file in that sibling; run inside a project subfolder, in that subfolder). dbt does
not record it, but run_results.json records `args.project_dir`: as given when relative (then dbt ran where that
relative path leads to the project from), absolute when dbt found the project itself by looking up from where it ran.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any, NamedTuple

from dbt_grounding.artifacts.ownership import PROJECT_FILE, may_set, read_project_file


class Located(NamedTuple):  # not a dataclass: importing dataclasses is ~10 ms of a cold `lineage`
    """A directory and why it is the one."""

    path: Path
    reason: str


def locate_target_path(project_dir: str | os.PathLike[str], target_path: str | os.PathLike[str] | None = None,
                       environ: Mapping[str, str] | None = None) -> Located:
    """The folder holding dbt's artifacts for the project, by dbt's precedence (module docstring).

    Raises:
        ConfigurationError: dbt_project.yml exists but cannot be read, or its target-path cannot be rendered.
    """
    environ = os.environ if environ is None else environ
    project_dir = Path(project_dir)
    if target_path is not None:
        chosen, reason = str(target_path), "given as the target path"
    elif environ.get("DBT_TARGET_PATH"):
        chosen, reason = environ["DBT_TARGET_PATH"], "from DBT_TARGET_PATH"
    else:
        configured = _project_target_path(project_dir, environ)
        chosen, reason = ((configured, "from target-path in dbt_project.yml") if configured
                          else ("target", "dbt's default"))
    path = Path(chosen).expanduser()
    return Located(path if path.is_absolute() else project_dir / path, f"{chosen} ({reason})")


def _project_target_path(project_dir: Path, environ: Mapping[str, str]) -> str | None:
    project_file = project_dir / PROJECT_FILE
    if not may_set(project_file, "target-path"):
        return None  # dbt's default, known without parsing the file
    project = read_project_file(project_file)
    value: Any = project.get("target-path") if isinstance(project, Mapping) else None
    if isinstance(value, str) and "{" in value:
        from dbt_grounding.warehouse.rendering import render_value  # Jinja only when the value has any

        value = render_value(value, environ=environ, source=f"{project_file}: target-path")
    return str(value) if value not in (None, "") else None


def dbt_run_directory(project_dir: Path, recorded_project_dir: str | None, invocation_command: str | None,
                      *, cwd: Path | None = None) -> Located:
    """The directory a dbt invocation ran in, from what run_results.json recorded of it.

    Args:
        project_dir: the project directory as this process sees it.
        recorded_project_dir: run_results.json `args.project_dir` (None: no run_results.json).
        invocation_command: run_results.json `args.invocation_command`.
        cwd: this process's directory (default: the current one); used only when it is consistent with the record.
    """
    project = project_dir.resolve()
    cwd = (cwd or Path.cwd()).resolve()
    if recorded_project_dir is None:
        return Located(project, "no run_results.json records where dbt ran: assumed the project directory, where dbt "
                                "runs unless told otherwise")
    given = PurePath(os.path.normpath(recorded_project_dir))
    if given.is_absolute():
        if "--project-dir" in _tokens(invocation_command):
            return Located(project, f"dbt ran with --project-dir {recorded_project_dir} from a directory it does not "
                                    "record: assumed the project directory")
        return Located(project, "dbt found the project itself (no --project-dir, nor DBT_PROJECT_DIR), so it ran in "
                                "the project directory (or a folder below it, which dbt does not record)")
    ups = sum(1 for part in given.parts if part == "..")
    down = [part for part in given.parts if part not in ("..", ".")]
    if ups == 0 and tuple(project.parts[len(project.parts) - len(down):]) == tuple(down):
        ran_in = project.parents[len(down) - 1] if down else project
        return Located(ran_in, f"dbt ran with --project-dir {recorded_project_dir}, which leads to the project "
                               f"from {ran_in}")
    if (cwd / given).resolve() == project:
        return Located(cwd, f"dbt ran with --project-dir {recorded_project_dir}, which leads to the project from "
                            "this process's directory")
    return Located(project, f"dbt ran with --project-dir {recorded_project_dir} from a directory whose name it does "
                            "not record: assumed the project directory")


def _tokens(command: str | None) -> list[str]:
    try:
        return [token.split("=", 1)[0] for token in shlex.split(command or "")]
    except ValueError:
        return (command or "").split()
