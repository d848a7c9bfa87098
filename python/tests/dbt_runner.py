"""Run the real dbt CLI against a real DuckDB file, with every output kept out of the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
AS_OF_DATE = "2026-06-30"  # the sample data ends on this day; docs/raw_data_spec.md


def dbt_executable() -> str:
    """The dbt installed beside the running Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class DbtCommandFailed(AssertionError):
    """A dbt command exited non-zero; carries its output so the test report shows why."""


@dataclass(frozen=True)
class DbtProject:
    """A dbt project directory bound to a scratch DuckDB file, target dir and log dir."""

    project_dir: Path
    work_dir: Path
    duckdb_path_env_var: str = "DBT_GROUNDING_DUCKDB_PATH"  # the profile reads its DuckDB path from it
    # settings for another target (DBT_GROUNDING_TARGET=pg or spark and its connection values; see engines.py)
    extra_env: tuple[tuple[str, str], ...] = ()

    @property
    def duckdb_path(self) -> Path:
        return self.work_dir / "warehouse.duckdb"

    @property
    def target_path(self) -> Path:
        return self.work_dir / "target"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
            DBT_PARTIAL_PARSE="False",
            # env rather than flags: every dbt command honours these, `dbt deps` has no --target-path
            DBT_TARGET_PATH=str(self.target_path),
            DBT_LOG_PATH=str(self.work_dir / "logs"),
        )
        env[self.duckdb_path_env_var] = str(self.duckdb_path)
        env.update(self.extra_env)
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [
            dbt_executable(),
            *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.project_dir),
        ]
        result = subprocess.run(
            command, cwd=self.project_dir, env=self.env(), capture_output=True, text=True, timeout=900
        )
        if check and result.returncode != 0:
            raise DbtCommandFailed(
                f"`{' '.join(args)}` exited {result.returncode} in {self.project_dir}:\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
            )
        return result

    @contextmanager
    def grounding(self, **options) -> Iterator:
        """The built project opened by the toolkit in this process (GroundingProject.open options), its profile
        pointed at this build's DuckDB file for as long as it is open."""
        from dbt_grounding import GroundingProject

        previous = os.environ.get(self.duckdb_path_env_var)
        os.environ[self.duckdb_path_env_var] = str(self.duckdb_path)
        try:
            with GroundingProject.open(self.project_dir, target_path=self.target_path, **options) as project:
                yield project
        finally:
            if previous is None:
                os.environ.pop(self.duckdb_path_env_var, None)
            else:
                os.environ[self.duckdb_path_env_var] = previous

    def run_in_one_process(self, *commands: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        """Several dbt commands, one after another, in one Python process (dbt's programmatic runner). On Spark's
        session method the JVM, the Hive metastore client and the JIT stay warm between them: one start-up, not
        one per command. Stops at the first command that fails."""
        script = (
            "import sys, json\n"
            "from dbt.cli.main import dbtRunner\n"
            "runner = dbtRunner()\n"
            "for args in json.loads(sys.argv[1]):\n"
            "    result = runner.invoke(args)\n"
            "    if not result.success:\n"
            "        sys.exit(f'dbt {args[0]} failed: {result.exception or \"see the output above\"}')\n"
        )
        location = ["--project-dir", str(self.project_dir), "--profiles-dir", str(self.project_dir)]
        argv = json.dumps([[*command, *location] for command in commands])
        result = subprocess.run(
            [sys.executable, "-c", script, argv], cwd=self.project_dir, env=self.env(),
            capture_output=True, text=True, timeout=1800,
        )
        if result.returncode != 0:
            raise DbtCommandFailed(
                f"{[' '.join(command) for command in commands]} in one process exited {result.returncode}:\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
            )
        return result


GATE_LIBRARY = REPO_ROOT / "python" / "tests" / "fixtures" / "gate_library"


def build_gate_library(work_dir: Path) -> DbtProject:
    """fixtures/gate_library built into `work_dir`: `dbt build`, then `dbt docs generate` and `dbt source freshness`
    in a side folder (each command rewrites run_results.json), their catalog.json and sources.json copied beside the
    build's artifacts; the side folder's manifest.json, without compiled SQL, kept as `uncompiled_manifest.json`."""
    project = DbtProject(GATE_LIBRARY, work_dir, duckdb_path_env_var="GATE_LIBRARY_DUCKDB_PATH")
    project.run("build")
    side = DbtProject(GATE_LIBRARY, work_dir / "side", duckdb_path_env_var="GATE_LIBRARY_DUCKDB_PATH",
                      extra_env=(("GATE_LIBRARY_DUCKDB_PATH", str(project.duckdb_path)),))
    side.run("docs", "generate")
    side.run("source", "freshness", check=False)  # exit 1 when a source is past warn_after: sources.json says so
    for name in ("catalog.json", "sources.json"):
        shutil.copy(side.target_path / name, project.target_path / name)
    # `dbt source freshness` compiles no model: its manifest is the one a parse (or a failed build) leaves
    shutil.copy(side.target_path / "manifest.json", work_dir / "uncompiled_manifest.json")
    return project


def copy_build(built: DbtProject, work_dir: Path) -> DbtProject:
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(built.duckdb_path, work_dir / "warehouse.duckdb")
    # *.tmp: a file the toolkit is writing atomically in another xdist worker, renamed away mid-copy
    # telemetry: a copy of a build is not the requests that build served (the monitoring models would read them)
    shutil.copytree(built.target_path, work_dir / "target", ignore=shutil.ignore_patterns("*.tmp", "telemetry"))
    return DbtProject(REPO_ROOT, work_dir)


BUILD_TIMES = ("generated_at", "invocation_started_at", "started_at", "completed_at", "built_at", "published_at")
BUILD_RECORDS = ("run_results.json", "build_results.json", "current.json", "published.json")


def age_build(project: DbtProject, by: timedelta) -> DbtProject:
    """The build as it is `by` after it ran: every time dbt recorded in run_results.json, and the toolkit's records
    of it (build_results.json; a published snapshot's own copies and its pointer), moved back by `by`. A server
    cannot be handed a later clock from a test, so the build is made older instead; the toolkit then judges its
    freshness as it would that long after the build."""
    def shift(value):
        if isinstance(value, dict):
            return {key: (moved(item) if key in BUILD_TIMES and isinstance(item, str) else shift(item))
                    for key, item in value.items()}
        return [shift(item) for item in value] if isinstance(value, list) else value

    def moved(text: str) -> str:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) - by
        return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"

    for name in BUILD_RECORDS:
        for path in project.target_path.rglob(name):
            path.write_text(json.dumps(shift(json.loads(path.read_text()))))
    return project


def copy_project_sources(destination: Path) -> Path:
    """The package's dbt sources (no venv, no build output), to change a model and rebuild for real."""
    ignore = shutil.ignore_patterns(".venv", ".git", "target", "logs", "dbt_packages", "*.duckdb", "python",
                                    "benchmarks", "integration_tests", "__pycache__")
    shutil.copytree(REPO_ROOT, destination, ignore=ignore)
    return destination
