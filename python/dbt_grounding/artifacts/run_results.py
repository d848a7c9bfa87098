"""run_results.json: the status of each node in the last dbt invocation that wrote it."""

from __future__ import annotations

import functools
from pathlib import Path

import msgspec

from dbt_grounding.artifacts._decode import decode, read_bytes, schema_version
from dbt_grounding.errors import ArtifactError

SUPPORTED_RUN_RESULTS_VERSIONS = range(4, 7)  # dbt 1.5 to 1.11
PRODUCED_BY = "dbt build"


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


class RunResultsMetadata(msgspec.Struct, frozen=True):
    dbt_schema_version: str
    dbt_version: str = ""
    generated_at: str = ""
    invocation_id: str | None = None


class RunResults(msgspec.Struct, frozen=True, dict=True):  # dict=True: room for the cached index below
    metadata: RunResultsMetadata
    results: list[RunResult] = []

    def by_unique_id(self) -> dict[str, RunResult]:
        """Results by node; built once, since serving a document asks several times (20k results at 5,000 models)."""
        return self._index

    @functools.cached_property
    def _index(self) -> dict[str, RunResult]:
        return {result.unique_id: result for result in self.results}


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
