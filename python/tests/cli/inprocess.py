"""Running `dbt_grounding.cli.main` in the test process (a fraction of a console script's start-up), on a sandbox copy
of a built fixture project, and the one rule every outcome must follow."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from dbt_grounding.cli import main
from dbt_grounding.errors import ExitCode

from dbt_runner import DbtProject

DOCUMENTED = {ExitCode.OK, ExitCode.FINDINGS, ExitCode.USAGE, ExitCode.ARTIFACTS}
ARTIFACT_FILES = ("manifest.json", "run_results.json", "catalog.json", "sources.json")


@dataclass(frozen=True)
class Outcome:
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"dbt-grounding {' '.join(self.argv)} -> exit {self.code}\n{self.stderr[-3000:]}"


def run_main(*argv: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return Outcome(tuple(argv), code, out.getvalue(), err.getvalue())


def assert_documented(outcome: Outcome) -> None:
    """A documented exit code; a failure says `error:` on stderr; never a traceback or an internal error."""
    assert outcome.code in DOCUMENTED, str(outcome)
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr, str(outcome)
    if outcome.code in (ExitCode.USAGE, ExitCode.ARTIFACTS):
        assert "error:" in outcome.stderr, str(outcome)


@dataclass(frozen=True)
class Sandbox:
    """A copy of a built project's sources and of the artifacts the toolkit reads, to break at will."""

    project_dir: Path
    target_path: Path

    def args(self) -> tuple[str, ...]:
        return ("--project-dir", str(self.project_dir), "--target-path", str(self.target_path))


def make_sandbox(built: DbtProject, destination: Path) -> Sandbox:
    project_dir = destination / "project"
    shutil.copytree(built.project_dir, project_dir)
    target_path = destination / "target"
    target_path.mkdir(parents=True)
    for name in ARTIFACT_FILES:
        if (built.target_path / name).exists():
            shutil.copy(built.target_path / name, target_path / name)
    return Sandbox(project_dir, target_path)
