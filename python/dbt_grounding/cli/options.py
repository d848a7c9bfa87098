"""Options shared by every command, named as dbt names them."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from dbt_grounding.errors import ExitCode


@dataclass(frozen=True)
class CommandOutput:
    text: str
    exit_code: ExitCode = ExitCode.OK


def add_project_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dbt project")
    group.add_argument("--project-dir", type=Path, default=Path("."), help="the dbt project (default: .)")
    group.add_argument("--profiles-dir", type=Path, default=None,
                       help="folder holding profiles.yml (default: $DBT_PROFILES_DIR, the project, ~/.dbt)")
    group.add_argument("--target", default=None, help="profile target (default: the profile's target)")
    group.add_argument("--target-path", type=Path, default=None,
                       help="folder holding dbt's artifacts (default: <project-dir>/target)")


def open_project(args: argparse.Namespace):
    from dbt_grounding.project import GroundingProject

    project = GroundingProject.open(
        args.project_dir, target_path=args.target_path, profiles_dir=args.profiles_dir, target=args.target
    )
    args.warnings_out = list(project.warnings)
    return project
