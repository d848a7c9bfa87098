"""run_results.json: the status of each node in the last dbt invocation that wrote it, and which command that was.

dbt 1.11 rewrites this file on every command that runs nodes, building or not (measured on
python/tests/fixtures/moved_target_shop; `args.which` names the command):
- build results: `build`, `run`, `test`, `seed`, `snapshot` (and `retry`, which records the command it retries);
- never build results: `compile`, `generate` (`dbt docs generate`: every model "success", every test "success"),
  `show`, `run-operation`, `clone` (relations copied from another environment, not built here).
- `dbt ls`, `dbt parse` and `dbt docs generate --no-compile` leave it as it was (they rewrite manifest.json only,
  or catalog.json only).
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from dbt_grounding.artifacts._decode import ArtifactMetadata, decode, read_bytes, schema_version
from dbt_grounding.errors import ArtifactError

SUPPORTED_RUN_RESULTS_VERSIONS = range(4, 7)  # dbt 1.5 to 1.11
PRODUCED_BY = "dbt build"
BUILD_COMMANDS = ("build", "run", "test", "seed", "snapshot")


class Timing(msgspec.Struct, frozen=True):
    name: str
    started_at: str | None = None
    completed_at: str | None = None


class RunResult(msgspec.Struct, frozen=True):
    unique_id: str
    status: str
    timing: list[Timing] = []
    failures: int | None = None
    message: str | None = None

    @property
    def completed_at(self) -> str | None:
        """When the node finished executing (ISO 8601, UTC), None when it never ran."""
        ends = [t.completed_at for t in self.timing if t.name == "execute" and t.completed_at]
        return ends[-1] if ends else None


class RunResultsMetadata(ArtifactMetadata, frozen=True):
    invocation_started_at: str | None = None  # dbt >= 1.8


class RunArgs(msgspec.Struct, frozen=True):
    """The invocation's flags as dbt records them: the command, and where and how it ran."""

    which: str | None = None  # the command: build, run, test, compile, generate, show...
    invocation_command: str | None = None  # the command line, e.g. "dbt build --project-dir ../shop"
    project_dir: str | None = None  # as given (relative to where dbt ran), or absolute when dbt found it itself
    empty: bool | None = None  # --empty: relations built without rows
    sample: Any = None  # --sample (dbt >= 1.10): relations built from a sample of the data


class RunResults(msgspec.Struct, frozen=True, dict=True):  # dict=True: room for the cached index below
    metadata: RunResultsMetadata
    results: list[RunResult] = []
    args: RunArgs = RunArgs()

    @property
    def command(self) -> str | None:
        """The dbt command that wrote the file (`args.which`), None when dbt did not record it."""
        return self.args.which

    @property
    def holds_build_results(self) -> bool:
        """Whether the results come from a command that executed the nodes (never from compile, docs, show...)."""
        return self.command in BUILD_COMMANDS

    @property
    def started_at(self) -> str:
        return self.metadata.invocation_started_at or self.metadata.generated_at

    def by_unique_id(self) -> dict[str, RunResult]:
        """Results by node; built once, since serving a document asks several times (20k results at 5,000 models)."""
        return self._index

    @functools.cached_property
    def _index(self) -> dict[str, RunResult]:
        return {result.unique_id: result for result in self.results}


def parse_utc(text: str) -> datetime:
    """An ISO-8601 timestamp from dbt (with or without Z / offset) as an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def load_run_results(path: Path) -> RunResults:
    data = read_bytes(path, produced_by=PRODUCED_BY)
    version = schema_version(data, path, kind="run-results", produced_by=PRODUCED_BY)
    if version not in SUPPORTED_RUN_RESULTS_VERSIONS:
        raise ArtifactError(
            f"{path.name} has schema version v{version}; dbt-grounding reads v4 to v6 (dbt 1.5 to 1.11)",
            hint="re-run `dbt build` with dbt >= 1.6" if version < 4 else "upgrade dbt-grounding",
            path=str(path), problem="unsupported_version", version=version,
        )
    return decode(data, path, RunResults, produced_by=PRODUCED_BY)
