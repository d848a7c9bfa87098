"""What compiled SQL says about a node, worked out from one build's artifacts and kept beside them, so the next
process serving the same artifacts reads it back instead of resolving SQL again (which imports sqlglot and reads
every model's cache entry on the way: most of a cold `dbt-grounding context`). Kept: a model's column lineage paths
(ProjectLineage.traced_paths), a relation's projection and the columns its children read (the expected schemas).

An entry is keyed by what the trace depends on (`trace_key`): manifest.json and catalog.json as files (size,
modification time in ns, inode) and the manifest's invocation, the lineage code (its source files) and the installed
sqlglot (its files' size and modification time, read without importing it). Change any of them and the entry simply
stops being found; it is worked out again. A trace with issues is kept as "none" (`None`), so the caller falls
back to the last clean trace (lineage.memory) as it would after tracing. Written atomically (artifacts.state); an
unreadable entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from dbt_grounding.artifacts.stamps import file_stamp
from dbt_grounding.artifacts.state import read_state, state_dir, write_state
if TYPE_CHECKING:
    from dbt_grounding.artifacts import Manifest

TRACED_DIR = "traced_lineage"
V = TypeVar("V")


class _Entry(msgspec.Struct, Generic[V], frozen=True):
    key: str
    value: V


def traced_file(target_path: Path, kind: str, unique_id: str) -> Path:
    return state_dir(target_path) / TRACED_DIR / kind / f"{unique_id}.json"


def _code_stamp() -> list[object]:
    """The lineage code (this folder's sources, hashed) and sqlglot as installed (its files' stamps, not imported)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for source in sorted(here.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    spec = importlib.util.find_spec("sqlglot")
    sqlglot_files = [Path(spec.origin), Path(spec.origin).with_name("_version.py")] if spec and spec.origin else []
    return [digest.hexdigest(), [str(path) for path in sqlglot_files], [file_stamp(path) for path in sqlglot_files]]


def trace_key(manifest: Manifest, target_path: Path) -> str | None:
    """What a trace of this manifest's models depends on; None when manifest.json is not there to be stamped (a
    manifest not read from the target folder: always traced)."""
    manifest_stamp = file_stamp(Path(target_path) / "manifest.json")
    if manifest_stamp is None:
        return None
    material = msgspec.json.encode([
        manifest_stamp, manifest.metadata.invocation_id, manifest.metadata.generated_at,
        file_stamp(Path(target_path) / "catalog.json"), _code_stamp(),
    ])
    return hashlib.sha256(material).hexdigest()


def recall_traced(target_path: Path, kind: str, unique_id: str, key: str, shape: Any) -> tuple[bool, Any]:
    """(found, value): whether a `kind` answer for the node worked out under `key` is kept, and the answer (decoded
    as `shape`)."""
    entry = read_state(traced_file(target_path, kind, unique_id), _Entry[shape])
    if entry is None or entry.key != key:
        return False, None
    return True, entry.value


def keep_traced(target_path: Path, kind: str, unique_id: str, key: str, value: Any) -> None:
    """Keep an answer under `key` (skipped silently when the folder is read-only, as every state)."""
    write_state(traced_file(target_path, kind, unique_id), _Entry(key, value))


def kept(target_path: Path, key: str | None, kind: str, unique_id: str, shape: Any, work: Callable[[], V]) -> V:
    """The `kind` answer for the node: read back when one worked out under `key` is kept, else `work()` (then kept).
    No key (artifacts not stamped): always `work()`."""
    if key is None:
        return work()
    found, value = recall_traced(target_path, kind, unique_id, key, shape)
    if not found:
        value = work()
        keep_traced(target_path, kind, unique_id, key, value)
    return value
