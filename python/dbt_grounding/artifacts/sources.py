"""sources.json: the result of `dbt source freshness`."""

from __future__ import annotations

from pathlib import Path

import msgspec

from dbt_grounding.artifacts._decode import ArtifactMetadata, decode, read_bytes, schema_version

PRODUCED_BY = "dbt source freshness"


class SourceFreshnessResult(msgspec.Struct, frozen=True):
    unique_id: str
    status: str
    max_loaded_at: str | None = None
    snapshotted_at: str | None = None
    max_loaded_at_time_ago_in_s: float | None = None


class SourcesResults(msgspec.Struct, frozen=True):
    metadata: ArtifactMetadata
    results: list[SourceFreshnessResult] = []


def load_sources(path: Path) -> SourcesResults:
    data = read_bytes(path, produced_by=PRODUCED_BY)
    schema_version(data, path, kind="sources", produced_by=PRODUCED_BY)
    return decode(data, path, SourcesResults, produced_by=PRODUCED_BY)
