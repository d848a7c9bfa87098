"""The schema of a relation as first seen after its build, remembered beside the artifacts.

Without catalog.json from after the build, nothing else records the types a build produced: the yml rarely declares
them outside contracts. So the first time the toolkit introspects a relation after a build, it keeps what it saw
under <target-path>/dbt_grounding/built_schema/, stamped with that build; a later look compares against it. A new
build (another stamp) replaces it. Read and written through artifacts.state: atomic, and a file that is missing or
malformed counts as absent.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from dbt_grounding.artifacts.state import read_state, state_dir, write_state

Columns = list[tuple[str, str]]


class _Remembered(msgspec.Struct, frozen=True):
    build: str
    columns: list[tuple[str, str]]


def memory_file(target_path: Path, unique_id: str) -> Path:
    return state_dir(target_path) / "built_schema" / f"{unique_id}.json"


def recall(target_path: Path, unique_id: str, build_stamp: str) -> Columns | None:
    """The columns remembered for this build of the node; None when none were, or for another build."""
    remembered = read_state(memory_file(target_path, unique_id), _Remembered)
    if remembered is None or remembered.build != build_stamp:
        return None
    return list(remembered.columns) or None


def remember(target_path: Path, unique_id: str, build_stamp: str, columns: Columns) -> None:
    """Keep the columns seen for this build; a memory that cannot be written is not an error (the next look
    tries again, and the compiled SQL still checks column names meanwhile)."""
    write_state(memory_file(target_path, unique_id), _Remembered(build_stamp, [tuple(pair) for pair in columns]))
