"""Reading the published build: its artifacts and its DuckDB copy of the grounding marts, in place of the target
folder and the warehouse dbt writes (GroundingProject.open's default when a build was published; the agent server).

The copy is never written after it is published, so a reader may hold its connection as long as it likes: no build
waits for it. Its relations hold the marts only; the relations upstream of them were checked by the gate before the
build was published, so a document checks the mart's own relation against the schema its build produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dbt_grounding.artifacts import Artifacts, load_artifacts
from dbt_grounding.artifacts.run_results import load_run_results
from dbt_grounding.errors import ArtifactError, ConfigurationError
from dbt_grounding.publish.store import SNAPSHOT_DATABASE, PublishedBuild, published_dir, read_current

HELD_MS = 600_000.0  # a copy nobody writes: hold the connection (closed after 10 idle minutes)
LOOKUP_THREADS = 1  # documents read it by key: DuckDB's other threads add CPU and waits, not speed


@dataclass(frozen=True)
class PublishedSource:
    """Where a project opened on its published build reads from, and what its documents say about it."""

    build: PublishedBuild
    artifacts: Artifacts
    database: Path
    notes: list[str]


def is_published(target_path: Path) -> bool:
    """Whether the target folder has a published build to read (GroundingProject.open(published="auto")).

    Raises:
        ArtifactError: the store's pointer exists but cannot be used (not "absent": that would silently fall back to
            reading the warehouse in place).
    """
    return read_current(target_path) is not None


def open_published(target_path: Path, project_dir: Path) -> PublishedSource:
    """The published build of the target folder `target_path`.

    Raises:
        ConfigurationError: nothing was published there yet.
        ArtifactError: the store's pointer or the published artifacts cannot be used.
    """
    current = read_current(target_path)
    if current is None:
        raise ConfigurationError(
            f"No build of this project is published in {published_dir(target_path)}.",
            hint="Run `dbt build`, then `dbt-grounding publish` (or read the warehouse in place: published=False).",
            path=str(published_dir(target_path)),
        )
    folder = published_dir(target_path) / current.snapshot
    artifacts = load_artifacts(folder, located_by="the published build's folder", project_dir=project_dir)
    notes = [f"Served from the published build of {current.built_at} (dbt invocation {current.invocation_id[:8]}), "
             "which passed the grounding gate; the data is as of that build."]
    newer = _newer_build(target_path, current)
    if newer:
        notes.append(f"A newer build ({newer}) is not published (the gate refused it, or it is being published): "
                     "these values are from the last build that passed. Say so with any value you quote.")
    return PublishedSource(current, artifacts, folder / SNAPSHOT_DATABASE, notes)


def _newer_build(target_path: Path, current: PublishedBuild) -> str | None:
    """The target folder's last build when it is another than the published one, described in a few words."""
    path = target_path / "run_results.json"
    try:
        run_results = load_run_results(path) if path.is_file() else None
    except ArtifactError:
        return None
    if run_results is None or not run_results.holds_build_results:
        return None
    invocation = run_results.metadata.invocation_id or ""
    if not invocation or invocation == current.invocation_id:
        return None
    return f"dbt invocation {invocation[:8]} of {run_results.metadata.generated_at}"
