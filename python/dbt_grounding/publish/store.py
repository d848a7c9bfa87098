"""The serving store: published builds under `<target-path>/dbt_grounding/published/`, and which one is current.

Why a store at all: a DuckDB file is opened by one writer or by readers, never both. Agents reading the file dbt
builds keep `dbt build` out of it for as long as they read (measured: 8 serving processes kept a build out for the
whole of a 60 s and a 120 s load), and a build rewriting it under them would mix two builds in one answer. So a build
that passed the gate is copied once into a store the build never touches, and agents read that copy on a held
connection (write-audit-publish; the audit is our own gate, see publish.publisher).

Layout (one folder per published build, named after the build, so publishing the same build again is a no-op):

    published/
      current.json                      the published build agents read (a PublishedBuild), replaced atomically
      20260630T120000Z-1a2b3c4d/        one build: a target folder of its own
        manifest.json run_results.json  the artifacts the gate judged (catalog.json, sources.json when present)
        dbt_grounding/                  the toolkit's remembered state of that build (build results, built schema)
        published.json                  the folder's own record (the PublishedBuild current.json repeats)
        warehouse.duckdb                the grounding marts only, as that build left them; never written again

A folder is written under a temporary name and renamed into place, then current.json is replaced: a reader sees
the old build or the new one, never half of one. The two newest folders are kept (a reader that opened the
previous one just before the swap can finish); older ones are removed.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import msgspec

from dbt_grounding.artifacts.state import atomic_write, state_dir
from dbt_grounding.errors import ArtifactError

__all__ = [
    "PUBLISHED_DIR", "SNAPSHOT_DATABASE", "PublishedBuild", "PublishedMart", "GateVerdict",
    "published_dir", "read_current", "read_record", "write_record", "snapshot_name", "write_current", "prune",
]

PUBLISHED_DIR = "published"
SNAPSHOT_DATABASE = "warehouse.duckdb"
CURRENT = "current.json"
RECORD = "published.json"  # each folder's own record
KEEP = 2  # the current build and the one before it


class PublishedMart(msgspec.Struct, frozen=True):
    """One relation copied into the store: the manifest's unique_id, where it lives in the copy, what it holds."""

    unique_id: str
    schema: str
    identifier: str
    rows: int
    columns: list[tuple[str, str]]  # (name, type) in the copy's order


class GateVerdict(msgspec.Struct, frozen=True):
    """What the gate said of the build when it was published (errors are always 0: a failing build is not
    published), with the rule codes of the warnings it let through."""

    errors: int
    warnings: int
    warning_rules: list[str] = []


class PublishedBuild(msgspec.Struct, frozen=True):
    """current.json, and the record inside each published folder.

    Attributes:
        snapshot: the folder's name under published/.
        invocation_id: dbt's invocation id of the build whose data and artifacts were published.
        built_at: when that build ran (run_results' generated_at), ISO 8601 UTC.
        published_at: when it was published, ISO 8601 UTC.
        project_name: the dbt project's name.
        adapter: the adapter that built it (the store is DuckDB's only; other engines read in place).
        marts: the relations copied, sorted by unique_id.
        verdict: the gate's verdict on the build.
        lock_interface: sha256 of the grounding lock's interface when the project has a grounding.lock.json.
    """

    snapshot: str
    invocation_id: str
    built_at: str
    published_at: str
    project_name: str
    adapter: str
    marts: list[PublishedMart]
    verdict: GateVerdict
    lock_interface: str | None = None

    def mart(self, unique_id: str) -> PublishedMart | None:
        return next((mart for mart in self.marts if mart.unique_id == unique_id), None)


def published_dir(target_path: Path) -> Path:
    return state_dir(target_path) / PUBLISHED_DIR


def snapshot_name(built_at: datetime, invocation_id: str) -> str:
    """A published folder's name: sortable by build time, unique per build."""
    return f"{built_at.strftime('%Y%m%dT%H%M%SZ')}-{invocation_id.replace('-', '')[:8]}"


def read_current(target_path: Path) -> PublishedBuild | None:
    """The published build agents read, or None when nothing was ever published.

    Raises:
        ArtifactError: current.json exists but is not a published build's record, or names a folder that is gone.
            Not "absent": serving would silently fall back to reading the warehouse in place.
    """
    path = published_dir(target_path) / CURRENT
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _unusable(path, f"cannot be read ({error.strerror})") from None
    try:
        current = msgspec.json.decode(data, type=PublishedBuild)
    except (msgspec.DecodeError, RecursionError) as error:
        raise _unusable(path, f"is not a published build's record ({error})") from None
    if not (published_dir(target_path) / current.snapshot / SNAPSHOT_DATABASE).is_file():
        raise _unusable(path, f"names the published build {current.snapshot!r}, whose folder is gone")
    return current


def read_record(folder: Path) -> PublishedBuild | None:
    """The record a published folder keeps of itself, or None when the folder is not a complete published build."""
    try:
        record = msgspec.json.decode((folder / RECORD).read_bytes(), type=PublishedBuild)
    except (OSError, msgspec.DecodeError, RecursionError):
        return None
    return record if (folder / SNAPSHOT_DATABASE).is_file() else None


def write_record(folder: Path, build: PublishedBuild) -> None:
    """The folder's own record, written before the folder is renamed into place."""
    (folder / RECORD).write_bytes(msgspec.json.encode(build, order="sorted"))


def write_current(target_path: Path, build: PublishedBuild) -> None:
    """Make `build` (already in its folder) the one agents read: current.json replaced atomically."""
    atomic_write(published_dir(target_path) / CURRENT, msgspec.json.encode(build, order="sorted"))


def prune(target_path: Path, keep: str) -> list[str]:
    """Remove published folders but the `KEEP` newest (always keeping `keep`) and leftovers of interrupted
    publishes; returns the names removed."""
    folder = published_dir(target_path)
    builds = sorted((entry.name for entry in folder.iterdir() if entry.is_dir() and not entry.name.startswith(".")),
                    reverse=True)
    kept = {keep, *builds[:KEEP]}
    removed = [name for name in builds if name not in kept]
    removed += [entry.name for entry in folder.iterdir() if entry.name.startswith(".tmp-")]
    for name in removed:
        shutil.rmtree(folder / name, ignore_errors=True)
    return sorted(removed)


def _unusable(path: Path, problem: str) -> ArtifactError:
    return ArtifactError(
        f"The serving store's pointer {path} {problem}.",
        hint="Run `dbt-grounding publish` to publish the last build again (it rewrites the pointer), or remove "
             "the published/ folder to serve from the warehouse in place.",
        path=str(path), problem="unusable",
    )
