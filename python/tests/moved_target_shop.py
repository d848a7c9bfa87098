"""The moved_target_shop fixture project, run as its users run it: dbt in the project folder (or elsewhere with
--project-dir), artifacts where dbt_project.yml's `target-path` puts them, the DuckDB file where the profile's relative
path leads from the directory dbt runs in. Each copy lives in a tmp dir; nothing is written beside the sources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dbt_runner import DbtCommandFailed, dbt_executable

SOURCES = Path(__file__).resolve().parent / "fixtures" / "moved_target_shop"
CLI = str(Path(sys.executable).with_name("dbt-grounding"))


@dataclass(frozen=True)
class Shop:
    """A copy of the project at `root / "shop"`; dbt runs from `root / "shop"` unless told otherwise."""

    root: Path

    @property
    def project_dir(self) -> Path:
        return self.root / "shop"

    @property
    def target_path(self) -> Path:
        return self.project_dir / "build" / "artifacts"  # target-path in dbt_project.yml

    @property
    def duckdb_path(self) -> Path:
        return self.project_dir / "shop.duckdb"  # the profile's relative path, from the project folder

    @classmethod
    def copy_of(cls, root: Path, built: Shop | None = None) -> Shop:
        """A fresh copy of the sources, or of `built` (sources, DuckDB file and artifacts) when given."""
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(built.project_dir if built else SOURCES, root / "shop",
                        ignore=shutil.ignore_patterns("logs", "*.tmp"))
        return cls(root)

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("DBT_") or key == "DBT_GROUNDING_ROLE"}  # the suite's role (conftest.py)
        env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="False", DBT_PARTIAL_PARSE="False")
        return env

    def dbt(self, *args: str, cwd: Path | None = None, project_dir: str | None = None, check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`dbt ARGS` run in `cwd` (default: the project), with `--project-dir project_dir` when given."""
        location = ["--project-dir", project_dir] if project_dir else []
        command = [dbt_executable(), *args, *location, "--profiles-dir", str(self.project_dir)]
        result = subprocess.run(command, cwd=cwd or self.project_dir, env={**self.env(), **(env or {})},
                                capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise DbtCommandFailed(f"`dbt {' '.join(args)}` exited {result.returncode}:\n{result.stdout[-4000:]}")
        return result

    def cli(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        """`dbt-grounding ARGS --project-dir <project>` with no --target-path: it must find the artifacts itself."""
        return subprocess.run([CLI, *args, "--project-dir", str(self.project_dir)], cwd=cwd or self.root,
                              env={**self.env(), **(env or {})}, capture_output=True, text=True, timeout=300)
