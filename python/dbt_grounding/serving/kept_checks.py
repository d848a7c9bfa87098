"""A passing schema check kept beside the artifacts for the next one-shot process (`dbt-grounding context`): the
check lists every relation upstream of the mart (12 queries over 31 relations on the demo, ~50-100 ms of a cold
command), and its verdict cannot change while nothing it depends on does (issue 16).

A pass is kept under a key over everything the verdict depends on, each stamped without being read
(artifacts.stamps): the artifacts the expected schemas come from (manifest.json, catalog.json, run_results.json,
sources.json, the build record), the schema remembered after each relation's build (grounding.built_schema), the
warehouse's files (DuckDB: the database and its .wal, where writes land before a checkpoint), the engine's version,
the relations checked with the columns read from each, and the toolkit's code. The role is not in it: the check
judges relations, never what a role may see. Any change to any of them and the pass stops being found: the
relations are checked again. Only a pass is kept, and only when no stamp moved while it was worked out. Engines
not held in local files keep nothing (other sessions change them unseen). Written atomically (artifacts.state); an
unreadable or malformed entry reads as absent, never as a pass. Long-lived processes do not use it: they keep
matches in memory while their connection keeps writers out (SchemaChecker).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from dbt_grounding.artifacts.stamps import code_stamp, file_stamp
from dbt_grounding.artifacts.state import read_state, state_dir, write_state
from dbt_grounding.grounding.built_schema import memory_file
from dbt_grounding.grounding.drift import relation_of

if TYPE_CHECKING:
    from dbt_grounding.artifacts import Node, Source
    from dbt_grounding.warehouse import Warehouse

KEPT_DIR = "kept_checks"
FORMAT = 1  # bump when an entry's shape changes
ARTIFACT_FILES = ("manifest.json", "catalog.json", "run_results.json", "sources.json")
STATE_FILES = ("build_results.json",)


class _Pass(msgspec.Struct, frozen=True):
    format: int
    key: str
    columns: list[tuple[str, str]]  # the mart's relation as listed: what the document selects and types keys by


def stamps(target_path: Path, warehouse: Warehouse, resources: Sequence[Node | Source],
           read: dict[str, list[str]], upstream: bool) -> dict[str, object] | None:
    """What a check of `resources` (the mart first) depends on, as it is now; None when the warehouse's files
    cannot be stamped (not local, or the database file is not there)."""
    files = [file_stamp(path) for path in warehouse.local_files]
    if not files or files[0] is None:
        return None
    return {
        "format": FORMAT,
        "warehouse": [warehouse.adapter_type, warehouse.engine_version,
                      [str(Path(path).resolve()) for path in warehouse.local_files], files],
        "artifacts": [file_stamp(Path(target_path) / name) for name in ARTIFACT_FILES],
        "state": [file_stamp(state_dir(target_path) / name) for name in STATE_FILES],
        # the columns read as a set: their order follows how the lineage was found (traced now or read back)
        "relations": [[resource.unique_id, list(relation_of(resource)), sorted(read.get(resource.unique_id, [])),
                       file_stamp(memory_file(target_path, resource.unique_id))] for resource in resources],
        "upstream": upstream,
        "code": code_stamp(),
    }


def _key(stamped: dict[str, object]) -> str:
    return hashlib.sha256(msgspec.json.encode(stamped)).hexdigest()


def _entry_file(target_path: Path, unique_id: str, upstream: bool) -> Path:
    # one file per mart (and depth): a new pass replaces the old one instead of piling up beside it
    return state_dir(target_path) / KEPT_DIR / f"{unique_id}{'' if upstream else '.alone'}.json"


def recall_pass(target_path: Path, unique_id: str, upstream: bool,
                stamped: dict[str, object] | None) -> list[tuple[str, str]] | None:
    """The mart's listed columns when a pass is kept for the inputs as `stamped` now, else None."""
    if stamped is None:
        return None
    kept = read_state(_entry_file(target_path, unique_id, upstream), _Pass)
    if kept is None or kept.format != FORMAT or kept.key != _key(stamped):
        return None
    return [tuple(column) for column in kept.columns]


def keep_pass(target_path: Path, unique_id: str, upstream: bool, before: dict[str, object] | None,
              after: dict[str, object] | None, columns: list[tuple[str, str]]) -> None:
    """Keep a pass worked out from the inputs as `before` stamped them, unless one moved meanwhile. The check
    itself may remember a relation's schema after its build (built_schema): those stamps are taken after."""
    if before is None or after is None or {**before, "relations": None} != {**after, "relations": None}:
        return  # the warehouse or the artifacts changed under the check: its verdict may be of neither
    write_state(_entry_file(target_path, unique_id, upstream), _Pass(FORMAT, _key(after), list(columns)))
