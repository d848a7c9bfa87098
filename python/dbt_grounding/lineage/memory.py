"""The last column lineage of a model that traced cleanly, kept beside the artifacts.

When a change upstream breaks a build, the new manifest has no compiled SQL for the models that failed or were
skipped, so their lineage cannot be traced from it: exactly when a drift error must say which mart columns the
broken upstream column fed. The lineage remembered from the last good state answers that.
"""

from __future__ import annotations

from pathlib import Path

from dbt_grounding.artifacts.state import read_state, state_dir, write_state

Paths = dict[str, list[list[tuple[str, str]]]]  # mart column -> paths, each [(unique_id, column), ...] mart first


def memory_file(target_path: Path, unique_id: str) -> Path:
    return state_dir(target_path) / "last_good_lineage" / f"{unique_id}.json"


def lineage_paths(lineage) -> Paths | None:
    """The lineage's paths per column, or None when any column could not be traced cleanly."""
    if any(trace.issues for trace in lineage.columns.values()):
        return None
    return {name: [[(ref.unique_id, ref.column) for ref in path] for path in trace.paths]
            for name, trace in lineage.columns.items()}


def remember(target_path: Path, unique_id: str, paths: Paths) -> None:
    """Keep the paths beside the artifacts (artifacts.state: atomic, skipped when the folder is read-only)."""
    write_state(memory_file(target_path, unique_id), paths)


def recall(target_path: Path, unique_id: str) -> Paths | None:
    """The remembered paths; None when there are none or the file is not what `remember` wrote (it is rewritten by
    the next clean trace)."""
    return read_state(memory_file(target_path, unique_id), Paths)


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
