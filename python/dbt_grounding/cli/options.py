"""Options shared by every command, named as dbt names them."""

from __future__ import annotations

import argparse
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from dbt_grounding.errors import ExitCode, GroundingError

if TYPE_CHECKING:
    from dbt_grounding.project import GroundingProject


class CommandOutput(NamedTuple):  # not a dataclass: importing dataclasses is ~10 ms of every cold command
    """What a command prints: `text` on stdout, each of `warnings` on stderr before it."""

    text: str
    exit_code: ExitCode = ExitCode.OK
    warnings: tuple[str, ...] = ()


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (a usage error, exit 2, otherwise)."""
    return _bounded_int(text, 1, "a positive whole number, e.g. 1500")


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (a usage error, exit 2, otherwise)."""
    return _bounded_int(text, 0, "a whole number of 0 or more")


def _bounded_int(text: str, lowest: int, wanted: str) -> int:
    # ASCII digits only (int() also reads '٥١' and '５１'), and few enough of them to be a count
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", text.strip()) or int(text) < lowest:
        raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}")
    return int(text)


def path_arg(text: str) -> Path:
    """argparse type: a file system path (a usage error, exit 2, when empty or holding a NUL byte)."""
    if not text or "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a usable path")
    return Path(text)


def add_project_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dbt project")
    group.add_argument("--project-dir", type=path_arg, default=Path("."), help="the dbt project (default: .)")
    group.add_argument("--profiles-dir", type=path_arg, default=None,
                       help="folder holding profiles.yml (default: $DBT_PROFILES_DIR, the project, ~/.dbt)")
    group.add_argument("--target", default=None, help="profile target (default: the profile's target)")
    group.add_argument("--target-path", type=path_arg, default=None,
                       help="folder holding dbt's artifacts, relative to the project as in dbt (default: "
                            "$DBT_TARGET_PATH, else target-path in dbt_project.yml, else target)")
    group.add_argument("--telemetry", choices=("off", "jsonl", "table"), default=None,
                       help="log served requests under <target-path>/dbt_grounding/telemetry, or (table) into the "
                            "PostgreSQL target's telemetry tables (default: $DBT_GROUNDING_TELEMETRY, else jsonl)")


def add_role_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", default=None,
                        help="the caller's role: which marts are served and which columns shown (built in: public, "
                             "internal, restricted; or one of grounding_roles.yml). Default: $DBT_GROUNDING_ROLE, "
                             "else public")


class _Answering(NamedTuple):
    """What a request is bound to (telemetry.scope.RequestScope.bind) when a command answers without opening the
    project: the same telemetry, role and dbt invocation open_project would give it."""

    telemetry: Any
    role: Any
    manifest: Any  # a Manifest or ManifestGraph: its metadata's invocation


def bind_request(args: argparse.Namespace, target_path: Path, manifest: Any) -> None:
    """Resolve the role and telemetry as opening the project does (the same errors: a bad grounding_roles.yml, an
    unknown role or telemetry mode), and bind the command's request to them, for a command answered from what an
    earlier one kept (cli.kept_answers)."""
    from dbt_grounding.grounding.roles import load_roles
    from dbt_grounding.telemetry import Telemetry, current

    role = load_roles(args.project_dir).resolve(getattr(args, "role", None))
    telemetry = Telemetry.resolve(getattr(args, "telemetry", None), target_path, project_dir=args.project_dir,
                                  profiles_dir=args.profiles_dir, target=args.target)
    scope = current()
    if scope is not None:
        scope.bind(_Answering(telemetry, role, manifest))


@contextmanager
def open_project(args: argparse.Namespace) -> Iterator[GroundingProject]:
    """The project the options name, closed after the command. The project's warnings (what its artifacts lack)
    become notes of an error the command raises: they may be why it failed."""
    from dbt_grounding.project import GroundingProject
    from dbt_grounding.telemetry import current, phase

    with phase("artifacts"):  # a served command's time reading the artifacts (telemetry)
        opened = GroundingProject.open(
            args.project_dir, target_path=args.target_path, profiles_dir=args.profiles_dir, target=args.target,
            role=getattr(args, "role", None), telemetry=getattr(args, "telemetry", None),
            published=False,  # one-shot commands read the build in place
        )
    # a one-shot process: a passing schema check is kept on disk for the next one (serving.kept_checks)
    opened.serving.schemas.keep_passes = True
    with opened as project:
        scope = current()
        if scope is not None:  # the command's request: this project's telemetry, role and dbt invocation
            scope.bind(project)
        try:
            yield project
        except GroundingError as error:
            for warning in project.warnings:
                error.with_note(warning)
            raise
