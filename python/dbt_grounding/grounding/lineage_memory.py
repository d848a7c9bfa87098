"""The last column lineage of a model that traced cleanly, kept beside the artifacts.

When a change upstream breaks a build, the new manifest has no compiled SQL for the models that failed or were
skipped, so their lineage cannot be traced from it: exactly when a drift error must say which mart columns the
broken upstream column fed. The lineage remembered from the last good state answers that.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

Paths = dict[str, list[list[tuple[str, str]]]]  # mart column -> paths, each [(unique_id, column), ...] mart first


def memory_file(target_path: Path, unique_id: str) -> Path:
    return target_path / "dbt_grounding" / "last_good_lineage" / f"{unique_id}.json"


def lineage_paths(lineage) -> Paths | None:
    """The lineage's paths per column, or None when any column could not be traced cleanly."""
    if any(trace.issues for trace in lineage.columns.values()):
        return None
    return {name: [[(ref.unique_id, ref.column) for ref in path] for path in trace.paths]
            for name, trace in lineage.columns.items()}


def remember(target_path: Path, unique_id: str, paths: Paths) -> None:
    """Write atomically; a cache that cannot be written is not an error (the next good trace tries again)."""
    path = memory_file(target_path, unique_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            json.dump(paths, handle, sort_keys=True)
        os.replace(handle.name, path)
    except OSError:
        return


def recall(target_path: Path, unique_id: str) -> Paths | None:
    try:
        data = json.loads(memory_file(target_path, unique_id).read_text())
    except (OSError, ValueError):
        return None
    return {column: [[(uid, name) for uid, name in path] for path in paths] for column, paths in data.items()}


def paths_through(paths: Paths, unique_id: str, column: str) -> dict[str, list[list[tuple[str, str]]]]:
    """Mart column -> its lineage paths through (unique_id, column), cut after that hop (names match
    case-insensitively). A mart column asked about itself gets its whole paths, down to the sources."""
    folded = column.casefold()
    reached: dict[str, list[list[tuple[str, str]]]] = {}
    for mart_column, column_paths in paths.items():
        for path in column_paths:
            for i, (uid, name) in enumerate(path):
                if uid == unique_id and name.casefold() == folded:
                    cut = [tuple(hop) for hop in (path if i == 0 else path[: i + 1])]
                    if cut not in reached.setdefault(mart_column, []):
                        reached[mart_column].append(cut)
    return reached
