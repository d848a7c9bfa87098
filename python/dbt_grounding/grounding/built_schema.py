"""The schema of a relation as first seen after its build, remembered beside the artifacts.

Without catalog.json from after the build, nothing else records the types a build produced: the yml rarely declares
them outside contracts. So the first time the toolkit introspects a relation after a build, it keeps what it saw
under <target-path>/dbt_grounding/built_schema/, stamped with that build; a later look compares against it. A new
build (another stamp) replaces it. Written atomically; a file that cannot be read or is malformed counts as absent.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

Columns = list[tuple[str, str]]


def memory_file(target_path: Path, unique_id: str) -> Path:
    return target_path / "dbt_grounding" / "built_schema" / f"{unique_id}.json"


def recall(target_path: Path, unique_id: str, build_stamp: str) -> Columns | None:
    """The columns remembered for this build of the node; None when none were, or for another build."""
    try:
        data = json.loads(memory_file(target_path, unique_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("build") != build_stamp or not isinstance(data.get("columns"), list):
        return None
    columns = data["columns"]
    if not all(isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair) for pair in columns):
        return None
    return [(name, data_type) for name, data_type in columns] or None


def remember(target_path: Path, unique_id: str, build_stamp: str, columns: Columns) -> None:
    """Keep the columns seen for this build; a memory that cannot be written is not an error (the next look
    tries again, and the compiled SQL still checks column names meanwhile)."""
    path = memory_file(target_path, unique_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as handle:
            json.dump({"build": build_stamp, "columns": [list(pair) for pair in columns]}, handle, sort_keys=True)
        os.replace(handle.name, path)
    except OSError:
        return
